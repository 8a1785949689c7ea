#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace, no route on the host for the target (SCENARIOS.md row
# 13): the host answers "net unreachable"; the drop is located after the
# NAT bridge with "no route" as the cause, live and offline.  Then a
# "prohibit" route for the target: the host answers "admin prohibited",
# as a firewall's reject would, and the cause names the route instead.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft

lab_topo_nat
tr_points "$LAB_HOST" tap0 virbr0 up0
tr_trace --ping 198.51.100.1 --from "$LAB_GUEST" -c 3 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "every probe lost" '.summary.lost == 3 and .summary.answered == 0'
tr_expect "net unreachable from the host" \
	'any(.findings[]; .kind == "icmp_error" and .details.reporter == "192.168.122.1" and (.details.code | test("unreachable")))'
tr_expect "one drop finding after virbr0, cause no route" \
	'[.findings[] | select(.kind == "drop")] | length == 1 and
	 (.[0].location.after_name == "virbr0") and .[0].cause.code == "icmp_no_route" and .[0].cause.params.reporter == "192.168.122.1"'
tr_expect "nothing left the uplink" \
	'all(.probes[]; all(.sightings[]; .point != 2))'
tr_same

lab_ip "$LAB_HOST" route add prohibit 198.51.100.0/24
tr_trace --ping 198.51.100.1 --from "$LAB_GUEST" -c 2 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "admin prohibited from the host" \
	'any(.findings[]; .kind == "icmp_error" and .details.reporter == "192.168.122.1" and .details.code == "admin prohibited")'
tr_expect "the drop after virbr0 is the prohibit route's, not a firewall's" \
	'[.findings[] | select(.kind == "drop")] | length == 1 and
	 .[0].location.after_name == "virbr0" and .[0].cause.code == "route_prohibited" and
	 .[0].cause.params.route_target == "198.51.100.1" and
	 .[0].cause.params.reporter == "192.168.122.1"'
tr_same
echo PASS
