#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace, netfilter attribution with iptables-legacy (issue 13): the
# bridged guest's pings to the LAN peer die in an x_tables (not nf_tables)
# FORWARD rule, while the same netns also has an nf_tables table with a
# drop rule at another hook and a forward chain that drops nothing.  The
# kfree_skb stack tells them apart (x_tables returns NF_DROP to
# nf_hook_slow, which frees; this kernel's nft_do_chain frees its drops
# itself): no nf_tables rule may be blamed, the legacy rule is named from
# iptables-legacy-save, live and offline; then the legacy policy.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init iptables-legacy iptables-legacy-save nft
tr_btf_reason NETFILTER_DROP

lab_topo_bridged
tr_br_netfilter
lab_exec "$LAB_HOST" iptables-legacy -A FORWARD -s "$LAB_GUEST_IP/32" -j DROP ||
	lab_skip "iptables-legacy cannot add a rule here (no x_tables?)"
lab_exec "$LAB_HOST" nft -f - <<-NFT || lab_die "nft ruleset"
	table inet dsother {
		chain dsfwd {
			type filter hook forward priority filter; policy accept;
			tcp dport 9 counter accept
		}
		chain dsin {
			type filter hook input priority filter; policy accept;
			icmp type echo-request drop
		}
	}
NFT
want="-A FORWARD -s $LAB_GUEST_IP/32 -j DROP"
tr_points "$LAB_HOST" tap0 br0 up0
tr_trace --ping "$LAB_PEER_IP" --from "$LAB_GUEST" -c 3 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
echo "verdict: $(jq -r .verdict "$TR_JSON_LIVE")"
tr_expect "every probe lost" '.summary.lost == 3 and .summary.answered == 0'
tr_expect "cause: the legacy rule, with its iptables-legacy-save text" \
	"any(.findings[]; .cause.code == \"xt_legacy_rule_drop\" and
	 .cause.params.ipt_table == \"filter\" and
	 .cause.params.ipt_chain == \"FORWARD\" and
	 .cause.params.ipt_num == \"1\" and
	 .cause.params.ipt_rule == \"iptables-legacy -t filter $want\" and
	 .cause.params.nf_hook == \"forward\")"
tr_expect "no nf_tables rule or policy blamed" \
	'all(.findings[]; (.cause.code // "" | test("^(nft_|ipt_)") | not) and
	 ((.cause.supporting // []) | all(test("^(nft_|ipt_)") | not)))'
tr_expect "the verdict names the legacy command" \
	".verdict | test(\"dropped by iptables-legacy -t filter -A FORWARD -s $LAB_GUEST_IP/32 -j DROP \\\\(rule 1 of filter FORWARD, x_tables, hook forward\\\\)\")"
tr_same
strings "$LAB_DIR/trace.pcapng" | grep -q ' nft=' &&
	lab_die "the saved drop comment blames nf_tables (nft=)"
grep -q "xt=ip:filter:FORWARD:forward:rule:0 .*ipt=legacy:1" \
	<(strings "$LAB_DIR/trace.pcapng") ||
	lab_die "no xt=/ipt=legacy in the saved drop comment"
echo "ok: the saved drop comment carries xt=ip:filter:FORWARD:forward:rule:0 ipt=legacy:1"

# the legacy policy
lab_exec "$LAB_HOST" iptables-legacy -F FORWARD
lab_exec "$LAB_HOST" iptables-legacy -P FORWARD DROP
tr_trace --ping "$LAB_PEER_IP" --from "$LAB_GUEST" -c 3 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
echo "verdict: $(jq -r .verdict "$TR_JSON_LIVE")"
tr_expect "cause: the legacy FORWARD policy" \
	'any(.findings[]; .cause.code == "xt_legacy_policy_drop" and
	 .cause.params.ipt_tool == "iptables-legacy" and
	 .cause.params.ipt_chain == "FORWARD")'
tr_expect "the verdict says iptables-legacy" \
	'.verdict | test("dropped by the iptables-legacy filter FORWARD policy DROP \\(x_tables, hook forward\\)")'
tr_same
echo PASS
