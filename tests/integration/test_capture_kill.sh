#!/bin/bash
# Nothing of ours outlives the capture: after kill -9 no XDP program, tcx
# link or program of ours remains (links die with the process).  With the
# clsact fallback (forced), SIGTERM/SIGHUP remove exactly the filters and
# qdisc we added and leave a pre-existing qdisc and its filter alone.
set -u
. "${DROPSPOT_SRC:?}/lab/lib.sh"
. "$DROPSPOT_SRC/lab/capture.sh"
lab_init bpftool tc python3
LAB_FAILED=0
lab_topo_bridged
G=$LAB_GUEST H=$LAB_HOST P=$LAB_PEER
POINTS=("$G eth0" "$H tap0" "$H br0" "$H up0" "$P eth0")

link_prog_ids() {
	bpftool link show -j 2>/dev/null | python3 -c '
import json, sys
for l in json.load(sys.stdin):
    print(l.get("prog_id"))' | sort -n
}
xdp_attached() {	# ns ifname -> count of xdp attachments
	ip -n "$1" -d link show dev "$2" | grep -c "prog/xdp"
}
tc_filters() {	# ns ifname
	{ ip netns exec "$1" tc filter show dev "$2" ingress
	  ip netns exec "$1" tc filter show dev "$2" egress; } 2>/dev/null | grep -c "dropspot"
}

# The programs of this capture: those its own file descriptors hold (prog
# and link fds name their program in fdinfo), so another dropspot running
# on the machine at the same time is not counted.

cap_start cap "" -i "$G/eth0,$H/tap0,$H/br0,$H/up0,$P/eth0" --no-print
ours=$(pid_prog_ids "$cap")
# loaded once for every point: XDP (taps), TC in, TC out
expect "programs loaded (one copy for all 5 points)" "$(echo "$ours" | grep -c .)" 3
n=0
for pt in "${POINTS[@]}"; do n=$((n + $(xdp_attached $pt))); done
# veth and bridge points watch ingress with TC by default, taps with XDP
expect "XDP attached while running" $n 2
# one link per hook: 5 points x (in + out)
expect "links of ours while running" "$(link_prog_ids | grep -cxF -f <(echo "$ours"))" 10

kill -KILL "$cap"
wait "$cap" 2>/dev/null
# programs go away once the kernel released the links (RCU): allow 3 s
for ((i = 0; i < 30; i++)); do
	left=$(comm -12 <(echo "$ours") <(our_prog_ids) | grep -c .)
	[ "$left" = 0 ] && break
	sleep 0.1
done
expect "programs left after kill -9" "$left" 0
expect "links left after kill -9" "$(link_prog_ids | grep -cxF -f <(echo "$ours"))" 0
n=0 t=0 b=0
for pt in "${POINTS[@]}"; do
	set -- $pt
	n=$((n + $(xdp_attached "$1" "$2")))
	t=$((t + $(tc_filters "$1" "$2")))
	b=$((b + $(ip netns exec "$1" bpftool net show dev "$2" 2>/dev/null | grep -c dropspot)))
done
expect "XDP left after kill -9 (ip -d link)" $n 0
expect "clsact filters left after kill -9" $t 0
expect "bpftool net entries left after kill -9" $b 0

# clsact fallback (TC both ways): a pre-existing clsact + filter on up0
# must survive us.
pre=0
if ip netns exec "$H" tc qdisc add dev up0 clsact 2>/dev/null &&
   ip netns exec "$H" tc filter add dev up0 egress prio 7 protocol all \
	u32 match u32 0 0 2>/dev/null; then
	pre=1
fi
for sig in TERM HUP INT; do
	cap_start cap "" -i "$H/tap0,$H/up0" --force-clsact --tc-ingress --no-print
	expect "clsact filters while running ($sig)" \
		"$(( $(tc_filters "$H" tap0) + $(tc_filters "$H" up0) ))" 4
	cap_stop "$cap" $sig
	expect "exit status on SIG$sig" $? 0
	expect "clsact filters left after SIG$sig" \
		"$(( $(tc_filters "$H" tap0) + $(tc_filters "$H" up0) ))" 0
	expect "clsact qdisc we created removed (SIG$sig)" \
		"$(ip netns exec "$H" tc qdisc show dev tap0 | grep -c clsact)" 0
	if [ $pre = 1 ]; then
		expect "pre-existing clsact kept (SIG$sig)" \
			"$(ip netns exec "$H" tc qdisc show dev up0 | grep -c clsact)" 1
		expect "pre-existing filter kept (SIG$sig)" \
			"$(ip netns exec "$H" tc filter show dev up0 egress | grep -c "match 00000000/00000000")" 1
	fi
done
[ $pre = 1 ] || echo "note: no u32 classifier here; pre-existing qdisc case not run"
exit $LAB_FAILED
