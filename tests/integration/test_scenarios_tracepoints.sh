#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The failure catalogue again, with trace hooking its points by the two
# host-wide tracepoints (netif_receive_skb, net_dev_queue; --attach
# tracepoints, what --attach auto picks for many points) instead of XDP/TC
# links on each interface: every row must give the verdict it gives with
# links, live and from the saved pcapng, and the report must say the
# points were hooked that way.
export SCN_ATTACH=tracepoints
exec bash "$(dirname "$0")/test_scenarios.sh" "$@"
