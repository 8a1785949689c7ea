#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace across the other overlays of issue 16, as
# test_trace_vxlan.sh does for VXLAN: Geneve (UDP 6081), gretap (GRE with a
# key, Ethernet inside) and IPIP, each between two namespaces over a veth
# underlay va ══ vb.  Healthy: the probe is recognised on the underlay by
# its inner headers, with the encapsulation recorded there; then b's
# firewall drops the tunnel's packets arriving on vb and the loss is
# located after vb with the encapsulation named.  IPIP devices are not
# Ethernet (live capture watches Ethernet devices only): its trace watches
# the underlay alone.  A kind whose kernel module is missing is carried by
# tests/tools/tun_endpoint instead: a user-space endpoint (tap or tun device,
# UDP or raw socket) that puts the same encapsulation on the same underlay,
# as a user-space VTEP (OVS-DPDK, VPP) does; the routing, firewall and the
# capture stay the kernel's.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft

ran=0

# tun_pair KIND NAME ARGS...: the device in a and b (local/remote added),
# 10.44.0.1/24 and .2/24 on it; false when the kernel cannot make it.
tun_pair() {
	local kind=$1 name=$2
	shift 2
	lab_ip "$A" link add "$name" type "$kind" "$@" local 192.168.100.1 \
		remote 192.168.100.2 2>"$LAB_DIR/link.err" || return 1
	lab_ip "$B" link add "$name" type "$kind" "$@" local 192.168.100.2 \
		remote 192.168.100.1 2>"$LAB_DIR/link.err" || return 1
	lab_addr "$A" "$name" 10.44.0.1/24
	lab_addr "$B" "$name" 10.44.0.2/24
}

# geneve takes no "local"
geneve_pair() {
	lab_ip "$A" link add gnv0 type geneve id 42 remote 192.168.100.2 \
		2>"$LAB_DIR/link.err" || return 1
	lab_ip "$B" link add gnv0 type geneve id 42 remote 192.168.100.1 \
		2>"$LAB_DIR/link.err" || return 1
	lab_addr "$A" gnv0 10.44.0.1/24
	lab_addr "$B" gnv0 10.44.0.2/24
}

# user_pair KIND NAME ID: the pair as user-space endpoints (see above).
user_pair() {
	local kind=$1 name=$2 id=$3 ep pid
	ep=${LAB_TESTBIN:+$LAB_TESTBIN/}tun_endpoint
	[ -x "$ep" ] || return 1
	[ -c /dev/net/tun ] || return 1
	echo "$kind: no kernel module ($(cat "$LAB_DIR/link.err")), user-space endpoints"
	lab_bg pid "$A" "$ep" "$kind" "$name" 192.168.100.1 192.168.100.2 "$id"
	lab_wait_line "$LAB_DIR/$pid.out" '^ready' 10 ||
		lab_die "tun_endpoint in a: $(cat "$LAB_DIR/$pid.err")"
	lab_bg pid "$B" "$ep" "$kind" "$name" 192.168.100.2 192.168.100.1 "$id"
	lab_wait_line "$LAB_DIR/$pid.out" '^ready' 10 ||
		lab_die "tun_endpoint in b: $(cat "$LAB_DIR/$pid.err")"
	# the kernel devices' MTU: room for the outer headers on the underlay
	lab_ip "$A" link set "$name" mtu 1400 up
	lab_ip "$B" link set "$name" mtu 1400 up
	lab_addr "$A" "$name" 10.44.0.1/24
	lab_addr "$B" "$name" 10.44.0.2/24
}

# one_kind TYPE ID DEV RULE: builds the lab, traces healthy, filtered, then
# with an underlay whose far end takes less than the tunnel sends: b's vb
# has MTU 1400, a's va keeps 1500, so a 1400-byte inner packet (DF set
# inside) leaves va encapsulated and the veth refuses it at vb, while
# small probes pass.
one_kind() {
	local type=$1 id=$2 dev=$3 rule=$4 idq
	idq=$([ "$id" = null ] && echo null || echo "$id")
	echo "--- $type"
	if [ "$dev" = none ]; then
		TR_POINTS=("$A/va" "$B/vb")
		TR_IFS=(va vb)
		local ua=0 ub=1
	else
		TR_POINTS=("$A/$dev" "$A/va" "$B/vb" "$B/$dev")
		TR_IFS=("$A/$dev" va vb "$B/$dev")
		local ua=1 ub=2
	fi
	tr_trace --ping 10.44.0.2 --from "$A" -c 3 --interval 0.2 --no-drops
	[ "$TR_RC" = 0 ] || lab_die "$type: healthy trace exited $TR_RC, want 0"
	tr_expect "$type: all three answered" '.summary.answered == 3'
	tr_expect "$type: seen on the underlay both ways" \
		"all(.probes[]; ([.sightings[] | select(.point == $ua or .point == $ub) | .kind] | sort) == [\"reply\",\"reply\",\"request\",\"request\"])"
	tr_expect "$type: encapsulation recorded on the underlay only" \
		"all(.probes[].sightings[]; if .point == $ua or .point == $ub then
			.encap.type == \"$type\" and .encap.id == $idq
		 else .encap == null end)"
	tr_same
	lab_input_rule "$B" "iifname \"vb\" $rule drop"
	tr_trace --ping 10.44.0.2 --from "$A" -c 2 --interval 0.2 --no-drops
	[ "$TR_RC" = 1 ] || lab_die "$type: trace exited $TR_RC, want 1"
	tr_expect "$type: every probe lost" '.summary.lost == 2'
	tr_expect "$type: lost after vb, encapsulation named" \
		"any(.findings[]; .kind == \"drop\" and .location.after_name == \"vb\" and
		 .location.direction == \"request\" and .details.encap == \"$type\")"
	tr_same
	lab_exec "$B" nft delete table inet dsfw
	lab_ip "$B" link set vb mtu 1400
	tr_trace_bg --no-drops
	lab_exec "$A" ping -q -c 2 -i 0.2 -W 1 10.44.0.2 >/dev/null
	lab_exec "$A" ping -q -c 2 -i 0.2 -W 1 -s 1372 -M do 10.44.0.2 >/dev/null
	sleep 1
	tr_trace_wait INT
	[ "$TR_RC" = 1 ] || lab_die "$type: MTU trace exited $TR_RC, want 1"
	tr_expect "$type: small probes answered, large ones lost" \
		'.summary.answered == 2 and .summary.lost == 2'
	tr_expect "$type: lost between va and vb: the tunnel's overhead" \
		"any(.findings[]; .kind == \"drop\" and .location.after_name == \"va\" and
		 .location.before_name == \"vb\" and
		 .cause.code == \"tunnel_overhead_mtu\" and .details.encap == \"$type\")"
	tr_same
	ran=$((ran + 1))
}

# new_lab: two fresh namespaces joined by the underlay.
new_lab() {
	lab_netns A "a$1"
	lab_netns B "b$1"
	lab_veth "$A" va "$B" vb
	lab_addr "$A" va 192.168.100.1/24
	lab_addr "$B" vb 192.168.100.2/24
}

new_lab 1
if geneve_pair || user_pair geneve gnv0 42; then
	one_kind geneve 42 gnv0 'udp dport 6081'
else
	echo "skip geneve: $(cat "$LAB_DIR/link.err")"
fi
new_lab 2
if tun_pair gretap gt0 key 7 || user_pair gretap gt0 7; then
	one_kind gretap 7 gt0 'ip protocol 47'
else
	echo "skip gretap: $(cat "$LAB_DIR/link.err")"
fi
new_lab 3
if tun_pair ipip ipt0 || user_pair ipip ipt0 0; then
	one_kind ipip null none 'ip protocol 4'
else
	echo "skip ipip: $(cat "$LAB_DIR/link.err")"
fi
[ "$ran" -gt 0 ] || lab_skip "no tunnel kind available"
echo PASS
