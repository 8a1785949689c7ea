#!/bin/bash
# Real VM, host firewall drops ICMP (SCENARIOS.md #6): a QEMU guest
# (e1000) on tap0, a port of br0, pings the host's bridge address while
# the host's nftables input chain drops echo requests coming from br0.
# The guest must report no reply; `dropspot trace --auto GUEST` from the
# host must find the tap and the bridge, see every request
# on the tap and delivered up the bridge to the host, no reply, and name
# netfilter on the host input path as the kernel drop reason.
set -u
. "${DROPSPOT_SRC:?}/tests/integration/vm_lib.sh"
vt_init nft
N=3
G=10.84.0.2 HIP=10.84.0.1
vt_hostonly 10.84.0
lab_input_rule "$H" 'iifname "br0" icmp type echo-request counter drop'
P=$LAB_DIR/firewall.pcapng

vt_trace_start tr "$G" "$P"
vm_start g --netns "$H" --tap tap0 --nic e1000 --ip "$G/24" --gw "$HIP" \
	--ping "$HIP,$N,56"
vt_guest_result g 40
res=$VT_RES
vt_trace_done "$tr" "$P"

expect "guest sent" "$(vm_field "$res" sent)" $N
expect "guest received" "$(vm_field "$res" received)" 0

out=$P.txt pt=${P##*/}
req="IP $G > $HIP .*ICMP echo request"
vt_expect_count "tap0 in requests" "$out" "$pt:tap0" in "$req" $N
vt_expect_count "br0 in requests" "$out" "$pt:br0" in "$req" $N
expect "echo replies (anywhere)" "$(grep -c 'echo reply' "$out")" 0
# the rule, not something else, ate them
expect "firewall drop counter" \
	"$(lab_exec "$H" nft list chain inet dsfw input | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')" $N

# VERDICT, live (trace --auto, with kernel drop attribution) and from the
# pcapng: every probe lost, last seen entering the host at br0, dropped by
# netfilter on the host's input path.
vt_analyze "$P"
vt_verdict_both "all $N probes lost" "$P" ".summary.probes == $N and .summary.lost == $N"
vt_verdict_both "requests dropped after br0" "$P" \
	". as \$r | any(.findings[]; .kind == \"drop\" and .location.direction == \"request\" and
	 \$r.points[.location.after].ifname == \"br0\")"
vt_verdict_both "kernel reason NETFILTER_DROP in the netfilter hook" "$P" \
	'any(.findings[]; .kind == "drop" and .details.kernel_reason == "NETFILTER_DROP"
	     and (.details.kernel_function | test("nft_do_chain|nf_hook_slow")))'

exit $LAB_FAILED
