#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace across a VXLAN overlay whose underlay is routed, and
# whose second hop has a smaller MTU (issue 16):
#
#   a: vx0 ─ va 192.168.100.1 ══ ra  r (router)  rb ══ vb 192.168.101.2 ─ vx0 :b
#                                         mtu 1400
#
# The tunnel sets DF on its outer packets (df set), so the router answers
# a large encapsulated probe with ICMP fragmentation needed, quoting the
# outer packet.  The error is matched to the probe through the quoted
# inner headers, and the loss is located on the underlay (after ra, not
# seen at rb) with the tunnel's overhead named.  Live and from the pcapng.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft

lab_netns A a
lab_netns R r
lab_netns B b
lab_veth "$A" va "$R" ra
lab_veth "$R" rb "$B" vb
lab_addr "$A" va 192.168.100.1/24
lab_addr "$R" ra 192.168.100.254/24
lab_addr "$R" rb 192.168.101.254/24
lab_addr "$B" vb 192.168.101.2/24
lab_exec "$R" sysctl -qw net.ipv4.ip_forward=1
lab_ip "$A" route add 192.168.101.0/24 via 192.168.100.254
lab_ip "$B" route add 192.168.100.0/24 via 192.168.101.254
vxlan() {	# NS LOCAL REMOTE DEV ADDR
	lab_ip "$1" link add vx0 type vxlan id 42 local "$2" remote "$3" \
		dstport 4789 dev "$4" df set 2>"$LAB_DIR/vxlan.err" ||
		lab_skip "no VXLAN with df here: $(cat "$LAB_DIR/vxlan.err")"
	lab_addr "$1" vx0 "$5"
}
vxlan "$A" 192.168.100.1 192.168.101.2 va 10.42.0.1/24
vxlan "$B" 192.168.101.2 192.168.100.1 vb 10.42.0.2/24
lab_ip "$R" link set rb mtu 1400
lab_ip "$B" link set vb mtu 1400

TR_POINTS=("$A/vx0" "$A/va" "$R/ra" "$R/rb" "$B/vb" "$B/vx0")
TR_IFS=("$A/vx0" va ra rb vb "$B/vx0")
tr_trace_bg -d 6 -t 1 --no-drops
lab_exec "$A" ping -q -c 2 -i 0.2 -s 56 10.42.0.2 >/dev/null ||
	lab_die "small pings do not pass"
# the first large one dies at the router; the kernel then knows the path
# MTU and refuses the next ones itself
lab_exec "$A" ping -q -c 2 -i 0.3 -W 1 -s 1400 -M do 10.42.0.2 >/dev/null 2>&1
tr_trace_wait
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "small probes answered across the routed underlay" \
	'.summary.answered == 2 and .flows[0].path[0:6] == [0,1,2,3,4,5]'
tr_expect "the router's error joins the large probe, quoting it encapsulated" \
	'any(.probes[]; .len == 1400 and any(.sightings[]; .kind == "icmp_error" and
	 .mtu == 1400 and .encap.type == "vxlan" and .encap.id == 42 and
	 .encap.outer_len == 1478))'
tr_expect "lost on the underlay, after ra, before rb" "$(jq_drop ra rb request)"
tr_expect "too big for the underlay, overhead named" \
	'any(.findings[]; .kind == "drop" and .cause.code == "tunnel_too_big" and
	 .cause.params.mtu == "1400" and .cause.params.overhead == "50" and
	 .details.encap == "vxlan")'
tr_same
echo PASS
