#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace, host state (issue 13): the guest's bridge port is in STP
# state listening, so the bridge takes nothing from it.  The saved host
# state names the port, its bridge and its state, live and offline.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init bridge

lab_topo_bridged
# STP is off: the port's state can be set by hand (1 = listening)
lab_exec "$LAB_HOST" bridge link set dev tap0 state 1 ||
	lab_skip "cannot set a bridge port's STP state here"
# ARP would die at the port too: the guest knows the host's MAC already,
# so its echo requests reach tap0 and the bridge refuses them there
br_mac=$(lab_exec "$LAB_HOST" cat /sys/class/net/br0/address)
lab_ip "$LAB_GUEST" neigh replace "$LAB_HOST_IP" lladdr "$br_mac" dev eth0 \
	nud permanent
tr_points "$LAB_HOST" tap0 br0 up0
tr_trace --ping "$LAB_HOST_IP" --from "$LAB_GUEST" -c 3 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "every probe lost" '.summary.lost == 3 and .summary.answered == 0'
tr_expect "cause: the port is in STP state listening" \
	'any(.findings[]; .cause.code == "stp_blocking" and
	 .cause.params.port == "tap0" and .cause.params.bridge == "br0" and
	 .cause.params.stp_state == "listening")'
tr_expect "the state item is the finding's evidence" \
	"any(.findings[].evidence[]; .what == \"port tap0 of br0 in netns $LAB_HOST is in STP state listening\")"
tr_same
echo PASS
