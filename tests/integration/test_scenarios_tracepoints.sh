#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The failure catalogue again, with trace hooking its points by the two
# host-wide tracepoints (netif_receive_skb, net_dev_queue; --attach
# tracepoints, what --attach auto picks for many points) instead of XDP/TC
# links on each interface: each row must give the verdict it gives with
# links, live and from the saved pcapng, and the report must say the
# points were hooked that way.  By default the rows whose evidence comes
# from different places on the path (a tap without its bridge, a link
# down, the firewall's and the forwarding step's kernel drops, the MTU,
# a VLAN tag, the return path, a checksum, the NAT); all of them with
# arguments: test_scenarios_tracepoints.sh $(the SCN_ALL names).
export SCN_ATTACH=tracepoints
[ $# -gt 0 ] || set -- healthy_nat tap_detached uplink_down firewall_drop \
	nat_no_forward mtu_blackhole vlan_mismatch reply_lost bad_checksum
exec bash "$(dirname "$0")/test_scenarios.sh" "$@"
