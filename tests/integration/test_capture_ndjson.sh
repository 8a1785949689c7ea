#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot capture --drops --ndjson / --metrics (docs/ndjson-schema.md,
# docs/metrics.md) in the bridged lab with a host firewall: the kernel's
# NETFILTER_DROP of the guest's ping is a kernel_drop event on the stream
# while the capture runs; a watched veth deleted and re-created is a
# point gone / back pair; every line is valid against the schema; the
# final counters count the kernel_drop events; the textfile passes the
# strict exposition-format parser with the same numbers.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
. "$DROPSPOT_SRC/tests/integration/ndjson_lib.sh"
tr_init ping nft python3
tr_btf_reason NETFILTER_DROP

lab_topo_bridged
lab_input_rule "$LAB_HOST" 'icmp type echo-request drop'
ND=$LAB_DIR/capture.ndjson
PROM=$LAB_DIR/metrics/capture.prom
mkdir -p "$LAB_DIR/metrics"

ds_start PID "" capture -i "$LAB_HOST/tap0,$LAB_HOST/br0,$LAB_HOST/up0" \
	--drops --no-print --ndjson="$ND" --metrics "$PROM" --metrics-interval 0.3
lab_exec "$LAB_GUEST" ping -q -c 2 -i 0.2 -W 1 "$LAB_HOST_IP" >/dev/null &&
	lab_die "ping passed the firewall"
lab_wait_line "$ND" '"type":"kernel_drop".*"reason":"NETFILTER_DROP".*"device":"br0"' 10 ||
	lab_die "no NETFILTER_DROP kernel_drop event on br0 while running: $(tail -3 "$ND")"
kill -0 "$PID" 2>/dev/null || lab_die "capture ended before it was stopped"
echo "ok: the firewall's drop is on the stream while the capture runs"

# a watched interface goes and comes back
lab_ip "$LAB_HOST" link del up0
lab_wait_line "$ND" '"type":"point","[^}]*"change":"gone".*"ifname":"up0"' 10 ||
	lab_die "no point gone event for up0: $(tail -2 "$ND")"
lab_ip "$LAB_HOST" link add up0 type veth peer name eth0 netns "$LAB_PEER"
lab_wait_line "$ND" '"type":"point","[^}]*"change":"back".*"ifname":"up0"' 10 ||
	lab_die "no point back event for up0: $(tail -2 "$ND")"
echo "ok: up0 deleted and re-created: point gone, then back"
lab_wait_line "$PROM" '^dropspot_kernel_drops_total\{reason="NETFILTER_DROP"\} [1-9]' 10 ||
	lab_die "metrics never showed the drop while running: $(cat "$PROM")"
grep -qx 'dropspot_up 1' "$PROM" || lab_die "metrics: dropspot_up is not 1 while running"
echo "ok: metrics rewritten while running"
cap_stop "$PID" INT
rc=$?
[ "$rc" = 0 ] || lab_die "capture exited $rc: $(cat "$LAB_DIR/$PID.err")"

nd_validate "$ND"
jq -se '.[0].command == "capture" and
	([.[0].points[].name] | any(. == "kernel-drops"))' "$ND" >/dev/null ||
	lab_die "session_start does not list the kernel-drops point"
jq -se '[.[] | select(.type == "probe" or .type == "finding")] | length == 0' "$ND" >/dev/null ||
	lab_die "capture has no engine: no probe or finding events"
n=$(jq -s '[.[] | select(.type == "kernel_drop")] | length' "$ND")
jq -se --argjson n "$n" '[.[] | select(.type == "counters")] | last |
	.final and .kernel_drops.total == $n and
	([.kernel_drops.by_reason[].count] | add) == $n and (has("probes") | not)' "$ND" >/dev/null ||
	lab_die "final counters do not count the $n kernel_drop events: $(tail -2 "$ND" | head -1)"
echo "ok: final counters: $n kernel drops, as the events"
jq -se '.[-1].exit_status == 0 and .[-1].verdict == null' "$ND" >/dev/null ||
	lab_die "session_end: $(tail -1 "$ND")"
prom_check "$PROM" >"$PROM.json" || lab_die "metrics file is not valid exposition format"
[ "$(find "$LAB_DIR/metrics" -name '*.tmp.*' | wc -l)" = 0 ] || lab_die "temporary metrics file left"
[ "$(prom_get "$PROM.json" dropspot_up)" = 0 ] || lab_die "dropspot_up is not 0 after the end"
[ "$(prom_get "$PROM.json" dropspot_kernel_drops_total)" = "$n" ] ||
	lab_die "dropspot_kernel_drops_total is not $n"
[ "$(prom_get "$PROM.json" dropspot_probes_sent_total)" = 0 ] &&
	grep -q probes_sent "$PROM" && lab_die "capture writes probe metrics it has not"
jq -se 'any(.name == "dropspot_ring_events_lost_total" and .labels.point == "kernel-drops")' \
	"$PROM.json" >/dev/null || lab_die "no ring lost series for kernel-drops"
echo "ok: metrics: strict parser, $n kernel drops, up 0"

# --ndjson on stdout replaces the frame lines and the summary
"$DROPSPOT" capture -i "$LAB_HOST/br0" --ndjson -d 0.5 >"$LAB_DIR/out.ndjson" 2>"$LAB_DIR/out.err" ||
	lab_die "capture --ndjson on stdout failed: $(cat "$LAB_DIR/out.err")"
grep -qv '^{' "$LAB_DIR/out.ndjson" && lab_die "stdout has non-event lines"
nd_validate "$LAB_DIR/out.ndjson"
"$DROPSPOT" capture -i "$LAB_HOST/br0" --ndjson -w - -d 0.1 >/dev/null 2>&1
[ $? = 2 ] || lab_die "--ndjson and -w - on stdout together must be a usage error"
echo PASS
