#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace across a VXLAN overlay whose endpoints disagree (issue 16):
#
#   a: vx0 10.42.0.1 ─ va 192.168.100.1 ══ vb 192.168.100.2 ─ vx0 10.42.0.2 :b
#
# Wrong VTEP: after two answered pings, a's FDB entry for b's MAC points at
# 192.168.100.9 (a stale entry, a wrong `remote`).  The underlay still
# carries the packet to vb (a's neighbour entry for .9 is vb's MAC), where
# no VTEP holds that address.  The earlier replies came from VTEP .2, so
# the loss after vb is tunnel_wrong_vtep with .2 expected.
#
# VNI mismatch: a's tunnel is VNI 42, b's 43; both ping each other (static
# neighbour entries, ARP cannot cross).  Each side's packets reach the
# other's NIC and die there, and the VNI the other VTEP sends with names
# the mismatch: tunnel_id_mismatch, 42 sent, 43 expected.
#
# Every assertion holds live and from the saved pcapng.  --no-drops: these
# losses are located from the wire alone.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft

# new_lab N VNI_A VNI_B: namespaces a, b, the underlay and both vx0.
new_lab() {
	local n=$1
	lab_netns A "a$n"
	lab_netns B "b$n"
	lab_veth "$A" va "$B" vb
	lab_addr "$A" va 192.168.100.1/24
	lab_addr "$B" vb 192.168.100.2/24
	vxlan "$A" "$2" 192.168.100.1 192.168.100.2 va 10.42.0.1/24
	vxlan "$B" "$3" 192.168.100.2 192.168.100.1 vb 10.42.0.2/24
	TR_POINTS=("$A/vx0" "$A/va" "$B/vb" "$B/vx0")
	TR_IFS=("$A/vx0" va vb "$B/vx0")
}
vxlan() {	# NS VNI LOCAL REMOTE DEV ADDR
	lab_ip "$1" link add vx0 type vxlan id "$2" local "$3" remote "$4" \
		dstport 4789 dev "$5" 2>"$LAB_DIR/vxlan.err" ||
		lab_skip "no VXLAN here: $(cat "$LAB_DIR/vxlan.err")"
	lab_addr "$1" vx0 "$6"
}
mac() { lab_ip "$1" -j link show "$2" | jq -r '.[0].address'; }

# ---- wrong VTEP ---------------------------------------------------------
new_lab 1 42 42
mac_b=$(mac "$B" vx0)
tr_trace_bg -d 5 -t 1 --no-drops
lab_exec "$A" ping -q -c 2 -i 0.2 10.42.0.2 >/dev/null ||
	lab_die "healthy pings do not pass"
lab_ip "$A" neigh replace 10.42.0.2 lladdr "$mac_b" dev vx0 nud permanent
lab_ip "$A" neigh replace 192.168.100.9 lladdr "$(mac "$B" vb)" dev va \
	nud permanent
lab_exec "$A" bridge fdb replace "$mac_b" dev vx0 dst 192.168.100.9 ||
	lab_die "bridge fdb replace"
lab_exec "$A" ping -q -c 2 -i 0.2 -W 1 10.42.0.2 >/dev/null &&
	lab_die "pings pass with the wrong FDB entry"
tr_trace_wait
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "two answered, two lost" \
	'.summary.answered == 2 and .summary.lost == 2'
tr_expect "the lost ones go to 192.168.100.9 on the underlay" \
	'any(.probes[].sightings[]; .point == 2 and .kind == "request" and
	 .encap.outer_dst == "192.168.100.9")'
tr_expect "wrong VTEP: lost after vb, before b's vx0" \
	"$(jq_drop vb "$B/vx0" request)"
tr_expect "cause: wrong VTEP, .2 expected" \
	'any(.findings[]; .kind == "drop" and .cause.code == "tunnel_wrong_vtep" and
	 .cause.params.outer_dst == "192.168.100.9" and
	 .cause.params.expected_vtep == "192.168.100.2" and
	 .cause.params.inner_dst == "10.42.0.2" and .cause.params.encap_id == "42")'
tr_same

# ---- VNI mismatch -------------------------------------------------------
new_lab 2 42 43
mac_a=$(mac "$A" vx0)
mac_b=$(mac "$B" vx0)
lab_ip "$A" neigh replace 10.42.0.2 lladdr "$mac_b" dev vx0 nud permanent
lab_ip "$B" neigh replace 10.42.0.1 lladdr "$mac_a" dev vx0 nud permanent
tr_trace_bg -d 5 -t 1 --no-drops
lab_exec "$A" ping -q -c 2 -i 0.2 -W 1 10.42.0.2 >/dev/null &&
	lab_die "a's pings pass across a VNI mismatch"
lab_exec "$B" ping -q -c 2 -i 0.2 -W 1 10.42.0.1 >/dev/null &&
	lab_die "b's pings pass across a VNI mismatch"
tr_trace_wait
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "all four lost" '.summary.lost == 4 and .summary.answered == 0'
tr_expect "a's: lost after vb, before b's vx0" "$(jq_drop vb "$B/vx0" request)"
tr_expect "b's: lost after va, before a's vx0" "$(jq_drop va "$A/vx0" request)"
tr_expect "cause: VNI 42 sent where b's VTEP uses 43" \
	'any(.findings[]; .kind == "drop" and .cause.code == "tunnel_id_mismatch" and
	 .location.after_name == "vb" and .cause.params.encap_id == "42" and
	 .cause.params.expected_id == "43" and
	 .cause.params.outer_dst == "192.168.100.2")'
tr_expect "cause: VNI 43 sent where a's VTEP uses 42" \
	'any(.findings[]; .kind == "drop" and .cause.code == "tunnel_id_mismatch" and
	 .location.after_name == "va" and .cause.params.encap_id == "43" and
	 .cause.params.expected_id == "42")'
tr_same
echo PASS
