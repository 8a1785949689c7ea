#!/bin/bash
# Real VM with a wrong default gateway (SCENARIOS.md #5): a QEMU guest
# (e1000) on tap0, a port of br0, has 10.83.0.254 as its gateway, an
# address nobody owns, and pings beyond the host.  The guest must report
# no reply, and `dropspot trace --auto GUEST` must show its ARP requests for the gateway
# arriving on the tap and the bridge, never answered, and no echo request
# ever leaving the guest.
set -u
. "${DROPSPOT_SRC:?}/tests/integration/vm_lib.sh"
vt_init
N=3
G=10.83.0.2 GW=10.83.0.254 T=198.51.100.7
vt_hostonly 10.83.0
P=$LAB_DIR/wrong-gw.pcapng

vt_trace_start tr "$G" "$P"
vm_start g --netns "$H" --tap tap0 --nic e1000 --ip "$G/24" --gw "$GW" \
	--ping "$T,$N,56"
vt_guest_result g 40
res=$VT_RES
vt_trace_done "$tr" "$P"

expect "guest sent" "$(vm_field "$res" sent)" $N
expect "guest received" "$(vm_field "$res" received)" 0

out=$P.txt pt=${P##*/}
who="ARP who-has $GW tell $G"
vt_expect_min "tap0 in ARP who-has gateway" "$(cap_count "$out" "$pt:tap0" in "$who")" 1
vt_expect_min "br0 in ARP who-has gateway" "$(cap_count "$out" "$pt:br0" in "$who")" 1
expect "ARP who-has gateway seen equally on tap0 and br0" \
	"$(cap_count "$out" "$pt:tap0" in "$who")" "$(cap_count "$out" "$pt:br0" in "$who")"
expect "ARP replies for the gateway (anywhere)" \
	"$(grep -c "ARP reply $GW is-at" "$out")" 0
expect "echo requests (anywhere)" "$(grep -c 'echo request' "$out")" 0

vt_analyze "$P"
vt_verdict_both "ARP for $GW asked by $G unanswered" "$P" \
	"any(.findings[]; .kind == \"arp_unanswered\" and .details.target == \"$GW\" and .details.asker_ip == \"$G\")"
vt_verdict_both "no probe left the guest" "$P" \
	'.summary.probes == 0 and any(.findings[]; .kind == "no_probes")'

exit $LAB_FAILED
