#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A bridge that does not pass a guest's ARP requests on to the port its
# target is behind, a failure outside the catalogue: a -- pa [br0] pb -- b.
#  1. pa and pb isolated (bridge link set ... isolated on): the bridge
#     forwards nothing between them.
#  2. pb with broadcast flooding off (bcast_flood off): ARP requests, which
#     are broadcasts, never reach b.
# Either way a's probes die waiting for their neighbour (NEIGH_FAILED) and
# its ARP requests are seen at pa and br0, never at pb: the finding is
# located between pa and pb and names the port flag from the host state,
# not "no host owns 10.52.0.2" (b does, behind pb).  Live and from the
# saved pcapng, which carries the host state.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init bridge

lab_netns A a
lab_netns H h
lab_netns B b
lab_veth "$A" ea "$H" pa
lab_veth "$B" eb "$H" pb
lab_ip "$H" link add br0 type bridge
lab_ip "$H" link set br0 up
lab_ip "$H" link set pa master br0
lab_ip "$H" link set pb master br0
lab_addr "$A" ea 10.53.0.1/24
lab_addr "$B" eb 10.53.0.2/24
lab_exec "$A" ping -c 1 -W 2 10.53.0.2 >/dev/null || lab_die "no ping before"
TR_POINTS=("$H/pa" "$H/br0" "$H/pb" "$B/eb")
TR_IFS=(pa br0 pb eb)

# one_case NAME CODE: traces, asserts the finding and the group's cause.
one_case() {
	local name=$1 code=$2
	echo "--- $name"
	lab_exec "$A" ip neigh flush all
	lab_exec "$B" ip neigh flush all
	tr_trace --ping 10.53.0.2 --from "$A" -c 2 --interval 0.3
	[ "$TR_RC" = 1 ] || lab_die "$name: trace exited $TR_RC, want 1"
	tr_expect "$name: both probes lost" '.summary.lost == 2'
	tr_expect "$name: the ARP requests stop between pa and pb, $code" \
		"any(.findings[]; .kind == \"arp_unanswered\" and
		 .cause.code == \"$code\" and .location.after_name == \"pa\" and
		 .location.before_name == \"pb\")"
	tr_expect "$name: the probes' cause says where their requests stop" \
		'any(.findings[]; .kind == "drop" and
		 .cause.code == "neighbour_bridge_cut" and
		 .cause.params.out_port == "pb")'
	tr_expect "$name: nobody claims 10.53.0.2 is absent" \
		'all(.findings[]; .cause.code != "neighbour_absent")'
	tr_same
}

lab_exec "$H" bridge link set dev pa isolated on
lab_exec "$H" bridge link set dev pb isolated on
one_case isolated bridge_ports_isolated

lab_exec "$H" bridge link set dev pa isolated off
lab_exec "$H" bridge link set dev pb isolated off
lab_exec "$H" bridge link set dev pb bcast_flood off ||
	lab_skip "this bridge has no bcast_flood flag"
one_case bcast_flood_off bridge_bcast_flood_off
echo PASS
