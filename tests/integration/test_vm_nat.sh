#!/bin/bash
# Real VM in NAT mode (libvirt's default network): a QEMU guest
# (virtio-net) on tap0, a port of virbr0 192.168.122.1, pings
# 203.0.113.2 in the "wan" netns through forwarding and nftables
# masquerade out of up0.  The guest must get every reply; `dropspot trace
# --auto GUEST,TARGET` from the host must find tap0, virbr0, up0 and the
# target's eth0, show the private source on the tap and the masqueraded
# source (the host's up0 address) on the uplink and at the target, the
# replies de-NATed on the way back, and report the rewrite.
set -u
. "${DROPSPOT_SRC:?}/tests/integration/vm_lib.sh"
vt_init nft
N=4 SIZE=200
G=192.168.122.2 HIP=192.168.122.1 UP=203.0.113.1 T=203.0.113.2
vt_nat
P=$LAB_DIR/nat.pcapng

# the guest's side and the way out to the target, both discovered
vt_trace_start tr "$G,$T" "$P"
vm_start g --netns "$H" --tap tap0 --nic virtio --ip "$G/24" --gw "$HIP" \
	--ping "$T,$N,$SIZE"
vt_guest_result g 40
res=$VT_RES
vt_trace_done "$tr" "$P"

expect "guest sent" "$(vm_field "$res" sent)" $N
expect "guest received" "$(vm_field "$res" received)" $N

out=$P.txt pt=${P##*/}
len=$((SIZE + 28))
vt_expect_count "tap0 in requests from the private address" "$out" "$pt:tap0" in \
	"IP $G > $T .*len $len.*echo request" $N
vt_expect_count "virbr0 in requests (routed by the host)" "$out" "$pt:virbr0" in \
	"IP $G > $T .*echo request" $N
vt_expect_count "up0 out requests, masqueraded" "$out" "$pt:up0" out \
	"IP $UP > $T .*len $len.*echo request" $N
vt_expect_count "wan eth0 in requests, masqueraded" "$out" "$pt:eth0" in \
	"IP $UP > $T .*echo request" $N
vt_expect_count "up0 in replies to the host address" "$out" "$pt:up0" in \
	"IP $T > $UP .*echo reply" $N
vt_expect_count "tap0 out replies, de-NATed" "$out" "$pt:tap0" out \
	"IP $T > $G .*echo reply" $N
expect "private address on the uplink" \
	"$(awk -v p="$pt:up0" '$2 == p' "$out" | grep -c "IP $G ")" 0
expect "private address at the target" \
	"$(awk -v p="$pt:eth0" '$2 == p' "$out" | grep -c "$G")" 0

vt_analyze "$P"
vt_verdict_both "all $N probes answered" "$P" \
	".summary.probes == $N and .summary.answered == $N and .summary.problems == 0"
vt_verdict_both "masquerade $G -> $UP between virbr0 and up0" "$P" \
	". as \$r | any(.findings[]; .kind == \"nat_rewrite\" and .location.direction == \"request\" and
	 .details.src_before == \"$G\" and .details.src_after == \"$UP\" and
	 \$r.points[.location.after].ifname == \"virbr0\" and \$r.points[.location.before].ifname == \"up0\")"
vt_verdict_both "reply de-NATed back to $G" "$P" \
	"any(.findings[]; .kind == \"nat_rewrite\" and .location.direction == \"reply\" and .details.dst_after == \"$G\")"

exit $LAB_FAILED
