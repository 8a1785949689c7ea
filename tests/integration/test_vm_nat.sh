#!/bin/bash
# Real VM in NAT mode (libvirt's default network): a QEMU guest
# (virtio-net) on tap0, a port of virbr0 192.168.122.1, pings
# 203.0.113.2 in the "wan" netns through forwarding and nftables
# masquerade out of up0.  The guest must get every reply; the capture must
# show the private source on the tap and the masqueraded source (the
# host's up0 address) on the uplink and at the target, and the replies
# de-NATed on the way back.
set -u
. "${DROPSPOT_SRC:?}/tests/integration/vm_lib.sh"
vt_init nft
N=4 SIZE=200
G=192.168.122.2 HIP=192.168.122.1 UP=203.0.113.1 T=203.0.113.2
vt_nat
P=$LAB_DIR/nat.pcapng

cap_start cap "" -i "$H/tap0,$H/virbr0,$H/up0" -i "$W/eth0" -f "icmp or arp" -w "$P"
vm_start g --netns "$H" --tap tap0 --nic virtio --ip "$G/24" --gw "$HIP" \
	--ping "$T,$N,$SIZE"
vt_guest_result g 40
res=$VT_RES
vt_capture_done "$cap"

expect "guest sent" "$(vm_field "$res" sent)" $N
expect "guest received" "$(vm_field "$res" received)" $N

out=$LAB_DIR/$cap.out
len=$((SIZE + 28))
vt_expect_count "tap0 in requests from the private address" "$out" "$H/tap0" in \
	"IP $G > $T .*len $len.*echo request" $N
vt_expect_count "virbr0 in requests (routed by the host)" "$out" "$H/virbr0" in \
	"IP $G > $T .*echo request" $N
vt_expect_count "up0 out requests, masqueraded" "$out" "$H/up0" out \
	"IP $UP > $T .*len $len.*echo request" $N
vt_expect_count "wan eth0 in requests, masqueraded" "$out" "$W/eth0" in \
	"IP $UP > $T .*echo request" $N
vt_expect_count "up0 in replies to the host address" "$out" "$H/up0" in \
	"IP $T > $UP .*echo reply" $N
vt_expect_count "tap0 out replies, de-NATed" "$out" "$H/tap0" out \
	"IP $T > $G .*echo reply" $N
expect "private address on the uplink" \
	"$(awk -v p="$H/up0" '$2 == p' "$out" | grep -c "IP $G ")" 0
expect "private address at the target" \
	"$(awk -v p="$W/eth0" '$2 == p' "$out" | grep -c "$G")" 0

vt_dissect "$P"
vt_expect_count "pcapng up0 out requests, masqueraded" "$P.txt" "${P##*/}:up0" out \
	"IP $UP > $T .*echo request" $N
vt_expect_count "pcapng tap0 in requests" "$P.txt" "${P##*/}:tap0" in \
	"IP $G > $T .*echo request" $N

# VERDICT (offline, from the pcapng): all probes answered, the NAT
# rewrite $G -> $UP reported between virbr0 and up0, and reversed.
# TODO(trace): the same with `dropspot trace --auto $T`.
vt_analyze "$P"
vt_verdict "all $N probes answered" "$P" \
	".summary.probes == $N and .summary.answered == $N and .summary.problems == 0"
vt_verdict "masquerade $G -> $UP between virbr0 and up0" "$P" \
	". as \$r | any(.findings[]; .kind == \"nat_rewrite\" and .location.direction == \"request\" and
	 .details.src_before == \"$G\" and .details.src_after == \"$UP\" and
	 \$r.points[.location.after].ifname == \"virbr0\" and \$r.points[.location.before].ifname == \"up0\")"
vt_verdict "reply de-NATed back to $G" "$P" \
	"any(.findings[]; .kind == \"nat_rewrite\" and .location.direction == \"reply\" and .details.dst_after == \"$G\")"

exit $LAB_FAILED
