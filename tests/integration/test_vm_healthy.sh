#!/bin/bash
# Real VM, healthy host-only network: a QEMU guest (virtio-net) on tap0, a
# port of br0, pings the host's bridge address.  The guest itself must
# report every reply (serial console marker); `dropspot trace --auto GUEST`
# from the host must find the tap and the bridge itself, see each echo
# request and reply once there, in its direction, and say all answered,
# live and from the pcapng it writes.
set -u
. "${DROPSPOT_SRC:?}/tests/integration/vm_lib.sh"
vt_init
N=5
G=10.81.0.2 HIP=10.81.0.1
vt_hostonly 10.81.0
P=$LAB_DIR/healthy.pcapng

vt_trace_start tr "$G" "$P"
vm_start g --netns "$H" --tap tap0 --nic virtio --ip "$G/24" \
	--ping "$HIP,$N,56"
vt_guest_result g 40
res=$VT_RES
vt_trace_done "$tr" "$P"

# What the guest saw: its own ping's summary.
expect "guest sent" "$(vm_field "$res" sent)" $N
expect "guest received" "$(vm_field "$res" received)" $N

# What the host saw, from the saved pcapng (interface + direction per frame).
out=$P.txt pt=${P##*/}
req="IP $G > $HIP .*ICMP echo request"
rep="IP $HIP > $G .*ICMP echo reply"
vt_expect_count "tap0 in requests" "$out" "$pt:tap0" in "$req" $N
vt_expect_count "tap0 out replies" "$out" "$pt:tap0" out "$rep" $N
vt_expect_count "br0 in requests" "$out" "$pt:br0" in "$req" $N
vt_expect_count "br0 out replies" "$out" "$pt:br0" out "$rep" $N
vt_expect_count "tap0 out requests" "$out" "$pt:tap0" out "echo request" 0
vt_expect_count "tap0 in replies" "$out" "$pt:tap0" in "echo reply" 0
# the guest resolved the host with ARP through the tap
vt_expect_min "tap0 in ARP who-has $HIP" \
	"$(cap_count "$out" "$pt:tap0" in "ARP who-has $HIP tell $G")" 1

# VERDICT, live and from the pcapng: trace --auto found tap0 and br0 by
# itself; all probes answered on the path tap0 -> br0, the tap seen in both
# directions, nothing wrong.
vt_analyze "$P"
vt_verdict "trace discovered tap0 and br0" "$P.live" \
	'[.points[] | select(.hook != "kfree_skb") | .ifname] | sort == ["br0", "tap0"]'
vt_verdict_both "all $N probes answered, no problem" "$P" \
	".summary.probes == $N and .summary.answered == $N and .summary.problems == 0"
vt_verdict_both "path tap0 -> br0" "$P" \
	'. as $r | [.flows[0].path[] | $r.points[.].ifname] == ["tap0", "br0"]'
vt_verdict_both "tap0: $N requests in, $N replies out" "$P" \
	"(.points[] | select(.ifname == \"tap0\") | .id) as \$t |
	 ([.probes[].sightings[] | select(.point == \$t and .kind == \"request\" and .dir == \"in\")] | length) == $N and
	 ([.probes[].sightings[] | select(.point == \$t and .kind == \"reply\" and .dir == \"out\")] | length) == $N"

exit $LAB_FAILED
