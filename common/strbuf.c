// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void sb_init(struct strbuf *sb)
{
	memset(sb, 0, sizeof(*sb));
}

void sb_free(struct strbuf *sb)
{
	free(sb->buf);
	sb_init(sb);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
}

static bool sb_reserve(struct strbuf *sb, size_t extra)
{
	size_t need, ncap;
	char *n;

	if (sb->oom)
		return false;
	need = sb->len + extra + 1;
	if (need <= sb->cap)
		return true;
	ncap = sb->cap ? sb->cap : 256;
	while (ncap < need)
		ncap *= 2;
	n = realloc(sb->buf, ncap);
	if (!n) {
		sb->oom = true;
		return false;
	}
	sb->buf = n;
	sb->cap = ncap;
	return true;
}

bool sb_flush(struct strbuf *sb, FILE *fp)
{
	bool ok = true;

	if (sb->len && fwrite(sb->buf, 1, sb->len, fp) != sb->len)
		ok = false;
	sb->len = 0;
	return ok;
}

void sb_put(struct strbuf *sb, const char *s, size_t n)
{
	if (!sb_reserve(sb, n))
		return;
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_putc(struct strbuf *sb, char c)
{
	if (!sb_reserve(sb, 1))
		return;
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

void sb_puts(struct strbuf *sb, const char *s)
{
	sb_put(sb, s, strlen(s));
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !sb_reserve(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void sb_u64_pad(struct strbuf *sb, uint64_t v, int width)
{
	char tmp[24];
	int i = (int)sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i > 0);
	while ((int)sizeof(tmp) - i < width && i > 0)
		tmp[--i] = '0';
	sb_put(sb, tmp + i, sizeof(tmp) - (size_t)i);
}

void sb_u64(struct strbuf *sb, uint64_t v)
{
	sb_u64_pad(sb, v, 1);
}

void sb_i64(struct strbuf *sb, int64_t v)
{
	if (v < 0) {
		sb_putc(sb, '-');
		sb_u64(sb, (uint64_t)0 - (uint64_t)v);
		return;
	}
	sb_u64(sb, (uint64_t)v);
}

static const char hexdig[] = "0123456789abcdef";

void sb_hex16(struct strbuf *sb, uint16_t v)
{
	char t[6] = { '0', 'x', hexdig[v >> 12], hexdig[(v >> 8) & 15],
		      hexdig[(v >> 4) & 15], hexdig[v & 15] };

	sb_put(sb, t, sizeof(t));
}

void sb_mac(struct strbuf *sb, const uint8_t mac[6])
{
	char t[17];
	int i;

	for (i = 0; i < 6; i++) {
		t[i * 3] = hexdig[mac[i] >> 4];
		t[i * 3 + 1] = hexdig[mac[i] & 15];
		if (i < 5)
			t[i * 3 + 2] = ':';
	}
	sb_put(sb, t, sizeof(t));
}

void sb_ipv4(struct strbuf *sb, const uint8_t a[4])
{
	int i;

	for (i = 0; i < 4; i++) {
		if (i)
			sb_putc(sb, '.');
		sb_u64(sb, a[i]);
	}
}

static void sb_hexgroup(struct strbuf *sb, uint16_t g)
{
	char t[4];
	int n = 0, shift;
	bool started = false;

	for (shift = 12; shift >= 0; shift -= 4) {
		unsigned d = (g >> shift) & 15;

		if (d || started || shift == 0) {
			t[n++] = hexdig[d];
			started = true;
		}
	}
	sb_put(sb, t, (size_t)n);
}

void sb_ipv6(struct strbuf *sb, const uint8_t a[16])
{
	uint16_t g[8];
	int i, best = -1, best_len = 0, cur = -1, cur_len = 0;

	for (i = 0; i < 8; i++)
		g[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
	/* RFC 5952: compress the longest run (>= 2) of zero groups, first wins */
	for (i = 0; i < 8; i++) {
		if (g[i] == 0) {
			if (cur < 0) {
				cur = i;
				cur_len = 0;
			}
			if (++cur_len > best_len) {
				best = cur;
				best_len = cur_len;
			}
		} else {
			cur = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	/* IPv4-mapped ::ffff:a.b.c.d keeps the dotted quad */
	if (best == 0 && best_len == 5 && g[5] == 0xffff) {
		sb_puts(sb, "::ffff:");
		sb_ipv4(sb, a + 12);
		return;
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			sb_puts(sb, "::");
			i += best_len - 1;
			continue;
		}
		if (i && i != best + best_len)
			sb_putc(sb, ':');
		sb_hexgroup(sb, g[i]);
	}
}

/* Length of a valid UTF-8 sequence at s (max n bytes), 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

void sb_json_str(struct strbuf *sb, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, seq;

	sb_putc(sb, '"');
	while (i < n) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			sb_putc(sb, '\\');
			sb_putc(sb, (char)c);
		} else if (c == '\n') {
			sb_puts(sb, "\\n");
		} else if (c == '\t') {
			sb_puts(sb, "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			sb_puts(sb, "\\u00");
			sb_putc(sb, hexdig[c >> 4]);
			sb_putc(sb, hexdig[c & 15]);
		} else if (c >= 0x80) {
			seq = utf8_seq_len(s + i, n - i);
			if (!seq) {
				sb_puts(sb, "\\ufffd");	/* invalid byte */
			} else {
				sb_put(sb, (const char *)s + i, seq);
				i += seq;
				continue;
			}
		} else {
			sb_putc(sb, (char)c);
		}
		i++;
	}
	sb_putc(sb, '"');
}

void sb_json_cstr(struct strbuf *sb, const char *s)
{
	if (!s) {
		sb_puts(sb, "null");
		return;
	}
	sb_json_str(sb, s, strlen(s));
}

void sb_key(struct strbuf *sb, bool *first, const char *k)
{
	if (!first || !*first)
		sb_putc(sb, ',');
	if (first)
		*first = false;
	sb_json_cstr(sb, k);
	sb_putc(sb, ':');
}

void sb_kv_str(struct strbuf *sb, bool *first, const char *k, const char *v)
{
	sb_key(sb, first, k);
	sb_json_cstr(sb, v ? v : "");
}

void sb_kv_u64(struct strbuf *sb, bool *first, const char *k, uint64_t v)
{
	sb_key(sb, first, k);
	sb_u64(sb, v);
}

void sb_kv_bool(struct strbuf *sb, bool *first, const char *k, bool v)
{
	sb_key(sb, first, k);
	sb_puts(sb, v ? "true" : "false");
}
