/* SPDX-License-Identifier: GPL-2.0 */
/* Shared helpers of the dissector unit tests. */
#ifndef TEST_DISSECT_UTIL_H
#define TEST_DISSECT_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "dissect/packet.h"

/*
 * Dissects a heap copy of exactly caplen bytes, so ASan catches any read
 * past the captured bytes.
 */
static inline void dissect_bytes(struct packet *p, int linktype,
				 const unsigned char *b, uint32_t caplen,
				 uint32_t wirelen)
{
	struct frame f;
	unsigned char *copy = malloc(caplen ? caplen : 1);

	memcpy(copy, b, caplen);
	memset(&f, 0, sizeof(f));
	f.data = copy;
	f.caplen = caplen;
	f.wirelen = wirelen;
	f.linktype = linktype;
	/* Poison: dissect_frame must not let anything stale through. */
	memset(p, 0xa5, sizeof(*p));
	dissect_frame(&f, p);
	p->frame = NULL;
	free(copy);
}

#define DISSECT(p, name) \
	dissect_bytes(p, name##_lt, name, sizeof(name), sizeof(name))

static inline int anom_in_quote(const struct packet *p, enum anomaly_kind k,
				int in_quote)
{
	int i;

	for (i = 0; i < p->n_anom; i++)
		if (p->anom[i].kind == k && p->anom[i].in_quote == in_quote)
			return 1;
	return 0;
}

/* Packet building: big-endian 16 bits, and the Internet checksum. */
static inline void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The ones-complement sum of n bytes at b, added to s (not folded). */
static inline uint32_t sum16(const uint8_t *b, uint32_t n, uint32_t s)
{
	uint32_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	return s;
}

/* The checksum field of a sum. */
static inline uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

#endif
