#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace, NAT mode without IP forwarding (SCENARIOS.md row 8): the
# guest's probes to the WAN reach the NAT bridge and never leave the
# uplink.  Drop located after virbr0, not seen at up0, live and offline.
# Then forwarding on for the host but off on virbr0 alone (IPv4 forwards
# by the input device's own switch): the same loss, the device's sysctl
# named.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft

LAB_NAT_NO_FORWARD=1 lab_topo_nat
tr_points "$LAB_HOST" tap0 virbr0 up0
tr_trace --ping "$LAB_WAN_IP" --from "$LAB_GUEST" -c 3 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "every probe lost" '.summary.lost == 3 and .summary.answered == 0'
tr_expect "requests stop after virbr0, not seen at up0" \
	"$(jq_drop virbr0 up0 request)"
tr_expect "verdict" '.verdict | test("stop after virbr0, not seen at up0")'
# Where the kernel says why, it is the forwarding step that refused.
tr_expect "kernel reason, if any, is not a firewall" \
	'all(.findings[]; (.details.kernel_reason // "") | test("NETFILTER") | not)'
# The host's state says why, with its value (issue 13): forwarding is off
# in the host's netns, which must route the probe.
tr_expect "cause: forwarding disabled in the host netns" \
	"any(.findings[]; .cause.code == \"forwarding_disabled\" and
	 .cause.params.fwd_sysctl == \"net.ipv4.ip_forward\" and
	 .cause.params.fwd_netns == \"$LAB_HOST\")"
tr_expect "the state item is the finding's evidence" \
	"any(.findings[].evidence[]; .what == \"net.ipv4.ip_forward = 0 in netns $LAB_HOST\")"
tr_same

lab_exec "$LAB_HOST" sysctl -qw net.ipv4.ip_forward=1 \
	net.ipv4.conf.virbr0.forwarding=0 || lab_die "sysctl"
tr_trace --ping "$LAB_WAN_IP" --from "$LAB_GUEST" -c 2 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "per device: requests stop after virbr0" "$(jq_drop virbr0 up0 request)"
tr_expect "cause: forwarding off on virbr0, the device they came in by" \
	"any(.findings[]; .cause.code == \"forwarding_disabled\" and
	 .cause.params.fwd_sysctl == \"net.ipv4.conf.virbr0.forwarding\" and
	 .cause.params.fwd_netns == \"$LAB_HOST\")"
tr_same
echo PASS
