#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot diff: regression comparison of two runs.  Two real captures of a
# bridged lab (guest pings the host and a LAN peer): healthy, then with the
# host firewall dropping echo requests.  Each is recorded by dumpcap at the
# tap, the bridge and the uplink into one pcapng whose interfaces carry
# their names.  Cases: identical runs, a saved report against the capture
# it came from (also through --baseline and gzip), a new drop point, RTTs
# that moved within and beyond the threshold, and corrupt inputs.
. "$DROPSPOT_SRC/tests/integration/analyze_lib.sh"
an_init dumpcap reordercap python3 gzip

D=$DROPSPOT
OUT=$LAB_DIR/out
fail() { echo "FAIL: $*" >&2; [ -f "$OUT" ] && sed 's/^/  | /' "$OUT" >&2; exit 1; }

# record FILE "IF..." TARGET...: one dumpcap over the host's interfaces IF
# while the guest pings each TARGET in turn, then 3 s more: a target that
# never answered has no round trip of its own to judge its last probes by,
# so the capture outlives the 3 s reply window (lost probes, not
# unanswered-at-the-end ones).  Runs with a target that never answers are
# judged with ping's own -W 1 (diff -t 1): on a loaded machine (CI, the
# sanitizer builds) such a file was seen to end 1.6 s after the last
# request to that target, whatever the sleep.
record() {
	local file=$1 ifs=() ifc pid t
	for ifc in $2; do
		ifs+=(-i "$ifc")
	done
	shift 2
	lab_bg pid "$LAB_HOST" dumpcap -q "${ifs[@]}" -w "$file"
	lab_wait_line "$LAB_DIR/$pid.err" 'Capturing on' 10 ||
		lab_die "dumpcap did not start: $(cat "$LAB_DIR/$pid.err")"
	sleep 0.3
	for t in "$@"; do
		lab_exec "$LAB_GUEST" ping -q -c 4 -i 0.2 -W 1 "$t" >/dev/null
	done
	sleep 3
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null
	# dumpcap writes each interface's frames as its buffer fills, not in
	# time order across interfaces: left so, dropspot's reorder window
	# puts them back in order (no reordercap)
	[ -s "$file" ] || lab_die "dumpcap wrote nothing to $file"
}

# expect_rc WANT DESC CMD...: runs CMD (output in $OUT), checks the status.
expect_rc() {
	local want=$1 desc=$2 rc
	shift 2
	"$@" >"$OUT" 2>"$OUT.err"
	rc=$?
	cat "$OUT.err" >>"$OUT"
	[ "$rc" = "$want" ] || fail "$desc: exit $rc, want $want"
	echo "ok: $desc (exit $rc)"
}

expect_out() {	# DESC REGEX: over the last output
	grep -qE "$2" "$OUT" || fail "$1: no line matches /$2/"
	echo "ok: $1"
}

expect_jq() {	# DESC JQ: over the last output (JSON)
	jq -e "$2" "$OUT" >/dev/null || fail "$1: jq $2"
	echo "ok: $1"
}

# ---- the two runs ----
lab_topo_bridged
HEALTHY=$LAB_DIR/healthy.pcapng
record "$HEALTHY" "tap0 br0 up0" "$LAB_HOST_IP" "$LAB_PEER_IP"
an_next
lab_topo_bridged
lab_input_rule "$LAB_HOST" 'icmp type echo-request drop'
FW=$LAB_DIR/firewall.pcapng
record "$FW" "tap0 br0 up0" "$LAB_HOST_IP" "$LAB_PEER_IP"
an_next
lab_topo_nat
NAT_OK=$LAB_DIR/nat.pcapng
record "$NAT_OK" "tap0 virbr0 up0" "$LAB_WAN_IP" "$LAB_HOST_IP"
an_next
LAB_NAT_NO_MASQ=1 lab_topo_nat
NAT_NOMASQ=$LAB_DIR/nat-nomasq.pcapng
record "$NAT_NOMASQ" "tap0 virbr0 up0" "$LAB_WAN_IP" "$LAB_HOST_IP"

# ---- identical runs; a saved report against its own capture ----
expect_rc 0 "identical captures" "$D" diff "$HEALTHY" "$HEALTHY"
expect_out "identical: nothing reported" '^no change$'
[ "$(grep -c '^  ' "$OUT")" = 0 ] || fail "identical: changes listed"

cp "$HEALTHY" "$LAB_DIR/other-name.pcapng"
expect_rc 0 "same traffic under another file name" \
	"$D" diff "$HEALTHY" "$LAB_DIR/other-name.pcapng"

"$D" analyze --json "$HEALTHY" >"$LAB_DIR/healthy.json"
[ $? -le 1 ] || lab_die "analyze of the healthy run failed"
jq -e '.flows | length == 2 and all(.[]; .latency.rtt.n >= 3 and
       (.latency.hops | length) >= 2)' "$LAB_DIR/healthy.json" >/dev/null ||
	fail "report: flows[].latency missing or empty"
echo "ok: report carries per-hop latency"
expect_rc 0 "saved report vs the capture it came from" \
	"$D" diff --json "$LAB_DIR/healthy.json" "$HEALTHY"
expect_jq "report vs capture: no change, schema dropspot.diff" \
	'.schema == "dropspot.diff" and .version == 1 and .regression == false
	 and (.changes | length) == 0 and .a.input == "report" and .b.input == "capture"'

mkdir -p "$LAB_DIR/samples"
cp "$LAB_DIR/healthy.json" "$LAB_DIR/samples/bridged_healthy.expected.json"
gzip -c "$HEALTHY" >"$LAB_DIR/samples/bridged_healthy.pcapng.gz"
expect_rc 0 "--baseline DIR with a gzipped capture" "$D" diff --baseline \
	"$LAB_DIR/samples" "$LAB_DIR/samples/bridged_healthy.pcapng.gz"

# ---- a new drop point ----
expect_rc 1 "healthy vs host firewall: regression" "$D" diff -t 1 "$HEALTHY" "$FW"
expect_out "text: regression headline" '^REGRESSION: '
expect_out "text: the new drop first, at br0" \
	'^  ! loss +10\.77\.0\.2 > 10\.77\.0\.1: new drop after br0, before the target \(request\)'
head -4 "$OUT" | grep -q 'new drop' || fail "the new drop is not listed first"
expect_rc 1 "healthy vs firewall, JSON" "$D" diff -t 1 --json "$HEALTHY" "$FW"
expect_jq "json: first change is the new drop after br0" \
	'.regression and .changes[0].category == "loss" and
	 .changes[0].change == "appeared" and .changes[0].regression and
	 .changes[0].location.after_name == "br0" and
	 .changes[0].location.before_name == null and
	 .changes[0].location.direction == "request" and
	 .changes[0].flow == "10.77.0.2 > 10.77.0.1"'
expect_jq "json: the peer's flow did not change" \
	'all(.changes[]; .flow != "10.77.0.2 > 10.77.0.3")'
expect_rc 0 "firewall vs healthy: the drop is gone, no regression" \
	"$D" diff -t 1 "$FW" "$HEALTHY"
expect_out "reverse: the drop is reported gone" 'drop after br0.* is gone'

# ---- NAT: masquerade removed ----
expect_rc 1 "NAT vs no masquerade" "$D" diff -t 1 --json "$NAT_OK" "$NAT_NOMASQ"
expect_jq "no masquerade: new drop on the WAN flow first" \
	'.changes[0].category == "loss" and .changes[0].change == "appeared" and
	 .changes[0].flow == "192.168.122.2 > 203.0.113.2"'
expect_jq "no masquerade: the NAT mapping virbr0 -> up0 is gone" \
	'any(.changes[]; .category == "nat" and .change == "disappeared" and
	     .regression and .location.after_name == "virbr0" and
	     .location.before_name == "up0")'
expect_jq "no masquerade: the flow to the host did not change" \
	'all(.changes[]; .flow != "192.168.122.2 > 192.168.122.1")'
expect_rc 0 "NAT run against itself" "$D" diff "$NAT_OK" "$NAT_OK"

# ---- causes: another cause at the same place is a regression ----
"$D" analyze -t 1 --json "$FW" >"$LAB_DIR/fw.json"
[ $? -le 1 ] || lab_die "analyze --json of the firewall run failed"
jq -e 'any(.findings[]; .kind == "drop" and (.cause.code | type) == "string")' \
	"$LAB_DIR/fw.json" >/dev/null || fail "report: drop findings carry cause.code"
jq '(.findings[] | select(.kind == "drop") | .cause.code) |= "no_such_cause"' \
	"$LAB_DIR/fw.json" >"$LAB_DIR/fw-cause.json"
expect_rc 1 "a changed cause code at the same drop: regression" \
	"$D" diff -t 1 --json "$LAB_DIR/fw-cause.json" "$FW"
expect_jq "cause change: category cause, located, codes on both sides" \
	'.changes[0].category == "cause" and .changes[0].change == "changed" and
	 .changes[0].regression and .changes[0].location.after_name == "br0" and
	 .changes[0].a.cause == "no_such_cause" and (.changes[0].b.cause | length) > 0'
# the same report as version 1 wrote it: the sentence alone, no code
jq '.version = 1 | .findings |= map(.cause = .cause_text | del(.cause_text))' \
	"$LAB_DIR/fw.json" >"$LAB_DIR/fw-v1.json"
expect_rc 0 "a version 1 report is still read (no code to compare)" \
	"$D" diff -t 1 "$LAB_DIR/fw-v1.json" "$FW"
expect_out "version 1 report vs its capture: no change" '^no change$'
jq '.version = 99' "$LAB_DIR/fw.json" >"$LAB_DIR/fw-v99.json"
expect_rc 2 "a report of a newer schema version is refused" \
	"$D" diff -t 1 "$LAB_DIR/fw-v99.json" "$FW"

# ---- latency ----
# No netem on this kernel, so a slower run is made from the healthy one: the
# timestamps of every echo reply frame are shifted later by a fixed amount
# (pcapng EPBs, at each interface's own resolution), then the file is
# re-sorted.  The replies are the same packets, just "later": the round
# trip and the turnaround hop grow by exactly the shift, the request hops
# do not.  This tests the comparison, not a real delay.
shift_replies() {	# IN OUT MICROSECONDS
	python3 - "$@" <<-'PY' || lab_die "shifting reply timestamps failed"
	import struct, sys
	src, dst, shift_us = sys.argv[1], sys.argv[2], int(sys.argv[3])
	d = bytearray(open(src, 'rb').read())
	off, bo, ifs, n = 0, '<', [], 0
	while off + 12 <= len(d):
	    if d[off:off + 4] == b'\x0a\x0d\x0d\x0a':
	        bo = '<' if d[off + 8:off + 12] == b'\x4d\x3c\x2b\x1a' else '>'
	        ifs = []
	    btype, blen = struct.unpack_from(bo + 'II', d, off)
	    if blen < 12:
	        raise SystemExit('bad block')
	    if btype == 1:	# IDB: link type, if_tsresol (default us)
	        lt = struct.unpack_from(bo + 'H', d, off + 8)[0]
	        units, o = 10**6, off + 16
	        while o + 4 <= off + blen - 4:
	            code, ln = struct.unpack_from(bo + 'HH', d, o)
	            if code == 0:
	                break
	            if code == 9:
	                v = d[o + 4]
	                units = 2**(v & 0x7f) if v & 0x80 else 10**v
	            o += 4 + (ln + 3) // 4 * 4
	        ifs.append((lt, units))
	    elif btype == 6:	# EPB: shift Ethernet IPv4 ICMP echo replies
	        ifid, hi, lo, cap = struct.unpack_from(bo + 'IIII', d, off + 8)
	        lt, units = ifs[ifid]
	        p = d[off + 28:off + 28 + cap]
	        if lt == 1 and len(p) > 34 and p[12:14] == b'\x08\x00' and p[23] == 1:
	            ihl = (p[14] & 15) * 4
	            if len(p) > 14 + ihl and p[14 + ihl] == 0:
	                ts = (hi << 32 | lo) + shift_us * units // 10**6
	                struct.pack_into(bo + 'II', d, off + 12, ts >> 32, ts & 0xffffffff)
	                n += 1
	    off += blen
	open(dst, 'wb').write(d)
	if not n:
	    raise SystemExit('no echo reply found')
	PY
	reordercap "$2" "$2.sorted" >/dev/null 2>&1 && mv "$2.sorted" "$2"
}

shift_replies "$HEALTHY" "$LAB_DIR/slow200us.pcapng" 200
shift_replies "$HEALTHY" "$LAB_DIR/slow20ms.pcapng" 20000
expect_rc 0 "RTT +0.2 ms: within the default threshold (50%,1ms)" \
	"$D" diff "$HEALTHY" "$LAB_DIR/slow200us.pcapng"
expect_out "RTT +0.2 ms: no change reported" '^no change$'
expect_rc 1 "RTT +0.2 ms with --rtt-threshold 50%: beyond" \
	"$D" diff --rtt-threshold 50% "$HEALTHY" "$LAB_DIR/slow200us.pcapng"
expect_rc 1 "RTT +20 ms: regression" \
	"$D" diff "$HEALTHY" "$LAB_DIR/slow20ms.pcapng"
expect_out "RTT +20 ms: round trip slower" \
	'^  ! latency +10\.77\.0\.2 > 10\.77\.0\.1: round trip slower: median (19\.[5-9]|20\.)'
expect_out "RTT +20 ms: the turnaround hop is named" \
	'latency +10\.77\.0\.2 > 10\.77\.0\.3: turnaround up0 -> up0 slower'
expect_rc 1 "RTT +20 ms, JSON" \
	"$D" diff --json "$HEALTHY" "$LAB_DIR/slow20ms.pcapng"
expect_jq "json: latency regressions only, none on request hops" \
	'.regression and all(.changes[]; .category == "latency" and .change == "slower")
	 and all(.changes[]; .location == null or .location.direction != "request")
	 and any(.changes[]; .b.median_ms > 19 and .b.median_ms < 22)'
expect_rc 0 "RTT +20 ms with --rtt-threshold 30ms: within" \
	"$D" diff --rtt-threshold 30ms "$HEALTHY" "$LAB_DIR/slow20ms.pcapng"
expect_rc 0 "faster is no regression" \
	"$D" diff "$LAB_DIR/slow20ms.pcapng" "$HEALTHY"
expect_out "faster is reported" 'round trip faster'

# ---- bad input: exit 2 with one clear line ----
head -c 700 "$LAB_DIR/healthy.json" >"$LAB_DIR/truncated.json"
expect_rc 2 "truncated report" "$D" diff "$LAB_DIR/truncated.json" "$HEALTHY"
[ "$(wc -l <"$OUT.err")" = 1 ] || fail "truncated report: not one line"
expect_out "truncated report: says where" \
	'truncated\.json: malformed JSON: unexpected end at byte 700'
echo '{"schema": "something.else", "version": 1}' >"$LAB_DIR/other.json"
expect_rc 2 "a JSON document that is no report" "$D" diff "$LAB_DIR/other.json" "$HEALTHY"
expect_out "other JSON: named" 'not a dropspot report: schema is "something.else"'
head -c 1500 "$HEALTHY" >"$LAB_DIR/truncated.pcapng"
expect_rc 2 "truncated capture" "$D" diff "$HEALTHY" "$LAB_DIR/truncated.pcapng"
head -c 4000 /dev/urandom | tr -d '{' >"$LAB_DIR/garbage.bin"
expect_rc 2 "garbage" "$D" diff "$LAB_DIR/garbage.bin" "$HEALTHY"
expect_rc 2 "missing file" "$D" diff "$LAB_DIR/nonexistent" "$HEALTHY"
expect_rc 2 "--baseline without an expected report" \
	"$D" diff --baseline "$LAB_DIR" "$LAB_DIR/firewall.pcapng"
expect_rc 2 "bad --rtt-threshold" "$D" diff --rtt-threshold fast "$HEALTHY" "$HEALTHY"
echo PASS
