// SPDX-License-Identifier: GPL-2.0
/*
 * Internet checksum (RFC 1071) over captured bytes only, and the IPv4/IPv6
 * pseudo-headers.  Callers decide verifiability: a checksum whose covered
 * bytes were not all captured is "unverifiable", never good or bad.
 */
#include "internal.h"

uint32_t csum_add_bytes(const uint8_t *b, uint32_t n, uint32_t sum)
{
	uint64_t acc = sum;
	uint32_t i;

	for (i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		acc += (uint32_t)b[n - 1] << 8;	/* padded with a zero byte */
	while (acc >> 32)
		acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

bool csum_cursor(const struct cursor *c, uint32_t n, uint32_t *sum)
{
	struct cursor tmp = *c;		/* peeking must not touch the caller */
	const uint8_t *b = cur_peek(&tmp, n);

	if (!b)
		return false;
	*sum = csum_add_bytes(b, n, *sum);
	return true;
}

uint32_t csum_pseudo_v4(const struct l3_info *ip, uint8_t proto, uint32_t len)
{
	uint32_t sum = 0;

	sum = csum_add_bytes(ip->src.a, 4, sum);
	sum = csum_add_bytes(ip->dst.a, 4, sum);
	return sum + proto + (len & 0xffff);
}

uint32_t csum_pseudo_v6(const uint8_t src[16], const uint8_t dst[16],
			uint8_t nh, uint32_t len)
{
	uint32_t sum = 0;

	sum = csum_add_bytes(src, 16, sum);
	sum = csum_add_bytes(dst, 16, sum);
	/* Can't overflow: two 16-byte sums stay far below 2^32. */
	return sum + (len >> 16) + (len & 0xffff) + nh;
}

uint64_t fnv1a64(const uint8_t *b, uint32_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	uint32_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}
