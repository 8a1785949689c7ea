#!/bin/bash
# Kernel drop attribution: an nftables rule in the server's input chain
# drops ICMP echo requests.  The record must name NETFILTER_DROP (id from
# this kernel's BTF) and the netfilter function that freed the skb: on 6.18
# nf_tables drops it itself (nft_do_chain); older kernels free it in
# nf_hook_slow.
. "$(dirname "$0")/drops_lib.sh"
command -v nft >/dev/null || skip "needs nft"

lab_up
in_s nft add table inet dropspot_t
in_s nft add chain inet dropspot_t input '{ type filter hook input priority 0; }'
in_s nft add rule inet dropspot_t input icmp type echo-request drop
watch_start
lab_ping 10.77.2.2
watch_stop
expect_drop NETFILTER_DROP 'nft_do_chain|nf_hook_slow' "$INO_S" "10.77.1.2 > 10.77.2.2"
# The packet went through the router: it must not be blamed.
grep -F "netns=$INO_R " "$WATCH_OUT" | grep -F "echo request" &&
	fail "router reported a drop of the forwarded probe"
echo PASS
