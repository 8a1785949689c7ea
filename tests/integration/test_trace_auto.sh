#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace --auto: the points between the guest and the target are
# discovered from the routes (capture/topology.c) and watched; the probes
# are followed from the guest's own interface to the bridge.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init capinfos

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
# the saved file says where its points came from (section comment), for
# tshark and for analyze alike
capinfos "$LAB_DIR/trace.pcapng" | grep -q "Capture comment: *topology to $LAB_HOST_IP: $LAB_GUEST/eth0 -> $LAB_HOST/tap0 -> $LAB_HOST/br0" ||
	lab_die "topology not recorded: $(capinfos "$LAB_DIR/trace.pcapng" | grep -i comment)"
"$DROPSPOT" analyze "$LAB_DIR/trace.pcapng" 2>&1 >/dev/null | grep -q "topology to $LAB_HOST_IP" ||
	lab_die "analyze does not tell the recorded topology"
echo "ok: the discovered topology is recorded in the file"
tr_analyze
tr_expect "3 answered" '.summary.probes == 3 and .summary.answered == 3'
tr_expect "guest eth0, tap0 and br0 discovered and on the path" \
	'[.points[] | .name | split("/") | last] as $n |
	 ($n | index("eth0")) != null and ($n | index("tap0")) != null and ($n | index("br0")) != null'
tr_expect "the probes are seen at the guest's interface first" \
	'.probes[0].sightings[0].point as $p | .points[$p].name | test("eth0$")'
echo PASS
