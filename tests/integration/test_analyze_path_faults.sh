#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Where along the path the probe stops, bridged mode (SCENARIOS.md rows 2,
# 3, 10 and 12): the tap detached from the bridge, the uplink down, an MTU
# black hole (small probes pass, large ones with DF vanish), and a routing
# loop (TTL falling at one point).
. "$DROPSPOT_SRC/tests/integration/analyze_lib.sh"
an_init

# A static neighbour entry lets the guest send even when ARP cannot pass.
static_peer() {
	local mac
	mac=$(lab_exec "$LAB_PEER" cat /sys/class/net/eth0/address)
	lab_ip "$LAB_GUEST" neigh replace "$LAB_PEER_IP" lladdr "$mac" dev eth0 nud permanent
}

# ---- row 2: guest tap not attached to the bridge ----
lab_topo_bridged
static_peer
lab_ip "$LAB_HOST" link set tap0 nomaster
an_capture "$LAB_HOST" tap0 br0 up0
lab_exec "$LAB_GUEST" ping "${AN_FAIL_PING[@]}" "$LAB_PEER_IP" >/dev/null &&
	lab_die "ping through a detached tap succeeded"
an_stop
an_analyze
an_expect "detached: requests stop after tap0" \
	'any(.findings[]; .kind == "drop" and .location.after_name == "tap0" and .location.direction == "request")'
an_expect "detached: br0 listed as not seen" \
	'([.points[] | select(.name == "br0") | .id][0]) as $br |
	 any(.findings[]; .kind == "drop" and ((.location.not_seen_at // []) | index($br)) != null)'
an_expect "detached: cause says the tap is not passed on" \
	'any(.findings[]; .kind == "drop" and .cause.code == "not_passed_on" and .cause.params.after == "tap0")'

# ---- row 3: the uplink goes down ----
an_next
lab_topo_bridged
static_peer
an_capture "$LAB_HOST" tap0 br0 up0
lab_exec "$LAB_GUEST" ping -q -c 2 -i 0.2 -W 1 "$LAB_PEER_IP" >/dev/null ||
	lab_die "ping before the link went down failed"
lab_ip "$LAB_HOST" link set up0 down
lab_exec "$LAB_GUEST" ping -q -c 4 -i 0.2 -W 1 "$LAB_PEER_IP" >/dev/null &&
	lab_die "ping through a down uplink succeeded"
an_stop
an_analyze
an_expect "link down: 2 answered, then lost" '.summary.answered == 2 and .summary.lost >= 3'
an_expect "link down: requests stop after br0, not seen at up0" "$(jq_drop br0 up0 request)"

# ---- row 10: MTU black hole ----
an_next
lab_topo_bridged
lab_ip "$LAB_HOST" link set up0 mtu 1400
lab_ip "$LAB_PEER" link set eth0 mtu 1400
an_capture "$LAB_HOST" tap0 br0 up0
lab_exec "$LAB_GUEST" ping -q -c 3 -i 0.2 -W 1 -s 1000 -M do "$LAB_PEER_IP" >/dev/null ||
	lab_die "small ping failed"
lab_exec "$LAB_GUEST" ping -q -c 3 -i 0.2 -W 1 -s 1450 -M do "$LAB_PEER_IP" >/dev/null &&
	lab_die "large ping passed a smaller MTU"
lab_exec "$LAB_GUEST" ping -q -c 2 -i 0.2 -W 1 -s 200 "$LAB_PEER_IP" >/dev/null ||
	lab_die "small ping after the large ones failed"
an_stop
an_analyze
an_expect "mtu: black hole with 1000 passing and 1450 failing" \
	'any(.findings[]; .kind == "mtu_blackhole" and .details.largest_passing_data == 1000
	     and .details.smallest_failing_data == 1450)'
an_expect "mtu: large requests stop after br0, not seen at up0" "$(jq_drop br0 up0 request)"
an_expect "mtu: the small ones are all answered" \
	'[.probes[] | select(.len <= 1000 and .outcome != "answered")] | length == 0'

# ---- row 12: routing loop (NAT host without masquerade routes back and forth) ----
an_next
LAB_NAT_NO_MASQ=1 lab_topo_nat
lab_ip "$LAB_HOST" route add 198.51.100.0/24 via "$LAB_WAN_IP"
lab_exec "$LAB_WAN" sysctl -qw net.ipv4.ip_forward=1
lab_ip "$LAB_WAN" route add 198.51.100.0/24 via "$LAB_HOST_WAN_IP"
an_capture "$LAB_HOST" tap0 virbr0 up0
lab_exec "$LAB_GUEST" ping -q -c 3 -i 0.2 -W 1 198.51.100.1 >/dev/null &&
	lab_die "ping into a loop succeeded"
an_stop
an_analyze
an_expect "loop: ttl_exceeded at up0 with a falling TTL" \
	'any(.findings[]; .kind == "ttl_exceeded" and .location.after_name == "up0" and .details.ttl_min < .details.ttl_first)'
an_expect "loop: the drop names the loop" \
	'any(.findings[]; .kind == "drop" and .cause.code == "routing_loop")'
echo PASS
