// SPDX-License-Identifier: GPL-2.0
/*
 * Drop events as pcapng comments, both ways (see drop_comment.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cursor.h"
#include "common/drop_event.h"
#include "drop_comment.h"

#define COMMENT_TAG "dropspot-drop"
#define COMMENT_MAX 1024

/* A name as one token of the comment: no spaces, nothing unprintable. */
static void token(char *out, size_t n, const char *in)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < n; i++)
		out[i] = in[i] > ' ' && in[i] < 0x7f ? in[i] : '_';
	if (n)
		out[i < n ? i : n - 1] = '\0';
}

static bool plain_char(char c, bool name)
{
	if (c <= ' ' || c >= 0x7f || c == '%' || c == '=')
		return false;
	return !name || c != ':';
}

/* %XX-escapes in into out (never cut inside an escape). */
static void escape(char *out, size_t n, const char *in, bool name)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;

		if (plain_char((char)c, name)) {
			if (o + 2 > n)
				break;
			out[o++] = (char)c;
		} else {
			if (o + 4 > n)
				break;
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (n)
		out[o < n ? o : n - 1] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The reverse; anything unprintable decoded becomes '_'. */
static void unescape(char *out, size_t n, const char *in, size_t in_len)
{
	size_t i, o = 0;

	if (!n)
		return;
	for (i = 0; i < in_len && in[i] && o + 1 < n; i++) {
		char c = in[i];
		int hi, lo;

		if (c == '%' && i + 2 < in_len && in[i + 1] &&
		    in[i + 2] && (hi = hexval(in[i + 1])) >= 0 &&
		    (lo = hexval(in[i + 2])) >= 0) {
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		out[o++] = (unsigned char)c >= ' ' && (unsigned char)c < 0x7f ?
				   c : '_';
	}
	out[o] = '\0';
}

/* Appends " key=value" only when it fits whole. */
static int append(char *buf, size_t len, int n, const char *piece)
{
	size_t k = strlen(piece);

	if (n < 0 || (size_t)n + k >= len)
		return n;
	memcpy(buf + n, piece, k + 1);
	return n + (int)k;
}

/* The iptables view: "ipt=nft|legacy:N" and the rule line, escaped. */
static int xt_comment(const struct drop_nft *nft, char *buf, size_t len,
		      int n)
{
	char rule[DROP_NFT_RULE_MAX * 3 + 16], piece[40];
	size_t room;

	if (nft->xt != DROP_XT_NFT && nft->xt != DROP_XT_LEGACY)
		return n;
	snprintf(piece, sizeof(piece), " ipt=%s:%u",
		 nft->xt == DROP_XT_LEGACY ? "legacy" : "nft", nft->xt_num);
	n = append(buf, len, n, piece);
	if (!nft->xt_rule[0] || n < 0 || (size_t)n + 16 >= len)
		return n;
	room = len - (size_t)n - sizeof(" ipt_rule=");
	if (room > sizeof(rule) - sizeof(" ipt_rule="))
		room = sizeof(rule) - sizeof(" ipt_rule=");
	memcpy(rule, " ipt_rule=", sizeof(" ipt_rule="));
	escape(rule + sizeof(" ipt_rule=") - 1, room, nft->xt_rule, false);
	return append(buf, len, n, rule);
}

static int nft_comment(const struct drop_nft *nft, char *buf, size_t len,
		       int n)
{
	char table[DROP_NFT_NAME_MAX * 3], chain[DROP_NFT_NAME_MAX * 3];
	char fam[sizeof(nft->family) * 3], hook[sizeof(nft->hook) * 3];
	char piece[DROP_NFT_NAME_MAX * 6 + 96];
	char rule[DROP_NFT_RULE_MAX * 3 + 16];
	size_t room;

	if (nft->by == DROP_NFT_NONE)
		return n;
	/* an unknown name stays empty: "inet:::input:unknown:0" */
	escape(fam, sizeof(fam), nft->family, true);
	escape(hook, sizeof(hook), nft->hook, true);
	escape(table, sizeof(table), nft->table, true);
	escape(chain, sizeof(chain), nft->chain, true);
	snprintf(piece, sizeof(piece), " %s=%s:%s:%s:%s:%s:%llu",
		 nft->xt == DROP_XT_LEGACY ? "xt" : "nft", fam, table,
		 chain, hook, drop_nft_by_name(nft->by),
		 (unsigned long long)nft->handle);
	n = append(buf, len, n, piece);
	if (nft->basis != DROP_NFT_BASIS_KERNEL) {
		snprintf(piece, sizeof(piece), " nft_basis=%s",
			 drop_nft_basis_name(nft->basis));
		n = append(buf, len, n, piece);
	}
	n = xt_comment(nft, buf, len, n);
	if (!nft->rule[0] || n < 0 || (size_t)n + 16 >= len)
		return n;
	/* the text takes what room is left, cut at an escape boundary */
	room = len - (size_t)n - sizeof(" nft_rule=");
	if (room > sizeof(rule) - 1)
		room = sizeof(rule) - 1;
	memcpy(rule, " nft_rule=", sizeof(" nft_rule="));
	escape(rule + sizeof(" nft_rule=") - 1, room, nft->rule, false);
	return append(buf, len, n, rule);
}

int drop_event_comment(const struct drop_event *ev, char *buf, size_t len)
{
	char dev[DROP_DEV_MAX], ns[DROP_NETNS_MAX];
	int n;

	n = snprintf(buf, len,
		     COMMENT_TAG " reason=%s reason_id=%u location=0x%llx "
		     "symbol=%s ifindex=%u netns=%u proto=0x%04x "
		     "pkt_type=%u flags=0x%x",
		     ev->reason_name[0] ? ev->reason_name : "?", ev->reason,
		     (unsigned long long)ev->location,
		     ev->symbol[0] ? ev->symbol : "?", ev->ifindex,
		     ev->netns_ino, ev->protocol, ev->pkt_type, ev->flags);
	if (n < 0 || (size_t)n >= len)
		return n;
	if (ev->dev[0]) {
		token(dev, sizeof(dev), ev->dev);
		token(ns, sizeof(ns), ev->dev_netns);
		n += snprintf(buf + n, len - (size_t)n, " dev=%s%s%s", dev,
			      ns[0] ? " devns=" : "", ns);
		if (n < 0 || (size_t)n >= len)
			return n;
	}
	return nft_comment(&ev->nft, buf, len, n);
}

/* Copies a value into a fixed field; values never contain spaces. */
static void set_str(char *dst, size_t len, const char *v)
{
	snprintf(dst, len, "%s", v);
}

static bool set_num(const char *v, unsigned long long max,
		    unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(v, &end, 0);
	return !errno && end != v && *end == '\0' && *out <= max;
}

/* "family:table:chain:hook:by:handle", each name %XX-escaped. */
static int parse_nft(struct drop_nft *nft, const char *v)
{
	const char *f[6];
	size_t l[6];
	unsigned long long h;
	char num[24], by[12];
	int i;

	for (i = 0; i < 6; i++) {
		const char *c = i < 5 ? strchr(v, ':') : v + strlen(v);

		if (!c)
			return -EINVAL;
		f[i] = v;
		l[i] = (size_t)(c - v);
		v = c + (i < 5 ? 1 : 0);
	}
	if (l[5] == 0 || l[5] >= sizeof(num) || l[4] >= sizeof(by))
		return -EINVAL;
	memcpy(num, f[5], l[5]);
	num[l[5]] = '\0';
	if (!set_num(num, UINT64_MAX, &h))
		return -EINVAL;
	memcpy(by, f[4], l[4]);
	by[l[4]] = '\0';
	if (!strcmp(by, "rule"))
		nft->by = DROP_NFT_RULE;
	else if (!strcmp(by, "policy"))
		nft->by = DROP_NFT_POLICY;
	else
		nft->by = DROP_NFT_UNKNOWN;
	nft->handle = h;
	unescape(nft->family, sizeof(nft->family), f[0], l[0]);
	unescape(nft->table, sizeof(nft->table), f[1], l[1]);
	unescape(nft->chain, sizeof(nft->chain), f[2], l[2]);
	unescape(nft->hook, sizeof(nft->hook), f[3], l[3]);
	return 0;
}

/* "nft:N" or "legacy:N"; anything else leaves the iptables view out. */
static void parse_ipt(struct drop_nft *nft, const char *v)
{
	unsigned long long num;
	const char *c = strchr(v, ':');
	uint8_t xt;

	if (!c)
		return;
	if ((size_t)(c - v) == 3 && !memcmp(v, "nft", 3))
		xt = DROP_XT_NFT;
	else if ((size_t)(c - v) == 6 && !memcmp(v, "legacy", 6))
		xt = DROP_XT_LEGACY;
	else
		return;
	if (!set_num(c + 1, UINT32_MAX, &num))
		return;
	/* an xt= seen first already said legacy: keep it */
	if (nft->xt != DROP_XT_LEGACY)
		nft->xt = xt;
	nft->xt_num = (uint32_t)num;
}

static int parse_pair(struct drop_event *ev, const char *key, const char *v)
{
	unsigned long long n;

	if (strcmp(key, "reason") == 0) {
		set_str(ev->reason_name, sizeof(ev->reason_name), v);
		return 0;
	}
	if (strcmp(key, "symbol") == 0) {
		set_str(ev->symbol, sizeof(ev->symbol), v);
		return 0;
	}
	if (strcmp(key, "dev") == 0) {
		set_str(ev->dev, sizeof(ev->dev), v);
		return 0;
	}
	if (strcmp(key, "devns") == 0) {
		set_str(ev->dev_netns, sizeof(ev->dev_netns), v);
		return 0;
	}
	/* a malformed attribution is dropped, the drop itself kept */
	if (strcmp(key, "nft") == 0 || strcmp(key, "xt") == 0) {
		if (parse_nft(&ev->nft, v))
			memset(&ev->nft, 0, sizeof(ev->nft));
		else if (key[0] == 'x')
			ev->nft.xt = DROP_XT_LEGACY;
		return 0;
	}
	if (strcmp(key, "ipt") == 0) {
		parse_ipt(&ev->nft, v);
		return 0;
	}
	if (strcmp(key, "ipt_rule") == 0) {
		unescape(ev->nft.xt_rule, sizeof(ev->nft.xt_rule), v,
			 strlen(v));
		return 0;
	}
	if (strcmp(key, "nft_basis") == 0) {
		ev->nft.basis = (uint8_t)drop_nft_basis_of(v);
		return 0;
	}
	if (strcmp(key, "nft_rule") == 0) {
		unescape(ev->nft.rule, sizeof(ev->nft.rule), v, strlen(v));
		return 0;
	}
	if (strcmp(key, "location") == 0) {
		if (!set_num(v, UINT64_MAX, &n))
			return -EINVAL;
		ev->location = n;
	} else if (strcmp(key, "reason_id") == 0) {
		if (!set_num(v, UINT32_MAX, &n))
			return -EINVAL;
		ev->reason = (uint32_t)n;
	} else if (strcmp(key, "ifindex") == 0) {
		if (!set_num(v, UINT32_MAX, &n))
			return -EINVAL;
		ev->ifindex = (uint32_t)n;
	} else if (strcmp(key, "netns") == 0) {
		if (!set_num(v, UINT32_MAX, &n))
			return -EINVAL;
		ev->netns_ino = (uint32_t)n;
	} else if (strcmp(key, "proto") == 0) {
		if (!set_num(v, UINT16_MAX, &n))
			return -EINVAL;
		ev->protocol = (uint16_t)n;
	} else if (strcmp(key, "pkt_type") == 0) {
		if (!set_num(v, UINT8_MAX, &n))
			return -EINVAL;
		ev->pkt_type = (uint8_t)n;
	} else if (strcmp(key, "flags") == 0) {
		if (!set_num(v, UINT8_MAX, &n))
			return -EINVAL;
		ev->flags = (uint8_t)n;
	}
	/* Unknown keys: written by a newer dropspot, ignored. */
	return 0;
}

static int parse_comment(struct drop_event *ev, const char *comment,
			 uint32_t comment_len)
{
	char text[COMMENT_MAX], *save = NULL, *tok, *eq;
	bool tagged = false;
	int err;

	if (!comment || comment_len == 0 || comment_len >= sizeof(text))
		return -EINVAL;
	memcpy(text, comment, comment_len);
	text[comment_len] = '\0';
	for (tok = strtok_r(text, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (!tagged) {
			if (strcmp(tok, COMMENT_TAG) != 0)
				return -EINVAL;
			tagged = true;
			continue;
		}
		eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = '\0';
		err = parse_pair(ev, tok, eq + 1);
		if (err)
			return err;
	}
	return tagged ? 0 : -EINVAL;
}

int drop_event_from_frame(const struct frame *f, struct drop_event *ev)
{
	struct cursor c;
	uint32_t cap;
	int err;

	memset(ev, 0, sizeof(*ev));
	err = parse_comment(ev, f->comment, f->comment_len);
	if (err)
		return err;
	ev->ts_ns = f->ts_ns;
	if (f->linktype != LINKTYPE_LINUX_SLL2)
		return 0;
	cur_init(&c, f->data, f->caplen, f->wirelen);
	if (!cur_skip(&c, DROP_SLL2_HLEN))
		return 0;
	ev->wire_len = cur_wire_left(&c);
	cap = cur_left(&c);
	if (cap > DROP_DATA_MAX)
		cap = DROP_DATA_MAX;
	cur_bytes(&c, ev->data, cap);
	ev->cap_len = cap;
	return 0;
}
