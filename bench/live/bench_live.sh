#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Live capture benchmark (issue 3), on a veth pair between two namespaces:
#   (a) TCP throughput (iperf3): no capture / dropspot on both ends (default
#       filtering) / tcpdump -i on both ends; ratios to the baseline.  Then
#       dropspot's host-wide tracepoints (--attach tracepoints, what auto
#       picks above 16 points): watching both ends, and watching another
#       veth pair only, which is what they cost traffic nobody watches.
#   (b) ICMP flood (ping -f, preloaded) captured by dropspot and tcpdump at
#       the same time: captured / sent and lost for each.
#   (c) attach and detach time of dropspot for 8 interfaces.
#
#   bench/live/bench_live.sh [DROPSPOT] [SECONDS]
#
# Needs root, iperf3, tcpdump.  Prints a table and a JSON line at the end.
set -u
here=$(cd "$(dirname "$0")" && pwd)
DROPSPOT=${1:-${DROPSPOT:-$here/../../build/dropspot}}
T=${2:-5}
. "$here/../lib.sh"
bench_init iperf3 tcpdump ping

lab_netns A a
lab_netns B b
lab_veth "$A" va "$B" vb
lab_addr "$A" va 10.88.0.1/24
lab_addr "$B" vb 10.88.0.2/24
lab_exec "$A" ping -q -c 1 -W 2 10.88.0.2 >/dev/null || lab_die "no ping"


echo "== (a) TCP throughput, veth, ${T}s per run"
base=$(bench_iperf "$B" "$A" 10.88.0.2 "$T")
cap_start c1 "" -i "$A/va,$B/vb" --no-print
with_ds=$(bench_iperf "$B" "$A" 10.88.0.2 "$T")
cap_stop "$c1"
bench_tcpdump t1 "$A" va
bench_tcpdump t2 "$B" vb
with_td=$(bench_iperf "$B" "$A" 10.88.0.2 "$T")
kill -INT "$t1" "$t2"; wait "$t1" "$t2" 2>/dev/null
cap_start c5 "" -i "$A/va,$B/vb" --no-print --attach tracepoints
with_tp=$(bench_iperf "$B" "$A" 10.88.0.2 "$T")
cap_stop "$c5"
lab_veth "$A" ua "$B" ub
cap_start c6 "" -i "$A/ua,$B/ub" --no-print --attach tracepoints
with_tp_other=$(bench_iperf "$B" "$A" 10.88.0.2 "$T")
cap_stop "$c6"
ratio() { python3 -c "print('%.3f' % ($1 / $base))"; }
r_ds=$(ratio "$with_ds") r_td=$(ratio "$with_td")
r_tp=$(ratio "$with_tp") r_tp_other=$(ratio "$with_tp_other")
printf '%-34s %8s Gbit/s\n' baseline "$base" "dropspot (both ends)" "$with_ds" \
	"tcpdump -i (both ends)" "$with_td" \
	"dropspot tracepoints (both ends)" "$with_tp" \
	"dropspot tracepoints (other pair)" "$with_tp_other"
printf '%-34s %8s (target >= 0.95)\n' "ratio dropspot" "$r_ds"
printf '%-34s %8s\n' "ratio tcpdump" "$r_td" "ratio tracepoints" "$r_tp" \
	"ratio tracepoints, not watched" "$r_tp_other"

echo "== (b) ICMP flood captured by dropspot and tcpdump together"
cap_start c2 "" -i "$B/vb" -f icmp --no-print
bench_tcpdump t3 "$B" vb icmp
sent=$(lab_exec "$A" timeout $((T + 5)) ping -q -f -l 32 -w "$T" 10.88.0.2 2>/dev/null |
	awk '/packets transmitted/ {print $1}')
sleep 0.5
cap_stop "$c2"
kill -INT "$t3"; wait "$t3" 2>/dev/null
ds_frames=$(awk '$1 ~ /\/vb$/ && NF == 7 {print $4}' "$LAB_DIR/$c2.out")	# in
ds_lost=$(awk '$1 ~ /\/vb$/ && NF == 7 {print $7}' "$LAB_DIR/$c2.out")
td_capt=$(awk '/packets captured/ {print $1}' "$LAB_DIR/$t3.err")
td_drop=$(awk '/dropped by kernel/ {print $1}' "$LAB_DIR/$t3.err")
# tcpdump sees both directions: requests in + replies out
ds_all=$(awk '$1 ~ /\/vb$/ && NF == 7 {print $2}' "$LAB_DIR/$c2.out")
printf '%-28s %10s\n' "echo requests sent" "$sent"
printf '%-28s %10s of %s (requests in), lost %s\n' "dropspot captured" \
	"$ds_frames" "$sent" "$ds_lost"
printf '%-28s %10s frames both ways (dropspot: %s), dropped %s\n' \
	"tcpdump captured" "$td_capt" "$ds_all" "$td_drop"

echo "== (c) attach / detach of 8 interfaces"
for i in 1 2 3 4; do lab_veth "$A" "x$i" "$B" "y$i"; done
pts="$A/x1,$A/x2,$A/x3,$A/x4,$B/y1,$B/y2,$B/y3,$B/y4"
t0=$(date +%s%N)
cap_start c3 "" -i "$pts" --no-print --xdp-ingress
t1=$(date +%s%N)
cap_stop "$c3"
t2=$(date +%s%N)
att_xdp=$(( (t1 - t0) / 1000000 )) det_xdp=$(( (t2 - t1) / 1000000 ))
t0=$(date +%s%N)
cap_start c4 "" -i "$pts" --no-print --attach links
t1=$(date +%s%N)
cap_stop "$c4"
t2=$(date +%s%N)
att=$(( (t1 - t0) / 1000000 )) det=$(( (t2 - t1) / 1000000 ))
printf '%-28s %6s ms attach, %6s ms detach (target < 1000 each)\n' \
	"8 veth, TC in+out" "$att" "$det" "8 veth, XDP + TC out" "$att_xdp" "$det_xdp"
echo "(times include process start and the 50 ms polling of the start line)"

printf '{"tcp_gbps":{"baseline":%s,"dropspot":%s,"tcpdump":%s,"tracepoints":%s,"tracepoints_other":%s},"ratio_dropspot":%s,"ratio_tcpdump":%s,"ratio_tracepoints":%s,"ratio_tracepoints_other":%s,' \
	"$base" "$with_ds" "$with_td" "$with_tp" "$with_tp_other" "$r_ds" "$r_td" "$r_tp" "$r_tp_other"
printf '"flood":{"sent":%s,"dropspot_in":%s,"dropspot_lost":%s,"tcpdump_captured":%s,"tcpdump_dropped":%s},' \
	"${sent:-0}" "${ds_frames:-0}" "${ds_lost:-0}" "${td_capt:-0}" "${td_drop:-0}"
printf '"attach_ms":%s,"detach_ms":%s,"attach_xdp_ms":%s,"detach_xdp_ms":%s}\n' \
	"$att" "$det" "$att_xdp" "$det_xdp"
