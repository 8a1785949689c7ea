#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace, netfilter attribution on a Docker host's ruleset (issue
# 13): iptables-nft, br_netfilter, FORWARD policy DROP and the DOCKER-USER /
# DOCKER-ISOLATION chains, whose isolation rule drops too.  Two drop
# candidates sit at the forward hook, so the ruleset alone cannot say which
# one dropped a bridged guest's ping (this kernel refuses the fentry
# programs that would see it).  The rules' counters can: read before the
# probes (nft -a list ruleset, read only) and again at each drop, the
# candidate whose counter grew is the one; when none of the counted
# candidates grew, the policy.  Live and from the saved pcapng.
#  1. the guest's ping meets the policy: ipt_policy_drop (basis counters);
#  2. a DOCKER-USER rule drops the guest: ipt_rule_drop, that rule.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init iptables-nft iptables-nft-save nft
tr_btf_reason NETFILTER_DROP

lab_topo_bridged
tr_br_netfilter
ipt() { lab_exec "$LAB_HOST" iptables-nft "$@" || lab_die "iptables-nft $*"; }
ipt -N DOCKER-USER
ipt -N DOCKER-ISOLATION-STAGE-1
ipt -N DOCKER-ISOLATION-STAGE-2
ipt -A FORWARD -j DOCKER-USER
ipt -A FORWARD -j DOCKER-ISOLATION-STAGE-1
ipt -A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
ipt -A DOCKER-ISOLATION-STAGE-1 -j RETURN
ipt -A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
ipt -A DOCKER-ISOLATION-STAGE-2 -j RETURN
ipt -A DOCKER-USER -j RETURN
ipt -P FORWARD DROP
tr_points "$LAB_HOST" tap0 br0 up0

echo "--- 1: the FORWARD policy"
tr_trace --ping "$LAB_PEER_IP" --from "$LAB_GUEST" -c 3 --interval 0.3
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
echo "verdict: $(jq -r .verdict "$TR_JSON_LIVE")"
tr_expect "every probe lost" '.summary.lost == 3 and .summary.answered == 0'
tr_expect "the policy, told from the isolation rule by the counters" \
	'any(.findings[]; .kind == "drop" and
	 .cause.code == "ipt_policy_drop" and
	 .cause.params.ipt_chain == "FORWARD" and
	 .cause.params.nf_basis == "no candidate rule counted it")'
tr_expect "never the isolation rule" \
	'all(.findings[]; (.cause.params.nf_chain // "") != "DOCKER-ISOLATION-STAGE-2")'
tr_same

echo "--- 2: a DOCKER-USER rule"
ipt -I DOCKER-USER -s "$LAB_GUEST_IP/32" -j DROP
tr_trace --ping "$LAB_PEER_IP" --from "$LAB_GUEST" -c 3 --interval 0.3
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
echo "verdict: $(jq -r .verdict "$TR_JSON_LIVE")"
tr_expect "the DOCKER-USER rule whose counter grew, in iptables terms" \
	"any(.findings[]; .kind == \"drop\" and
	 .cause.code == \"ipt_rule_drop\" and
	 .cause.params.ipt_chain == \"DOCKER-USER\" and
	 .cause.params.ipt_rule == \"iptables -t filter -A DOCKER-USER -s $LAB_GUEST_IP/32 -j DROP\" and
	 .cause.params.nf_basis == \"the only candidate whose counter grew\")"
tr_same
echo PASS
