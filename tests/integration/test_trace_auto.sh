#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace --auto: the points between the guest and the target are
# discovered from the routes (capture/topology.c) and watched; the probes
# are followed from the guest's own interface to the bridge.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init

lab_topo_bridged
TR_JSON_LIVE=$LAB_DIR/report-live.json
"$DROPSPOT" trace --json --auto --ping "$LAB_HOST_IP" --from "$LAB_GUEST" \
	-c 3 --interval 0.2 -w "$LAB_DIR/trace.pcapng" \
	>"$TR_JSON_LIVE" 2>"$TR_JSON_LIVE.err" &
wait $!
TR_RC=$?
cat "$TR_JSON_LIVE.err" >&2
_tr_check "$TR_JSON_LIVE" "$TR_RC" "dropspot trace --auto"
[ "$TR_RC" = 0 ] || lab_die "trace --auto exited $TR_RC on a healthy path"
tr_analyze
tr_expect "3 answered" '.summary.probes == 3 and .summary.answered == 3'
tr_expect "guest eth0, tap0 and br0 discovered and on the path" \
	'[.points[] | .name | split("/") | last] as $n |
	 ($n | index("eth0")) != null and ($n | index("tap0")) != null and ($n | index("br0")) != null'
tr_expect "the probes are seen at the guest's interface first" \
	'.probes[0].sightings[0].point as $p | .points[$p].name | test("eth0$")'
echo PASS
