// SPDX-License-Identifier: GPL-2.0
/*
 * The cause table, row by row, without packets: one synthetic evidence
 * record (facts and their values) per cause, and the code that must come
 * out.  The expectations are written here by hand, not derived from
 * causes.def, so a row whose predicate or precedence changes fails; and a
 * GROUP row that no record reaches fails too.
 */
#include <stdio.h>
#include <string.h>

#include "analyze/cause.h"
#include "check.h"

struct row_case {
	uint64_t facts;
	const char *want;		/* code */
	const char *want_text;		/* rendered sentence, NULL = unchecked */
};

/* Values every record carries, as a group's facts would. */
static void base_values(struct cause_facts *cf)
{
	facts_set(cf, "after", "tap0");
	facts_set(cf, "before", "br0");
	facts_set(cf, "target", "10.0.0.2");
	facts_set(cf, "reporter", "10.0.0.1");
	facts_set(cf, "icmp", "dest unreachable / admin prohibited");
	facts_set(cf, "mtu", "1400");
	facts_set(cf, "vlan", "42");
	facts_set(cf, "passes", "1372");
	facts_set(cf, "fails", "1472");
	facts_set(cf, "neighbour", "10.0.0.254");
	facts_set(cf, "source", "192.168.1.2");
	facts_set(cf, "out_port", "vnet1");
	facts_set(cf, "bridge_why", "ports vnet0 and vnet1 of br0 are isolated: "
		  "the bridge forwards nothing between them");
}

/* A lost neighbour answer's and a MAC conflict's values (fewer others). */
static void exchange_values(struct cause_facts *cf)
{
	facts_set(cf, "after", "tap0");
	facts_set(cf, "before", "br0");
	facts_set(cf, "target", "10.0.0.2");
	facts_set(cf, "neighbour", "10.0.0.254");
	facts_set(cf, "answer_mac", "02:00:00:00:00:fe");
	facts_set(cf, "answer_after", "br0");
	facts_set(cf, "answer_before", "tap0");
	facts_set(cf, "answer_reason", "NETFILTER_DROP in nft_do_chain");
	facts_set(cf, "mac", "02:00:00:00:00:02");
	facts_set(cf, "mac_ports", "tap0 and tap1");
}

static const struct row_case cases[] = {
	/* the evidence cannot locate the loss */
	{ CF_FORCED | CF_NEXT_KNOWN, "closed_early", NULL },
	{ CF_NEXT_UNWATCHED | CF_NEXT_UNDECODABLE | CF_NEXT_KNOWN,
	  "next_point_undecodable", NULL },
	{ CF_NEXT_UNWATCHED | CF_NEXT_UNDECODABLE | CF_NEXT_CANDIDATES,
	  "candidate_undecodable", NULL },
	{ CF_NEXT_UNWATCHED | CF_NEXT_KNOWN | CF_ICMP_ADMIN,
	  "next_point_unwatched", NULL },
	{ CF_NEXT_CAPTURE_LOST | CF_NEXT_KNOWN, "next_point_capture_lost",
	  NULL },
	{ CF_LAST_CAPTURE_LOST, "last_point_capture_lost", NULL },
	/* the wire, strongest first */
	{ CF_LOOP | CF_ICMP_TTL | CF_PRIVATE_UNNATED, "routing_loop",
	  "routing loop: the request comes back to tap0 with a lower TTL" },
	{ CF_ICMP_ADMIN | CF_HS_ROUTE_BAD | CF_HS_ROUTE_PROHIBIT,
	  "route_prohibited", NULL },
	/* a bad route of another type: the ICMP names a firewall */
	{ CF_ICMP_ADMIN | CF_HS_ROUTE_BAD, "icmp_admin_prohibited", NULL },
	{ CF_ICMP_ADMIN | CF_CSUM_BAD, "icmp_admin_prohibited",
	  "rejected by a firewall at 10.0.0.1 (ICMP dest unreachable / admin "
	  "prohibited)" },
	{ CF_ICMP_NOROUTE | CF_HS_ROUTE_BAD, "icmp_no_route", NULL },
	{ CF_ICMP_TOOBIG | CF_SIZE_DEPENDENT, "icmp_too_big",
	  "too big for the path: 10.0.0.1 reports next-hop MTU 1400" },
	{ CF_ICMP_TTL, "icmp_ttl_exceeded", NULL },
	{ CF_ICMP_OTHER, "icmp_error", NULL },
	/* the host's state: after ICMP errors, before the other wire rows */
	{ CF_HS_LINK_DOWN | CF_HS_STP_BLOCKING | CF_NEXT_KNOWN, "link_down",
	  "host/up0 is down (administratively down)" },
	{ CF_HS_STP_BLOCKING | CF_HS_FORWARD_OFF | CF_NEXT_KNOWN,
	  "stp_blocking", "port tap0 of br0 is in STP state listening" },
	{ CF_HS_FORWARD_OFF | CF_HS_ROUTE_BAD | CF_NEXT_CANDIDATES |
	  CF_KERNEL_REASON, "forwarding_disabled",
	  "forwarding is off in netns host (net.ipv4.ip_forward = 0); the "
	  "kernel dropped it: NETFILTER_DROP in nft_do_chain" },
	{ CF_HS_ROUTE_BAD | CF_HS_MTU_SMALL, "route_unreachable",
	  "the route to 10.0.0.2 in netns host is unreachable" },
	/* the target's own host says it answers no ping */
	{ CF_HS_ECHO_IGNORED | CF_NEXT_KNOWN | CF_NEXT_NO_FRAMES,
	  "echo_ignored",
	  "the target 10.0.0.2 ignores echo requests "
	  "(net.ipv4.icmp_echo_ignore_all = 1 in netns peer)" },
	{ CF_HS_MTU_SMALL | CF_SIZE_DEPENDENT | CF_CSUM_BAD, "mtu_too_small",
	  "up0 has MTU 1400, the probe is 1500 bytes" },
	{ CF_HS_POLICY_DROP | CF_HS_NEIGH_FAILED | CF_NEXT_KNOWN,
	  "chain_policy_drop",
	  "inet filter input policy drop (hook input, no rule) in netns host" },
	/* the netfilter attribution: firmer than the state and the bare
	 * kernel reason, which it keeps as a clause */
	{ CF_NFT_RULE | CF_HS_POLICY_DROP | CF_KERNEL_REASON | CF_NEXT_KNOWN,
	  "nft_rule_drop",
	  "dropped by rule 3 of inet dsnft input (hook input): icmp type "
	  "echo-request drop; the kernel dropped it: NETFILTER_DROP in "
	  "nft_do_chain" },
	{ CF_NFT_POLICY | CF_KERNEL_REASON | CF_NEXT_KNOWN, "nft_policy_drop",
	  "dropped by the policy drop of inet dsnft input (hook input) (no "
	  "drop rule at that hook); the kernel dropped it: NETFILTER_DROP in "
	  "nft_do_chain" },
	{ CF_NFT_UNKNOWN | CF_KERNEL_REASON | CF_NEXT_KNOWN, "nft_hook_drop",
	  "dropped by netfilter at hook input (unknown: rule or policy not "
	  "told), inet dsnft input: candidates: handle 3 (drop), handle 4 "
	  "(reject); the kernel dropped it: NETFILTER_DROP in nft_do_chain" },
	/* iptables-nft's tables in iptables terms; x_tables (legacy) apart */
	{ CF_NFT_RULE | CF_IPT | CF_KERNEL_REASON | CF_NEXT_KNOWN,
	  "ipt_rule_drop",
	  "dropped by iptables -t filter -A FORWARD -s 10.0.0.2/32 -j DROP "
	  "(rule 2 of filter FORWARD, nft handle 3, hook input); the kernel "
	  "dropped it: NETFILTER_DROP in nft_do_chain" },
	{ CF_NFT_POLICY | CF_IPT | CF_HS_POLICY_DROP | CF_NEXT_KNOWN,
	  "ipt_policy_drop",
	  "dropped by the iptables filter FORWARD policy DROP (nft inet dsnft "
	  "input, hook input) (no drop rule at that hook)" },
	{ CF_XT_RULE | CF_NEXT_KNOWN, "xt_legacy_rule_drop",
	  "dropped by iptables -t filter -A FORWARD -s 10.0.0.2/32 -j DROP "
	  "(rule 2 of filter FORWARD, x_tables, hook input)" },
	{ CF_XT_POLICY | CF_NEXT_KNOWN, "xt_legacy_policy_drop",
	  "dropped by the iptables filter FORWARD policy DROP (x_tables, hook "
	  "input)" },
	{ CF_HS_NEIGH_FAILED | CF_NEXT_KNOWN | CF_FLOW_ANSWERED,
	  "neighbour_failed",
	  "the neighbour entry of next hop 10.0.0.254 on up0 is FAILED" },
	{ CF_CSUM_BAD | CF_VLAN_TAGGED, "checksum_corrupt", NULL },
	{ CF_VLAN_TAGGED | CF_NEXT_KNOWN, "vlan_tagged",
	  "frames carry VLAN tag 42 at tap0: VLAN mismatch" },
	/* a tunnel's overhead takes the black hole's place, not ICMP's */
	{ CF_SIZE_DEPENDENT | CF_TUNNEL_ENCAP | CF_REPLY_DIR,
	  "tunnel_overhead_mtu",
	  "1478-byte encapsulated packet exceeds the underlay MTU (50 bytes "
	  "of vxlan overhead; 1372-byte echo data passes, 1472 does not)" },
	{ CF_ICMP_TOOBIG | CF_SIZE_DEPENDENT | CF_TUNNEL_ENCAP,
	  "tunnel_too_big",
	  "too big for the underlay: 10.0.0.1 reports next-hop MTU 1400 for "
	  "the 1478-byte encapsulated packet (50 bytes of vxlan overhead)" },
	{ CF_TUNNEL_ENCAP | CF_NEXT_KNOWN, "host_path_suspected", NULL },
	{ CF_TUNNEL_ENCAP | CF_TUNNEL_IN_HOST | CF_NEXT_KNOWN |
	  CF_NEXT_NO_FRAMES, "tunnel_not_decapsulated",
	  "the vxlan 42 packet to 192.0.2.2 reaches tap0 but is not "
	  "decapsulated to br0 (underlay firewall, or the receiver's VNI/key, "
	  "port or endpoint differs)" },
	/* the wire names the VTEP or the VNI: before not_decapsulated */
	{ CF_TUNNEL_ENCAP | CF_TUNNEL_IN_HOST | CF_TUNNEL_WRONG_VTEP |
	  CF_NEXT_KNOWN | CF_NEXT_WENT_SILENT, "tunnel_wrong_vtep",
	  "the vxlan 42 packet goes to 192.0.2.2, but 10.42.0.2 is behind "
	  "VTEP 192.0.2.3 (its packets come from there): wrong remote or FDB "
	  "entry" },
	{ CF_TUNNEL_ENCAP | CF_TUNNEL_IN_HOST | CF_TUNNEL_ID_MISMATCH |
	  CF_NEXT_KNOWN | CF_NEXT_NO_FRAMES, "tunnel_id_mismatch",
	  "vxlan VNI mismatch: sent with 42 to 192.0.2.2, whose VTEP uses 43 "
	  "for 10.42.0.2" },
	/* ... before the next point's silence, firm as it is */
	{ CF_TUNNEL_ENCAP | CF_TUNNEL_IN_HOST | CF_NEXT_KNOWN |
	  CF_NEXT_WENT_SILENT | CF_FLOW_ANSWERED, "tunnel_not_decapsulated",
	  NULL },
	/* a kernel reason completes it */
	{ CF_TUNNEL_ENCAP | CF_TUNNEL_IN_HOST | CF_NEXT_KNOWN |
	  CF_KERNEL_REASON, "tunnel_not_decapsulated", NULL },
	/* without DF, no MTU drops the probe whole: a fragment died */
	{ CF_SIZE_DEPENDENT | CF_FRAGMENTED, "fragments_lost",
	  "size-dependent loss of fragmented probes (1372-byte echo data "
	  "passes, 1472 does not, sent without DF): a fragment dies on the way "
	  "(fragments filtered, or a link whose two ends differ in MTU)" },
	{ CF_SIZE_DEPENDENT | CF_REPLY_DIR, "mtu_blackhole",
	  "size-dependent loss: MTU black hole (1372-byte echo data passes, "
	  "1472 does not)" },
	{ CF_MAC_CONFLICT | CF_REPLY_DIR | CF_REPLY_AT_NAT, "mac_conflict",
	  "MAC 02:00:00:00:00:02 enters the bridge through tap0 and tap1: "
	  "replies to it may go to the wrong port (cloned MAC or loop)" },
	{ CF_REPLY_DIR | CF_REPLY_AT_NAT | CF_NEIGH_UNRESOLVED,
	  "reply_not_denated", NULL },
	{ CF_HS_RPF_STRICT | CF_REPLY_DIR | CF_NEXT_KNOWN,
	  "rp_filter_strict",
	  "strict reverse-path filter on up1 (net.ipv4.conf.up1.rp_filter = "
	  "1): its source 10.0.0.2 is not routed back through it" },
	{ CF_REPLY_DIR | CF_NEIGH_UNRESOLVED | CF_NEXT_KNOWN,
	  "reply_lost_return_path", NULL },
	{ CF_NEIGH_ANSWER_LOST | CF_NEIGH_UNRESOLVED | CF_NEXT_KNOWN |
	  CF_KERNEL_REASON, "neighbour_answer_lost",
	  "the neighbour answer for 10.0.0.254 from 02:00:00:00:00:fe is lost "
	  "after br0, not seen at tap0 (NETFILTER_DROP in nft_do_chain); the "
	  "kernel dropped it: NETFILTER_DROP in nft_do_chain" },
	/* where its requests stop, when a bridge kept them from a port */
	{ CF_NEIGH_UNRESOLVED | CF_NEIGH_BRIDGE_CUT | CF_NEXT_KNOWN |
	  CF_NEXT_NO_FRAMES, "neighbour_bridge_cut",
	  "neighbour resolution for 10.0.0.254 fails: its requests never "
	  "reach vnet1 (ports vnet0 and vnet1 of br0 are isolated: the bridge "
	  "forwards nothing between them)" },
	{ CF_NEIGH_UNRESOLVED | CF_NEIGH_REQ_DROPPED | CF_NEIGH_BRIDGE_CUT |
	  CF_HS_ARP_IGNORE, "neighbour_requests_dropped",
	  "neighbour resolution for 10.0.0.254 fails: the kernel drops its "
	  "requests (3 seen): NETFILTER_DROP in nft_do_chain, rule 2 of arp a "
	  "i (hook input): arp operation request counter drop" },
	{ CF_NEIGH_UNRESOLVED | CF_HS_ARP_IGNORE | CF_NEXT_KNOWN,
	  "neighbour_arp_ignored",
	  "neighbour resolution for 10.0.0.254 fails: its requests reach br0 "
	  "in netns host, which answers no ARP (net.ipv4.conf.br0.arp_ignore "
	  "= 8)" },
	{ CF_NEIGH_UNRESOLVED | CF_NEXT_KNOWN | CF_NEXT_NO_FRAMES,
	  "neighbour_unresolved",
	  "neighbour resolution for 10.0.0.254 fails (nobody answers)" },
	{ CF_NEXT_KNOWN | CF_NEXT_NO_FRAMES, "next_point_silent", NULL },
	/* a firm cause later in the table beats an earlier suspicion */
	{ CF_NEXT_KNOWN | CF_NEXT_NO_FRAMES | CF_INTO_BRIDGE,
	  "not_into_bridge", NULL },
	{ CF_HS_RPF_STRICT | CF_NEIGH_UNRESOLVED, "neighbour_unresolved",
	  NULL },
	{ CF_NEXT_KNOWN | CF_NEXT_WENT_SILENT | CF_INTO_BRIDGE,
	  "next_point_went_silent", NULL },
	{ CF_NEXT_CANDIDATES | CF_PRIVATE_UNNATED, "not_passed_on", NULL },
	{ CF_PRIVATE_UNNATED, "masquerade_missing",
	  "left un-NATed with private source 192.168.1.2; replies cannot "
	  "come back (masquerade missing?)" },
	{ CF_HS_REPLY_MTU, "reply_exceeds_mtu",
	  "host/up0 has MTU 1000: the 1228-byte request left it in fragments, "
	  "and a reply of that size sent whole is dropped entering it (do the "
	  "two ends of its link differ in MTU?)" },
	/* where the reply would go back through a point, not this cause */
	{ CF_HS_REPLY_MTU | CF_REPLY_DIR, "reply_lost_return_path", NULL },
	{ 0, "target_silent",
	  "the target 10.0.0.2 does not answer (host firewall suspected)" },
	{ CF_NEXT_KNOWN | CF_INTO_BRIDGE | CF_FLOW_ANSWERED, "not_into_bridge",
	  NULL },
	{ CF_NEXT_KNOWN | CF_FLOW_ANSWERED, "intermittent_loss", NULL },
	{ CF_NEXT_KNOWN, "host_path_suspected", NULL },
	/* the kernel's reason replaces a suspicion ... */
	{ CF_NEXT_KNOWN | CF_KERNEL_REASON, "kernel_drop",
	  "dropped by the kernel: NETFILTER_DROP in nft_do_chain" },
	/* ... and completes a firm cause */
	{ CF_NEXT_CANDIDATES | CF_KERNEL_REASON, "not_passed_on",
	  "not passed on from tap0 (port detached from its bridge, link down, "
	  "or blocked?); the kernel dropped it: NETFILTER_DROP in "
	  "nft_do_chain" },
	/* ... but never hides that the evidence was incomplete */
	{ CF_NEXT_UNWATCHED | CF_NEXT_KNOWN | CF_KERNEL_REASON,
	  "next_point_unwatched",
	  "the next point was not capturing when these probes passed" },
};

/* What a host-state snapshot puts in the facts (analyze/state.c). */
static void state_values(struct cause_facts *cf, uint64_t facts)
{
	if (facts & CF_HS_LINK_DOWN) {
		facts_set(cf, "link_device", "host/up0");
		facts_set(cf, "link_state", "administratively down");
	}
	if (facts & CF_HS_STP_BLOCKING) {
		facts_set(cf, "port", "tap0");
		facts_set(cf, "bridge", "br0");
		facts_set(cf, "stp_state", "listening");
	}
	if (facts & CF_HS_FORWARD_OFF) {
		facts_set(cf, "fwd_netns", "host");
		facts_set(cf, "fwd_sysctl", "net.ipv4.ip_forward");
	}
	if (facts & CF_HS_ROUTE_BAD) {
		facts_set(cf, "route_netns", "host");
		facts_set(cf, "route_target", "10.0.0.2");
		facts_set(cf, "route_type", "unreachable");
	}
	if (facts & CF_HS_ECHO_IGNORED) {
		facts_set(cf, "echo_netns", "peer");
		facts_set(cf, "echo_sysctl", "net.ipv4.icmp_echo_ignore_all");
	}
	if (facts & CF_HS_MTU_SMALL) {
		facts_set(cf, "mtu_device", "up0");
		facts_set(cf, "dev_mtu", "1400");
		facts_set(cf, "size", "1500");
	}
	if (facts & CF_NEIGH_REQ_DROPPED) {
		facts_set(cf, "neigh_drops", "3");
		facts_set(cf, "neigh_reason", "NETFILTER_DROP");
		facts_set(cf, "neigh_function", "nft_do_chain");
		facts_set(cf, "neigh_nft", "rule 2 of arp a i (hook input): "
			  "arp operation request counter drop");
	}
	if (facts & CF_HS_ARP_IGNORE) {
		facts_set(cf, "arp_device", "br0");
		facts_set(cf, "arp_netns", "host");
		facts_set(cf, "arp_sysctl", "net.ipv4.conf.br0.arp_ignore");
	}
	if (facts & CF_HS_REPLY_MTU) {
		facts_set(cf, "mtu_device", "host/up0");
		facts_set(cf, "dev_mtu", "1000");
		facts_set(cf, "size", "1228");
	}
	if (facts & CF_HS_RPF_STRICT) {
		facts_set(cf, "rpf_device", "up1");
		facts_set(cf, "rpf_sysctl", "net.ipv4.conf.up1.rp_filter");
		facts_set(cf, "rpf", "1");
		facts_set(cf, "rpf_source", "10.0.0.2");
	}
	if (facts & CF_HS_POLICY_DROP) {
		facts_set(cf, "nf_netns", "host");
		facts_set(cf, "nf_family", "inet");
		facts_set(cf, "nf_table", "filter");
		facts_set(cf, "nf_chain", "input");
		facts_set(cf, "nf_hook", "input");
	}
	if (facts & CF_TUNNEL_ENCAP) {	/* evidence.c, encap_facts */
		facts_set(cf, "encap", "vxlan");
		facts_set(cf, "outer_len", "1478");
		facts_set(cf, "overhead", "50");
		facts_set(cf, "encap_id", "42");
		facts_set(cf, "outer_dst", "192.0.2.2");
	}
	if (facts & (CF_TUNNEL_WRONG_VTEP | CF_TUNNEL_ID_MISMATCH)) {
		facts_set(cf, "inner_dst", "10.42.0.2");
		facts_set(cf, "expected_vtep", "192.0.2.3");
		facts_set(cf, "id_name", "VNI");
		facts_set(cf, "expected_id", "43");
	}
	if (facts & CF_HS_NEIGH_FAILED) {
		facts_set(cf, "next_hop", "10.0.0.254");
		facts_set(cf, "neigh_device", "up0");
		facts_set(cf, "neigh_state", "FAILED");
	}
}

/* What a drop's netfilter attribution puts in the facts (evidence.c). */
static void nft_values(struct cause_facts *cf, uint64_t facts)
{
	if (!(facts & (CF_NFT_RULE | CF_NFT_POLICY | CF_NFT_UNKNOWN |
		       CF_XT_RULE | CF_XT_POLICY)))
		return;
	if (facts & (CF_IPT | CF_XT_RULE | CF_XT_POLICY)) {
		facts_set(cf, "ipt_tool", "iptables");
		facts_set(cf, "ipt_table", "filter");
		facts_set(cf, "ipt_chain", "FORWARD");
		facts_set(cf, "ipt_num", "2");
		facts_set(cf, "ipt_rule", "iptables -t filter -A FORWARD -s "
					  "10.0.0.2/32 -j DROP");
	}
	facts_set(cf, "nf_family", "inet");
	facts_set(cf, "nf_table", "dsnft");
	facts_set(cf, "nf_chain", "input");
	facts_set(cf, "nf_hook", "input");
	if (facts & CF_NFT_RULE) {
		facts_set(cf, "nf_verdict_by", "rule");
		facts_set(cf, "nf_handle", "3");
		facts_set(cf, "nf_rule", "icmp type echo-request drop");
	} else if (facts & CF_NFT_POLICY) {
		facts_set(cf, "nf_verdict_by", "policy");
		facts_set(cf, "nf_basis", "no drop rule at that hook");
	} else {
		facts_set(cf, "nf_verdict_by", "unknown");
		facts_set(cf, "nf_rule", "candidates: handle 3 (drop), "
					 "handle 4 (reject)");
	}
}

static void pick(uint64_t facts, bool kernel_fn, struct cause_ref *out)
{
	struct cause_facts cf;

	memset(&cf, 0, sizeof(cf));
	cf.bits = facts;
	if (facts & (CF_NEIGH_ANSWER_LOST | CF_MAC_CONFLICT))
		exchange_values(&cf);
	else
		base_values(&cf);
	state_values(&cf, facts);
	nft_values(&cf, facts);
	if (facts & CF_KERNEL_REASON) {
		facts_set(&cf, "kernel_reason", "NETFILTER_DROP");
		facts_set(&cf, "kernel_function", "%s",
			  kernel_fn ? "nft_do_chain" : "");
	}
	cause_pick(&cf, out);
}

static void test_rows(void)
{
	bool covered[CAUSE_COUNT] = { false };
	char text[512];
	size_t i;
	int id;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cause_ref c;

		pick(cases[i].facts, true, &c);
		if (strcmp(cause_code(c.id), cases[i].want))
			fprintf(stderr, "case %zu: got %s, want %s\n", i,
				cause_code(c.id), cases[i].want);
		CHECK(!strcmp(cause_code(c.id), cases[i].want));
		covered[c.id] = true;
		cause_render(&c, text, sizeof(text));
		CHECK(!strchr(text, '{') && !strchr(text, '['));
		if (cases[i].want_text && strcmp(text, cases[i].want_text))
			fprintf(stderr, "case %zu: text \"%s\"\n", i, text);
		CHECK(!cases[i].want_text || !strcmp(text, cases[i].want_text));
	}
	for (id = 1; id < CAUSE_COUNT; id++) {
		if (cause_scope_of((enum cause_id)id) != CAUSE_SCOPE_GROUP)
			continue;
		if (!covered[id])
			fprintf(stderr, "no case reaches %s\n",
				cause_code((enum cause_id)id));
		CHECK(covered[id]);
	}
}

/* A kernel reason without a function leaves the optional part out. */
static void test_optional_segment(void)
{
	struct cause_ref c;
	char text[256];

	pick(CF_NEXT_KNOWN | CF_KERNEL_REASON, false, &c);
	cause_render(&c, text, sizeof(text));
	CHECK(!strcmp(text, "dropped by the kernel: NETFILTER_DROP"));
	CHECK_EQ_INT(c.n_support, 1);
	CHECK(c.n_support && c.support[0] == CAUSE_HOST_PATH_SUSPECTED);
}

/* The kernel's word explained (kernel_meanings.def). */
static void test_kernel_meaning(void)
{
	struct cause_facts cf;
	struct cause_ref c;
	char text[512];

	/* the function's own row, then the reason's row for any function */
	CHECK(strstr(kernel_meaning("NOT_SPECIFIED", "__dev_forward_skb2"),
		     "other end of the veth") != NULL);
	CHECK(strstr(kernel_meaning("NO_TX_TARGET", "br_handle_frame_finish"),
		     "bridge had no port") != NULL);
	CHECK(!strcmp(kernel_meaning("NO_TX_TARGET", "dev_queue_xmit"),
		      "no device to send it by"));
	CHECK(!strcmp(kernel_meaning("NO_TX_TARGET", NULL),
		      "no device to send it by"));
	/* no word: nothing said, never a guess */
	CHECK(kernel_meaning("NOT_SPECIFIED", "ip_rcv") == NULL);
	CHECK(kernel_meaning("NETFILTER_DROP", "nft_do_chain") == NULL);
	CHECK(kernel_meaning("", "") == NULL);
	CHECK(kernel_meaning(NULL, NULL) == NULL);

	/* rendered in the kernel's clause of a firm cause */
	memset(&cf, 0, sizeof(cf));
	cf.bits = CF_NEXT_KNOWN | CF_INTO_BRIDGE | CF_KERNEL_REASON;
	base_values(&cf);
	facts_set(&cf, "kernel_reason", "NOT_SPECIFIED");
	facts_set(&cf, "kernel_function", "__dev_forward_skb2");
	facts_set(&cf, "kernel_meaning", "%s",
		  kernel_meaning("NOT_SPECIFIED", "__dev_forward_skb2"));
	cause_pick(&cf, &c);
	cause_render(&c, text, sizeof(text));
	CHECK(strstr(text, "; the kernel dropped it: NOT_SPECIFIED in "
		     "__dev_forward_skb2 (the other end of the veth refused it") != NULL);
}

/* Support keeps the other firm causes; suspicions are not evidence. */
static void test_support(void)
{
	struct cause_ref c;
	bool neigh = false, silent = false;
	uint8_t i;

	pick(CF_ICMP_ADMIN | CF_NEIGH_UNRESOLVED | CF_KERNEL_REASON, true, &c);
	CHECK_EQ_INT(c.id, CAUSE_ICMP_ADMIN_PROHIBITED);
	for (i = 0; i < c.n_support; i++) {
		neigh |= c.support[i] == CAUSE_NEIGHBOUR_UNRESOLVED;
		silent |= c.support[i] == CAUSE_TARGET_SILENT;
	}
	CHECK(neigh);
	CHECK(!silent);
	/* the kernel's reason is named among the parameters and support */
	CHECK(c.n_param >= 3);
}

/* Every code is one spelling and finds its row again; FINDING rows render. */
static void test_codes_and_templates(void)
{
	char text[512];
	int id, j;

	for (id = 1; id < CAUSE_COUNT; id++) {
		const char *code = cause_code((enum cause_id)id);
		struct cause_ref c;

		CHECK(code[0]);
		CHECK_EQ_INT(cause_by_code(code), id);
		for (j = 0; code[j]; j++)
			CHECK((code[j] >= 'a' && code[j] <= 'z') ||
			      (code[j] >= '0' && code[j] <= '9') ||
			      code[j] == '_');
		/* a template's braces and brackets pair up */
		cause_assign(&c, (enum cause_id)id, "neighbour", "10.0.0.1",
			     "address", "10.0.0.1", "after", "tap0",
			     "largest_ip_len", "1400", "linktype", "ipnet",
			     NULL);
		cause_render(&c, text, sizeof(text));
		CHECK(text[0]);
		CHECK(!strchr(text, '{') && !strchr(text, '}'));
	}
	CHECK_EQ_INT(cause_by_code("no_such_cause"), CAUSE_NONE);
	CHECK(!cause_code(CAUSE_NONE)[0]);
}

/* A sentence longer than the buffer is cut, never overrun. */
static void test_render_bounds(void)
{
	struct cause_ref c;
	char small[12];

	cause_assign(&c, CAUSE_NEIGHBOUR_ABSENT, "address",
		     "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", NULL);
	memset(small, 'x', sizeof(small));
	cause_render(&c, small, sizeof(small));
	CHECK_EQ_INT(strlen(small), sizeof(small) - 1);
	CHECK(!strncmp(small, "no host own", 11));
}

int main(void)
{
	test_rows();
	test_optional_segment();
	test_support();
	test_kernel_meaning();
	test_codes_and_templates();
	test_render_bounds();
	return check_done();
}
