#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace across a VXLAN overlay whose underlay is IPv6 (issue 16):
#
#   a: vx0 10.42.0.1 ─ va fd00:42::1 ══ vb fd00:42::2 ─ vx0 10.42.0.2 :b
#
# The capture filter and the dissectors follow the probe through an IPv6
# outer header: seen at all four points, the encapsulation recorded at va
# and vb with IPv6 endpoints; then b's firewall drops the tunnel's packets
# and the loss is located after vb with the tunnel named.  Live and from
# the saved pcapng.  --auto's discovery (topo_show) finds the same points.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft

lab_netns A a
lab_netns B b
# the lab turns IPv6 off in its namespaces; the underlay needs it
for ns in "$A" "$B"; do
	lab_exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.default.disable_ipv6=0
done
lab_veth "$A" va "$B" vb
lab_addr "$A" va fd00:42::1/64
lab_addr "$B" vb fd00:42::2/64
vxlan() {	# NS LOCAL REMOTE DEV ADDR
	lab_ip "$1" link add vx0 type vxlan id 42 local "$2" remote "$3" \
		dstport 4789 dev "$4" 2>"$LAB_DIR/vxlan.err" ||
		lab_skip "no VXLAN over IPv6 here: $(cat "$LAB_DIR/vxlan.err")"
	# no IPv6 chatter inside the overlay: only the probes and ARP
	lab_exec "$1" sysctl -qw net.ipv6.conf.vx0.disable_ipv6=1
	lab_addr "$1" vx0 "$5"
}
vxlan "$A" fd00:42::1 fd00:42::2 va 10.42.0.1/24
vxlan "$B" fd00:42::2 fd00:42::1 vb 10.42.0.2/24

# --auto's discovery follows the tunnel over the IPv6 underlay too
if [ -x "$DROPSPOT_TESTBIN/topo_show" ]; then
	got=$("$DROPSPOT_TESTBIN/topo_show" -t 10.42.0.2 "$A" 2>&1 | cut -f1,3)
	want=$(printf '%s\t%s\n' "$A/vx0" "route to target, vxlan 42 to fd00:42::2" \
		"$A/va" underlay "$B/vb" "underlay, far VTEP fd00:42::2" \
		"$B/vx0" "far tunnel end (vxlan 42), target side")
	[ "$got" = "$want" ] || lab_die "discovery over the IPv6 underlay: $got"
	echo "ok: the IPv6 underlay discovered (va, vb, b's vx0)"
fi

TR_POINTS=("$A/vx0" "$A/va" "$B/vb" "$B/vx0")
TR_IFS=("$A/vx0" va vb "$B/vx0")
tr_trace --ping 10.42.0.2 --from "$A" -c 3 --interval 0.2 --no-drops
[ "$TR_RC" = 0 ] || lab_die "healthy trace exited $TR_RC, want 0"
tr_expect "all three answered through the underlay" \
	'.summary.answered == 3 and .flows[0].path[0:4] == [0,1,2,3]'
tr_expect "IPv6 tunnel endpoints recorded on the underlay" \
	'all(.probes[].sightings[]; if .point == 1 or .point == 2 then
		.encap.type == "vxlan" and .encap.id == 42 and
		(.encap.outer_src == "fd00:42::1" or .encap.outer_src == "fd00:42::2") and
		.encap.outer_len == 154
	 else .encap == null end)'
tr_same

lab_input_rule "$B" 'iifname "vb" udp dport 4789 drop'
tr_trace --ping 10.42.0.2 --from "$A" -c 2 --interval 0.2 --no-drops
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "lost after vb, tunnel named" \
	"$(jq_drop vb "$B/vx0" request) and any(.findings[]; .kind == \"drop\" and
	 .details.encap == \"vxlan\" and .details.outer_dst == \"fd00:42::2\")"
tr_same
echo PASS
