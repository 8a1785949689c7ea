# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# What the live benchmarks share, on top of lab/lib.sh: sourced after
# DROPSPOT (the binary) is set, it loads the lab libraries.

export DROPSPOT_SRC=${DROPSPOT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
DROPSPOT_TESTBIN=${DROPSPOT_TESTBIN:-}
. "$DROPSPOT_SRC/lab/lib.sh"
. "$DROPSPOT_SRC/lab/capture.sh"

# bench_init TOOL...: root, the tools and the binary, or skip/fail.
bench_init() {
	lab_init "$@"
	[ -x "$DROPSPOT" ] || lab_die "no dropspot binary at $DROPSPOT"
}

# bench_iperf SERVER_NS CLIENT_NS ADDR SECONDS: TCP throughput, Gbit/s.
bench_iperf() {
	local srv
	lab_bg srv "$1" iperf3 -s -1
	sleep 0.3
	lab_exec "$2" iperf3 -c "$3" -t "$4" -J 2>/dev/null |
		python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))'
	wait "$srv" 2>/dev/null
}

# bench_tcpdump VAR NS IF [FILTER...]: tcpdump writing nowhere, started.
bench_tcpdump() {
	lab_bg "$1" "$2" tcpdump -n -i "$3" -w /dev/null "${@:4}"
	lab_wait_line "$LAB_DIR/${!1}.err" "listening on" 10 ||
		lab_die "tcpdump did not start"
}
