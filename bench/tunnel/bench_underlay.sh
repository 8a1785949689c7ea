#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Cost of the underlay filter (issue 16 item 2): on a VXLAN underlay every
# packet is UDP 4789, so the in-kernel filter of bpf/capture.bpf.c must look
# inside each one (outer IP, UDP, VXLAN, inner Ethernet and IP) to keep only
# encapsulated ICMP/ICMPv6/ARP.  Two namespaces, a VXLAN (VNI 42) over a veth
# underlay va == vb:
#   (a) TCP throughput through the overlay (iperf3): no capture / dropspot on
#       the underlay points va and vb / tcpdump on va and vb with the
#       equivalent classic BPF filter (encapsulated ICMP only); ratios to
#       the baseline, measured in the same run.
#   (b) a preloaded ping flood through the overlay while iperf3 fills the
#       underlay: echo requests sent vs seen by dropspot at vb (encapsulated).
#
#   bench/tunnel/bench_underlay.sh [DROPSPOT] [SECONDS]
#
# Needs root, iperf3, tcpdump and the vxlan module.  Prints a table and one
# JSON line.
set -u
here=$(cd "$(dirname "$0")" && pwd)
DROPSPOT=${1:-${DROPSPOT:-$here/../../build/dropspot}}
T=${2:-5}
. "$here/../lib.sh"
bench_init iperf3 tcpdump ping

lab_netns A a
lab_netns B b
lab_veth "$A" va "$B" vb
lab_addr "$A" va 192.168.100.1/24
lab_addr "$B" vb 192.168.100.2/24
for ns in "$A" "$B"; do
	[ "$ns" = "$A" ] && { l=192.168.100.1; r=192.168.100.2; o=10.45.0.1; } ||
		{ l=192.168.100.2; r=192.168.100.1; o=10.45.0.2; }
	lab_ip "$ns" link add vx0 type vxlan id 42 local "$l" remote "$r" \
		dstport 4789 dev "$([ "$ns" = "$A" ] && echo va || echo vb)" ||
		lab_skip "no vxlan devices here"
	lab_ip "$ns" link set vx0 up
	lab_addr "$ns" vx0 "$o/24"
done
lab_exec "$A" ping -q -c 1 -W 2 10.45.0.2 >/dev/null || lab_die "no ping over the overlay"

# Encapsulated IPv4 ICMP or ARP: UDP 8 + VXLAN 8, then the inner Ethernet
# type at 16+12 and the inner IP protocol at 16+14+9 (no inner VLAN).
TD_FILTER='udp port 4789 and ((udp[28:2] = 0x0800 and udp[39] = 1) or udp[28:2] = 0x0806)'

echo "== (a) TCP through a VXLAN overlay, capture on the underlay, ${T}s per run"
base=$(bench_iperf "$B" "$A" 10.45.0.2 "$T")
cap_start c1 "" -i "$A/va,$B/vb" --no-print
with_ds=$(bench_iperf "$B" "$A" 10.45.0.2 "$T")
cap_stop "$c1"
bench_tcpdump t1 "$A" va "$TD_FILTER"
bench_tcpdump t2 "$B" vb "$TD_FILTER"
with_td=$(bench_iperf "$B" "$A" 10.45.0.2 "$T")
kill -INT "$t1" "$t2"; wait "$t1" "$t2" 2>/dev/null
r_ds=$(python3 -c "print('%.3f' % ($with_ds / $base))")
r_td=$(python3 -c "print('%.3f' % ($with_td / $base))")
printf '%-34s %8s Gbit/s\n' baseline "$base" "dropspot (va, vb)" "$with_ds" \
	"tcpdump -i (va, vb), same filter" "$with_td"
printf '%-34s %8s (1.0 = free)\n' "ratio dropspot" "$r_ds"
printf '%-34s %8s\n' "ratio tcpdump" "$r_td"

echo "== (b) ping flood through the overlay while TCP fills the underlay"
cap_start c2 "" -i "$B/vb" --no-print
lab_bg srv "$B" iperf3 -s -1
sleep 0.3
lab_bg cli "$A" iperf3 -c 10.45.0.2 -t "$T"
sent=$(lab_exec "$A" timeout $((T + 5)) ping -q -f -l 16 -w "$T" 10.45.0.2 2>/dev/null |
	awk '/packets transmitted/ {print $1}')
wait "$cli" "$srv" 2>/dev/null
sleep 0.5
cap_stop "$c2"
ds_in=$(awk '$1 ~ /\/vb$/ && NF == 7 {print $4}' "$LAB_DIR/$c2.out")
ds_lost=$(awk '$1 ~ /\/vb$/ && NF == 7 {print $7}' "$LAB_DIR/$c2.out")
printf '%-34s %10s\n' "echo requests sent" "${sent:-0}"
printf '%-34s %10s in at vb (encapsulated), ring lost %s\n' \
	"dropspot captured" "${ds_in:-0}" "${ds_lost:-0}"

printf '{"bench":"underlay","tcp_gbps":{"baseline":%s,"dropspot":%s,"tcpdump":%s},"ratio_dropspot":%s,"ratio_tcpdump":%s,' \
	"$base" "$with_ds" "$with_td" "$r_ds" "$r_td"
printf '"flood":{"sent":%s,"dropspot_in":%s,"dropspot_lost":%s}}\n' \
	"${sent:-0}" "${ds_in:-0}" "${ds_lost:-0}"
