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

int main(void)
{
	test_rule_text();
	test_rule_text_hostile();
	test_ruleset();
	test_ruleset_hostile();
	test_comment();
	test_comment_hostile();
	return check_done();
}
