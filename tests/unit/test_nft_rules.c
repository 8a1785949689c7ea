// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter attribution (issue 13 item 1): the drop comment's nft keys
 * round-trip, hostile comments never overflow or half-parse, and the rule
 * text / ruleset parsers (capture/nft_rules.c) take untrusted listings.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/drop_comment.h"
#include "capture/nft_rules.h"
#include "check.h"

static const char listing[] =
	"table inet dsnft { # handle 7\n"
	"\tset allow { # handle 2\n"
	"\t\ttype ipv4_addr\n"
	"\t\telements = { 10.0.0.1,\n"
	"\t\t\t     10.0.0.2 }\n"
	"\t}\n"
	"\n"
	"\tchain input { # handle 1\n"
	"\t\ttype filter hook input priority filter; policy accept;\n"
	"\t\tip saddr { 10.9.9.9, 10.9.9.8 } accept # handle 4\n"
	"\t\tip protocol tcp accept # handle 5\n"
	"\t\tjump sub # handle 9\n"
	"\t}\n"
	"\n"
	"\tchain sub { # handle 8\n"
	"\t\ticmp type echo-request counter packets 3 bytes 252 drop # handle 3\n"
	"\t}\n"
	"\n"
	"\tchain out { # handle 10\n"
	"\t\ttype filter hook output priority filter; policy accept;\n"
	"\t\tudp dport 53 drop # handle 11\n"
	"\t}\n"
	"}\n"
	"table ip6 other { # handle 3\n"
	"\tchain input { # handle 1\n"
	"\t\ttype filter hook input priority 0; policy drop;\n"
	"\t}\n"
	"}\n";

static void test_rule_text(void)
{
	char out[DROP_NFT_RULE_MAX];

	CHECK_EQ_INT(nft_rules_parse(listing, sizeof(listing) - 1, 3, out,
				     sizeof(out)), 0);
	CHECK(!strcmp(out, "icmp type echo-request counter packets 3 bytes "
			   "252 drop"));
	CHECK_EQ_INT(nft_rules_parse(listing, sizeof(listing) - 1, 4, out,
				     sizeof(out)), 0);
	CHECK(!strcmp(out, "ip saddr { 10.9.9.9, 10.9.9.8 } accept"));
	/* table, set and chain headers carry handles too: never a rule */
	CHECK_EQ_INT(nft_rules_parse(listing, sizeof(listing) - 1, 7, out,
				     sizeof(out)), -1);
	CHECK_EQ_INT(nft_rules_parse(listing, sizeof(listing) - 1, 8, out,
				     sizeof(out)), -1);
	CHECK(!out[0]);
	CHECK_EQ_INT(nft_rules_parse(listing, sizeof(listing) - 1, 99, out,
				     sizeof(out)), -1);
	CHECK_EQ_INT(nft_rules_parse(listing, sizeof(listing) - 1, 0, out,
				     sizeof(out)), -1);
}

static void test_rule_text_hostile(void)
{
	static const char *const bad[] = {
		"# handle 3",				/* nothing before */
		"drop # handle 3x",			/* not a number */
		"drop # handle 99999999999999999999999",	/* overflows */
		"drop #handle 3",
		"drop # handle",
		"{ # handle 3",
	};
	char out[16], big[4096];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ_INT(nft_rules_parse(bad[i], strlen(bad[i]), 3, out,
					     sizeof(out)), -1);
	/* no NUL, control bytes, a line longer than out: cut, cleaned */
	memset(big, 'a', sizeof(big));
	big[0] = '\x1b';
	big[5] = '\0';
	memcpy(big + sizeof(big) - 11, " # handle 3", 11);
	CHECK_EQ_INT(nft_rules_parse(big, sizeof(big), 3, out, sizeof(out)), 0);
	CHECK_EQ_INT(strlen(out), sizeof(out) - 1);
	CHECK(out[0] == '_' && out[5] == '_');
	/* a text ending in the middle of the handle tag */
	CHECK_EQ_INT(nft_rules_parse("x # hand", 8, 3, out, sizeof(out)), -1);
	CHECK_EQ_INT(nft_rules_parse(NULL, 0, 3, out, sizeof(out)), -1);
}

static void test_ruleset(void)
{
	struct drop_nft n;
	int l3 = 0;

	CHECK(!strcmp(nft_hook_of_caller("ip_local_deliver", &l3), "input"));
	CHECK_EQ_INT(l3, 4);
	CHECK(!strcmp(nft_hook_of_caller("ip6_forward.cold", &l3), "forward"));
	CHECK_EQ_INT(l3, 6);
	CHECK(nft_hook_of_caller("ip_local_deliver_finish", &l3) == NULL);

	/* the only drop rule reachable from the ipv4 input hook: in the
	 * chain the base chain jumps to */
	CHECK_EQ_INT(nft_ruleset_attribute(listing, sizeof(listing) - 1, 4,
					   "input", &n), 0);
	CHECK_EQ_INT(n.by, DROP_NFT_RULE);
	CHECK_EQ_INT(n.basis, DROP_NFT_BASIS_RULESET);
	CHECK(n.handle == 3);
	CHECK(!strcmp(n.family, "inet") && !strcmp(n.table, "dsnft") &&
	      !strcmp(n.chain, "sub") && !strcmp(n.hook, "input"));
	CHECK(!strncmp(n.rule, "icmp type echo-request", 22));

	/* ipv6 input: the ip6 chain's policy drop and the inet drop rule
	 * are both possible: candidates, honestly */
	CHECK_EQ_INT(nft_ruleset_attribute(listing, sizeof(listing) - 1, 6,
					   "input", &n), 0);
	CHECK_EQ_INT(n.by, DROP_NFT_UNKNOWN);
	CHECK(strstr(n.rule, "handle 3") && strstr(n.rule, "policy drop"));

	/* no chain at that hook: unknown, nothing named */
	CHECK_EQ_INT(nft_ruleset_attribute(listing, sizeof(listing) - 1, 4,
					   "forward", &n), 0);
	CHECK_EQ_INT(n.by, DROP_NFT_UNKNOWN);
	CHECK(!n.table[0]);

	/* policy only */
	{
		static const char pol[] =
			"table ip filter {\n\tchain FORWARD {\n"
			"\t\ttype filter hook forward priority filter; "
			"policy drop;\n"
			"\t\tct state established accept # handle 4\n\t}\n}\n";

		CHECK_EQ_INT(nft_ruleset_attribute(pol, sizeof(pol) - 1, 4,
						   "forward", &n), 0);
		CHECK_EQ_INT(n.by, DROP_NFT_POLICY);
		CHECK(!strcmp(n.table, "filter") && !strcmp(n.chain, "FORWARD"));
	}
}

static void test_ruleset_hostile(void)
{
	struct drop_nft n;
	char *junk = malloc(1 << 16);
	size_t i;
	uint32_t x = 12345;

	/* random bytes biased towards the parser's words: never overflows */
	static const char *const words[] = { "table", "chain", "{", "}", "type",
		"hook", "input", "policy", "drop", "jump", "# handle ", "1",
		"\n", "\t", "\"", "inet", "ip", " ", "reject", "\0" };
	size_t o = 0;

	CHECK(junk != NULL);
	if (!junk)
		return;
	while (o < (1 << 16) - 16) {
		const char *w;

		x = x * 1103515245u + 12345u;
		w = words[(x >> 16) % (sizeof(words) / sizeof(words[0]))];
		i = strlen(w) ? strlen(w) : 1;
		memcpy(junk + o, w, i);
		o += i;
	}
	CHECK_EQ_INT(nft_ruleset_attribute(junk, o, 4, "input", &n), 0);
	CHECK(strlen(n.rule) < sizeof(n.rule));
	CHECK(strlen(n.table) < sizeof(n.table));
	free(junk);
}

static void test_comment(void)
{
	struct drop_event ev, back;
	uint8_t bytes[DROP_FRAME_MAX];
	char comment[512];
	struct frame f;
	int n;

	memset(&ev, 0, sizeof(ev));
	ev.reason = 12;
	ev.protocol = 0x0800;
	snprintf(ev.reason_name, sizeof(ev.reason_name), "NETFILTER_DROP");
	snprintf(ev.symbol, sizeof(ev.symbol), "nft_do_chain+0x46f");
	snprintf(ev.dev, sizeof(ev.dev), "br0");
	ev.nft.by = DROP_NFT_RULE;
	ev.nft.basis = DROP_NFT_BASIS_RULESET;
	ev.nft.handle = 3;
	snprintf(ev.nft.family, sizeof(ev.nft.family), "inet");
	snprintf(ev.nft.hook, sizeof(ev.nft.hook), "input");
	snprintf(ev.nft.table, sizeof(ev.nft.table), "my:table %%x");
	snprintf(ev.nft.chain, sizeof(ev.nft.chain), "input");
	snprintf(ev.nft.rule, sizeof(ev.nft.rule),
		 "ip saddr 10.0.0.1 meta mark=0x1 drop");
	drop_event_frame(&ev, 1, bytes, &f);
	n = drop_event_comment(&ev, comment, sizeof(comment));
	CHECK(n > 0 && (size_t)n < sizeof(comment));
	CHECK(strstr(comment, " nft=inet:my%3Atable%20%25x:input:input:rule:3"));
	CHECK(strstr(comment, " nft_basis=ruleset"));
	f.comment = comment;
	f.comment_len = (uint32_t)n;
	CHECK_EQ_INT(drop_event_from_frame(&f, &back), 0);
	CHECK_EQ_INT(back.nft.by, DROP_NFT_RULE);
	CHECK_EQ_INT(back.nft.basis, DROP_NFT_BASIS_RULESET);
	CHECK(back.nft.handle == 3);
	CHECK(!strcmp(back.nft.table, "my:table %x"));
	CHECK(!strcmp(back.nft.rule, ev.nft.rule));
	CHECK(!strcmp(back.dev, "br0"));

	/* no attribution: no nft keys, older files read the same */
	ev.nft.by = DROP_NFT_NONE;
	n = drop_event_comment(&ev, comment, sizeof(comment));
	CHECK(!strstr(comment, " nft="));

	/* a small buffer: the nft keys are left out whole, never cut */
	ev.nft.by = DROP_NFT_POLICY;
	n = drop_event_comment(&ev, comment, 200);
	CHECK(n > 0 && n < 200);
	CHECK(!strstr(comment, "nft_rule=") || strstr(comment, " nft="));
}

static void test_comment_hostile(void)
{
	static const char *const bad[] = {
		"dropspot-drop reason=X nft=inet:t:c:input:rule",	/* short */
		"dropspot-drop reason=X nft=inet:t:c:input:rule:x",
		"dropspot-drop reason=X nft=inet:t:c:input:rule:",
		"dropspot-drop reason=X nft=::::::::::::",
		"dropspot-drop reason=X nft=%:%G:%%:%0:rule:1 nft_rule=%",
		"dropspot-drop reason=X nft_rule=%41%0a%00%zz%4",
		"dropspot-drop reason=X nft=a:b:c:d:policy:99999999999999999999999",
	};
	struct drop_event back;
	struct frame f;
	size_t i;

	memset(&f, 0, sizeof(f));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f.comment = bad[i];
		f.comment_len = (uint32_t)strlen(bad[i]);
		CHECK_EQ_INT(drop_event_from_frame(&f, &back), 0);
		CHECK(!strcmp(back.reason_name, "X"));
		CHECK(strlen(back.nft.rule) < sizeof(back.nft.rule));
		CHECK(!strchr(back.nft.rule, '\n'));
	}
	/* the malformed attributions were dropped, the drop kept */
	f.comment = bad[1];
	f.comment_len = (uint32_t)strlen(bad[1]);
	drop_event_from_frame(&f, &back);
	CHECK_EQ_INT(back.nft.by, DROP_NFT_NONE);
	f.comment = bad[4];
	f.comment_len = (uint32_t)strlen(bad[4]);
	drop_event_from_frame(&f, &back);
	CHECK_EQ_INT(back.nft.by, DROP_NFT_RULE);
	CHECK(!strcmp(back.nft.family, "%"));
	CHECK(!strcmp(back.nft.table, "%G"));
	f.comment = bad[5];
	f.comment_len = (uint32_t)strlen(bad[5]);
	drop_event_from_frame(&f, &back);
	CHECK(!strcmp(back.nft.rule, "A__%zz%4"));
}

/* What iptables-nft 1.8.9 writes: nft lists it translated, iptables-nft-save
 * as iptables commands, one rule per rule, in the same order. */
static const char ipt_listing[] =
	"table ip filter { # handle 1\n"
	"\tchain FORWARD { # handle 1\n"
	"\t\ttype filter hook forward priority filter; policy accept;\n"
	"\t\tmeta l4proto tcp counter accept # handle 2\n"
	"\t\tip saddr 10.0.0.2 counter drop # handle 7\n"
	"\t\tcounter jump DOCKER-USER # handle 5\n"
	"\t}\n"
	"\n"
	"\tchain DOCKER-USER { # handle 4\n"
	"\t\tip daddr 10.9.9.9 counter reject # handle 6\n"
	"\t}\n"
	"}\n";

static const char ipt_save[] =
	"# Generated by iptables-nft-save v1.8.9 (nf_tables) on now\n"
	"*filter\n"
	":INPUT ACCEPT [0:0]\n"
	":FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	":DOCKER-USER - [0:0]\n"
	"-A FORWARD -p tcp -j ACCEPT\n"
	"-A FORWARD -s 10.0.0.2/32 -j DROP\n"
	"-A FORWARD -j DOCKER-USER\n"
	"-A DOCKER-USER -d 10.9.9.9/32 -j REJECT --reject-with "
	"icmp-port-unreachable\n"
	"COMMIT\n"
	"*nat\n"
	":POSTROUTING ACCEPT [0:0]\n"
	"-A POSTROUTING -s 10.1.0.0/16 -j MASQUERADE\n"
	"COMMIT\n";

static void test_iptables_nft(void)
{
	char out[DROP_NFT_RULE_MAX];
	uint32_t pos, count;
	int l3 = -1;

	/* the nft handle's place in its chain, and that place's line */
	CHECK_EQ_INT(nft_ruleset_position(ipt_listing, sizeof(ipt_listing) - 1,
					  "ip", "filter", "FORWARD", 7, &pos,
					  &count), 0);
	CHECK_EQ_INT(pos, 2);
	CHECK_EQ_INT(count, 3);
	CHECK_EQ_INT(nft_xt_save_rule(ipt_save, sizeof(ipt_save) - 1, "filter",
				      "FORWARD", pos, out, sizeof(out), &count),
		     0);
	CHECK_EQ_INT(count, 3);
	CHECK(!strcmp(out, "-A FORWARD -s 10.0.0.2/32 -j DROP"));
	/* a jumped-to chain counts on its own */
	CHECK_EQ_INT(nft_ruleset_position(ipt_listing, sizeof(ipt_listing) - 1,
					  "ip", "filter", "DOCKER-USER", 6,
					  &pos, &count), 0);
	CHECK_EQ_INT(pos, 1);
	CHECK_EQ_INT(nft_xt_save_rule(ipt_save, sizeof(ipt_save) - 1, "filter",
				      "DOCKER-USER", 1, out, sizeof(out),
				      &count), 0);
	CHECK(!strncmp(out, "-A DOCKER-USER -d 10.9.9.9/32 -j REJECT", 39));
	/* another table's chain of the same name is not this one */
	CHECK_EQ_INT(nft_xt_save_rule(ipt_save, sizeof(ipt_save) - 1, "nat",
				      "FORWARD", 1, out, sizeof(out), &count),
		     -1);
	CHECK(!out[0]);
	/* absent chain, absent handle, wrong family */
	CHECK_EQ_INT(nft_ruleset_position(ipt_listing, sizeof(ipt_listing) - 1,
					  "ip", "filter", "INPUT", 7, &pos,
					  &count), -1);
	CHECK_EQ_INT(nft_ruleset_position(ipt_listing, sizeof(ipt_listing) - 1,
					  "ip", "filter", "FORWARD", 99, &pos,
					  &count), 0);
	CHECK_EQ_INT(pos, 0);
	CHECK_EQ_INT(nft_ruleset_position(ipt_listing, sizeof(ipt_listing) - 1,
					  "ip6", "filter", "FORWARD", 7, &pos,
					  &count), -1);
	/* a position past the chain's end: found the chain, no line */
	CHECK_EQ_INT(nft_xt_save_rule(ipt_save, sizeof(ipt_save) - 1, "filter",
				      "FORWARD", 9, out, sizeof(out), &count),
		     0);
	CHECK(!out[0]);

	/* br_netfilter's hooks: the packet decides v4 or v6 (l3 0) */
	CHECK(!strcmp(nft_hook_of_caller("br_nf_forward_ip.part.0", &l3),
		      "forward"));
	CHECK_EQ_INT(l3, 0);
	CHECK(!strcmp(nft_family_of_caller("nft_do_chain_ipv4+0x70"), "ip"));
	CHECK(!strcmp(nft_family_of_caller("nft_do_chain_inet"), "inet"));
	CHECK(nft_family_of_caller("nft_do_chain") == NULL);
}

static const char legacy_save[] =
	"# Generated by iptables-save v1.8.9 on now\n"
	"*filter\n"
	":INPUT ACCEPT [0:0]\n"
	":FORWARD ACCEPT [4:336]\n"
	":OUTPUT ACCEPT [0:0]\n"
	":mine - [0:0]\n"
	"-A FORWARD -p tcp -j ACCEPT\n"
	"-A FORWARD -j mine\n"
	"-A mine -s 10.0.0.2/32 -j DROP\n"
	"COMMIT\n";

static const char nft_fwd[] =
	"table inet other { # handle 2\n"
	"\tchain f { # handle 1\n"
	"\t\ttype filter hook forward priority filter; policy accept;\n"
	"\t\ttcp dport 9 accept # handle 2\n"
	"\t}\n"
	"\tchain i { # handle 3\n"
	"\t\ttype filter hook input priority filter; policy accept;\n"
	"\t\tdrop # handle 4\n"
	"\t}\n"
	"}\n";

static void test_legacy(void)
{
	struct drop_nft n;

	/* freed in nf_hook_slow: x_tables is a candidate, its rule named
	 * with its number in its (jumped-to) chain */
	CHECK_EQ_INT(nft_ruleset_decide(nft_fwd, sizeof(nft_fwd) - 1,
					legacy_save, sizeof(legacy_save) - 1,
					NULL, 0, 4, "forward", NULL, true, &n),
		     0);
	CHECK_EQ_INT(n.by, DROP_NFT_RULE);
	CHECK_EQ_INT(n.xt, DROP_XT_LEGACY);
	CHECK_EQ_INT(n.xt_num, 1);
	CHECK(n.handle == 0);
	CHECK(!strcmp(n.family, "ip") && !strcmp(n.table, "filter") &&
	      !strcmp(n.chain, "mine") && !strcmp(n.hook, "forward"));
	CHECK(!strcmp(n.xt_rule, "-A mine -s 10.0.0.2/32 -j DROP"));
	/* freed in nft_do_chain: legacy is left out, nothing nft drops at
	 * forward, nobody blamed */
	CHECK_EQ_INT(nft_ruleset_decide(nft_fwd, sizeof(nft_fwd) - 1,
					legacy_save, sizeof(legacy_save) - 1,
					NULL, 0, 4, "forward", "inet", false,
					&n), 0);
	CHECK_EQ_INT(n.by, DROP_NFT_UNKNOWN);
	CHECK_EQ_INT(n.xt, DROP_XT_NONE);
	/* the v6 hook does not see the v4 tables */
	CHECK_EQ_INT(nft_ruleset_decide(NULL, 0, legacy_save,
					sizeof(legacy_save) - 1, NULL, 0, 6,
					"forward", NULL, true, &n), 0);
	CHECK_EQ_INT(n.xt, DROP_XT_NONE);
	CHECK(!n.table[0]);
	/* a legacy policy */
	{
		static const char pol[] = "*filter\n:FORWARD DROP [0:0]\n"
					  "-A FORWARD -p tcp -j ACCEPT\nCOMMIT\n";

		CHECK_EQ_INT(nft_ruleset_decide(NULL, 0, NULL, 0, pol,
						sizeof(pol) - 1, 6, "forward",
						NULL, true, &n), 0);
		CHECK_EQ_INT(n.by, DROP_NFT_POLICY);
		CHECK_EQ_INT(n.xt, DROP_XT_LEGACY);
		CHECK(!strcmp(n.family, "ip6") && !strcmp(n.chain, "FORWARD"));
	}
	/* both could: candidates from both, blamed on neither */
	{
		static const char nd[] =
			"table ip t { # handle 1\n\tchain c { # handle 1\n"
			"\t\ttype filter hook forward priority 0; policy accept;\n"
			"\t\tudp dport 53 drop # handle 2\n\t}\n}\n";

		CHECK_EQ_INT(nft_ruleset_decide(nd, sizeof(nd) - 1,
						legacy_save,
						sizeof(legacy_save) - 1, NULL,
						0, 4, "forward", NULL, true,
						&n), 0);
		CHECK_EQ_INT(n.by, DROP_NFT_UNKNOWN);
		CHECK_EQ_INT(n.xt, DROP_XT_NONE);
		CHECK(strstr(n.rule, "handle 2 (udp dport 53 drop)") &&
		      strstr(n.rule, "iptables-legacy filter mine rule 1"));
	}
}

static void test_legacy_hostile(void)
{
	static const char *const bad[] = {
		"*\n:\n-A\n-A FORWARD\nCOMMIT\n",
		"-A FORWARD -j DROP\n",			/* no table */
		"*filter\n-A FORWARD -j DROP\n",	/* no chain line */
		"*filter\n:FORWARD DROP\n-A FORWARD -j\n-A FORWARD -g\n",
		("*filter\n:FORWARD ACCEPT\n:x -\n-A FORWARD -j x\n"
		 "-A x -j FORWARD\n-A x -j x\n"),	/* loops */
	};
	struct drop_nft n;
	char out[8];
	uint32_t c;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ_INT(nft_ruleset_decide(NULL, 0, bad[i], strlen(bad[i]),
						bad[i], strlen(bad[i]), 4,
						"forward", NULL, true, &n), 0);
		CHECK(strlen(n.xt_rule) < sizeof(n.xt_rule));
		nft_xt_save_rule(bad[i], strlen(bad[i]), "filter", "FORWARD",
				 1, out, sizeof(out), &c);
		CHECK(strlen(out) < sizeof(out));
	}
	/* a line cut to out, never past it */
	CHECK_EQ_INT(nft_xt_save_rule(ipt_save, sizeof(ipt_save) - 1, "filter",
				      "FORWARD", 2, out, sizeof(out), &c), 0);
	CHECK(!strcmp(out, "-A FORW"));
}

static void test_comment_xt(void)
{
	struct drop_event ev, back;
	uint8_t bytes[DROP_FRAME_MAX];
	char comment[512];
	struct frame f;
	int n;

	memset(&ev, 0, sizeof(ev));
	snprintf(ev.reason_name, sizeof(ev.reason_name), "NETFILTER_DROP");
	snprintf(ev.symbol, sizeof(ev.symbol), "nft_do_chain+0x46f");
	ev.nft.by = DROP_NFT_RULE;
	ev.nft.basis = DROP_NFT_BASIS_RULESET;
	ev.nft.handle = 7;
	ev.nft.xt = DROP_XT_NFT;
	ev.nft.xt_num = 2;
	snprintf(ev.nft.family, sizeof(ev.nft.family), "ip");
	snprintf(ev.nft.hook, sizeof(ev.nft.hook), "forward");
	snprintf(ev.nft.table, sizeof(ev.nft.table), "filter");
	snprintf(ev.nft.chain, sizeof(ev.nft.chain), "FORWARD");
	snprintf(ev.nft.rule, sizeof(ev.nft.rule), "ip saddr 10.0.0.2 drop");
	snprintf(ev.nft.xt_rule, sizeof(ev.nft.xt_rule),
		 "-A FORWARD -s 10.0.0.2/32 -m comment --comment \"a=b\" -j DROP");
	drop_event_frame(&ev, 1, bytes, &f);
	n = drop_event_comment(&ev, comment, sizeof(comment));
	CHECK(n > 0 && (size_t)n < sizeof(comment));
	CHECK(strstr(comment, " nft=ip:filter:FORWARD:forward:rule:7"));
	CHECK(strstr(comment, " ipt=nft:2 ipt_rule=-A%20FORWARD%20-s%20"));
	f.comment = comment;
	f.comment_len = (uint32_t)n;
	CHECK_EQ_INT(drop_event_from_frame(&f, &back), 0);
	CHECK_EQ_INT(back.nft.xt, DROP_XT_NFT);
	CHECK_EQ_INT(back.nft.xt_num, 2);
	CHECK(!strcmp(back.nft.xt_rule, ev.nft.xt_rule));
	CHECK(!strcmp(back.nft.rule, ev.nft.rule));

	/* legacy: xt= instead of nft=, so no older reader blames nf_tables */
	ev.nft.xt = DROP_XT_LEGACY;
	ev.nft.handle = 0;
	ev.nft.rule[0] = '\0';
	n = drop_event_comment(&ev, comment, sizeof(comment));
	CHECK(!strstr(comment, " nft="));
	CHECK(strstr(comment, " xt=ip:filter:FORWARD:forward:rule:0"));
	CHECK(strstr(comment, " ipt=legacy:2"));
	f.comment = comment;
	f.comment_len = (uint32_t)n;
	CHECK_EQ_INT(drop_event_from_frame(&f, &back), 0);
	CHECK_EQ_INT(back.nft.xt, DROP_XT_LEGACY);
	CHECK_EQ_INT(back.nft.by, DROP_NFT_RULE);
	CHECK_EQ_INT(back.nft.xt_num, 2);

	/* an older file (no ipt keys) reads as before: no iptables view */
	{
		static const char old[] =
			"dropspot-drop reason=NETFILTER_DROP reason_id=12 "
			"nft=ip:filter:FORWARD:forward:policy:0 nft_basis=ruleset";

		f.comment = old;
		f.comment_len = sizeof(old) - 1;
		CHECK_EQ_INT(drop_event_from_frame(&f, &back), 0);
		CHECK_EQ_INT(back.nft.by, DROP_NFT_POLICY);
		CHECK_EQ_INT(back.nft.xt, DROP_XT_NONE);
	}
	/* hostile ipt values: left out, the rest kept */
	{
		static const char *const bad[] = {
			"dropspot-drop reason=X ipt=nft",
			"dropspot-drop reason=X ipt=nft:",
			"dropspot-drop reason=X ipt=nft:-1",
			"dropspot-drop reason=X ipt=nft:99999999999",
			"dropspot-drop reason=X ipt=other:1",
			"dropspot-drop reason=X ipt=nftx:1 ipt_rule=%0a%zz",
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			f.comment = bad[i];
			f.comment_len = (uint32_t)strlen(bad[i]);
			CHECK_EQ_INT(drop_event_from_frame(&f, &back), 0);
			CHECK(!strcmp(back.reason_name, "X"));
			CHECK_EQ_INT(back.nft.xt, DROP_XT_NONE);
			CHECK(!strchr(back.nft.xt_rule, '\n'));
		}
	}
}

/* A Docker-like forward hook: policy drop, and a jumped-to drop rule. */
#define DOCKER_LISTING(ISO, USER)					\
	"table ip filter { # handle 1\n"					\
	"\tchain FORWARD { # handle 1\n"					\
	"\t\ttype filter hook forward priority filter; policy drop;\n"	\
	"\t\tcounter packets 9 bytes 756 jump DOCKER-USER # handle 5\n"	\
	"\t}\n"								\
	"\tchain DOCKER-USER { # handle 2\n"				\
	"\t\tip saddr 10.0.0.2 counter packets " USER			\
	" bytes 0 drop # handle 7\n"					\
	"\t\tcounter packets 9 bytes 756 return # handle 6\n"		\
	"\t\toifname \"docker0\" counter packets " ISO			\
	" bytes 0 drop # handle 8\n"					\
	"\t}\n}\n"

static void test_counters(void)
{
	static const char before[] = DOCKER_LISTING("4", "0");
	static const char iso_grew[] = DOCKER_LISTING("5", "0");
	static const char user_grew[] = DOCKER_LISTING("4", "2");
	static const char both_grew[] = DOCKER_LISTING("5", "1");
	static const char uncounted[] =
		"table ip filter {\n\tchain FORWARD {\n"
		"\t\ttype filter hook forward priority filter; policy drop;\n"
		"\t\tip saddr 10.0.0.2 drop # handle 7\n\t}\n}\n";
	struct drop_nft n;

	/* the ruleset alone: two candidates and a policy, undecided */
	CHECK_EQ_INT(nft_ruleset_attribute(before, sizeof(before) - 1, 4,
					   "forward", &n), 0);
	CHECK_EQ_INT(n.by, DROP_NFT_UNKNOWN);
	/* nothing grew, every candidate counts: the policy */
	CHECK_EQ_INT(nft_counters_decide(before, sizeof(before) - 1, before,
					 sizeof(before) - 1, 4, "forward", NULL,
					 &n), 0);
	CHECK_EQ_INT(n.by, DROP_NFT_POLICY);
	CHECK_EQ_INT(n.basis, DROP_NFT_BASIS_COUNTERS);
	CHECK(!strcmp(n.chain, "FORWARD") && !strcmp(n.hook, "forward"));
	/* one grew: that rule, its text without the counter's values */
	CHECK_EQ_INT(nft_counters_decide(before, sizeof(before) - 1, user_grew,
					 sizeof(user_grew) - 1, 4, "forward",
					 NULL, &n), 0);
	CHECK_EQ_INT(n.by, DROP_NFT_RULE);
	CHECK(n.handle == 7 && !strcmp(n.chain, "DOCKER-USER"));
	CHECK(!strcmp(n.rule, "ip saddr 10.0.0.2 counter drop"));
	CHECK_EQ_INT(nft_counters_decide(before, sizeof(before) - 1, iso_grew,
					 sizeof(iso_grew) - 1, 4, "forward",
					 NULL, &n), 0);
	CHECK(n.handle == 8);
	/* two grew (other traffic too): not told */
	CHECK_EQ_INT(nft_counters_decide(before, sizeof(before) - 1, both_grew,
					 sizeof(both_grew) - 1, 4, "forward",
					 NULL, &n), -1);
	/* a candidate without a counter: the policy cannot be told either */
	CHECK_EQ_INT(nft_counters_decide(uncounted, sizeof(uncounted) - 1,
					 uncounted, sizeof(uncounted) - 1, 4,
					 "forward", NULL, &n), -1);
	/* hostile: nothing to compare with */
	CHECK_EQ_INT(nft_counters_decide(NULL, 0, before, sizeof(before) - 1,
					 4, "forward", NULL, &n), -1);
}

int main(void)
{
	test_rule_text();
	test_rule_text_hostile();
	test_ruleset();
	test_ruleset_hostile();
	test_comment();
	test_comment_hostile();
	test_iptables_nft();
	test_legacy();
	test_legacy_hostile();
	test_comment_xt();
	test_counters();
	return check_done();
}
