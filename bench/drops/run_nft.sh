#!/bin/bash
# Cost of the netfilter attribution (issue 13 item 1: fentry/fexit on
# nft_do_chain and fexit on nft_immediate_eval, bpf/drops.bpf.c) on a TCP
# stream routed through a host netns whose forward chain holds 1,000 rules
# (none matches the stream, so every packet walks all of them): iperf3
# throughput with the drop programs alone (DROPSPOT_NO_NFT=1) and with the
# nft programs too, alternated in the same run.  Target: nft/drops >= 0.95.
#
#   bench/drops/run_nft.sh [BUILD_DIR] [SECONDS]
#
# Needs root and iperf3.  Prints one line:
#   nft-bench: drops=X Gbit/s nft=Y Gbit/s ratio=R none=Z nft_attached=yes|no
# nft_attached=no: the kernel refused the fentry programs (then the
# attribution comes from the ruleset and costs nothing per packet).
set -e
BUILD=${1:-$(dirname "$0")/../../build}
SECS=${2:-10}
WATCH=$BUILD/tests/drops_watch
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
command -v iperf3 >/dev/null || { echo "needs iperf3"; exit 77; }
command -v nft >/dev/null || { echo "needs nft"; exit 77; }
[ -x "$WATCH" ] || { echo "build $WATCH first"; exit 1; }

A=dnfta$$ H=dnfth$$ B=dnftb$$ OUT=$(mktemp /tmp/nft_bench.XXXXXX)
cleanup() {
	ip netns pids "$B" 2>/dev/null | xargs -r kill 2>/dev/null
	for n in "$A" "$H" "$B"; do ip netns del "$n" 2>/dev/null; done
	rm -f "$OUT" "$OUT.rules"
}
trap cleanup EXIT
for n in "$A" "$H" "$B"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip link add va netns "$A" type veth peer name ha netns "$H"
ip link add vb netns "$B" type veth peer name hb netns "$H"
ip -n "$A" addr add 10.79.1.2/24 dev va; ip -n "$A" link set va up
ip -n "$B" addr add 10.79.2.2/24 dev vb; ip -n "$B" link set vb up
ip -n "$H" addr add 10.79.1.1/24 dev ha; ip -n "$H" link set ha up
ip -n "$H" addr add 10.79.2.1/24 dev hb; ip -n "$H" link set hb up
ip -n "$A" route add default via 10.79.1.1
ip -n "$B" route add default via 10.79.2.1
ip netns exec "$H" sysctl -qw net.ipv4.ip_forward=1
{
	echo "table inet bench {"
	echo "	chain forward {"
	echo "		type filter hook forward priority filter; policy accept;"
	for i in $(seq 0 999); do
		echo "		ip saddr 192.0.2.$((i % 250 + 1)) tcp dport $((20000 + i)) drop"
	done
	echo "	}"
	echo "}"
} >"$OUT.rules"
ip netns exec "$H" nft -f "$OUT.rules"
ip netns exec "$B" iperf3 -s -p 5203 -D >/dev/null 2>&1
sleep 0.5

run() {	# prints Gbit/s received
	ip netns exec "$A" iperf3 -c 10.79.2.2 -p 5203 -t "$SECS" -J |
		python3 -c 'import json,sys; print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))'
}
with_watch() {	# $1: 1 = drop programs only
	if [ "$1" = 1 ]; then
		DROPSPOT_NO_NFT=1 "$WATCH" -v -t $((SECS + 30)) >"$OUT" 2>&1 &
	else
		"$WATCH" -v -t $((SECS + 30)) >"$OUT" 2>&1 &
	fi
	local w=$!
	for i in $(seq 50); do grep -q '^ready' "$OUT" && break; sleep 0.1; done
	grep -q '^ready' "$OUT" || { cat "$OUT" >&2; kill $w; exit 1; }
	run
	grep -q 'nft_do_chain programs\|nft_do_chain not traceable\|lacks nft_do_chain' "$OUT" &&
		echo no >"$OUT.att" || echo yes >"$OUT.att"
	kill -TERM $w; wait $w || true
}

none=$(run)
d1=$(with_watch 1); n1=$(with_watch 0); att=$(cat "$OUT.att")
d2=$(with_watch 1); n2=$(with_watch 0)
rm -f "$OUT.att"
drops=$(python3 -c "print('%.3f' % (($d1 + $d2) / 2))")
nftv=$(python3 -c "print('%.3f' % (($n1 + $n2) / 2))")
ratio=$(python3 -c "print('%.3f' % ($nftv / $drops))")
echo "nft-bench: drops=$drops Gbit/s ($d1, $d2) nft=$nftv Gbit/s ($n1, $n2) ratio=$ratio none=$none nft_attached=$att rules=1000 secs=$SECS"
