#!/bin/bash
# Differential test against tshark: captures made by real tools (tcpdump on
# a netns lab with a router, pings that provoke ARP, echo, time-exceeded,
# frag-needed, packet-too-big and unreachable, plus hand-built frames with
# VLAN/QinQ tags, bad checksums and ICMP errors injected through a packet
# socket).  For every packet, ICMP type/code/id/seq, ARP fields, VLAN ids,
# IP addresses (outer and quoted) and checksum status must agree.
set -uo pipefail
. "$(dirname "$0")/lib/common.sh"

require_root
require_cmd tshark tcpdump ip python3 ping

tag=td$$
A=${tag}a R=${tag}r B=${tag}b
work=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$A" 2>/dev/null
	ip netns del "$R" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# A (10.77.0.1, fd77::1) -- R (router) -- B (10.78.0.2, fd78::2), mtu 1280 on R-B
for ns in "$A" "$R" "$B"; do ip netns add "$ns"; done
ip link add a0 netns "$A" type veth peer name ra netns "$R"
ip link add b0 netns "$B" type veth peer name rb netns "$R"
ip -n "$A" addr add 10.77.0.1/24 dev a0
ip -n "$A" addr add fd77::1/64 dev a0 nodad
ip -n "$R" addr add 10.77.0.254/24 dev ra
ip -n "$R" addr add fd77::fe/64 dev ra nodad
ip -n "$R" addr add 10.78.0.254/24 dev rb
ip -n "$R" addr add fd78::fe/64 dev rb nodad
ip -n "$B" addr add 10.78.0.2/24 dev b0
ip -n "$B" addr add fd78::2/64 dev b0 nodad
ip -n "$R" link set rb mtu 1280
ip -n "$B" link set b0 mtu 1280
for l in "$A a0" "$R ra" "$R rb" "$B b0"; do
	set -- $l
	ip -n "$1" link set "$2" up
	ip -n "$1" link set lo up
done
ip -n "$A" route add default via 10.77.0.254
ip -n "$A" -6 route add default via fd77::fe
ip -n "$B" route add default via 10.78.0.254
ip -n "$B" -6 route add default via fd78::fe
ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

ip netns exec "$A" tcpdump -i a0 -U -s 0 -w "$work/a0.pcap" 2>/dev/null &
pids+=($!)
ip netns exec "$R" tcpdump -i any -U -s 0 -w "$work/r-any.pcap" 2>/dev/null &
pids+=($!)
sleep 1.5

inA() { ip netns exec "$A" "$@"; }
inA ping -c 2 -i 0.2 -W 1 10.78.0.2 >/dev/null
inA ping -c 1 -t 1 -W 1 10.78.0.2 >/dev/null
inA ping -c 1 -M do -s 1400 -W 1 10.78.0.2 >/dev/null
inA ping -c 1 -W 1 10.79.0.9 >/dev/null		# no route on R: net unreachable
inA ping -6 -c 2 -i 0.2 -W 1 fd78::2 >/dev/null
inA ping -6 -c 1 -s 1400 -M do -W 1 fd78::2 >/dev/null
inA ping -6 -c 1 -t 1 -W 1 fd78::2 >/dev/null
mac_a=$(ip -n "$A" -br link show a0 | awk '{print $3}')
mac_r=$(ip -n "$R" -br link show ra | awk '{print $3}')
injected=$(inA python3 "$(dirname "$0")/lib/inject_frames.py" a0 "$mac_a" "$mac_r")
sleep 1
for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null; done
wait 2>/dev/null
pids=()

gzip -c "$work/r-any.pcap" >"$work/r-any.pcap.gz"
tshark -r "$work/a0.pcap" -F pcapng -w "$work/a0.pcapng" 2>/dev/null

status=0
for f in a0.pcap a0.pcapng r-any.pcap.gz; do
	compare_with_tshark "$work/$f" || status=1
done
[ "$injected" -ge 10 ] || { echo "FAIL: only $injected frames injected"; status=1; }
exit $status
