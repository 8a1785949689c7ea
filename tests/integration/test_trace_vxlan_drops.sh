#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace with kernel drop records across a VXLAN overlay (issue
# 16): b's firewall drops UDP 4789 arriving on its underlay device vb.
#
#   a: vx0 10.42.0.1 ─ va 192.168.100.1 ══ vb 192.168.100.2 ─ vx0 10.42.0.2 :b
#
# The drop program keeps the encapsulated echo request (outer IPv4 + UDP
# 4789, then the inner Ethernet, IPv4 and ICMP) and the engine matches it
# to the probe by its inner fingerprint: the loss after vb carries the
# kernel's NETFILTER_DROP and the nft rule that dropped it, live and from
# the saved pcapng.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft
tr_btf_reason NETFILTER_DROP

tr_vxlan_lab
TR_POINTS=("$A/vx0" "$A/va" "$B/vb" "$B/vx0")
TR_IFS=("$A/vx0" va vb "$B/vx0")

# a's neighbour entry for 10.42.0.2 first: ARP crosses the tunnel too
lab_exec "$A" ping -q -c 1 -W 1 10.42.0.2 >/dev/null || lab_die "no overlay"
lab_input_rule "$B" 'iifname "vb" udp dport 4789 drop'
handle=$(lab_exec "$B" nft -s -a list chain inet dsfw input |
	sed -n 's/.*udp dport 4789 drop # handle \([0-9]*\)$/\1/p')
[ -n "$handle" ] || lab_die "no handle for the drop rule"

tr_trace --ping 10.42.0.2 --from "$A" -c 3 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
echo "verdict: $(jq -r .verdict "$TR_JSON_LIVE")"
tr_expect "every probe lost" '.summary.lost == 3 and .summary.answered == 0'
tr_expect "the kernel's drop record matched to the probe, encapsulated" \
	'all(.probes[]; any(.sightings[]; .kind == "kernel_drop" and .reason == "NETFILTER_DROP" and
	 .encap.type == "vxlan" and .encap.id == 42 and .encap.outer_dst == "192.168.100.2"))'
tr_expect "lost on the underlay, after vb, encapsulation named" \
	'any(.findings[]; .kind == "drop" and .location.after_name == "vb" and
	 .location.direction == "request" and .details.encap == "vxlan" and
	 .details.encap_id == 42)'
tr_expect "the drop record holds the whole fingerprint: no snap length note" \
	'all(.findings[]; (.details.reason // "") != "snaplen")'
tr_expect "the kernel's reason kept" \
	'any(.findings[]; .kind == "drop" and .details.kernel_reason == "NETFILTER_DROP")'
tr_expect "cause: the nft rule, by handle and text" \
	"any(.findings[]; .cause.code == \"nft_rule_drop\" and
	 .cause.params.nf_table == \"dsfw\" and
	 .cause.params.nf_chain == \"input\" and
	 .cause.params.nf_hook == \"input\" and
	 .cause.params.nf_handle == \"$handle\" and
	 (.cause.params.nf_rule | test(\"udp dport 4789 drop\")))"
tr_same
echo PASS
