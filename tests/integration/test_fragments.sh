#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fragmented pings (ping -s 3000, IPv4 and IPv6) across a bridge, captured by
# tcpdump twice: once per interface and once on "any" (SLL2).  The analyzer
# must reassemble them and recognise the probes:
#
#   guest ns eth0 ══veth══ vg0 ─ br0 ─ up0 ══veth══ eth0 peer ns
#                          (host ns, both ports)
#
# 1. healthy: every probe answered, exit 0.
# 2. up0 (a bridge port) with MTU 1400, bridge netfilter off: a bridge does
#    not fragment, it drops what does not fit its egress port
#    (br_dev_queue_push_xmit), so the 1500-byte fragments die between vg0
#    and up0 and only the small last fragment of each datagram gets
#    through.  The probes must be reported lost there (exit 1), not as "no
#    probe".
# 3. the same with bridge netfilter on (the kernel default when built in):
#    conntrack defrag reassembles IPv4 on the bridge and br_nf_dev_queue_xmit
#    refragments it to fit up0 (seen here on 6.18: each 1480-byte fragment
#    split in 1376 + 104), so IPv4 requests do reach up0 and the peer; its
#    replies, fragmented at 1500, are then dropped entering up0 (a veth
#    checks its own MTU on receive).  IPv6 is not refragmented.  Whatever
#    the kernel does, the probes must be recognised, lost and located.
#
# Nothing leaves the lab's namespaces.  The captures run >= 4 s past the
# last ping so that a classic pcap's end says nothing about the probes.
. "$DROPSPOT_SRC/tests/integration/analyze_lib.sh"
an_init

G4=10.79.0.2 P4=10.79.0.3 G6=fd79::2 P6=fd79::3
COUNT=3
CAPS=()

frag_topo() {
	lab_netns LAB_GUEST guest
	lab_netns LAB_HOST host
	lab_netns LAB_PEER peer
	lab_bridge "$LAB_HOST" br0
	if [ -n "${FRAG_NO_BRNF:-}" ]; then
		lab_exec "$LAB_HOST" sysctl -qw \
			net.bridge.bridge-nf-call-iptables=0 \
			net.bridge.bridge-nf-call-ip6tables=0 2>/dev/null
	fi
	lab_veth "$LAB_GUEST" eth0 "$LAB_HOST" vg0
	lab_port "$LAB_HOST" br0 vg0
	lab_veth "$LAB_HOST" up0 "$LAB_PEER" eth0
	lab_port "$LAB_HOST" br0 up0
	# the host itself stays quiet on IPv6 (its frames still bridge)
	lab_exec "$LAB_HOST" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		2>/dev/null
	lab_addr "$LAB_GUEST" eth0 "$G4/24" "$G6/64"
	lab_addr "$LAB_PEER" eth0 "$P4/24" "$P6/64"
	# no neighbour discovery in the window that decides the verdict
	lab_exec "$LAB_GUEST" ping -q -c 1 -W 2 "$P4" >/dev/null ||
		lab_die "warm-up ping (IPv4) failed"
	lab_exec "$LAB_GUEST" ping -6 -q -c 1 -W 2 "$P6" >/dev/null ||
		lab_die "warm-up ping (IPv6) failed"
}

# frag_capture: per-interface captures of vg0 and up0, and one on "any".
frag_capture() {
	local pid
	AN_POINTS=()
	AN_PIDS=()
	an_capture "$LAB_HOST" vg0 up0
	lab_bg pid "$LAB_HOST" tcpdump -n -U -y LINUX_SLL2 -i any \
		-w "$LAB_DIR/cap-any.pcap"
	lab_wait_line "$LAB_DIR/$pid.err" 'listening on' 10 ||
		lab_die "tcpdump on any did not start: $(cat "$LAB_DIR/$pid.err")"
	AN_PIDS+=("$pid")
}

frag_ping() {
	lab_exec "$LAB_GUEST" ping -q -c "$COUNT" -i 0.3 -W 1 -s 3000 "$P4" \
		>/dev/null
	echo "ping -s 3000 $P4: exit $?"
	lab_exec "$LAB_GUEST" ping -6 -q -c "$COUNT" -i 0.3 -W 1 -s 3000 "$P6" \
		>/dev/null
	echo "ping -6 -s 3000 $P6: exit $?"
}

# frag_analyze NAME WANT_RC FILES...: report in $LAB_DIR/NAME.json.
frag_analyze() {
	local name=$1 want=$2 rc
	shift 2
	"$DROPSPOT" analyze --json "$@" >"$LAB_DIR/$name.json" \
		2>"$LAB_DIR/$name.err"
	rc=$?
	jq -e '.schema == "dropspot.report"' "$LAB_DIR/$name.json" >/dev/null ||
		lab_die "$name: no report: $(cat "$LAB_DIR/$name.err")"
	if [ "$rc" != "$want" ]; then
		jq -r '"  verdict: " + .verdict' "$LAB_DIR/$name.json" >&2
		lab_die "$name: dropspot analyze exited $rc, want $want"
	fi
	echo "ok: $name exits $rc"
	CAPS+=("$LAB_DIR/$name.json")
}

expect() {
	local name=$1 desc=$2
	an_expect_in "$LAB_DIR/$name.json" "$desc" "$3"
}

# tcpdump's own count of frames matching FILTER in a capture.
count() {
	tcpdump -nn -r "$1" "$2" 2>/dev/null | wc -l
}

N=$((2 * COUNT))
JQ_ALL_FRAG_PROBES='.summary.probes == '$N' and
	all(.flows[]; .probes >= 1) and
	([.flows[] | .dst] | sort) == ["10.79.0.3", "fd79::3"]'

# ---- 1. healthy ----
frag_topo
frag_capture
frag_ping
an_stop 4.5
# the captures really hold fragments, first and later ones, both families
[ "$(count "$LAB_DIR/cap-vg0.pcap" 'ip[6:2] & 0x1fff != 0')" -ge "$COUNT" ] ||
	lab_die "vg0: no later IPv4 fragments captured"
[ "$(count "$LAB_DIR/cap-vg0.pcap" 'ip6 and ip6[6] == 44')" -ge "$((3 * COUNT))" ] ||
	lab_die "vg0: no IPv6 fragments captured"
frag_analyze healthy-files 0 --name 0=vg0 --name 1=up0 \
	"$LAB_DIR/cap-vg0.pcap" "$LAB_DIR/cap-up0.pcap"
frag_analyze healthy-any 0 "$LAB_DIR/cap-any.pcap"
for r in healthy-files healthy-any; do
	expect $r "$r: every fragmented probe recognised" "$JQ_ALL_FRAG_PROBES"
	expect $r "$r: all answered" \
		".summary.answered == $N and .summary.lost == 0"
	expect $r "$r: echo data 3000 bytes" \
		'all(.probes[]?; .len == 3000)'
	expect $r "$r: no drop" "$JQ_NO_DROP"
done
expect healthy-files "per-interface path is vg0 -> up0" \
	'([.points[] | {(.id | tostring): .name}] | add) as $n |
	 all(.flows[]; [.path[] | $n[tostring]] == ["vg0", "up0"])'

# ---- 2. MTU 1400 on the bridge port up0, bridge netfilter off ----
an_next
FRAG_NO_BRNF=1 frag_topo
[ "$(lab_exec "$LAB_HOST" sysctl -n net.bridge.bridge-nf-call-iptables \
	2>/dev/null || echo 0)" = 0 ] ||
	lab_skip "cannot turn bridge netfilter off in the lab's netns"
lab_ip "$LAB_HOST" link set up0 mtu 1400
frag_capture
frag_ping
an_stop 4.5
# what the kernel did: up0 passed the small last fragments, no first ones
v4_later=$(count "$LAB_DIR/cap-up0.pcap" 'ip and ip[6:2] & 0x1fff != 0')
v4_first=$(count "$LAB_DIR/cap-up0.pcap" 'ip and ip[6:2] & 0x2000 != 0')
v6_frag=$(count "$LAB_DIR/cap-up0.pcap" 'ip6 and ip6[6] == 44')
big=$(count "$LAB_DIR/cap-up0.pcap" 'greater 1415')
echo "up0: $v4_later later IPv4 fragments, $v4_first with MF," \
	"$v6_frag IPv6 fragments, $big frames over 1400 + 14 bytes"
[ "$v4_later" -ge "$COUNT" ] && [ "$v4_first" = 0 ] && [ "$big" = 0 ] &&
	[ "$v6_frag" -ge "$COUNT" ] ||
	lab_die "up0 did not see only the small last fragments"
[ "$(count "$LAB_DIR/cap-up0.pcap" 'icmp[icmptype] == icmp-echoreply')" = 0 ] ||
	lab_die "a reply came back through MTU 1400"
# judged with ping's own -W 1: the IPv4 probes, sent before the whole
# IPv6 ping, are then lost whatever the quiet tail of the classic pcap;
# the last IPv6 ones may be only unanswered when it ended
frag_analyze mtu-files 1 -t 1 --name 0=vg0 --name 1=up0 \
	"$LAB_DIR/cap-vg0.pcap" "$LAB_DIR/cap-up0.pcap"
frag_analyze mtu-any 1 -t 1 "$LAB_DIR/cap-any.pcap"
for r in mtu-files mtu-any; do
	expect $r "$r: every fragmented probe recognised" "$JQ_ALL_FRAG_PROBES"
	expect $r "$r: all lost, none answered" \
		".summary.lost + .summary.unfinished == $N and
		 .summary.lost >= $COUNT and .summary.answered == 0"
	expect $r "$r: not 'no probe'" "$(jq_has no_probes) | not"
	expect $r "$r: a located request drop" \
		'any(.findings[]; .kind == "drop" and
		     .location.direction == "request" and
		     .location.after_name != null)'
done
expect mtu-files "per-interface: lost between vg0 and up0" \
	"$(jq_drop vg0 up0 request)"

# ---- 3. the same, bridge netfilter as the kernel has it ----
an_next
frag_topo
lab_ip "$LAB_HOST" link set up0 mtu 1400
frag_capture
frag_ping
an_stop 4.5
v4_first=$(count "$LAB_DIR/cap-up0.pcap" 'icmp[icmptype] == icmp-echo')
v6_first=$(count "$LAB_DIR/cap-up0.pcap" 'ip6 and ip6[6] == 44 and ip6[42:2] == 1')
big=$(count "$LAB_DIR/cap-up0.pcap" 'greater 1415')
echo "up0 with bridge netfilter: $v4_first IPv4 echo headers," \
	"$v6_first first IPv6 fragments, $big frames over 1400 + 14 bytes"
[ "$big" = 0 ] || lab_die "up0 sent frames beyond its MTU"
frag_analyze brnf-files 1 -t 1 --name 0=vg0 --name 1=up0 \
	"$LAB_DIR/cap-vg0.pcap" "$LAB_DIR/cap-up0.pcap"
frag_analyze brnf-any 1 -t 1 "$LAB_DIR/cap-any.pcap"
for r in brnf-files brnf-any; do
	expect $r "$r: every fragmented probe recognised" "$JQ_ALL_FRAG_PROBES"
	expect $r "$r: all lost, none answered" \
		".summary.lost + .summary.unfinished == $N and
		 .summary.lost >= $COUNT and .summary.answered == 0"
	expect $r "$r: not 'no probe'" "$(jq_has no_probes) | not"
done
if [ "$v4_first" -ge "$COUNT" ]; then
	# refragmented: the whole request crossed up0, the reply never did
	expect brnf-files "IPv4 refragmented: requests reach up0, lost after" \
		"$(jq_drop up0 null request)"
else
	expect brnf-files "IPv4 not refragmented: lost between vg0 and up0" \
		"$(jq_drop vg0 up0 request)"
fi
if [ "$v6_first" = 0 ]; then
	expect brnf-files "IPv6: lost between vg0 and up0" \
		"$(jq_drop vg0 up0 request)"
fi
echo "PASS"
