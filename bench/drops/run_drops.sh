#!/bin/bash
# Overhead of the kfree_skb drop program (bpf/drops.bpf.c) on a TCP stream
# between two network namespaces: iperf3 throughput without and with the
# program attached (drops_watch, default filter and -A = every packet),
# one run each.  Target: with/without >= 0.95.
#
#   bench/drops/run_drops.sh [BUILD_DIR] [SECONDS]
#
# Needs root and iperf3 (Debian package "iperf3").  Prints one line:
#   drops-bench: without=X Gbit/s with=Y Gbit/s ratio=R with_all=Z ratio_all=Q kfree_skb_seen=N
set -e
BUILD=${1:-$(dirname "$0")/../../build}
SECS=${2:-10}
WATCH=$BUILD/tests/drops_watch
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
command -v iperf3 >/dev/null || { echo "needs iperf3 (apt-get install iperf3)"; exit 77; }
[ -x "$WATCH" ] || { echo "build $WATCH first"; exit 1; }

A=dbencha$$ B=dbenchb$$ OUT=$(mktemp /tmp/drops_bench.XXXXXX)
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null
	ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null
	rm -f "$OUT"
}
trap cleanup EXIT
ip netns add "$A"; ip netns add "$B"
ip link add va netns "$A" type veth peer name vb netns "$B"
ip -n "$A" addr add 10.78.0.1/24 dev va; ip -n "$A" link set va up
ip -n "$B" addr add 10.78.0.2/24 dev vb; ip -n "$B" link set vb up
ip netns exec "$B" iperf3 -s -1 -D >/dev/null 2>&1 || true
ip netns exec "$B" iperf3 -s -p 5202 -D >/dev/null 2>&1
SRV=$(pgrep -n -f "iperf3 -s -p 5202" || true)
sleep 0.5

run() {	# prints Gbit/s received
	ip netns exec "$A" iperf3 -c 10.78.0.2 -p 5202 -t "$SECS" -J |
		python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))'
}
with_watch() {	# $@: drops_watch options
	"$WATCH" -t $((SECS + 30)) "$@" >"$OUT" 2>&1 &
	local w=$!
	for i in $(seq 50); do grep -q '^ready' "$OUT" && break; sleep 0.1; done
	grep -q '^ready' "$OUT" || { cat "$OUT" >&2; kill $w; exit 1; }
	run
	kill -TERM $w; wait $w || true
}

# Without runs before and after, averaged: the machine's background load
# drifts more than the program costs.
without1=$(run)
with=$(with_watch)
seen=$(sed -n 's/^stats seen=\([0-9]*\).*/\1/p' "$OUT")
with_all=$(with_watch -A)
without2=$(run)
without=$(python3 -c "print('%.2f' % (($without1 + $without2) / 2))")
ratio=$(python3 -c "print('%.3f' % ($with / $without))")
ratio_all=$(python3 -c "print('%.3f' % ($with_all / $without))")
echo "drops-bench: without=$without Gbit/s ($without1, $without2) with=$with Gbit/s ratio=$ratio with_all=$with_all ratio_all=$ratio_all kfree_skb_seen=$seen secs=$SECS"
