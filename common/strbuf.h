/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A growable output buffer with cheap formatters.  Per-packet output runs
 * millions of times per capture, so lines are built here with hand-rolled
 * number formatting instead of printf, and flushed in large writes.
 * JSON string escaping lives here too, so every JSON writer shares it.
 */
#ifndef DROPSPOT_STRBUF_H
#define DROPSPOT_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
	bool oom;		/* an allocation failed: output is incomplete */
};

void sb_init(struct strbuf *sb);
void sb_free(struct strbuf *sb);
void sb_reset(struct strbuf *sb);
/* Writes the buffer to fp and empties it; returns false on write error. */
bool sb_flush(struct strbuf *sb, FILE *fp);

void sb_putc(struct strbuf *sb, char c);
void sb_put(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_u64(struct strbuf *sb, uint64_t v);
void sb_i64(struct strbuf *sb, int64_t v);
/* v zero-padded to width digits (width <= 20). */
void sb_u64_pad(struct strbuf *sb, uint64_t v, int width);
void sb_hex16(struct strbuf *sb, uint16_t v);	/* "0x0800" */
void sb_mac(struct strbuf *sb, const uint8_t mac[6]);
void sb_ipv4(struct strbuf *sb, const uint8_t a[4]);
void sb_ipv6(struct strbuf *sb, const uint8_t a[16]);	/* RFC 5952 */
/* JSON string literal with quotes and escapes (control bytes as \u00XX,
 * bytes >= 0x80 passed through only when they form valid UTF-8). */
void sb_json_str(struct strbuf *sb, const char *s, size_t n);
void sb_json_cstr(struct strbuf *sb, const char *s);

/*
 * A member of a JSON object being written: `"k":` after a comma, unless
 * *first (the object's first member; cleared).  first NULL: the object
 * already has a member, always a comma.  sb_kv_str writes NULL as "".
 */
void sb_key(struct strbuf *sb, bool *first, const char *k);
void sb_kv_str(struct strbuf *sb, bool *first, const char *k, const char *v);
void sb_kv_u64(struct strbuf *sb, bool *first, const char *k, uint64_t v);
void sb_kv_bool(struct strbuf *sb, bool *first, const char *k, bool v);

#endif /* DROPSPOT_STRBUF_H */
