#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A VXLAN underlay whose MTU is smaller than the overlay's packets once
# encapsulated, with the outer DF bit unset (Linux's VXLAN default): the
# tunnel's outer datagrams are fragmented on the underlay.  Only the first
# outer fragment carries the UDP header that says "tunnel"; the kernel
# programs remember its datagram and send up the later fragments too
# (bpf/capture.bpf.c, frag_follow), so dropspot can reassemble the outer
# datagram and see the inner probe at the underlay points.
#
#   a: vx0 10.42.0.1 ─ va 192.168.100.1 ══ vb 192.168.100.2 ─ vx0 10.42.0.2 :b
#      (vx0 MTU 1450)   (va, vb MTU 1400)
#
#  1. healthy: every probe seen at all four points both ways, and the saved
#     pcapng holds later outer fragments at va and vb;
#  2. b's underlay drops later fragments before reassembly (raw
#     prerouting): the first probe, fragmented outside, is lost after vb,
#     before b's vx0, where it really was, not between a's vx0 and va
#     (where an underlay that saw only first fragments would put it).
# Both with links and with --attach tracepoints; live and from the pcapng.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft tshark

tr_vxlan_lab
lab_ip "$A" link set va mtu 1400
lab_ip "$B" link set vb mtu 1400
TR_POINTS=("$A/vx0" "$A/va" "$B/vb" "$B/vx0")
TR_IFS=("$A/vx0" va vb "$B/vx0")

later_frags() {	# interface: outer UDP fragments past the first, in the pcapng
	tshark -r "$LAB_DIR/trace.pcapng" -Y "frame.interface_name == \"$1\" &&
		ip.src == 192.168.100.0/24 && ip.frag_offset > 0" 2>/dev/null | wc -l
}

for TR_ATTACH in links tracepoints; do
	echo "== --attach $TR_ATTACH"
	tr_trace --ping 10.42.0.2 --from "$A" -c 3 --interval 0.2 --no-drops -s 1400
	[ "$TR_RC" = 0 ] || lab_die "healthy trace exited $TR_RC, want 0"
	tr_expect "all three answered" '.summary.answered == 3'
	tr_expect "every probe seen at all four points, both ways" \
		'all(.probes[]; ([0,1,2,3] - [.sightings[] | select(.kind == "request") | .point]) == []
		 and ([0,1,2,3] - [.sightings[] | select(.kind == "reply") | .point]) == [])'
	tr_expect "the first probe's outer datagram was fragmented" \
		'any(.probes[0].sightings[]; .point == 1 and .encap.type == "vxlan")'
	for ifc in va vb; do
		n=$(later_frags "$ifc")
		[ "$n" -ge 2 ] || lab_die "$ifc: $n later outer fragments in the pcapng, want >= 2"
		echo "ok: $ifc: $n later outer fragments captured"
	done
	tr_same
	# a fresh start for the next run: the learnt PMTU goes with the flush
	lab_ip "$A" route flush cache
done

lab_exec "$B" nft -f - <<'NFT' || lab_die "nft raw table"
table ip dsraw {
	chain pre {
		type filter hook prerouting priority -450;
		iifname "vb" ip frag-off & 0x1fff != 0 drop
	}
}
NFT
for TR_ATTACH in links tracepoints; do
	echo "== later fragments dropped, --attach $TR_ATTACH"
	lab_ip "$A" route flush cache
	lab_exec "$A" ip neigh flush all
	tr_trace --ping 10.42.0.2 --from "$A" -c 1 --no-drops -s 1400
	[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (probe lost)"
	tr_expect "the probe lost" '.summary.lost == 1'
	tr_expect "lost after vb, before b's vx0" "$(jq_drop vb "$B/vx0" request)"
	tr_expect "not blamed on a's side of the underlay" \
		'all(.findings[]; .kind != "drop" or .location.after_name != "'"$A"'/vx0")'
	tr_same
done
echo PASS
