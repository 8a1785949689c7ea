# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers for the `dropspot analyze` scenario tests (test_analyze_*.sh):
# capture a lab scenario with tcpdump at several points at once (one pcap
# per point), analyze it in both input forms (one file per point, and the
# same files merged into one multi-interface pcapng with mergecap), and
# assert on the JSON report with jq.
#
#   . "$DROPSPOT_SRC/tests/integration/analyze_lib.sh"
#   an_init                        # lab_init + tools (exit 77 if missing)
#   lab_topo_bridged
#   an_capture "$LAB_HOST" tap0 br0 up0
#   lab_exec "$LAB_GUEST" ping ...
#   an_stop
#   an_analyze                     # -> $AN_JSON_FILES, $AN_JSON_MERGED
#   an_expect "drop after br0" 'any(.findings[]; .kind == "drop" and ...)'

. "$DROPSPOT_SRC/lab/lib.sh"
. "$DROPSPOT_SRC/tests/integration/report_jq.sh"

# A failing ping long enough (4.5 s) that its first probes are older than
# the 3 s reply window when the capture ends, however quiet the network is
# after it: a classic pcap ends at its last frame, and the probes sent in
# its last 3 s are only "unanswered when the capture ended".
# shellcheck disable=SC2034 # used by the tests that source this
AN_FAIL_PING=(-q -c 10 -i 0.5 -W 1)

AN_PIDS=()
AN_POINTS=()
AN_NS=
AN_JSON_FILES=
AN_JSON_MERGED=

an_init() {
	: "${DROPSPOT:?DROPSPOT must name the dropspot binary}"
	export DROPSPOT_TESTBIN=${DROPSPOT_TESTBIN:-}
	LAB_TESTBIN=$DROPSPOT_TESTBIN
	lab_init tcpdump jq mergecap ping python3 "$@"
}

# an_capture NS IF...: one tcpdump per interface, $LAB_DIR/cap-IF.pcap;
# the interface name becomes the point's name in the reports.
an_capture() {
	local ns=$1 ifc pid
	shift
	AN_NS=$ns
	for ifc in "$@"; do
		lab_bg pid "$ns" tcpdump -n -i "$ifc" -U -w "$LAB_DIR/cap-$ifc.pcap"
		lab_wait_line "$LAB_DIR/$pid.err" 'listening on' 10 ||
			lab_die "tcpdump on $ifc did not start: $(cat "$LAB_DIR/$pid.err")"
		AN_PIDS+=("$pid")
		AN_POINTS+=("$ifc")
	done
}

# an_stop [SECONDS]: waits past the reply window (3.5 s by default, over
# the 3 s default timeout after the last ping), then ends every tcpdump, as
# a user would.  A classic pcap does not say when watching ended, so the
# analyzer takes its last frame as the end and judges requests without a
# reply against it.
an_stop() {
	local pid
	sleep "${1:-3.5}"
	for pid in "${AN_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${AN_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	AN_PIDS=()
}

_an_names() {
	local i
	for i in "${!AN_POINTS[@]}"; do
		printf -- '--name\n%s=%s\n' "$i" "${AN_POINTS[$i]}"
	done
}

# an_run OUT ARGS...: dropspot analyze --json ARGS > OUT; exit 0 or 1 only.
an_run() {
	local out=$1 rc
	shift
	"$DROPSPOT" analyze --json "$@" >"$out" 2>"$out.err"
	rc=$?
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
		cat "$out.err" >&2
		lab_die "dropspot analyze exited $rc"
	fi
	jq -e '.schema == "dropspot.report" and .version == 2' "$out" >/dev/null ||
		lab_die "analyze output is not a version 2 report: $(head -c 300 "$out")"
}

# an_analyze [ARGS...]: analyzes the captures as separate files and merged.
an_analyze() {
	local files=() names=() ifc
	mapfile -t names < <(_an_names)
	for ifc in "${AN_POINTS[@]}"; do
		files+=("$LAB_DIR/cap-$ifc.pcap")
	done
	AN_JSON_FILES=$LAB_DIR/report-files.json
	an_run "$AN_JSON_FILES" "${names[@]}" "$@" "${files[@]}"
	# -I none: keep one interface per file even though their IDBs match
	mergecap -I none -F pcapng -w "$LAB_DIR/merged.pcapng" "${files[@]}" ||
		lab_die "mergecap failed"
	AN_JSON_MERGED=$LAB_DIR/report-merged.json
	an_run "$AN_JSON_MERGED" "${names[@]}" "$@" "$LAB_DIR/merged.pcapng"
}

# an_expect_in FILE DESC JQ: asserts JQ (a boolean) over one report.
an_expect_in() {
	local file=$1 desc=$2 expr=$3
	if ! jq -e "$expr" "$file" >/dev/null; then
		echo "FAIL: $desc ($(basename "$file"))" >&2
		echo "  jq: $expr" >&2
		jq -r '"  verdict: " + .verdict, (.findings[] |
			"  finding: \(.kind) after=\(.location.after_name) before=\(.location.before_name) dir=\(.location.direction): \(.summary)")' \
			"$file" >&2
		exit 1
	fi
	echo "ok: $desc ($(basename "$file"))"
}

# an_expect DESC JQ: asserts over both input forms.
an_expect() {
	an_expect_in "$AN_JSON_FILES" "$1" "$2"
	an_expect_in "$AN_JSON_MERGED" "$1" "$2"
}

# an_next: a second topology in the same test gets fresh netns names (the
# first one stays until cleanup) and a fresh list of points.
an_next() {
	LAB_ID=$(printf '%04x' $(( (0x$LAB_ID + 1) & 0xffff )))
	AN_POINTS=()
}
