#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace across a VXLAN overlay (issue 16): two namespaces joined
# by vx0 (VNI 42) over a veth underlay va ══ vb.
#
#   a: vx0 10.42.0.1 ─ va 192.168.100.1 ══ vb 192.168.100.2 ─ vx0 10.42.0.2 :b
#
# Healthy: the probe is recognised at all four points, on the underlay by
# its inner headers, with the encapsulation (VNI, VTEPs, outer length)
# recorded at va and vb and nothing at the vx0 devices.  Then the faults,
# each located on the underlay with the encapsulation named: b's firewall
# drops UDP 4789 arriving on vb; b's tunnel has another VNI; the underlay's
# MTU leaves no room for the 50 bytes of VXLAN overhead.  Every assertion
# holds live and from the saved pcapng.  Kernel drops are not recorded
# (--no-drops): their ring is shared with whatever else the machine runs,
# and these losses are located from the wire alone.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft

tr_vxlan_lab

# Both vx0 devices share a name: the report names them NETNS/vx0, as
# analyze names a pcapng's interfaces of one name in several netns.
TR_POINTS=("$A/vx0" "$A/va" "$B/vb" "$B/vx0")
TR_IFS=("$A/vx0" va vb "$B/vx0")
tr_trace --ping 10.42.0.2 --from "$A" -c 3 --interval 0.2 --no-drops
[ "$TR_RC" = 0 ] || lab_die "healthy trace exited $TR_RC, want 0"
tr_expect "all three answered" '.summary.answered == 3 and .summary.lost == 0'
tr_expect "every probe seen at all four points, both ways" \
	'all(.probes[]; ([0,1,2,3] - [.sightings[] | select(.kind == "request") | .point]) == []
	 and ([0,1,2,3] - [.sightings[] | select(.kind == "reply") | .point]) == [])'
tr_expect "encapsulation recorded on the underlay points only" \
	'all(.probes[].sightings[]; if .point == 1 or .point == 2 then
		.encap.type == "vxlan" and .encap.id == 42 and .encap.outer_len == 134
	 else .encap == null end)'
tr_expect "the VTEPs are the underlay addresses" \
	'any(.probes[].sightings[]; .kind == "request" and .point == 1 and
	 .encap.outer_src == "192.168.100.1" and .encap.outer_dst == "192.168.100.2")'
tr_expect "the path runs through the underlay" \
	'.flows[0].path[0:4] == [0,1,2,3]'
tr_same

# The underlay firewall drops the tunnel's packets on their way into b.
lab_input_rule "$B" 'iifname "vb" udp dport 4789 drop'
tr_trace --ping 10.42.0.2 --from "$A" -c 3 --interval 0.2 --no-drops
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "every probe lost" '.summary.lost == 3 and .summary.answered == 0'
tr_expect "lost on the underlay, after vb, before b's vx0" \
	"$(jq_drop vb "$B/vx0" request)"
tr_expect "the drop names the encapsulation" \
	'any(.findings[]; .kind == "drop" and .details.encap == "vxlan" and .details.encap_id == 42 and .details.outer_dst == "192.168.100.2")'
tr_expect "cause: not decapsulated in b" \
	'any(.findings[]; .kind == "drop" and .cause.code == "tunnel_not_decapsulated" and .cause.params.encap_id == "42")'
tr_same
lab_exec "$B" nft delete table inet dsfw || lab_die "nft delete table"

# b's tunnel takes VNI 43: a's packets (VNI 42) arrive and go nowhere.
# vx0 keeps its MAC, so a's neighbour entry stays right for what follows.
mac_b=$(lab_ip "$B" -j link show vx0 | jq -r '.[0].address')
remake_b_vx0() {
	lab_ip "$B" link del vx0
	lab_ip "$B" link add vx0 address "$mac_b" type vxlan id "$1" \
		local 192.168.100.2 remote 192.168.100.1 dstport 4789 dev vb ||
		lab_die "vxlan id $1 in b"
	lab_addr "$B" vx0 10.42.0.2/24
}
remake_b_vx0 43
tr_trace --ping 10.42.0.2 --from "$A" -c 2 --interval 0.2 --no-drops
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "wrong VNI: lost after vb, before b's vx0" \
	"$(jq_drop vb "$B/vx0" request)"
tr_expect "wrong VNI: the VNI sent is named" \
	'any(.findings[]; .kind == "drop" and .cause.code == "tunnel_not_decapsulated" and .details.encap_id == 42)'
tr_same
remake_b_vx0 42

# The underlay's MTU is the overlay's: vb takes 1450 bytes, as vx0 does,
# so a full-size overlay packet is 1500 bytes once encapsulated.  Small
# pings pass, large ones (DF set inside) die between va and vb, and only
# the tunnel's overhead explains it (the inner packet fits vb).
lab_ip "$B" link set vb mtu 1450
tr_trace_bg -d 6 -t 1 --no-drops
lab_exec "$A" ping -q -c 2 -i 0.2 -s 56 10.42.0.2 >/dev/null ||
	lab_die "small pings do not pass"
lab_exec "$A" ping -q -c 2 -i 0.2 -W 1 -s 1400 -M do 10.42.0.2 >/dev/null &&
	lab_die "large pings pass: the MTU did not shrink"
tr_trace_wait
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "small answered, large lost" \
	'.summary.answered == 2 and .summary.lost == 2'
tr_expect "lost on the underlay, after va, before vb" "$(jq_drop va vb request)"
tr_expect "the outer packet is 1478 bytes" \
	'any(.probes[].sightings[]; .point == 1 and .encap.outer_len == 1478)'
tr_expect "the tunnel's overhead is named" \
	'any(.findings[]; .kind == "drop" and .details.encap == "vxlan" and
	 .cause.code == "tunnel_overhead_mtu" and .cause.params.overhead == "50" and
	 .cause.params.outer_len == "1478")'
tr_same
echo PASS
