// SPDX-License-Identifier: GPL-2.0
/*
 * The host-state snapshot as data: a bounded list of (netns, key, value)
 * items, its saved form and the parser that reads the saved form back.
 * The parser sees untrusted bytes (a file from anywhere): it walks them
 * through a cursor, caps every field and the item count, and replaces
 * control bytes, so nothing it returns can break a report line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cursor.h"
#include "common/hoststate.h"

void hs_init(struct host_state *hs)
{
	memset(hs, 0, sizeof(*hs));
}

void hs_free(struct host_state *hs)
{
	free(hs->items);
	hs_init(hs);
}

/* A tab or newline would split the saved line: every control byte goes. */
static void copy_clean(char *dst, size_t cap, const char *src, size_t len)
{
	size_t i;

	if (len >= cap)
		len = cap - 1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	dst[len] = 0;
}

static struct hs_item *find(const struct host_state *hs, const char *netns,
			    const char *key)
{
	uint32_t i;

	for (i = 0; i < hs->n; i++)
		if (!strcmp(hs->items[i].key, key) &&
		    !strcmp(hs->items[i].netns, netns))
			return &hs->items[i];
	return NULL;
}

static struct hs_item *slot(struct host_state *hs, const char *netns,
			    const char *key)
{
	struct hs_item *it = find(hs, netns, key), *n;
	uint32_t cap;

	if (it)
		return it;
	if (hs->n >= HS_MAX_ITEMS) {
		hs->dropped++;
		return NULL;
	}
	if (hs->n == hs->cap) {
		cap = hs->cap ? hs->cap * 2 : 64;
		if (cap > HS_MAX_ITEMS)
			cap = HS_MAX_ITEMS;
		n = realloc(hs->items, cap * sizeof(*n));
		if (!n)
			return NULL;
		hs->items = n;
		hs->cap = cap;
	}
	it = &hs->items[hs->n++];
	copy_clean(it->netns, sizeof(it->netns), netns, strlen(netns));
	copy_clean(it->key, sizeof(it->key), key, strlen(key));
	it->value[0] = 0;
	return it;
}

int hs_set(struct host_state *hs, const char *netns, const char *key,
	   const char *fmt, ...)
{
	char buf[HS_VALUE_MAX];
	struct hs_item *it;
	va_list ap;

	it = slot(hs, netns ? netns : "", key);
	if (!it)
		return hs->n >= HS_MAX_ITEMS ? -ENOSPC : -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	copy_clean(it->value, sizeof(it->value), buf, strlen(buf));
	return 0;
}

const char *hs_get(const struct host_state *hs, const char *netns,
		   const char *key)
{
	const struct hs_item *it = hs ? find(hs, netns ? netns : "", key) : NULL;

	return it ? it->value : NULL;
}

int hs_merge(struct host_state *dst, const struct host_state *src)
{
	uint32_t i;
	int ret;

	for (i = 0; i < src->n; i++) {
		ret = hs_set(dst, src->items[i].netns, src->items[i].key, "%s",
			     src->items[i].value);
		if (ret)
			return ret;
	}
	return 0;
}

int hs_serialize(const struct host_state *hs, char **out, size_t *len)
{
	FILE *fp;
	uint32_t i;

	*out = NULL;
	*len = 0;
	fp = open_memstream(out, len);
	if (!fp)
		return -ENOMEM;
	fputs(HS_MAGIC, fp);
	for (i = 0; i < hs->n; i++)
		fprintf(fp, "%s\t%s\t%s\n", hs->items[i].netns,
			hs->items[i].key, hs->items[i].value);
	if (fclose(fp)) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

/*
 * One "netns<TAB>key<TAB>value" line (without its newline): false when it
 * does not have the three fields or the key is empty.  Longer fields are
 * cut at their caps, as the writer cut them.
 */
static bool parse_line(struct host_state *hs, const uint8_t *p, size_t n)
{
	const uint8_t *t1 = memchr(p, '\t', n), *t2;
	char ns[HS_NETNS_MAX], key[HS_KEY_MAX], val[HS_VALUE_MAX];

	if (!t1)
		return false;
	t2 = memchr(t1 + 1, '\t', n - (size_t)(t1 + 1 - p));
	if (!t2 || t2 == t1 + 1)
		return false;
	copy_clean(ns, sizeof(ns), (const char *)p, (size_t)(t1 - p));
	copy_clean(key, sizeof(key), (const char *)t1 + 1,
		   (size_t)(t2 - t1 - 1));
	copy_clean(val, sizeof(val), (const char *)t2 + 1,
		   n - (size_t)(t2 + 1 - p));
	return hs_set(hs, ns, key, "%s", val) == 0;
}

int hs_parse(struct host_state *hs, const uint8_t *data, size_t len)
{
	const size_t mlen = sizeof(HS_MAGIC) - 1;
	struct cursor c;
	unsigned int lines = 0;

	if (len > HS_MAX_BYTES)
		len = HS_MAX_BYTES;
	cur_init(&c, data, (uint32_t)len, (uint32_t)len);
	if (!cur_has(&c, mlen) || memcmp(cur_peek(&c, mlen), HS_MAGIC, mlen))
		return -EINVAL;
	cur_skip(&c, mlen);
	/* every line consumes at least one byte, and lines are capped too */
	while (cur_left(&c) && lines++ < 2 * HS_MAX_ITEMS) {
		const uint8_t *p = cur_peek(&c, cur_left(&c));
		const uint8_t *nl = memchr(p, '\n', cur_left(&c));
		uint32_t n = nl ? (uint32_t)(nl - p) : cur_left(&c);

		if (n && !parse_line(hs, p, n))
			hs->dropped++;
		cur_skip(&c, nl ? n + 1 : n);
	}
	return 0;
}
