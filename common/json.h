/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small, bounded JSON parser (RFC 8259) for reading reports back
 * (`dropspot diff`).  Its input is hostile: any file a user points at.  So
 * it is strict (no trailing commas, no comments, no NUL in strings, valid
 * UTF-8 only), nesting is capped at JSON_MAX_DEPTH, and every node lives in
 * one arena freed at once, whose size is bounded by the input's length.
 * Errors carry the byte offset, so a truncated file says where it ends.
 */
#ifndef DROPSPOT_JSON_H
#define DROPSPOT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 64
#define JSON_MAX_INPUT (16u << 20)	/* bytes; a report is far smaller */
#define JSON_MAX_NODES (1u << 20)	/* values, so memory stays bounded */

enum json_type {
	JSON_NULL = 0,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	bool boolean;
	bool is_u64;		/* a non-negative integer that fits u64 */
	uint64_t u64;		/* exact, when is_u64 */
	double num;		/* any number */
	const char *str;	/* string value, NUL-terminated, UTF-8 */
	size_t len;		/* string bytes / array or object members */
	const char *key;	/* member name inside an object, else NULL */
	struct json *child;	/* first member (arrays, objects) */
	struct json *next;	/* next member of the parent */
};

struct json_doc;

/*
 * Parses text[0..len).  Returns the document (root: json_root()), or NULL
 * with a one-line message in err: "malformed JSON at byte N: what".
 */
struct json_doc *json_parse(const char *text, size_t len, char *err,
			    size_t errlen);
void json_free(struct json_doc *d);
const struct json *json_root(const struct json_doc *d);

/* The first member named key of an object; NULL if absent or not object. */
const struct json *json_get(const struct json *obj, const char *key);
const char *json_type_name(enum json_type t);

/*
 * Length of the valid UTF-8 sequence at s (avail bytes left, lead byte >=
 * 0x80), or 0: overlong forms, surrogates and beyond U+10FFFF are not.
 */
size_t utf8_seq(const unsigned char *s, size_t avail);

#endif /* DROPSPOT_JSON_H */
