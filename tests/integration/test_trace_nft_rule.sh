#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace, netfilter attribution (issue 13 item 1): the host's inet
# input chain drops the guest's echo requests, first by a rule, then by
# the chain's policy.  Read-only fentry/fexit on nft_do_chain names family,
# table, chain, hook, rule or policy, and the rule's handle and text (from
# `nft -s -a list` in the host's netns); the saved pcapng gives the same
# offline.  Where fentry is refused (this lab's kernel: every fentry load
# gets EPERM) the hook comes from the kernel stack of the NETFILTER_DROP
# free and the rule from the ruleset ("the only drop rule at that hook"):
# the same names, so the test holds on either basis.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft
tr_btf_reason NETFILTER_DROP

lab_topo_bridged
lab_exec "$LAB_HOST" nft -f - <<-NFT || lab_die "nft ruleset"
	table inet dsnft {
		chain input {
			type filter hook input priority filter; policy accept;
			ip protocol tcp accept
			icmp type echo-request counter drop
		}
	}
NFT
handle=$(lab_exec "$LAB_HOST" nft -s -a list chain inet dsnft input |
	sed -n 's/.*icmp type echo-request counter drop # handle \([0-9]*\)$/\1/p')
[ -n "$handle" ] || lab_die "no handle for the drop rule"
before=$(lab_exec "$LAB_HOST" nft -s -a list ruleset; nft -s -a list ruleset 2>/dev/null)
tr_points "$LAB_HOST" tap0 br0 up0
tr_trace --ping "$LAB_HOST_IP" --from "$LAB_GUEST" -c 3 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
after=$(lab_exec "$LAB_HOST" nft -s -a list ruleset; nft -s -a list ruleset 2>/dev/null)
[ "$before" = "$after" ] || lab_die "the ruleset changed during the trace"
echo "ok: no table, chain, rule or trace flag added (lab host and our netns)"
tr_expect "every probe lost" '.summary.lost == 3 and .summary.answered == 0'
tr_expect "cause: the rule, by handle and text" \
	"any(.findings[]; .cause.code == \"nft_rule_drop\" and
	 .cause.params.nf_family == \"inet\" and
	 .cause.params.nf_table == \"dsnft\" and
	 .cause.params.nf_chain == \"input\" and
	 .cause.params.nf_hook == \"input\" and
	 .cause.params.nf_verdict_by == \"rule\" and
	 .cause.params.nf_handle == \"$handle\" and
	 .cause.params.nf_rule == \"icmp type echo-request counter drop\")"
echo "verdict: $(jq -r .verdict "$TR_JSON_LIVE")"
tr_expect "the verdict names the rule and keeps the kernel's reason" \
	".verdict | test(\"dropped by rule $handle of inet dsnft input \\\\(hook input\\\\): icmp type echo-request counter drop.*NETFILTER_DROP in (nft_do_chain|nf_hook_slow)\")"
tr_expect "the kernel's reason kept" \
	'any(.findings[]; .kind == "drop" and .details.kernel_reason == "NETFILTER_DROP")'
tr_same
grep -q "nft=inet:dsnft:input:input:rule:$handle" <(strings "$LAB_DIR/trace.pcapng") ||
	lab_die "no nft= key in the saved drop comment"
echo "ok: the saved drop comment carries nft=inet:dsnft:input:input:rule:$handle"

# the policy: no rule matches, the chain drops
lab_exec "$LAB_HOST" nft flush chain inet dsnft input
lab_exec "$LAB_HOST" nft add rule inet dsnft input ip protocol tcp accept
lab_exec "$LAB_HOST" nft chain inet dsnft input '{ policy drop; }'
tr_trace --ping "$LAB_HOST_IP" --from "$LAB_GUEST" -c 3 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
echo "verdict: $(jq -r .verdict "$TR_JSON_LIVE")"
tr_expect "every probe lost (policy)" '.summary.lost == 3 and .summary.answered == 0'
tr_expect "the policy named, not a rule" \
	"any(.findings[]; (.cause.code == \"nft_policy_drop\" or
	  .cause.code == \"chain_policy_drop\") and
	 .cause.params.nf_table == \"dsnft\" and
	 .cause.params.nf_chain == \"input\" and
	 .cause.params.nf_hook == \"input\")"
tr_same
grep -q 'nft=inet:dsnft:input:input:policy:0' <(strings "$LAB_DIR/trace.pcapng") ||
	lab_die "no policy attribution in the saved drop comment"
echo "ok: the saved drop comment carries nft=inet:dsnft:input:input:policy:0"
echo PASS
