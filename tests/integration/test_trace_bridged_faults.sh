#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace, bridged mode, faults outside the catalogue whose kernel
# drop needs saying what it means (analyze/kernel_meanings.def):
#  - the uplink port neither learns nor floods unknown unicast: the bridge
#    finds no port for the peer's MAC (NO_TX_TARGET in
#    br_handle_frame_finish), the requests stop after tap0;
#  - the peer's end of the uplink veth has a smaller MTU than the probes:
#    the veth refuses them (__dev_forward_skb2), after up0;
#  - the peer's own firewall drops the requests: no point watches the
#    peer's netns, but the drop record carries trace's own probe, so it is
#    kept and the rule named.
# Live and from the pcapng.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft bridge

lab_topo_bridged
tr_points "$LAB_HOST" tap0 br0 up0

echo "== up0: learning off, unicast flooding off"
lab_exec "$LAB_HOST" bridge link set dev up0 learning off flood off ||
	lab_die "bridge link set"
lab_exec "$LAB_HOST" bridge fdb flush dev up0 2>/dev/null
tr_trace --ping "$LAB_PEER_IP" --from "$LAB_GUEST" -c 2 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (probes lost)"
tr_expect "both lost after tap0, the bridge's reason explained" \
	"$(jq_drop tap0 null request) and any(.findings[]; .kind == \"drop\" and
	 .cause.params.kernel_reason == \"NO_TX_TARGET\" and
	 (.cause.params.kernel_meaning | test(\"bridge had no port\")))"
tr_same
lab_exec "$LAB_HOST" bridge link set dev up0 learning on flood on

echo "== the peer's end of the uplink: MTU 1000"
lab_ip "$LAB_PEER" link set eth0 mtu 1000
tr_trace --ping "$LAB_PEER_IP" --from "$LAB_GUEST" -c 2 --interval 0.2 -s 1200
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (probes lost)"
tr_expect "lost after up0, the veth's refusal explained" \
	"any(.findings[]; .kind == \"drop\" and .location.after_name == \"up0\" and
	 .cause.params.kernel_function == \"__dev_forward_skb2\" and
	 (.cause.params.kernel_meaning | test(\"other end of the veth refused it\")))"
tr_same
lab_ip "$LAB_PEER" link set eth0 mtu 1500

echo "== the peer's firewall (its netns not watched)"
lab_input_rule "$LAB_PEER" "icmp type echo-request drop"
tr_trace --ping "$LAB_PEER_IP" --from "$LAB_GUEST" -c 2 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (probes lost)"
tr_expect "lost past up0, dropped by the peer's rule, named" \
	"any(.findings[]; .kind == \"drop\" and .location.after_name == \"up0\" and
	 .cause.code == \"nft_rule_drop\" and .cause.params.nf_table == \"dsfw\" and
	 (.cause.params.nf_rule | test(\"echo-request drop\")))"
tr_same
echo PASS
