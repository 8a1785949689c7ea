/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one bounds-checked cursor through which every byte read from a file,
 * a ring record or a packet goes (DESIGN.md practice 5).
 *
 * A cursor covers a region of bytes of which `cap` were captured and `wire`
 * existed on the wire (wire >= cap).  Reads never go past `cap`; a failed
 * read returns false, leaves the output zeroed and sets the sticky `short`
 * flag so callers can tell "malformed" from "complete".  Nested headers (the
 * datagram quoted inside an ICMP error, an option, an extension header) get a
 * narrowed sub-cursor so their parser cannot see past their own length.
 *
 * Header-only: it is a leaf utility used by capture/ readers as well as by
 * the dissectors, and it holds no state beyond the struct itself.
 */
#ifndef DROPSPOT_CURSOR_H
#define DROPSPOT_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	const uint8_t *base;	/* first byte of the region */
	uint32_t cap;		/* bytes of the region actually present */
	uint32_t wire;		/* bytes the region had on the wire, >= cap */
	uint32_t off;		/* read position, <= cap */
	bool is_short;		/* a read asked for bytes beyond cap */
};

static inline void cur_init(struct cursor *c, const void *base, uint32_t cap,
			    uint32_t wire)
{
	c->base = base;
	c->cap = base ? cap : 0;
	c->wire = wire < c->cap ? c->cap : wire;
	c->off = 0;
	c->is_short = false;
}

/* Captured bytes left to read. */
static inline uint32_t cur_left(const struct cursor *c)
{
	return c->cap - c->off;
}

/* Bytes left on the wire from the read position (>= cur_left). */
static inline uint32_t cur_wire_left(const struct cursor *c)
{
	return c->wire - c->off;
}

/* True when everything the wire had from here on was captured. */
static inline bool cur_complete(const struct cursor *c)
{
	return c->cap == c->wire;
}

static inline uint32_t cur_offset(const struct cursor *c)
{
	return c->off;
}

static inline bool cur_has(const struct cursor *c, uint32_t n)
{
	return n <= cur_left(c);
}

/*
 * A read-only view of the next n bytes, or NULL if fewer are captured.
 * The pointer is valid only as long as the underlying buffer is.
 */
static inline const uint8_t *cur_peek(struct cursor *c, uint32_t n)
{
	if (!cur_has(c, n)) {
		c->is_short = true;
		return NULL;
	}
	return c->base + c->off;
}

static inline bool cur_skip(struct cursor *c, uint32_t n)
{
	if (!cur_has(c, n)) {
		c->is_short = true;
		c->off = c->cap;
		return false;
	}
	c->off += n;
	return true;
}

static inline bool cur_bytes(struct cursor *c, void *dst, uint32_t n)
{
	const uint8_t *p = cur_peek(c, n);

	if (!p) {
		memset(dst, 0, n);
		c->off = c->cap;
		return false;
	}
	memcpy(dst, p, n);
	c->off += n;
	return true;
}

static inline bool cur_u8(struct cursor *c, uint8_t *v)
{
	return cur_bytes(c, v, 1);
}

static inline bool cur_be16(struct cursor *c, uint16_t *v)
{
	uint8_t b[2];
	bool ok = cur_bytes(c, b, 2);

	*v = (uint16_t)(b[0] << 8 | b[1]);
	return ok;
}

static inline bool cur_be32(struct cursor *c, uint32_t *v)
{
	uint8_t b[4];
	bool ok = cur_bytes(c, b, 4);

	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	     (uint32_t)b[2] << 8 | b[3];
	return ok;
}

static inline bool cur_le16(struct cursor *c, uint16_t *v)
{
	uint8_t b[2];
	bool ok = cur_bytes(c, b, 2);

	*v = (uint16_t)(b[1] << 8 | b[0]);
	return ok;
}

static inline bool cur_le32(struct cursor *c, uint32_t *v)
{
	uint8_t b[4];
	bool ok = cur_bytes(c, b, 4);

	*v = (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 |
	     (uint32_t)b[1] << 8 | b[0];
	return ok;
}

/* Reads in a byte order chosen at run time (capture file headers). */
static inline bool cur_u16_order(struct cursor *c, bool big_endian,
				 uint16_t *v)
{
	return big_endian ? cur_be16(c, v) : cur_le16(c, v);
}

static inline bool cur_u32_order(struct cursor *c, bool big_endian,
				 uint32_t *v)
{
	return big_endian ? cur_be32(c, v) : cur_le32(c, v);
}

/*
 * Narrow: a sub-cursor over the next n bytes *on the wire*, of which only
 * those captured are readable.  The parent advances past what the child
 * covers (as far as it was captured).  Returns false when the n bytes were
 * not all captured (the child is still usable for what is there).
 */
static inline bool cur_narrow(struct cursor *c, uint32_t n, struct cursor *sub)
{
	uint32_t wire = n < cur_wire_left(c) ? n : cur_wire_left(c);
	uint32_t cap = n < cur_left(c) ? n : cur_left(c);

	sub->base = c->base + c->off;
	sub->cap = cap;
	sub->wire = wire;
	sub->off = 0;
	sub->is_short = false;
	c->off += cap;
	return cap == n;
}

/* The rest of the region as a sub-cursor; the parent is left at its end. */
static inline void cur_rest(struct cursor *c, struct cursor *sub)
{
	cur_narrow(c, cur_wire_left(c), sub);
}

#endif /* DROPSPOT_CURSOR_H */
