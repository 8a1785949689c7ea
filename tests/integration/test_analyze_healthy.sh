#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# SCENARIOS.md row 1: healthy baselines.  Bridged mode (guest pings the host
# and a LAN peer) and NAT mode (guest pings beyond the masquerading host):
# every probe answered, no drop finding, the learnt path in crossing order,
# and in NAT mode the rewrite between the NAT bridge and the uplink.
. "$DROPSPOT_SRC/tests/integration/analyze_lib.sh"
an_init

# ---- bridged ----
lab_topo_bridged
an_capture "$LAB_HOST" tap0 br0 up0
lab_exec "$LAB_GUEST" ping -q -c 5 -i 0.2 -W 1 "$LAB_PEER_IP" >/dev/null ||
	lab_die "bridged ping to the peer failed"
lab_exec "$LAB_GUEST" ping -q -c 5 -i 0.2 -W 1 "$LAB_HOST_IP" >/dev/null ||
	lab_die "bridged ping to the host failed"
an_stop
an_analyze
an_expect "bridged: 10 probes, all answered" \
	'.summary.probes == 10 and .summary.answered == 10'
an_expect "bridged: no drop finding" "$JQ_NO_DROP"
an_expect "bridged: path to the peer is tap0 -> br0 -> up0" \
	'[.flows[] | select(.dst == "10.77.0.3") | .path[] as $p | $p] as $x |
	 ([.points[] | {(.id | tostring): .name}] | add) as $n |
	 [$x[] | $n[tostring]] == ["tap0", "br0", "up0"]'
an_expect "bridged: no NAT" "$(jq_has nat_rewrite) | not"
an_expect "bridged: exit clean verdict" '.verdict | test("^10/10 probes answered")'

# ---- NAT ----
an_next
lab_topo_nat
an_capture "$LAB_HOST" tap0 virbr0 up0
lab_exec "$LAB_GUEST" ping -q -c 5 -i 0.2 -W 1 "$LAB_WAN_IP" >/dev/null ||
	lab_die "NAT ping failed"
an_stop
an_analyze
an_expect "NAT: 5 probes, all answered" \
	'.summary.probes == 5 and .summary.answered == 5'
an_expect "NAT: no drop finding" "$JQ_NO_DROP"
an_expect "NAT: rewrite between virbr0 and up0 to the uplink address" \
	'any(.findings[]; .kind == "nat_rewrite" and .location.after_name == "virbr0"
	     and .location.before_name == "up0"
	     and .details.src_before == "192.168.122.2"
	     and .details.src_after == "203.0.113.1")'
echo "PASS"
