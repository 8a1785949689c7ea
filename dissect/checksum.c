// SPDX-License-Identifier: GPL-2.0
/*
 * Internet checksum (RFC 1071) over captured bytes only, and the IPv4/IPv6
 * pseudo-headers.  Callers decide verifiability: a checksum whose covered
 * bytes were not all captured is "unverifiable", never good or bad.
 *
 * Both the checksum and the echo fingerprint run on every ICMP frame, so
 * they read 8 bytes at a time (memcpy loads: no alignment assumed, one
 * mov each on the machines we run on).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static inline uint64_t load64(const uint8_t *b)
{
	uint64_t v;

	memcpy(&v, b, 8);
	return v;
}

static inline uint32_t load32(const uint8_t *b)
{
	uint32_t v;

	memcpy(&v, b, 4);
	return v;
}

/*
 * RFC 1071 section 2(B): the ones-complement sum does not depend on byte
 * order as long as the result is swapped back, and (C) it may be
 * accumulated in wider words with the carries added back in.  So the
 * bytes are summed as native 64-bit words with an end-around carry, folded
 * to 16 bits, and swapped to network order once on little-endian hosts.
 */
uint32_t csum_add_bytes(const uint8_t *b, uint32_t n, uint32_t sum)
{
	uint64_t acc = 0, w;
	uint32_t s;

	while (n >= 32) {
		uint64_t w0 = load64(b), w1 = load64(b + 8);
		uint64_t w2 = load64(b + 16), w3 = load64(b + 24);

		acc += w0;
		acc += acc < w0;
		acc += w1;
		acc += acc < w1;
		acc += w2;
		acc += acc < w2;
		acc += w3;
		acc += acc < w3;
		b += 32;
		n -= 32;
	}
	while (n >= 8) {
		w = load64(b);
		acc += w;
		acc += acc < w;
		b += 8;
		n -= 8;
	}
	/* the tail, at most 7 bytes, goes in as 32-bit words: no overflow */
	if (n >= 4) {
		acc += load32(b);
		acc += acc < load32(b);
		b += 4;
		n -= 4;
	}
	w = 0;
	if (n >= 2) {
		uint16_t h;

		memcpy(&h, b, 2);
		w = h;
		b += 2;
		n -= 2;
	}
	if (n) {
		/* the odd byte is padded with a zero byte after it */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		w += b[0];
#else
		w += (uint32_t)b[0] << 8;
#endif
	}
	acc += w;
	acc += acc < w;
	/* 64 -> 32 -> 16 bits, end-around carries kept */
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	s = (uint32_t)acc;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = (uint16_t)(s << 8 | s >> 8);
#endif
	/* callers fold: a 16-bit addend cannot overflow a running 32-bit sum */
	s += sum;
	if (s < sum)
		s += 1;
	return s;
}

uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

bool csum_cursor(const struct cursor *c, uint32_t n, uint32_t *sum)
{
	/* the bounds are checked once; the span is then summed in place */
	const uint8_t *b = cur_span(c, n);

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
	/* Can't overflow: two folded 16-bit sums stay far below 2^32. */
	return sum + (len >> 16) + (len & 0xffff) + nh;
}

/*
 * The echo fingerprint: 64 bits, 16 bytes per step.  The construction is
 * wyhash's (Wang Yi, public domain, github.com/wangyi-fudan/wyhash): a
 * 64x64->128-bit multiply whose halves are xored ("mum") mixes two words
 * with the running state, and the length is mixed in at the end so that
 * the overlapping tail loads cannot make two lengths collide.  The four
 * constants are wyhash's _wyp[] secret (odd, half the bits set in each
 * byte); this is not bit-compatible with wyhash and need not be: the value
 * never leaves the process (nothing writes it to a report or file).
 */
#define EH_P0 0x2d358dccaa6c78a5ULL
#define EH_P1 0x8bb84b93962eacc9ULL
#define EH_P2 0x4b33a62ed433d4a3ULL
#define EH_P3 0x4d5a2da51de1aa47ULL

static inline uint64_t mum(uint64_t a, uint64_t b)
{
	unsigned __int128 r = (unsigned __int128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint64_t echo_hash64(const uint8_t *b, uint32_t n)
{
	uint64_t seed = EH_P0 ^ mum(n ^ EH_P1, EH_P2);
	uint64_t a = 0, c = 0;
	uint32_t left = n;

	while (left > 16) {
		seed = mum(load64(b) ^ EH_P1, load64(b + 8) ^ seed);
		b += 16;
		left -= 16;
	}
	/* 1..16 bytes left (0 only when n is 0): two possibly overlapping loads */
	if (left >= 8) {
		a = load64(b);
		c = load64(b + left - 8);
	} else if (left >= 4) {
		a = load32(b);
		c = load32(b + left - 4);
	} else if (left) {
		a = (uint64_t)b[0] << 16 | (uint64_t)b[left >> 1] << 8 |
		    b[left - 1];
	}
	a ^= EH_P1;
	c ^= seed;
	return mum(mum(a, c) ^ EH_P3, (uint64_t)n ^ EH_P0);
}

/*
 * The byte-at-a-time FNV-1a 64 the fingerprint used to be, kept as the
 * reference: DROPSPOT_REFERENCE_HASH=1 in the environment selects it, so
 * that a test can check that reports do not depend on the hash.
 */
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

static int use_reference = -1;	/* unknown until the first echo */

uint64_t dissect_echo_hash(const uint8_t *b, uint32_t n)
{
	int ref = __atomic_load_n(&use_reference, __ATOMIC_RELAXED);

	if (__builtin_expect(ref < 0, 0)) {
		const char *v = getenv("DROPSPOT_REFERENCE_HASH");

		/* threads racing here all compute the same value */
		ref = v && *v && strcmp(v, "0") != 0;
		__atomic_store_n(&use_reference, ref, __ATOMIC_RELAXED);
	}
	return ref ? fnv1a64(b, n) : echo_hash64(b, n);
}
