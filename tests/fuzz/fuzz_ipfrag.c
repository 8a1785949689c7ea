// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for IP reassembly (dissect/ipfrag.c).  Random bytes
 * almost never form two fragments of one datagram, so most of the input
 * drives a builder of well-formed fragments whose offsets, lengths, ids,
 * points, flags, snap lengths and times the fuzzer chooses; raw records
 * put arbitrary bytes behind an Ethernet header for the header parsers.
 *
 *   byte 0      bit 0 IPv6, bits 1-2 IPv6 extension headers before the
 *               fragment header, bits 3-4 small limits
 *   records     op: bit 7 raw; else bit 0-1 id, bit 2 point, bit 4 MF,
 *               bit 5 snapped, bit 6 ten seconds later
 *               structured: be16 offset, be16 length, then data bytes
 *               raw: length/8 byte, then that many bytes
 *
 * Every frame handed out is copied to a buffer of exactly its size (ASan
 * sees overreads), dissected and checked; the table's byte count must stay
 * within its bound and be zero once everything expired.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/ipfrag.h"
#include "dissect/packet.h"

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t take8(struct in *in)
{
	uint8_t v = 0;

	if (in->n) {
		v = in->p[0];
		in->p++;
		in->n--;
	}
	return v;
}

static uint16_t take16(struct in *in)
{
	uint16_t hi = take8(in);

	return (uint16_t)(hi << 8 | take8(in));
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static uint8_t frame_buf[14 + 40 + 3 * 8 + 8 + 65536];

/* Ethernet + IPv4/IPv6 fragment header(s) for the chosen fragment. */
static size_t build(bool v6, int n_ext, uint8_t op, uint16_t off,
		    uint16_t len)
{
	uint8_t *b = frame_buf;
	size_t n = 14;
	int i;

	memset(b, 0, 14);
	b[0] = 2;
	b[6] = 2;
	b[11] = op & 4;
	put16(b + 12, v6 ? 0x86dd : 0x0800);
	if (!v6) {
		memset(b + n, 0, 20);
		b[n] = 0x45;
		put16(b + n + 2, (uint16_t)(20 + (len > 65515 ? 65515 : len)));
		put16(b + n + 4, op & 3);
		put16(b + n + 6, (uint16_t)(((op & 0x10) ? 0x2000 : 0) |
					    (off & 0x1fff)));
		b[n + 8] = 64;
		b[n + 9] = 1;
		b[n + 15] = 1;
		b[n + 19] = 2;
		return n + 20;
	}
	memset(b + n, 0, 40 + (size_t)n_ext * 8 + 8);
	b[n] = 0x60;
	put16(b + n + 4, (uint16_t)(n_ext * 8 + 8 + len));
	b[n + 7] = 64;
	b[n + 23] = 1;
	b[n + 39] = 2;
	b[n + 6] = n_ext ? 0 : 44;
	n += 40;
	for (i = 0; i < n_ext; i++) {
		static const uint8_t next[3] = { 60, 43, 44 };

		b[n] = i + 1 < n_ext ? next[i] : 44;
		n += 8;
	}
	b[n] = 58;
	put16(b + n + 2, (uint16_t)((off & 0xfff8) | ((op & 0x10) ? 1 : 0)));
	b[n + 7] = op & 3;
	return n + 8;
}

static void check_out(const struct frame *out)
{
	static struct packet p;
	struct frame f = *out;
	uint8_t *copy;

	if (out->caplen > out->wirelen || out->wirelen > sizeof(frame_buf) ||
	    out->point > 1)
		abort();
	copy = malloc(out->caplen ? out->caplen : 1);
	if (!copy)
		return;
	memcpy(copy, out->data, out->caplen);
	f.data = copy;
	dissect_frame(&f, &p);
	/*
	 * Rewritten whole, at its own level: only the datagram inside a
	 * tunnel may still be a fragment (fragmented inside the tunnel, then
	 * the outer one on the underlay), for the engine to feed again.
	 */
	if ((p.layers & (LAYER_IPV4 | LAYER_IPV6)) && p.net.ip.is_fragment &&
	    !(p.layers & LAYER_TUNNEL))
		abort();
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct packet p;
	struct ipfrag_limits lim;
	struct ipfrag_table *t;
	struct in in = { data, size };
	struct frame f, out;
	uint64_t now = 1000000000ull, max_bytes;
	uint8_t h, op, *copy;
	bool v6;
	int n_ext, steps;

	h = take8(&in);
	v6 = h & 1;
	n_ext = (h >> 1) & 3;
	if (n_ext > 3)
		n_ext = 3;
	ipfrag_limits_default(&lim);
	if (h & 0x08)
		lim.max_frags = 4;
	if (h & 0x10)
		lim.max_datagrams = 2;
	if (h & 0x20)
		lim.max_bytes = 1;	/* the table raises it to its minimum */
	t = ipfrag_new(&lim);
	if (!t)
		return 0;
	/* what ipfrag_new() makes of the limit */
	max_bytes = lim.max_bytes < 2 * (65535 + 1024) ? 2 * (65535 + 1024) :
		    lim.max_bytes;
	for (steps = 0; in.n && steps < 4096; steps++) {
		size_t hdr, len, take, caplen;
		uint16_t off, l;

		op = take8(&in);
		if (op & 0x40)
			now += 10000000000ull;
		if (op & 0x80) {
			hdr = build(v6, 0, op, 0, 0);
			len = (size_t)take8(&in) * 8;
			take = len < in.n ? len : in.n;
			memcpy(frame_buf + 14, in.p, take);
			in.p += take;
			in.n -= take;
			len = 14 + take;
		} else {
			off = take16(&in);
			l = take16(&in);
			hdr = build(v6, n_ext, op, off, l);
			take = l < in.n ? l : in.n;
			memcpy(frame_buf + hdr, in.p, take);
			memset(frame_buf + hdr + take, 0xa5, l - take);
			in.p += take;
			in.n -= take;
			len = hdr + l;
		}
		caplen = (op & 0x20) ? len / 2 : len;
		copy = malloc(caplen ? caplen : 1);
		if (!copy)
			break;
		memcpy(copy, frame_buf, caplen);
		memset(&f, 0, sizeof(f));
		f.data = copy;
		f.caplen = (uint32_t)caplen;
		f.wirelen = (uint32_t)len;
		f.ts_ns = now;
		f.point = (op >> 2) & 1;
		f.number = (uint64_t)steps + 1;
		f.linktype = LINKTYPE_ETHERNET;
		dissect_frame(&f, &p);
		if (ipfrag_feed(t, &p, now, &out) == 1)
			check_out(&out);
		free(copy);
		while (ipfrag_expire(t, now, &out) == 1)
			check_out(&out);
		if (ipfrag_stats(t)->bytes > max_bytes)
			abort();
	}
	while (ipfrag_expire(t, UINT64_MAX, &out) == 1)
		check_out(&out);
	if (ipfrag_stats(t)->bytes || ipfrag_stats(t)->open)
		abort();
	ipfrag_free(t);
	return 0;
}
