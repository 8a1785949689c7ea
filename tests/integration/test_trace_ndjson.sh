#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace --ndjson / --metrics (docs/ndjson-schema.md, docs/metrics.md)
# in the bridged lab: every line valid against the versioned schema; the
# probe and finding events are the --json report's of the same run (and
# the saved pcapng's analyze agrees on the findings' causes); the counters
# add up; the Prometheus textfile passes a strict exposition-format parser
# with the same values.  Healthy path, a host firewall dropping the
# requests, and a passive trace whose lines arrive while it runs.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
. "$DROPSPOT_SRC/tests/integration/ndjson_lib.sh"
tr_init ping nft python3
tr_btf_reason NETFILTER_DROP

lab_topo_bridged
tr_points "$LAB_HOST" tap0 br0 up0
ND=$LAB_DIR/events.ndjson
PROM=$LAB_DIR/metrics/dropspot.prom
mkdir -p "$LAB_DIR/metrics"

# nd_same_as_report: probe events = the report's probes, finding events =
# the report's findings (the same objects, as report_json writes them).
nd_same_as_report() {
	diff <(jq -S '.probes | sort_by(.id)' "$TR_JSON_LIVE") \
		<(jq -sS '[.[] | select(.type == "probe") | .probe] | sort_by(.id)' "$ND") >&2 ||
		lab_die "probe events differ from the report's probes (< report, > stream)"
	jq -se '[.[] | select(.type == "probe") | .outcome == .probe.outcome and
		.id == .probe.id and .seq == .probe.seq] | all' "$ND" >/dev/null ||
		lab_die "a probe event's id, seq or outcome is not its probe's"
	diff <(jq -S '.findings' "$TR_JSON_LIVE") \
		<(jq -sS '[.[] | select(.type == "finding")] | sort_by(.index) | map(.finding)' "$ND") >&2 ||
		lab_die "finding events differ from the report's findings (< report, > stream)"
	diff <(jq -S '[.findings[] | {kind, code: .cause.code}]' "$TR_JSON_FILE") \
		<(jq -sS '[.[] | select(.type == "finding") | .finding | {kind, code: .cause.code}]' "$ND") >&2 ||
		lab_die "the saved pcapng's analyze names other causes than the stream"
	echo "ok: probe and finding events are the report's (and analyze of the pcapng agrees)"
}

# nd_counters_match: the final counters are the report's summary, and add up.
nd_counters_match() {
	local final
	final=$(jq -sc '[.[] | select(.type == "counters")] | last' "$ND")
	jq -e '.final' <<<"$final" >/dev/null || lab_die "the last counters are not final"
	jq -e --slurpfile r "$TR_JSON_LIVE" '.probes as $p | $r[0].summary as $s |
		$p.closed == $s.probes and $p.answered == $s.answered and
		$p.lost == $s.lost and $p.unfinished == $s.unfinished and
		$p.sent == $p.answered + $p.lost + $p.unfinished and
		([$p.lost_by[].count] | add // 0) == $p.lost' <<<"$final" >/dev/null ||
		lab_die "final counters do not match the report: $final"
	echo "ok: final counters = report summary, sent = answered + lost + unfinished"
}

# prom_parse: the textfile, strictly parsed, into $PROM.json; no temporary
# file left beside it.
prom_parse() {
	[ -s "$PROM" ] || lab_die "no metrics file $PROM"
	prom_check "$PROM" >"$PROM.json" || lab_die "metrics file is not valid exposition format"
	[ "$(find "$LAB_DIR/metrics" -name '*.tmp.*' | wc -l)" = 0 ] ||
		lab_die "a temporary metrics file stayed: $(ls "$LAB_DIR/metrics")"
	echo "ok: metrics pass the strict exposition parser ($(wc -l <"$PROM.json") samples)"
}

prom_expect() {
	local desc=$1 got want=$4
	got=$(prom_get "$PROM.json" "$2" "$3")
	[ "$got" = "$want" ] || lab_die "metrics: $desc: $2{$3} = $got, want $want"
	echo "ok: metrics: $desc ($2 = $got)"
}

# ---- healthy: dropspot's own probes, with --json of the same run ----
tr_trace --ping "$LAB_HOST_IP" --from "$LAB_GUEST" -c 4 --interval 0.2 \
	--ndjson="$ND" --metrics "$PROM" --metrics-interval 0.2
[ "$TR_RC" = 0 ] || lab_die "trace exited $TR_RC on a healthy path"
nd_validate "$ND"
jq -se '[.[] | select(.type == "probe")] | length == 4 and
	all(.outcome == "answered" and .cause == null and .rtt_ns > 0 and
	    .src == "10.77.0.2" and .dst == "10.77.0.1" and .family == 4)' "$ND" >/dev/null ||
	lab_die "healthy: want 4 answered probe events with an rtt: $(grep '"probe"' "$ND" | head -2)"
echo "ok: healthy: 4 answered probe events"
jq -se '.[0].command == "trace" and ([.[0].points[].name] | index("tap0") != null)' "$ND" >/dev/null ||
	lab_die "session_start does not list the points"
nd_same_as_report
nd_counters_match
jq -se '[.[] | select(.type == "counters")] | length >= 2' "$ND" >/dev/null ||
	lab_die "no periodic counters event besides the final one"
jq -se '.[-1].exit_status == 0 and (.[-1].verdict | test("answered"))' "$ND" >/dev/null ||
	lab_die "session_end: $(tail -1 "$ND")"
prom_parse
prom_expect "sent" dropspot_probes_sent_total true 4
prom_expect "answered" dropspot_probes_answered_total true 4
prom_expect "lost" dropspot_probes_lost_total true 0
prom_expect "ended" dropspot_up true 0
for ifc in tap0 br0 up0; do
	prom_expect "ring lost at $ifc" dropspot_ring_events_lost_total \
		".labels.point == \"$ifc\"" 0
done
jq -se --argjson t "$(date +%s)" '[.[] | select(.name == "dropspot_session_start_time_seconds") |
	.value] | length == 1 and (.[0] > $t - 120) and (.[0] <= $t)' "$PROM.json" >/dev/null ||
	lab_die "dropspot_session_start_time_seconds is not this run's start"
echo "ok: session start time is the run's"

# ---- the host firewall drops the requests: lost, with the kernel's reason --
lab_input_rule "$LAB_HOST" 'icmp type echo-request drop'
tr_trace --ping "$LAB_HOST_IP" --from "$LAB_GUEST" -c 3 --interval 0.2 \
	--ndjson="$ND" --metrics "$PROM" --metrics-interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
nd_validate "$ND"
jq -se '[.[] | select(.type == "probe")] | length == 3 and
	all(.outcome == "lost_request" and .cause.code == "kernel_drop" and
	    .kernel_drop.reason == "NETFILTER_DROP" and
	    .location.last_seen_name == "br0" and .location.direction == "request" and
	    .rtt_ns == null)' "$ND" >/dev/null ||
	lab_die "firewall: want 3 lost_request probe events, kernel_drop at br0: $(grep '"probe"' "$ND" | head -1)"
echo "ok: firewall: 3 probe events lost after br0, kernel_drop NETFILTER_DROP"
jq -se '[.[] | select(.type == "kernel_drop" and .reason == "NETFILTER_DROP")] | length >= 3' \
	"$ND" >/dev/null || lab_die "no kernel_drop events with NETFILTER_DROP"
echo "ok: firewall: kernel_drop events as they happened"
# the drop finding's cause: the report's, in the stream, before session_end
jq -e 'any(.findings[]; .kind == "drop" and .cause.code != null)' "$TR_JSON_LIVE" >/dev/null ||
	lab_die "the report has no drop finding with a cause"
nd_same_as_report
nd_counters_match
jq -se '[.[] | select(.type == "counters")] | last | .kernel_drops.by_reason |
	any(.reason == "NETFILTER_DROP" and .count >= 3)' "$ND" >/dev/null ||
	lab_die "final counters miss the NETFILTER_DROP drops"
jq -se '.[-1].exit_status == 1 and (.[-1].verdict | test("NETFILTER_DROP"))' "$ND" >/dev/null ||
	lab_die "session_end: $(tail -1 "$ND")"
prom_parse
prom_expect "sent" dropspot_probes_sent_total true 3
prom_expect "answered" dropspot_probes_answered_total true 0
prom_expect "lost after br0 by the kernel" dropspot_probes_lost_total \
	'.labels == {"location": "br0", "cause": "kernel_drop"}' 3
prom_expect "lost, all series" dropspot_probes_lost_total true 3
got=$(prom_get "$PROM.json" dropspot_kernel_drops_total '.labels.reason == "NETFILTER_DROP"')
[ "$got" -ge 3 ] || lab_die "dropspot_kernel_drops_total{reason=NETFILTER_DROP} = $got"
echo "ok: metrics: kernel drops NETFILTER_DROP = $got"
lab_exec "$LAB_HOST" nft delete table inet dsfw

# ---- passive, --ndjson on stdout: lines arrive while it runs ----
# One point is named with the characters the exposition format escapes,
# the other with a byte that is not UTF-8 and a tab.
WEIRD=$'ta"p\\0\nx'
BAD=$'b\xffr0\t'
args=(-i "$LAB_HOST/tap0,$LAB_HOST/br0" --name "1=$BAD" --name "0=$WEIRD"
	--ndjson --metrics "$PROM" --metrics-interval 0.3)
ds_start PID "" trace "${args[@]}"
OUT=$LAB_DIR/$PID.out
lab_exec "$LAB_GUEST" ping -q -c 2 -i 0.2 -W 1 "$LAB_HOST_IP" >/dev/null ||
	lab_die "ping failed on a healthy path"
lab_wait_line "$OUT" '"type":"probe"' 10 || lab_die "no probe line while running"
seen_ns=$(date +%s%N)
kill -0 "$PID" 2>/dev/null || lab_die "the trace ended before it was stopped"
echo "ok: passive: probe lines arrive while the trace runs"
for ((i = 0; i < 100; i++)); do
	prom_check "$PROM" 2>/dev/null | jq -se \
		'any(.name == "dropspot_up" and .value == 1) and
		 any(.name == "dropspot_probes_answered_total" and .value == 2)' \
		>/dev/null 2>&1 && break
	sleep 0.1
done
[ "$i" -lt 100 ] || lab_die "the metrics file never showed the run up with 2 answered"
echo "ok: passive: metrics rewritten while running (up 1, 2 answered)"
cap_stop "$PID" INT
rc=$?
[ "$rc" = 0 ] || lab_die "passive trace exited $rc: $(cat "$LAB_DIR/$PID.err")"
ND=$OUT
nd_validate "$ND"
grep -qv '^{' "$ND" && lab_die "stdout has lines that are not events: $(grep -v '^{' "$ND" | head -3)"
grep -q '^probe ' "$LAB_DIR/$PID.err" && lab_die "probe text lines with --ndjson on stdout"
jq -se '[.[] | select(.type == "probe")] | length == 2 and all(.outcome == "answered")' \
	"$ND" >/dev/null || lab_die "passive: want 2 answered probe events"
# the line we read while it ran was written before that, the end after
jq -se --argjson seen "$seen_ns" '([.[] | select(.type == "probe")] | first | .ts_ns) < $seen and
	(last | .ts_ns) > $seen' "$ND" >/dev/null ||
	lab_die "the first probe event was not written while the trace ran"
prom_parse
prom_expect "passive: sent = seen" dropspot_probes_sent_total true 2
prom_expect "passive: ended" dropspot_up true 0
prom_expect "escaped point name read back" dropspot_ring_events_lost_total \
	".labels.point == $(jq -Rn --arg w "$WEIRD" '$w | tojson')" 0
grep -qF 'point="ta\"p\\0\nx"' "$PROM" || lab_die "point label not escaped: $(grep ring_events "$PROM")"
echo "ok: metrics: the point name's quote, backslash and newline are escaped"
prom_expect "a non-UTF-8 name made valid" dropspot_ring_events_lost_total \
	'.labels.point == "b?r0?"' 0
jq -se --arg w "$WEIRD" '[.[] | select(.type == "counters")] | last |
	any(.ring_events_lost[]; .name == $w)' "$ND" >/dev/null ||
	lab_die "the final counters do not carry the renamed point"

# ---- usage errors ----
"$DROPSPOT" trace -i lo --ndjson --json >/dev/null 2>&1
[ $? = 2 ] || lab_die "--ndjson and --json on stdout together must be a usage error"
"$DROPSPOT" trace -i lo --metrics - >/dev/null 2>&1
[ $? = 2 ] || lab_die "--metrics - must be a usage error"
"$DROPSPOT" trace -i lo --metrics-interval 0 >/dev/null 2>&1
[ $? = 2 ] || lab_die "--metrics-interval 0 must be a usage error"
echo "ok: usage errors"
echo PASS
