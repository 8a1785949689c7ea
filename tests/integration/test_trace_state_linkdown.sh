#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace, host state (issue 13): the far end of the NAT host's
# uplink is down, so up0 has no carrier.  The saved host state says up0 is
# down (the cause, or the support of the host's ICMP error), live and
# offline.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft

lab_topo_nat
lab_ip "$LAB_WAN" link set eth0 down
tr_points "$LAB_HOST" tap0 virbr0 up0
tr_trace --ping "$LAB_WAN_IP" --from "$LAB_GUEST" -c 3 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "no probe answered" '.summary.lost >= 3 and .summary.answered == 0'
# The host's own ICMP error (its neighbour resolution on up0 failed) speaks
# first when it was sent; the state then supports it, naming the device.
tr_expect "cause: up0 is down (or the host's ICMP error it explains)" \
	"any(.findings[]; .location.after_name == \"virbr0\" and
	 ((.cause.code == \"link_down\" and
	   .cause.params.link_device == \"$LAB_HOST/up0\" and
	   (.cause.params.link_state | test(\"down\"))) or
	  (.cause.code == \"icmp_no_route\" and
	   (.cause.supporting | index(\"link_down\")))))"
tr_expect "the state item is the finding's evidence" \
	"any(.findings[].evidence[]; .what | test(\"^up0 in netns $LAB_HOST is .*down\"))"
tr_same
echo PASS
