# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# What the live benchmarks share, on top of lab/lib.sh.

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
