// SPDX-License-Identifier: GPL-2.0
/*
 * Strict recursive-descent JSON parser over a bounded buffer.  Every read
 * goes through peek()/next(), which check the end, so a truncated document
 * is an error at its length, never a read past it.  Recursion is bounded by
 * JSON_MAX_DEPTH, the node count by JSON_MAX_NODES, and string bytes by the
 * input's length (a decoded string is never longer than its source).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define ARENA_BLOCK (64u << 10)

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	/* payload follows, aligned for any node */
	_Alignas(max_align_t) unsigned char data[];
};

struct json_doc {
	struct arena_block *blocks;
	struct json *root;
};

struct parser {
	const char *s;
	size_t len, pos;
	size_t nodes;
	struct json_doc *doc;
	char *err;
	size_t errlen;
	bool failed;
};

static void *arena_alloc(struct json_doc *d, size_t n)
{
	struct arena_block *b = d->blocks;
	size_t cap;

	n = (n + 15) & ~(size_t)15;
	if (!b || b->cap - b->used < n) {
		cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->cap = cap;
		b->used = 0;
		b->next = d->blocks;
		d->blocks = b;
	}
	b->used += n;
	return b->data + b->used - n;
}

/* Only the first error counts: later ones are consequences. */
static void fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail(struct parser *p, const char *fmt, ...)
{
	char what[128];
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (p->pos >= p->len)
		snprintf(p->err, p->errlen,
			 "malformed JSON: unexpected end at byte %zu (%s)",
			 p->len, what);
	else
		snprintf(p->err, p->errlen, "malformed JSON at byte %zu: %s",
			 p->pos, what);
}

static int peek(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static void skip_ws(struct parser *p)
{
	int c;

	while ((c = peek(p)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		p->pos++;
}

static bool expect_lit(struct parser *p, const char *lit)
{
	size_t n = strlen(lit);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, lit, n)) {
		fail(p, "invalid literal (expected %s)", lit);
		return false;
	}
	p->pos += n;
	return true;
}

static struct json *new_node(struct parser *p, enum json_type t)
{
	struct json *v;

	if (++p->nodes > JSON_MAX_NODES) {
		fail(p, "more than %u values", JSON_MAX_NODES);
		return NULL;
	}
	v = arena_alloc(p->doc, sizeof(*v));
	if (!v) {
		fail(p, "out of memory");
		return NULL;
	}
	memset(v, 0, sizeof(*v));
	v->type = t;
	return v;
}

static int hex4(struct parser *p, uint32_t *out)
{
	uint32_t v = 0;
	int i, c;

	for (i = 0; i < 4; i++) {
		c = peek(p);
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else {
			fail(p, "bad \\u escape");
			return -1;
		}
		v = v << 4 | (uint32_t)c;
		p->pos++;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* \uXXXX (after the backslash and u), with surrogate pairs; 0 on error. */
static size_t unicode_escape(struct parser *p, char *o)
{
	uint32_t cp, lo;

	if (hex4(p, &cp))
		return 0;
	if (cp >= 0xdc00 && cp <= 0xdfff) {
		fail(p, "lone low surrogate");
		return 0;
	}
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (!expect_lit(p, "\\u") || hex4(p, &lo))
			return 0;
		if (lo < 0xdc00 || lo > 0xdfff) {
			fail(p, "high surrogate without low surrogate");
			return 0;
		}
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (!cp) {
		/* values are C strings: an embedded NUL would cut them */
		fail(p, "\\u0000 in a string");
		return 0;
	}
	return put_utf8(o, cp);
}

size_t utf8_seq(const unsigned char *s, size_t avail)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and beyond U+10FFFF are not UTF-8 */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static int escape_char(int c)
{
	switch (c) {
	case '"': return '"';
	case '\\': return '\\';
	case '/': return '/';
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	}
	return -1;
}

/*
 * The string at p->pos (on the opening quote).  The decoded form is never
 * longer than the source (an escape of 6 or 12 bytes gives at most 4), so
 * the output buffer is sized by the remaining input, found first.
 */
static const char *parse_string(struct parser *p, size_t *out_len)
{
	size_t start = ++p->pos, end = start, n = 0, k;
	char *o;
	int c;

	while (end < p->len && p->s[end] != '"')
		end += p->s[end] == '\\' ? 2 : 1;
	if (end > p->len)
		end = p->len;
	o = arena_alloc(p->doc, end - start + 1);
	if (!o) {
		fail(p, "out of memory");
		return NULL;
	}
	for (;;) {
		c = peek(p);
		if (c < 0) {
			fail(p, "unterminated string");
			return NULL;
		}
		if (c == '"')
			break;
		if (c < 0x20) {
			fail(p, "control character in a string");
			return NULL;
		}
		if (c == '\\') {
			p->pos++;
			c = peek(p);
			if (c == 'u') {
				p->pos++;
				k = unicode_escape(p, o + n);
				if (!k)
					return NULL;
				n += k;
				continue;
			}
			c = escape_char(c);
			if (c < 0) {
				fail(p, "bad escape in a string");
				return NULL;
			}
			o[n++] = (char)c;
			p->pos++;
			continue;
		}
		if (c >= 0x80) {
			k = utf8_seq((const unsigned char *)p->s + p->pos,
				     p->len - p->pos);
			if (!k) {
				fail(p, "invalid UTF-8 in a string");
				return NULL;
			}
			memcpy(o + n, p->s + p->pos, k);
			n += k;
			p->pos += k;
			continue;
		}
		o[n++] = (char)c;
		p->pos++;
	}
	p->pos++;
	o[n] = 0;
	*out_len = n;
	return o;
}

static size_t skip_digits(struct parser *p)
{
	size_t n = 0;

	while (peek(p) >= '0' && peek(p) <= '9') {
		p->pos++;
		n++;
	}
	return n;
}

static struct json *parse_number(struct parser *p)
{
	size_t start = p->pos, n;
	bool integer = true, neg = false;
	char buf[64];
	struct json *v;
	char *end;

	if (peek(p) == '-') {
		neg = true;
		p->pos++;
	}
	if (peek(p) == '0') {
		p->pos++;
	} else if (!skip_digits(p)) {
		fail(p, "invalid number");
		return NULL;
	}
	if (peek(p) == '.') {
		integer = false;
		p->pos++;
		if (!skip_digits(p)) {
			fail(p, "digits expected after '.'");
			return NULL;
		}
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		integer = false;
		p->pos++;
		if (peek(p) == '+' || peek(p) == '-')
			p->pos++;
		if (!skip_digits(p)) {
			fail(p, "digits expected in the exponent");
			return NULL;
		}
	}
	n = p->pos - start;
	if (n >= sizeof(buf)) {
		fail(p, "number longer than %zu characters", sizeof(buf) - 1);
		return NULL;
	}
	v = new_node(p, JSON_NUMBER);
	if (!v)
		return NULL;
	memcpy(buf, p->s + start, n);
	buf[n] = 0;
	v->num = strtod(buf, NULL);
	if (!isfinite(v->num)) {
		fail(p, "number out of range");
		return NULL;
	}
	if (integer && !neg) {
		errno = 0;
		v->u64 = strtoull(buf, &end, 10);
		v->is_u64 = !errno && !*end;
	}
	return v;
}

static struct json *parse_value(struct parser *p, unsigned depth);

/* Arrays and objects: members chained in order; key NULL for arrays. */
static struct json *parse_container(struct parser *p, unsigned depth,
				    bool object)
{
	struct json *v = new_node(p, object ? JSON_OBJECT : JSON_ARRAY);
	struct json **tail, *m;
	const char *key = NULL;
	char close = object ? '}' : ']';
	size_t klen;

	if (!v)
		return NULL;
	if (depth >= JSON_MAX_DEPTH) {
		fail(p, "nested deeper than %d", JSON_MAX_DEPTH);
		return NULL;
	}
	tail = &v->child;
	p->pos++;
	skip_ws(p);
	if (peek(p) == close) {
		p->pos++;
		return v;
	}
	for (;;) {
		skip_ws(p);
		if (object) {
			if (peek(p) != '"') {
				fail(p, "member name expected");
				return NULL;
			}
			key = parse_string(p, &klen);
			if (!key)
				return NULL;
			skip_ws(p);
			if (peek(p) != ':') {
				fail(p, "':' expected");
				return NULL;
			}
			p->pos++;
		}
		m = parse_value(p, depth + 1);
		if (!m)
			return NULL;
		m->key = key;
		*tail = m;
		tail = &m->next;
		v->len++;
		skip_ws(p);
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == close) {
			p->pos++;
			return v;
		}
		fail(p, "',' or '%c' expected", close);
		return NULL;
	}
}

static struct json *parse_value(struct parser *p, unsigned depth)
{
	struct json *v = NULL;
	int c;

	skip_ws(p);
	c = peek(p);
	switch (c) {
	case '{':
	case '[':
		return parse_container(p, depth, c == '{');
	case '"':
		v = new_node(p, JSON_STRING);
		if (v && !(v->str = parse_string(p, &v->len)))
			v = NULL;
		return v;
	case 't':
	case 'f':
		if (!expect_lit(p, c == 't' ? "true" : "false"))
			return NULL;
		v = new_node(p, JSON_BOOL);
		if (v)
			v->boolean = c == 't';
		return v;
	case 'n':
		if (!expect_lit(p, "null"))
			return NULL;
		return new_node(p, JSON_NULL);
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return parse_number(p);
	fail(p, c < 0 ? "value expected" : "unexpected character");
	return NULL;
}

struct json_doc *json_parse(const char *text, size_t len, char *err,
			    size_t errlen)
{
	struct parser p = {
		.s = text, .len = len, .err = err, .errlen = errlen,
	};
	struct json_doc *d;

	if (errlen)
		err[0] = 0;
	if (len > JSON_MAX_INPUT) {
		snprintf(err, errlen, "JSON document larger than %u bytes",
			 JSON_MAX_INPUT);
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p.doc = d;
	/* a UTF-8 byte order mark is tolerated, as editors write one */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		p.pos = 3;
	d->root = parse_value(&p, 0);
	if (d->root) {
		skip_ws(&p);
		if (p.pos != p.len)
			fail(&p, "trailing data after the document");
	}
	if (p.failed || !d->root) {
		json_free(d);
		return NULL;
	}
	return d;
}

void json_free(struct json_doc *d)
{
	struct arena_block *b, *n;

	if (!d)
		return;
	for (b = d->blocks; b; b = n) {
		n = b->next;
		free(b);
	}
	free(d);
}

const struct json *json_root(const struct json_doc *d)
{
	return d->root;
}

const struct json *json_get(const struct json *obj, const char *key)
{
	const struct json *m;

	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (m = obj->child; m; m = m->next)
		if (!strcmp(m->key, key))
			return m;
	return NULL;
}

const char *json_type_name(enum json_type t)
{
	switch (t) {
	case JSON_NULL: return "null";
	case JSON_BOOL: return "boolean";
	case JSON_NUMBER: return "number";
	case JSON_STRING: return "string";
	case JSON_ARRAY: return "array";
	case JSON_OBJECT: return "object";
	}
	return "?";
}
