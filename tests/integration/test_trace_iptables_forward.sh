#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace, netfilter attribution in iptables terms (issue 13): a
# bridged guest whose host runs br_netfilter (bridge-nf-call-iptables=1 in
# the host's netns) and Docker's `iptables -P FORWARD DROP` (iptables-nft:
# an nf_tables table ip filter).  The guest's pings to the LAN peer cross
# the bridge and die in the FORWARD chain; trace must name the iptables
# policy ("iptables filter FORWARD policy DROP") as well as its nft table,
# live and from the saved pcapng.  Then a rule: `iptables -A FORWARD -s
# GUEST -j DROP` after an ACCEPT rule, named by its number (2, not its nft
# handle) and its iptables-nft-save text.  Nothing is added to the ruleset.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init iptables-nft iptables-nft-save nft
tr_btf_reason NETFILTER_DROP

lab_topo_bridged
tr_br_netfilter
lab_exec "$LAB_HOST" iptables-nft -P FORWARD DROP || lab_die "iptables-nft -P"

# the ruleset as nft and iptables list it (-s / no -c: no counters)
ruleset() {
	lab_exec "$LAB_HOST" nft -s -a list ruleset 2>/dev/null
	lab_exec "$LAB_HOST" iptables-nft -S 2>/dev/null
	nft -s -a list ruleset 2>/dev/null
}
before=$(ruleset)
tr_points "$LAB_HOST" tap0 br0 up0
tr_trace --ping "$LAB_PEER_IP" --from "$LAB_GUEST" -c 3 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
[ "$before" = "$(ruleset)" ] || lab_die "the ruleset changed during the trace"
echo "ok: no table, chain, rule or trace flag added"
echo "verdict: $(jq -r .verdict "$TR_JSON_LIVE")"
tr_expect "every probe lost" '.summary.lost == 3 and .summary.answered == 0'
tr_expect "cause: the iptables FORWARD policy, in iptables and nft terms" \
	'any(.findings[]; .cause.code == "ipt_policy_drop" and
	 .cause.params.ipt_tool == "iptables" and
	 .cause.params.ipt_table == "filter" and
	 .cause.params.ipt_chain == "FORWARD" and
	 .cause.params.nf_family == "ip" and
	 .cause.params.nf_table == "filter" and
	 .cause.params.nf_chain == "FORWARD" and
	 .cause.params.nf_hook == "forward")'
tr_expect "the verdict says it as iptables does" \
	'.verdict | test("dropped by the iptables filter FORWARD policy DROP \\(nft ip filter FORWARD, hook forward\\).*NETFILTER_DROP")'
tr_same
grep -q "nft=ip:filter:FORWARD:forward:policy:0 .*ipt=nft:0" \
	<(strings "$LAB_DIR/trace.pcapng") ||
	lab_die "no nft=/ipt= keys in the saved drop comment"
echo "ok: the saved drop comment carries nft=ip:filter:FORWARD:forward:policy:0 ipt=nft:0"

# a rule, second in its chain: iptables' number, not the nft handle
lab_exec "$LAB_HOST" iptables-nft -P FORWARD ACCEPT
lab_exec "$LAB_HOST" iptables-nft -A FORWARD -p tcp -j ACCEPT
lab_exec "$LAB_HOST" iptables-nft -A FORWARD -s "$LAB_GUEST_IP/32" -j DROP
want="-A FORWARD -s $LAB_GUEST_IP/32 -j DROP"
lab_exec "$LAB_HOST" iptables-nft-save -t filter | grep -qxF -- "$want" ||
	lab_die "iptables-nft-save does not list '$want'"
handle=$(lab_exec "$LAB_HOST" nft -s -a list chain ip filter FORWARD |
	sed -n "s/.*ip saddr $LAB_GUEST_IP counter drop # handle \([0-9]*\)$/\1/p")
[ -n "$handle" ] || lab_die "no nft handle for the iptables rule"
before=$(ruleset)
tr_trace --ping "$LAB_PEER_IP" --from "$LAB_GUEST" -c 3 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
[ "$before" = "$(ruleset)" ] || lab_die "the ruleset changed during the trace"
echo "verdict: $(jq -r .verdict "$TR_JSON_LIVE")"
tr_expect "every probe lost (rule)" '.summary.lost == 3 and .summary.answered == 0'
tr_expect "cause: iptables rule 2 with its iptables text" \
	"any(.findings[]; .cause.code == \"ipt_rule_drop\" and
	 .cause.params.ipt_num == \"2\" and
	 .cause.params.ipt_table == \"filter\" and
	 .cause.params.ipt_chain == \"FORWARD\" and
	 .cause.params.ipt_rule == \"iptables -t filter $want\" and
	 .cause.params.nf_handle == \"$handle\" and
	 .cause.params.nf_hook == \"forward\")"
tr_expect "the verdict names the iptables command" \
	".verdict | test(\"dropped by iptables -t filter -A FORWARD -s $LAB_GUEST_IP/32 -j DROP \\\\(rule 2 of filter FORWARD, nft handle $handle, hook forward\\\\) \\\\(the only drop rule at that hook\\\\)\")"
tr_same
grep -q "ipt=nft:2 ipt_rule=-A%20FORWARD%20-s%20$LAB_GUEST_IP/32%20-j%20DROP" \
	<(strings "$LAB_DIR/trace.pcapng") ||
	lab_die "no ipt_rule= in the saved drop comment"
echo "ok: the saved drop comment carries ipt=nft:2 and the rule's text"
echo PASS
