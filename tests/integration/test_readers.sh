#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The capture-file readers against real tools: a two-namespace veth lab (and
# a tun for raw IP) is pinged while tcpdump and dumpcap record it; the files
# are converted with editcap/mergecap/tshark, gzipped and piped through
# stdin, and for every variant readcap must report exactly what tshark
# reports: frame count and, per frame, interface, SLL2 ifindex, direction,
# timestamp to the nanosecond, captured and wire length.
#
# Needs root, ip, tcpdump, tshark, editcap, mergecap, dumpcap, gzip;
# exits 77 (skipped) otherwise.

set -u

skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root"
for tool in ip tcpdump tshark editcap mergecap dumpcap gzip awk; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool missing"
done
READCAP=${DROPSPOT_TESTBIN:-}/readcap
if [ ! -x "$READCAP" ]; then
	READCAP=$(dirname "$0")/../../build/tests/readcap
	[ -x "$READCAP" ] || skip "readcap not built (DROPSPOT_TESTBIN unset)"
fi

tag=$$
nsa=rdA$tag
nsb=rdB$tag
va=rda$tag
vb=rdb$tag
tun=rdt$tag
net4=10.$((tag % 200 + 20)).$((tag / 200 % 250)).
work=$(mktemp -d /tmp/test_readers.XXXXXX)
pids=()
failures=0

# Background jobs of a script ignore SIGINT: stop them with SIGTERM (tcpdump
# and dumpcap flush their files on it), and never wait forever.
stop_all() {
	local pid i

	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${pids[@]}"; do
		for i in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	pids=()
}

cleanup() {
	stop_all
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
	if [ -n "${KEEP_WORK:-}" ]; then
		echo "work dir kept: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

inA() { ip netns exec "$nsa" "$@"; }
inB() { ip netns exec "$nsb" "$@"; }

# ---- lab ----
ip netns add "$nsa" || skip "cannot create network namespaces"
ip netns add "$nsb" || exit 1
ip link add "$va" netns "$nsa" type veth peer name "$vb" netns "$nsb" || exit 1
inA ip link set lo up
inB ip link set lo up
inA ip addr add "${net4}1/24" dev "$va"
inB ip addr add "${net4}2/24" dev "$vb"
inA ip addr add fd77:$((tag % 65536 / 16))::1/64 dev "$va" nodad
inB ip addr add fd77:$((tag % 65536 / 16))::2/64 dev "$vb" nodad
inA ip link set "$va" up
inB ip link set "$vb" up

# A tun held open by a tiny process gives LINKTYPE_RAW captures.
have_tun=0
if command -v python3 >/dev/null 2>&1 && [ -c /dev/net/tun ]; then
	ip netns exec "$nsa" python3 -c '
import fcntl, os, struct, sys, time
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", sys.argv[1].encode(), 0x0001 | 0x1000))
while True:
	time.sleep(1)
' "$tun" &
	pids+=($!)
	for _ in $(seq 50); do
		inA ip link show "$tun" >/dev/null 2>&1 && break
		sleep 0.1
	done
	if inA ip link set "$tun" up 2>/dev/null &&
	   inA ip addr add 10.99.$((tag % 250)).1/24 dev "$tun"; then
		have_tun=1
	fi
fi

# ---- captures ----
cd "$work" || exit 1
capture() {	# capture NAME CMD...: starts CMD in ns A, waits until it listens
	local name=$1

	shift
	# no function or subshell in between: $! must be the capture itself
	ip netns exec "$nsa" "$@" >"$name.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do
		grep -qiE "listening on|capturing on" "$name.log" 2>/dev/null &&
			return 0
		sleep 0.05
	done
	echo "capture $name did not start:"
	cat "$name.log"
	return 1
}

capture eth tcpdump -U -i "$va" -w eth.pcap || exit 1
capture snap tcpdump -U -s 60 -i "$va" -w snap.pcap || exit 1
capture ns tcpdump -U --time-stamp-precision=nano -i "$va" -w ns.pcap || exit 1
# tcpdump 4.99 picks LINUX_SLL2 for "any" by default; say it anyway.
capture any tcpdump -U -y LINUX_SLL2 -i any -w any.pcap || exit 1
capture sll1 tcpdump -U -y LINUX_SLL -i any -w sll1.pcap || exit 1
capture multi dumpcap -q -i "$va" -i any -y LINUX_SLL2 -w multi.pcapng || exit 1
if [ $have_tun = 1 ]; then
	capture raw tcpdump -U -i "$tun" -w raw.pcap || exit 1
fi
sleep 0.3

inA ping -c 4 -i 0.2 -s 100 "${net4}2" >/dev/null || fail "ping A->B"
inB ping -c 3 -i 0.2 "${net4}1" >/dev/null || fail "ping B->A"
inA ping -6 -c 2 -i 0.2 fd77:$((tag % 65536 / 16))::2 >/dev/null || fail "ping6"
inA ping -c 2 -i 0.2 -s 1200 "${net4}2" >/dev/null || fail "big ping"
if [ $have_tun = 1 ]; then
	inA ping -c 3 -i 0.2 -W 1 10.99.$((tag % 250)).2 >/dev/null
fi
sleep 0.5
stop_all

# ---- conversions ----
editcap -F pcapng eth.pcap eth.pcapng
editcap -F pcapng ns.pcap ns.pcapng		# if_tsresol 9
editcap -F nsecpcap eth.pcap eth_ns.pcap	# nanosecond pcap
tshark -r any.pcap -F pcapng -w any.pcapng 2>/dev/null
inputs="eth.pcap any.pcap"
[ $have_tun = 1 ] && inputs="$inputs raw.pcap"
# several interfaces, mixed link types, unnamed IDBs
mergecap -F pcapng -w merged.pcapng $inputs
# named interfaces (dumpcap's) next to unnamed ones, two sections of it
mergecap -F pcapng -w merged2.pcapng multi.pcapng ns.pcapng
cat multi.pcapng eth.pcapng > sections.pcapng
gzip -c eth.pcap > eth.pcap.gz
gzip -c merged.pcapng > merged.pcapng.gz
gzip -c multi.pcapng > multi.pcapng.gz

# ---- comparison ----
# Normalises tshark's view of FILE into readcap's columns (minus linktype):
# point name, ifindex, direction, ts_ns, caplen, wirelen.
tshark_view() {	# FILE BASE KIND(pcap|pcapng)
	tshark -r "$1" -T fields -E separator=/t -e frame.interface_id \
		-e frame.interface_name -e sll.ifindex -e sll.pkttype \
		-e frame.packet_flags_direction -e frame.time_epoch \
		-e frame.cap_len -e frame.len 2>/dev/null |
	awk -F'\t' -v base="$2" -v kind="$3" -v OFS='\t' '{
		name = base
		if (kind == "pcapng")
			name = base ":" (($2 == "" || $2 == "unknown") ? "if" $1 : $2)
		ifx = 0
		if ($3 != "") { ifx = $3; name = base ":ifindex" $3 }
		dir = "?"
		if ($4 != "")
			dir = ($4 <= 3) ? "in" : ($4 == 4 ? "out" : "?")
		# epb_flags as 0x%08x: the direction is in the last hex digit
		fl = ($5 == "") ? 0 : \
			(index("0123456789abcdef", tolower(substr($5, length($5)))) - 1) % 4
		if (fl == 1) dir = "in"
		if (fl == 2) dir = "out"
		split($6, t, ".")
		frac = substr(t[2] "000000000", 1, 9)
		ts = t[1] frac
		sub(/^0+/, "", ts)
		if (ts == "") ts = 0
		print name, ifx, dir, ts, $7, $8
	}'
}

readcap_view() {	# readcap output on stdin: drop counters, linktype, "#N"
	awk -F'\t' -v OFS='\t' '!/^# point/ {
		sub(/#[0-9]+$/, "", $1); print $1, $2, $3, $4, $5, $6 }'
}

kind_of() {
	case $1 in
	*.pcapng*) echo pcapng ;;
	*) echo pcap ;;
	esac
}

# compare FILE [MIN_FRAMES]: readcap FILE vs tshark on FILE (or vs
# FILE.ref when it already exists)
compare() {
	local file=$1 min=${2:-10} n

	if ! "$READCAP" "$file" >"$file.rc" 2>"$file.err"; then
		fail "$file: readcap failed: $(cat "$file.err")"
		return
	fi
	readcap_view <"$file.rc" >"$file.mine"
	[ -e "$file.ref" ] ||
		tshark_view "$file" "$file" "$(kind_of "$file")" >"$file.ref"
	n=$(wc -l <"$file.ref")
	if [ "$n" -lt "$min" ]; then
		fail "$file: tshark sees only $n frames, the capture did not work"
		return
	fi
	if ! diff -u "$file.ref" "$file.mine" >"$file.diff"; then
		fail "$file: readcap differs from tshark (- tshark, + readcap):"
		head -20 "$file.diff"
		return
	fi
	echo "ok: $file ($n frames)"
}

compare eth.pcap
compare snap.pcap
compare ns.pcap
compare any.pcap
compare sll1.pcap
compare eth.pcapng
compare ns.pcapng
compare eth_ns.pcap
compare any.pcapng
compare multi.pcapng
compare merged.pcapng
compare merged2.pcapng
# Interface ids restart in every section; tshark 4.0 does not restart them
# (it shows the first section's names), so the reference is built per part.
{
	tshark_view multi.pcapng sections.pcapng pcapng
	tshark_view eth.pcapng sections.pcapng pcapng
} >sections.pcapng.ref
compare sections.pcapng
[ $have_tun = 1 ] && compare raw.pcap 3

# gzip: same frames as the plain file
for gz in eth.pcap.gz merged.pcapng.gz multi.pcapng.gz; do
	plain=${gz%.gz}
	if "$READCAP" "$gz" 2>"$gz.err" | readcap_view |
	   sed "s/^$gz/$plain/" | cmp -s - "$plain.mine"; then
		echo "ok: $gz"
	else
		fail "$gz: differs from $plain: $(cat "$gz.err")"
	fi
done

# stdin, plain and gzip
for f in merged.pcapng multi.pcapng.gz; do
	plain=${f%.gz}
	if "$READCAP" - <"$f" 2>"$f.stdin.err" | readcap_view |
	   sed "s/^stdin/$plain/" | cmp -s - "$plain.mine"; then
		echo "ok: stdin < $f"
	else
		fail "stdin < $f differs: $(cat "$f.stdin.err")"
	fi
done

# link types as expected, so the variants really are what they claim
lt() { awk -F'\t' '!/^# point/ { print $7 }' "$1.rc" | sort -u | tr '\n' ' '; }
[ "$(lt eth.pcap)" = "1 " ] || fail "eth.pcap link types: $(lt eth.pcap)"
[ "$(lt any.pcap)" = "276 " ] || fail "any.pcap link types: $(lt any.pcap)"
[ "$(lt sll1.pcap)" = "113 " ] || fail "sll1.pcap link types: $(lt sll1.pcap)"
[ "$(lt multi.pcapng)" = "1 276 " ] || fail "multi.pcapng link types: $(lt multi.pcapng)"
if [ $have_tun = 1 ]; then
	[ "$(lt raw.pcap)" = "101 " ] || fail "raw.pcap link types: $(lt raw.pcap)"
	[ "$(lt merged.pcapng)" = "1 101 276 " ] ||
		fail "merged.pcapng link types: $(lt merged.pcapng)"
fi
# resolutions: microseconds unless the capture asked for nanoseconds
tsres() { awk -F'\t' '/^# point/ { print $7 }' "$1.rc" | sort -u | tr '\n' ' '; }
[ "$(tsres eth.pcapng)" = "1000 " ] || fail "eth.pcapng tsresol: $(tsres eth.pcapng)"
[ "$(tsres ns.pcapng)" = "1 " ] || fail "ns.pcapng tsresol: $(tsres ns.pcapng)"
[ "$(tsres eth_ns.pcap)" = "1 " ] || fail "eth_ns.pcap tsresol: $(tsres eth_ns.pcap)"
# snapped frames are counted; SLL2 yields per-ifindex points with direction
awk -F'\t' '/^# point/ && $10 > 0 { ok = 1 } END { exit !ok }' snap.pcap.rc ||
	fail "snap.pcap: no snapped frames counted"
awk -F'\t' '/^# point/ && $2 ~ /:ifindex[0-9]+$/ && $11 > 0 && $12 > 0 { ok = 1 }
	END { exit !ok }' any.pcap.rc ||
	fail "any.pcap: no ifindex point with both directions"
# dumpcap writes interface statistics: drops are known
awk -F'\t' '/^# point/ && $2 ~ /multi.pcapng:/ && $13 != "-" { ok = 1 }
	END { exit !ok }' multi.pcapng.rc ||
	fail "multi.pcapng: ISB drop counts not read"

# several files: merged in time order, nothing lost
"$READCAP" eth.pcap any.pcap ns.pcapng >three.rc 2>three.err ||
	fail "three files: $(cat three.err)"
want=$(($(wc -l <eth.pcap.ref) + $(wc -l <any.pcap.ref) + $(wc -l <ns.pcapng.ref)))
got=$(grep -vc '^# point' three.rc)
[ "$got" = "$want" ] || fail "three files: $got frames, want $want"
awk -F'\t' '!/^# point/ { if ($4 < last) bad = 1; last = $4 } END { exit bad }' \
	three.rc || fail "three files: not in time order"

# damaged real files: frames before the damage, then a one-line error
size=$(stat -c %s merged.pcapng)
head -c $((size - 7)) merged.pcapng >cut.pcapng
"$READCAP" cut.pcapng >cut.rc 2>cut.err && fail "cut.pcapng: no error"
grep -q "cut.pcapng: truncated .* at offset [0-9]" cut.err ||
	fail "cut.pcapng: message: $(cat cut.err)"
[ "$(grep -vc '^# point' cut.rc)" = $(($(wc -l <merged.pcapng.ref) - 1)) ] ||
	fail "cut.pcapng: frames before the damage not all returned"
head -c $(($(stat -c %s merged.pcapng.gz) - 20)) merged.pcapng.gz >cut.pcapng.gz
"$READCAP" cut.pcapng.gz >/dev/null 2>cutgz.err && fail "cut.pcapng.gz: no error"
grep -q "compressed stream ends early" cutgz.err ||
	fail "cut.pcapng.gz: message: $(cat cutgz.err)"
"$READCAP" /nonexistent/x.pcap 2>nx.err >/dev/null
grep -q "x.pcap: No such file or directory" nx.err || fail "missing file: $(cat nx.err)"
echo "hello, not a capture" >junk.txt
"$READCAP" junk.txt 2>junk.err >/dev/null
grep -q "junk.txt: not a capture file (unknown magic 0x68656c6c)" junk.err ||
	fail "junk: $(cat junk.err)"

if [ $failures -gt 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
echo "all reader comparisons passed"
exit 0
