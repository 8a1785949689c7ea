#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace, host state (issue 13): the NAT host's uplink has a smaller
# MTU than the guest's probes (1500-byte IP packets with DF).  The saved
# host state names the device and both sizes, live and from the pcapng.
# Once the host's "fragmentation needed" taught the guest the path MTU,
# its next probes leave in fragments, cross up0 and reach the target, whose
# 1500-byte replies come back whole and die entering up0 (MTU 1400): no
# reply at any point, so only the state can tell this from a silent target.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft

lab_topo_nat
lab_ip "$LAB_HOST" link set up0 mtu 1400
tr_points "$LAB_HOST" tap0 virbr0 up0
# 1472 bytes of echo data: a 1500-byte IP packet, DF set by the pinger
tr_trace --ping "$LAB_WAN_IP" --from "$LAB_GUEST" -c 3 --interval 0.2 -s 1472
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "every probe lost" '.summary.lost == 3 and .summary.answered == 0'
# The host's ICMP "fragmentation needed" speaks first when it was sent;
# the state then supports it, naming the device.  Without it the state
# alone names the cause.
tr_expect "cause: the uplink's MTU (or the host's ICMP error it explains)" \
	"any(.findings[]; .kind == \"drop\" and
	 ((.cause.code == \"mtu_too_small\" and
	   .cause.params.mtu_device == \"$LAB_HOST/up0\" and
	   .cause.params.dev_mtu == \"1400\" and
	   .cause.params.size == \"1500\") or
	  (.cause.code == \"icmp_too_big\" and .cause.params.mtu == \"1400\" and
	   (.cause.supporting | index(\"mtu_too_small\")))))"
# trace keeps the kernel's drop of its own probe's reply in the wan's
# netns (the veth refuses it); without that record the state says it.
tr_expect "the probes sent in fragments: the reply cannot enter up0 whole" \
	"any(.findings[]; .kind == \"drop\" and .location.after_name == \"up0\" and
	 ((.cause.code == \"reply_exceeds_mtu\" and
	   .cause.params.mtu_device == \"$LAB_HOST/up0\" and
	   .cause.params.dev_mtu == \"1400\" and .cause.params.size == \"1500\") or
	  (.cause.code == \"kernel_drop\" and
	   .cause.params.kernel_function == \"__dev_forward_skb2\" and
	   (.cause.params.kernel_meaning | test(\"larger than that end's MTU\")))))"
tr_expect "no route blamed past the NAT" \
	'all(.findings[]; .cause.code != "route_unreachable")'
tr_expect "the state item is the finding's evidence" \
	"any(.findings[].evidence[]; .what | test(\"up0 in netns $LAB_HOST has MTU 1400\"))"
tr_same

# Without kernel drops the saved host state alone says it.
lab_ip "$LAB_GUEST" route flush cache
tr_trace --ping "$LAB_WAN_IP" --from "$LAB_GUEST" -c 3 --interval 0.2 -s 1472 --no-drops
tr_expect "without drops: the reply cannot enter up0 whole (host state)" \
	"any(.findings[]; .kind == \"drop\" and .location.after_name == \"up0\" and
	 .cause.code == \"reply_exceeds_mtu\" and
	 .cause.params.mtu_device == \"$LAB_HOST/up0\" and
	 .cause.params.dev_mtu == \"1400\" and .cause.params.size == \"1500\")"
tr_same
echo PASS
