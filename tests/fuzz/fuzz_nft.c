// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the netfilter attribution's untrusted text (issue
 * 13 item 4): byte 0 even, the rest is an `nft -s -a list` listing
 * (capture/nft_rules.c: rule text by handle, the rule or policy at a hook);
 * odd, the rest is a drop comment (capture/drop_comment.c), whose nft keys
 * must survive their own saved form unchanged.  Whatever comes out must be
 * terminated, printable and bounded.
 *
 * The listing bytes are also read as iptables-legacy-save and
 * iptables-nft-save output (x_tables attribution, rule by position).
 *
 * Seeds: tests/fuzz/seeds/nft_*.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/drop_comment.h"
#include "capture/nft_rules.h"

static void check_clean(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

static void check_nft(const struct drop_nft *n)
{
	check_clean(n->family, sizeof(n->family));
	check_clean(n->hook, sizeof(n->hook));
	check_clean(n->table, sizeof(n->table));
	check_clean(n->chain, sizeof(n->chain));
	check_clean(n->rule, sizeof(n->rule));
	check_clean(n->xt_rule, sizeof(n->xt_rule));
	if (n->by > DROP_NFT_POLICY || n->xt > DROP_XT_LEGACY)
		abort();
}

static const char *const hooks[] = { "prerouting", "input", "forward",
				     "output", "postrouting", "ingress" };
static const int l3s[] = { 4, 6, 'b', 'a', 'n' };

static void listing(const uint8_t *d, size_t n, uint8_t sel)
{
	char *text = malloc(n ? n : 1), out[DROP_NFT_RULE_MAX];
	struct drop_nft nft;

	if (!text)
		return;
	memcpy(text, d, n);	/* exactly n bytes: ASan sees any overread */
	nft_rules_parse(text, n, 1 + (sel >> 4), out, sizeof(out));
	check_clean(out, sizeof(out));
	nft_ruleset_attribute(text, n, l3s[(sel >> 1) % 5], hooks[(sel >> 4) % 6],
			      &nft);
	check_nft(&nft);
	/* the same bytes as iptables-legacy-save / iptables-nft-save output */
	nft_ruleset_decide(text, n, text, n, text, n, l3s[(sel >> 1) % 5],
			   hooks[(sel >> 4) % 6], (sel & 2) ? "ip" : NULL,
			   (sel & 4) != 0, &nft);
	check_nft(&nft);
	if (nft.xt == DROP_XT_LEGACY && nft.handle)
		abort();	/* a legacy rule has a number, no handle */
	/* the same bytes as the counters' listing, before and now */
	if (!nft_counters_decide(text, n, text, n, l3s[(sel >> 1) % 5],
				 hooks[(sel >> 4) % 6], NULL, &nft)) {
		check_nft(&nft);
		if (nft.by == DROP_NFT_RULE)
			abort();	/* nothing grew between equal listings */
	}
	{
		uint32_t pos, count;

		nft_xt_save_rule(text, n, "filter", "FORWARD", 1 + (sel >> 4),
				 out, sizeof(out), &count);
		check_clean(out, sizeof(out));
		if (!nft_ruleset_position(text, n, "ip", "filter", "FORWARD",
					  1 + (sel >> 4), &pos, &count) &&
		    pos > count)
			abort();
	}
	free(text);
}

static void comment(const uint8_t *d, size_t n)
{
	struct drop_event ev, again;
	char *text = malloc(n ? n : 1), buf[1024];
	struct frame f;
	int len;

	if (!text)
		return;
	memcpy(text, d, n);
	memset(&f, 0, sizeof(f));
	f.comment = text;
	f.comment_len = (uint32_t)n;
	if (drop_event_from_frame(&f, &ev) == 0) {
		check_nft(&ev.nft);
		len = drop_event_comment(&ev, buf, sizeof(buf));
		if (len < 0 || (size_t)len >= sizeof(buf))
			abort();
		f.comment = buf;
		f.comment_len = (uint32_t)len;
		if (drop_event_from_frame(&f, &again))
			abort();
		if (ev.nft.by != DROP_NFT_NONE &&
		    (again.nft.by != ev.nft.by ||
		     again.nft.handle != ev.nft.handle ||
		     strcmp(again.nft.table, ev.nft.table) ||
		     strcmp(again.nft.chain, ev.nft.chain) ||
		     again.nft.xt != ev.nft.xt ||
		     again.nft.xt_num != ev.nft.xt_num))
			abort();
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		comment(data + 1, size - 1);
	else
		listing(data + 1, size - 1, data[0]);
	return 0;
}
