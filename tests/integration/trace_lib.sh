# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers for the `dropspot trace` tests (test_trace_*.sh): run a live trace
# in a netns lab (its own probes from the guest, or passively while the
# test pings), keep its JSON report and its pcapng, analyze the pcapng
# offline, and assert the same thing on both reports with jq.
#
#   . "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
#   tr_init nft                    # lab_init + tools (exit 77 if missing)
#   lab_topo_bridged
#   tr_points "$LAB_HOST" tap0 br0 up0
#   tr_trace --ping "$LAB_HOST_IP" --from "$LAB_GUEST" -c 3
#   tr_expect "all answered" '.summary.answered == 3'
#
# TR_ATTACH=tracepoints runs every trace with --attach tracepoints.
#
# Points are named by their interface (--name i=IF), which is also what
# `analyze` calls a multi-interface pcapng's interfaces, so the two reports
# can be compared as they are.

. "$DROPSPOT_SRC/lab/lib.sh"
. "$DROPSPOT_SRC/tests/integration/report_jq.sh"
. "$DROPSPOT_SRC/lab/capture.sh"

TR_POINTS=()
TR_IFS=()
TR_JSON_LIVE=
TR_JSON_FILE=
TR_RC=

tr_init() {
	: "${DROPSPOT:?DROPSPOT must name the dropspot binary}"
	export DROPSPOT_TESTBIN=${DROPSPOT_TESTBIN:-}
	LAB_TESTBIN=$DROPSPOT_TESTBIN
	LAB_NO_IPV6=1
	lab_init jq "$@"
	[ -r /sys/kernel/btf/vmlinux ] || lab_skip "kernel has no BTF"
}

# tr_points NS IF...: the points to watch, in path order.
tr_points() {
	local ns=$1 ifc
	shift
	TR_POINTS=()
	TR_IFS=()
	for ifc in "$@"; do
		TR_POINTS+=("$ns/$ifc")
		TR_IFS+=("$ifc")
	done
}

_tr_args() {
	local i pts
	pts=$(IFS=,; echo "${TR_POINTS[*]}")
	printf -- '-i\n%s\n' "$pts"
	# TR_ATTACH: how the points are hooked (links, tracepoints)
	[ -z "${TR_ATTACH:-}" ] || printf -- '--attach\n%s\n' "$TR_ATTACH"
	for i in "${!TR_IFS[@]}"; do
		printf -- '--name\n%s=%s\n' "$i" "${TR_IFS[$i]}"
	done
}

# _tr_check OUT RC WHAT: exit status 0 or 1 and a version 2 report.
_tr_check() {
	local out=$1 rc=$2 what=$3
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
		cat "$out.err" >&2
		lab_die "$what exited $rc"
	fi
	jq -e '.schema == "dropspot.report" and .version == 2' "$out" >/dev/null ||
		lab_die "$what output is not a version 2 report: $(head -c 300 "$out")"
	[ "$what" = "dropspot trace" ] && [ "${TR_ATTACH:-}" = tracepoints ] || return 0
	jq -e '[.points[] | select(.kind != "kernel" and .kind != "socket") |
		.hook] | length > 0 and all(. == "tracepoint")' "$out" >/dev/null ||
		lab_die "points not hooked by tracepoints: $(jq -c '[.points[].hook]' "$out")"
}

# tr_analyze: the saved pcapng, offline; also checks tshark reads it.
tr_analyze() {
	local rc
	TR_JSON_FILE=$LAB_DIR/report-file.json
	"$DROPSPOT" analyze --json "$LAB_DIR/trace.pcapng" >"$TR_JSON_FILE" \
		2>"$TR_JSON_FILE.err"
	rc=$?
	_tr_check "$TR_JSON_FILE" "$rc" "dropspot analyze"
	[ "$rc" = "$TR_RC" ] || lab_die "analyze exited $rc, trace $TR_RC"
	if command -v tshark >/dev/null; then
		tshark -r "$LAB_DIR/trace.pcapng" >/dev/null 2>"$LAB_DIR/tshark.err" ||
			lab_die "tshark cannot read the trace's pcapng: $(cat "$LAB_DIR/tshark.err")"
	fi
}

# tr_trace ARGS...: dropspot trace --json over the points, saving a pcapng,
# in the foreground (for --ping -c N), then tr_analyze.
tr_trace() {
	local args=()
	mapfile -t args < <(_tr_args)
	TR_JSON_LIVE=$LAB_DIR/report-live.json
	"$DROPSPOT" trace --json "${args[@]}" -w "$LAB_DIR/trace.pcapng" "$@" \
		>"$TR_JSON_LIVE" 2>"$TR_JSON_LIVE.err" &
	wait $!
	TR_RC=$?
	cat "$TR_JSON_LIVE.err" >&2
	_tr_check "$TR_JSON_LIVE" "$TR_RC" "dropspot trace"
	tr_analyze
}

# tr_trace_bg ARGS...: the same in the background (passive tracing while
# the test sends pings); tr_trace_wait ends it.
TR_PID=
tr_trace_bg() {
	local args=()
	mapfile -t args < <(_tr_args)
	ds_start TR_PID "" trace --json "${args[@]}" -w "$LAB_DIR/trace.pcapng" "$@"
}

# tr_trace_wait [SIGNAL]: waits for the background trace (-c) or ends it.
tr_trace_wait() {
	local i
	if [ -n "${1:-}" ]; then
		kill -"$1" "$TR_PID"
	fi
	for ((i = 0; i < 200; i++)); do
		kill -0 "$TR_PID" 2>/dev/null || break
		sleep 0.05
	done
	wait "$TR_PID"
	TR_RC=$?
	TR_JSON_LIVE=$LAB_DIR/report-live.json
	cp "$LAB_DIR/$TR_PID.out" "$TR_JSON_LIVE"
	cp "$LAB_DIR/$TR_PID.err" "$TR_JSON_LIVE.err"
	cat "$TR_JSON_LIVE.err" >&2
	_tr_check "$TR_JSON_LIVE" "$TR_RC" "dropspot trace"
	tr_analyze
}

_tr_expect_in() {
	local file=$1 desc=$2 expr=$3
	if ! jq -e "$expr" "$file" >/dev/null; then
		echo "FAIL: $desc ($(basename "$file"))" >&2
		echo "  jq: $expr" >&2
		jq -r '"  verdict: " + .verdict, (.findings[] |
			"  finding: \(.kind) after=\(.location.after_name) before=\(.location.before_name) dir=\(.location.direction): \(.summary) \(.details)")' \
			"$file" >&2
		exit 1
	fi
	echo "ok: $desc ($(basename "$file"))"
}

# tr_expect DESC JQ: asserts over the live report and the file's.
tr_expect() {
	_tr_expect_in "$TR_JSON_LIVE" "$1" "$2"
	_tr_expect_in "$TR_JSON_FILE" "$1" "$2"
}

# tr_same: live and offline agree on the verdict, totals and findings.
tr_same() {
	local q='[.verdict, .summary, [.findings[] | {kind, severity, location, details}]]'
	if ! diff <(jq -S "$q" "$TR_JSON_LIVE") <(jq -S "$q" "$TR_JSON_FILE") >&2; then
		lab_die "trace and analyze of its pcapng disagree (above: < live, > file)"
	fi
	echo "ok: trace and analyze of its pcapng agree"
}

# The name this kernel's BTF gives a drop reason (SKB_DROP_REASON_<X>), or
# skips the test.
tr_btf_reason() {
	command -v bpftool >/dev/null || lab_skip "needs bpftool"
	bpftool btf dump file /sys/kernel/btf/vmlinux format c 2>/dev/null |
		grep -qE "^[[:space:]]*SKB_DROP_REASON_$1 = " ||
		lab_skip "this kernel's BTF has no drop reason $1"
}

# tr_vxlan_lab: the VXLAN lab the overlay tests share (issue 16): netns A
# and B joined by the underlay va == vb (192.168.100.1/.2), and vx0 (VNI
# 42, UDP 4789) on each, 10.42.0.1 and 10.42.0.2; skips the test where the
# kernel makes no VXLAN device.
tr_vxlan_lab() {
	lab_netns A a
	lab_netns B b
	lab_veth "$A" va "$B" vb
	lab_addr "$A" va 192.168.100.1/24
	lab_addr "$B" vb 192.168.100.2/24
	_tr_vxlan "$A" 192.168.100.1 192.168.100.2 va 10.42.0.1/24
	_tr_vxlan "$B" 192.168.100.2 192.168.100.1 vb 10.42.0.2/24
}

_tr_vxlan() {	# NS LOCAL REMOTE DEV ADDR
	lab_ip "$1" link add vx0 type vxlan id 42 local "$2" remote "$3" \
		dstport 4789 dev "$4" 2>"$LAB_DIR/vxlan.err" ||
		lab_skip "no VXLAN here: $(cat "$LAB_DIR/vxlan.err")"
	lab_addr "$1" vx0 "$5"
}

# tr_br_netfilter: bridged frames of the lab host through its iptables
# (br_netfilter, as on a Docker host), or the test skips.
tr_br_netfilter() {
	lab_exec "$LAB_HOST" test -e /proc/sys/net/bridge/bridge-nf-call-iptables ||
		lab_skip "no br_netfilter (net.bridge.bridge-nf-call-iptables)"
	lab_exec "$LAB_HOST" sysctl -qw net.bridge.bridge-nf-call-iptables=1 ||
		lab_skip "cannot set bridge-nf-call-iptables in a netns"
}
