#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# trace tests whose paths differ most from a plain ping, again with the
# points hooked by the two host-wide tracepoints (--attach tracepoints,
# what --attach auto picks for more than 16 points) instead of links on
# each interface: the same verdicts, live and from the pcapng, and
# trace_lib checks that the report names the hooks "tracepoint".
#  - churn: an interface gone and back, followed by its map entry alone;
#  - vxlan: frames seen on the underlay and the overlay;
#  - fragments_mtu: fragments and a drop between veth ends;
#  - bridge_flood: ARP flooding between the ports of a bridge.
# (test_scenarios_tracepoints runs the failure catalogue the same way.)
export TR_ATTACH=tracepoints
here=$(dirname "$0")
failed=0 ran=0
for t in churn vxlan fragments_mtu bridge_flood; do
	echo "== test_trace_$t, --attach tracepoints"
	bash "$here/test_trace_$t.sh"
	case $? in
	0) ran=$((ran + 1)) ;;
	77) echo "skipped: test_trace_$t" ;;
	*) echo "FAIL test_trace_$t"; failed=1 ;;
	esac
done
[ "$failed" = 0 ] && [ "$ran" = 0 ] && exit 77
[ "$failed" = 0 ] && echo PASS
exit "$failed"
