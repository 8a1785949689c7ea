// SPDX-License-Identifier: GPL-2.0
/*
 * IP reassembly (dissect/ipfrag.c) on crafted fragments: orders, copies,
 * overlaps, bounds, timeouts, IPv6 extension headers, the snap length; then
 * fragmented pings through dissect_frame() and the engine, answered and
 * lost between two points.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/engine.h"
#include "analyze/internal.h"
#include "check.h"
#include "engine_rig.h"
#include "dissect/ipfrag.h"
#include "dissect/packet.h"

#define MS 1000000ull
#define SEC 1000000000ull
#define T0 1700000000000000000ull

static const uint8_t MAC_G[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t MAC_H[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t V4_G[4] = { 10, 0, 0, 2 };
static const uint8_t V4_H[4] = { 10, 0, 0, 1 };
static const uint8_t V6_G[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				  0, 0, 0, 2 };
static const uint8_t V6_H[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				  0, 0, 0, 1 };

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)(p[n - 1] << 8);
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* ---- a datagram and its fragments ------------------------------------ */

struct dg {
	int family;
	uint8_t type;			/* echo request / reply of the family */
	const uint8_t *src, *dst;
	uint32_t id;			/* IP id / fragment id */
	uint16_t seq;
	uint32_t len;			/* ICMP message length */
	uint8_t fill;
	int n_ext;			/* v6: HBH, DST, RT before frag hdr */
	uint8_t msg[70000];		/* the ICMP message */
};

static void dg_init(struct dg *d, int family, bool request, uint32_t id,
		    uint16_t seq, uint32_t data_len)
{
	uint32_t i, s = 0;

	d->family = family;
	d->type = family == 4 ? (request ? 8 : 0) : (request ? 128 : 129);
	if (family == 4) {
		d->src = request ? V4_G : V4_H;
		d->dst = request ? V4_H : V4_G;
	} else {
		d->src = request ? V6_G : V6_H;
		d->dst = request ? V6_H : V6_G;
	}
	d->id = id;
	d->seq = seq;
	d->len = 8 + data_len;
	d->fill = 0x11;
	d->n_ext = 0;
	memset(d->msg, 0, 8);
	d->msg[0] = d->type;
	put16(d->msg + 4, 0x4242);
	put16(d->msg + 6, seq);
	for (i = 0; i < data_len; i++)
		d->msg[8 + i] = (uint8_t)(d->fill + i * 7 + seq);
	if (family == 6) {
		s = sum16(d->src, 16, s);
		s = sum16(d->dst, 16, s);
		s += d->len + 58;
	}
	put16(d->msg + 2, fold(sum16(d->msg, d->len, s)));
}

static size_t eth(uint8_t *b, const struct dg *d)
{
	bool req = d->type == 8 || d->type == 128;

	memcpy(b, req ? MAC_H : MAC_G, 6);
	memcpy(b + 6, req ? MAC_G : MAC_H, 6);
	put16(b + 12, d->family == 4 ? 0x0800 : 0x86dd);
	return 14;
}

/*
 * One fragment [off, off + len) of the message into b; mf as given.
 * whole: an unfragmented datagram instead (no fragment fields).
 */
static size_t frag(uint8_t *b, const struct dg *d, uint32_t off, uint32_t len,
		   bool mf, bool whole)
{
	size_t n = eth(b, d), ip = n, i;

	if (d->family == 4) {
		memset(b + n, 0, 20);
		b[n] = 0x45;
		put16(b + n + 2, (uint16_t)(20 + len));
		put16(b + n + 4, (uint16_t)d->id);
		if (!whole)
			put16(b + n + 6,
			      (uint16_t)((mf ? 0x2000 : 0) | off / 8));
		b[n + 8] = 64;
		b[n + 9] = 1;
		memcpy(b + n + 12, d->src, 4);
		memcpy(b + n + 16, d->dst, 4);
		put16(b + n + 10, fold(sum16(b + n, 20, 0)));
		n += 20;
	} else {
		size_t ext = (size_t)d->n_ext * 8 + (whole ? 0 : 8);
		uint8_t *nh = b + n + 6;

		memset(b + n, 0, 40);
		b[n] = 0x60;
		put16(b + n + 4, (uint16_t)(ext + len));
		b[n + 7] = 64;
		memcpy(b + n + 8, d->src, 16);
		memcpy(b + n + 24, d->dst, 16);
		n += 40;
		for (i = 0; i < (size_t)d->n_ext; i++) {
			static const uint8_t kinds[3] = { 0, 60, 43 };

			*nh = kinds[i];
			memset(b + n, 0, 8);
			if (kinds[i] == 0 || kinds[i] == 60) {
				b[n + 2] = 1;	/* PadN, 4 bytes */
				b[n + 3] = 4;
			} else {
				b[n + 2] = 0;	/* type 0, no segments left */
			}
			nh = b + n;
			n += 8;
		}
		if (whole) {
			*nh = 58;
		} else {
			*nh = 44;
			b[n] = 58;
			b[n + 1] = 0;
			put16(b + n + 2, (uint16_t)(off | (mf ? 1 : 0)));
			b[n + 4] = (uint8_t)(d->id >> 24);
			b[n + 5] = (uint8_t)(d->id >> 16);
			b[n + 6] = (uint8_t)(d->id >> 8);
			b[n + 7] = (uint8_t)d->id;
			n += 8;
		}
	}
	(void)ip;
	memcpy(b + n, d->msg + off, len);
	return n + len;
}

/* ---- feeding --------------------------------------------------------- */

struct frig {
	struct ipfrag_table *t;
	uint64_t number;
	struct frame out;
	struct packet pkt;	/* of out, after a result of 1 */
	uint8_t *keep;		/* copy of the last result's bytes */
};

static uint8_t buf[70000];

/* Feeds b (caplen of its n bytes) at point 0, time ts; returns the result. */
static int frig_feed(struct frig *r, uint32_t point, uint64_t ts,
		    const uint8_t *b, size_t n, size_t caplen)
{
	struct packet p;
	struct frame f;
	uint8_t *copy = malloc(caplen ? caplen : 1);
	int ret;

	memcpy(copy, b, caplen);
	memset(&f, 0, sizeof(f));
	f.data = copy;
	f.caplen = (uint32_t)caplen;
	f.wirelen = (uint32_t)n;
	f.ts_ns = ts;
	f.point = point;
	f.number = ++r->number;
	f.linktype = LINKTYPE_ETHERNET;
	dissect_frame(&f, &p);
	ret = ipfrag_feed(r->t, &p, ts, &r->out);
	if (ret == 1) {
		/* a heap copy of exactly caplen: ASan sees any overread */
		free(r->keep);
		r->keep = malloc(r->out.caplen);
		memcpy(r->keep, r->out.data, r->out.caplen);
		r->out.data = r->keep;
		dissect_frame(&r->out, &r->pkt);
	}
	free(copy);
	return ret;
}

static int feed_frag(struct frig *r, uint64_t ts, const struct dg *d,
		     uint32_t off, uint32_t len, bool mf)
{
	size_t n = frag(buf, d, off, len, mf, false);

	return frig_feed(r, 0, ts, buf, n, n);
}

static void frig_init(struct frig *r, const struct ipfrag_limits *lim)
{
	memset(r, 0, sizeof(*r));
	r->t = ipfrag_new(lim);
}

static void frig_free(struct frig *r)
{
	ipfrag_free(r->t);
	free(r->keep);
}

/* The reassembled packet equals the unfragmented datagram, dissected. */
static void check_same_as_whole(const struct frig *r, const struct dg *d)
{
	static struct packet w;
	struct frame f;
	size_t n = frag(buf, d, 0, d->len, false, true);

	memset(&f, 0, sizeof(f));
	f.data = buf;
	f.caplen = f.wirelen = (uint32_t)n;
	f.linktype = LINKTYPE_ETHERNET;
	dissect_frame(&f, &w);
	CHECK_EQ_INT(r->out.caplen, n);
	CHECK_EQ_INT(r->out.wirelen, n);
	CHECK(!r->pkt.net.ip.is_fragment);
	CHECK(r->pkt.layers & (d->family == 4 ? LAYER_ICMP : LAYER_ICMPV6));
	CHECK_EQ_INT(r->pkt.net.ip.total_len, w.net.ip.total_len);
	CHECK_EQ_INT(r->pkt.net.icmp.type, d->type);
	CHECK_EQ_INT(r->pkt.net.icmp.echo_seq, d->seq);
	CHECK_EQ_INT(r->pkt.net.icmp.echo_len, d->len - 8);
	CHECK_EQ_INT(r->pkt.net.icmp.echo_caplen, d->len - 8);
	CHECK(r->pkt.net.icmp.echo_hash == w.net.icmp.echo_hash);
	CHECK_EQ_INT(r->pkt.net.icmp.csum, CSUM_GOOD);
	if (d->family == 4)
		CHECK_EQ_INT(r->pkt.net.ip.hdr_csum, CSUM_GOOD);
	CHECK_EQ_INT(r->pkt.n_anom, 0);
}

/* ---- reassembly ------------------------------------------------------ */

static void test_in_order(int family)
{
	static struct dg d;
	struct frig r;

	frig_init(&r, NULL);
	dg_init(&d, family, true, 0x1234, 7, 3000);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 0, 1480, true), 0);
	CHECK_EQ_INT(feed_frag(&r, T0 + 1000, &d, 1480, 1480, true), 0);
	CHECK_EQ_INT(feed_frag(&r, T0 + 2000, &d, 2960, d.len - 2960, false),
		     1);
	check_same_as_whole(&r, &d);
	CHECK_EQ_INT(r.out.number, 1);		/* the first fragment's */
	CHECK(r.out.ts_ns == T0 + 2000);	/* the last fragment's */
	CHECK_EQ_INT(ipfrag_stats(r.t)->completed, 1);
	CHECK_EQ_INT(ipfrag_stats(r.t)->open, 0);
	CHECK_EQ_INT(ipfrag_stats(r.t)->bytes, 0);
	frig_free(&r);
}

static void test_out_of_order(int family)
{
	static struct dg d;
	struct frig r;

	frig_init(&r, NULL);
	dg_init(&d, family, false, 0x99, 3, 3000);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 2960, d.len - 2960, false), 0);
	CHECK_EQ_INT(feed_frag(&r, T0 + 1, &d, 1480, 1480, true), 0);
	CHECK_EQ_INT(feed_frag(&r, T0 + 2, &d, 0, 1480, true), 1);
	check_same_as_whole(&r, &d);
	CHECK_EQ_INT(r.out.number, 3);
	/* the first fragment in the middle of the order */
	dg_init(&d, family, false, 0x9a, 4, 3000);
	CHECK_EQ_INT(feed_frag(&r, T0 + 3, &d, 1480, 1480, true), 0);
	CHECK_EQ_INT(feed_frag(&r, T0 + 4, &d, 0, 1480, true), 0);
	CHECK_EQ_INT(feed_frag(&r, T0 + 5, &d, 2960, d.len - 2960, false), 1);
	check_same_as_whole(&r, &d);
	CHECK_EQ_INT(r.out.number, 5);
	frig_free(&r);
}

static void test_duplicates(int family)
{
	static struct dg d;
	struct frig r;

	frig_init(&r, NULL);
	dg_init(&d, family, true, 5, 5, 3000);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 0, 1480, true), 0);
	CHECK_EQ_INT(feed_frag(&r, T0 + 1, &d, 0, 1480, true), 0);
	CHECK_EQ_INT(feed_frag(&r, T0 + 2, &d, 1480, 1480, true), 0);
	/* a piece inside what is held, same bytes: a duplicate too */
	CHECK_EQ_INT(feed_frag(&r, T0 + 3, &d, 8, 16, true), 0);
	CHECK_EQ_INT(ipfrag_stats(r.t)->duplicates, 2);
	CHECK_EQ_INT(feed_frag(&r, T0 + 4, &d, 2960, d.len - 2960, false), 1);
	check_same_as_whole(&r, &d);
	CHECK_EQ_INT(r.out.number, 1);
	/* a copy of the whole datagram after completion starts a new one */
	CHECK_EQ_INT(feed_frag(&r, T0 + 5, &d, 2960, d.len - 2960, false), 0);
	CHECK_EQ_INT(ipfrag_stats(r.t)->open, 1);
	frig_free(&r);
}

static void test_overlaps(void)
{
	static struct dg d;
	struct frig r;
	size_t n;

	/* IPv4, equal bytes, partial overlap: merged */
	frig_init(&r, NULL);
	dg_init(&d, 4, true, 11, 1, 3000);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 0, 1480, true), 0);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 1472, 1488, true), 0);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 2960, d.len - 2960, false), 1);
	check_same_as_whole(&r, &d);
	CHECK_EQ_INT(ipfrag_stats(r.t)->overlaps_same, 1);
	frig_free(&r);

	/* IPv6, equal bytes, partial overlap: RFC 5722 */
	frig_init(&r, NULL);
	dg_init(&d, 6, true, 11, 1, 3000);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 0, 1448, true), 0);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 1440, 1448, true),
		     -ANOM_IP_FRAG_OVERLAP);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 2888, d.len - 2888, false),
		     -ANOM_IP_FRAG_OVERLAP);
	CHECK_EQ_INT(ipfrag_stats(r.t)->rejected[ANOM_IP_FRAG_OVERLAP], 2);
	/* poisoned: it expires silently, no incomplete datagram */
	CHECK_EQ_INT(ipfrag_expire(r.t, UINT64_MAX, &r.out), 0);
	CHECK_EQ_INT(ipfrag_stats(r.t)->expired, 0);
	CHECK_EQ_INT(ipfrag_stats(r.t)->open, 0);
	frig_free(&r);

	/* conflicting bytes, both families, contained or partial */
	for (int fam = 4; fam <= 6; fam += 2) {
		frig_init(&r, NULL);
		dg_init(&d, fam, true, 12, 2, 3000);
		CHECK_EQ_INT(feed_frag(&r, T0, &d, 0, 1480, true), 0);
		n = frag(buf, &d, 1400, 80, true, false);
		buf[n - 1] ^= 0xff;
		CHECK_EQ_INT(frig_feed(&r, 0, T0, buf, n, n),
			     -ANOM_IP_FRAG_OVERLAP);
		CHECK_EQ_INT(feed_frag(&r, T0, &d, 1480, 1480, true),
			     -ANOM_IP_FRAG_OVERLAP);
		CHECK_EQ_INT(feed_frag(&r, T0, &d, 2960, d.len - 2960, false),
			     -ANOM_IP_FRAG_OVERLAP);
		frig_free(&r);

		frig_init(&r, NULL);
		dg_init(&d, fam, true, 13, 2, 3000);
		CHECK_EQ_INT(feed_frag(&r, T0, &d, 1480, 1480, true), 0);
		n = frag(buf, &d, 0, 1488, true, false);
		buf[n - 3] ^= 0x01;	/* inside the overlap */
		CHECK_EQ_INT(frig_feed(&r, 0, T0, buf, n, n),
			     -ANOM_IP_FRAG_OVERLAP);
		frig_free(&r);
	}
}

static void test_tiny(void)
{
	static struct dg d;
	struct frig r;
	uint32_t off;
	int ret = 0;

	frig_init(&r, NULL);
	/* a first fragment too short to hold the ICMP header, MF set */
	dg_init(&d, 4, true, 21, 1, 56);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 0, 4, true), -ANOM_IP_FRAG_BAD_LEN);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 0, 12, true), -ANOM_IP_FRAG_BAD_LEN);
	/* 8-byte fragments, last one 1 byte: still one datagram */
	dg_init(&d, 4, true, 22, 2, 57);
	for (off = 0; off + 8 < d.len; off += 8)
		CHECK_EQ_INT(feed_frag(&r, T0, &d, off, 8, true), 0);
	CHECK_EQ_INT(d.len - off, 1);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, off, 1, false), 1);
	check_same_as_whole(&r, &d);
	/* the RFC 1858 trick: a later fragment rewriting the header */
	for (int fam = 4; fam <= 6; fam += 2) {
		dg_init(&d, fam, true, 23, 3, 56);
		CHECK_EQ_INT(feed_frag(&r, T0, &d, 0, 8, true), 0);
		d.msg[4] ^= 0x55;	/* the echo id */
		CHECK_EQ_INT(feed_frag(&r, T0, &d, 0, 16, true),
			     -ANOM_IP_FRAG_OVERLAP);
		d.msg[4] ^= 0x55;
	}
	/* an empty fragment */
	dg_init(&d, 6, true, 24, 4, 56);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 64, 0, false),
		     -ANOM_IP_FRAG_BAD_LEN);
	(void)ret;
	frig_free(&r);
}

static void test_too_big(void)
{
	static struct dg d;
	struct frig r;

	frig_init(&r, NULL);
	dg_init(&d, 4, true, 31, 1, 3000);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 0, 1480, true), 0);
	/* 20 + 65520 + 16 > 65535 */
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 65520, 16, false),
		     -ANOM_IP_FRAG_TOO_BIG);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 1480, 1480, true),
		     -ANOM_IP_FRAG_TOO_BIG);
	CHECK_EQ_INT(ipfrag_stats(r.t)->rejected[ANOM_IP_FRAG_TOO_BIG], 2);
	/* exactly 65535 is fine (20 + 65515) */
	dg_init(&d, 4, true, 32, 2, 65515 - 8);
	{
		uint32_t off;

		for (off = 0; off + 1480 < d.len; off += 1480)
			CHECK_EQ_INT(feed_frag(&r, T0, &d, off, 1480, true), 0);
		CHECK_EQ_INT(feed_frag(&r, T0, &d, off, d.len - off, false), 1);
	}
	CHECK_EQ_INT(r.pkt.net.ip.total_len, 65535);
	CHECK_EQ_INT(r.pkt.net.icmp.csum, CSUM_GOOD);
	/* IPv6: payload beyond 65535 (8 + 65528 + 8) */
	dg_init(&d, 6, true, 33, 3, 3000);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 0, 1448, true), 0);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 65528, 8, false),
		     -ANOM_IP_FRAG_TOO_BIG);
	/* ends that disagree, data past the end */
	dg_init(&d, 4, true, 34, 4, 3000);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 2960, d.len - 2960, false), 0);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 2960, 8, false),
		     -ANOM_IP_FRAG_BAD_LEN);
	dg_init(&d, 4, true, 35, 5, 3000);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 1480, 1480, false), 0);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 2960, 8, true),
		     -ANOM_IP_FRAG_BAD_LEN);
	frig_free(&r);
}

static void test_too_many(void)
{
	static struct dg d;
	struct ipfrag_limits lim;
	struct frig r;
	uint32_t off, i;

	ipfrag_limits_default(&lim);
	CHECK_EQ_INT(lim.max_frags, 64);
	frig_init(&r, &lim);
	dg_init(&d, 4, true, 41, 1, 1024);
	for (i = 0, off = 0; i < 64; i++, off += 8)
		CHECK_EQ_INT(feed_frag(&r, T0, &d, off, 8, true), 0);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, off, 8, true),
		     -ANOM_IP_FRAG_TOO_MANY);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, off + 8, d.len - off - 8, false),
		     -ANOM_IP_FRAG_TOO_MANY);
	CHECK_EQ_INT(ipfrag_stats(r.t)->completed, 0);
	frig_free(&r);
}

static void test_timeout(void)
{
	static struct dg d;
	static struct packet p;
	struct frig r;

	frig_init(&r, NULL);
	dg_init(&d, 4, true, 51, 1, 3000);
	/* middle fragment missing */
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 0, 1480, true), 0);
	CHECK_EQ_INT(feed_frag(&r, T0 + MS, &d, 2960, d.len - 2960, false), 0);
	/* only the last fragment: nothing to name when it ends */
	dg_init(&d, 4, true, 52, 2, 3000);
	CHECK_EQ_INT(feed_frag(&r, T0 + 2 * MS, &d, 2960, d.len - 2960, false),
		     0);
	CHECK_EQ_INT(ipfrag_stats(r.t)->open, 2);
	CHECK_EQ_INT(ipfrag_expire(r.t, T0 + 29 * SEC, &r.out), 0);
	CHECK_EQ_INT(ipfrag_expire(r.t, T0 + 31 * SEC, &r.out), 1);
	/* the first fragment, rewritten, with the full length on the wire */
	dissect_frame(&r.out, &p);
	ipfrag_mark_incomplete(&p);
	CHECK_EQ_INT(r.out.number, 1);
	CHECK(r.out.ts_ns == T0 + MS);
	CHECK_EQ_INT(r.out.caplen, 14 + 20 + 1480);
	CHECK_EQ_INT(r.out.wirelen, 14 + 20 + d.len);
	CHECK(p.snapped);
	CHECK(!p.net.ip.is_fragment);
	CHECK(p.layers & LAYER_ICMP);
	CHECK_EQ_INT(p.net.icmp.echo_seq, 1);
	CHECK_EQ_INT(p.net.icmp.echo_len, 3000);
	CHECK_EQ_INT(p.net.icmp.echo_caplen, 1480 - 8);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_UNVERIFIABLE);
	CHECK_EQ_INT(p.net.ip.hdr_csum, CSUM_GOOD);
	CHECK(packet_has_anomaly(&p, ANOM_IP_FRAG_INCOMPLETE));
	CHECK_EQ_INT(ipfrag_expire(r.t, T0 + 31 * SEC, &r.out), 0);
	CHECK_EQ_INT(ipfrag_stats(r.t)->expired, 2);
	CHECK_EQ_INT(ipfrag_stats(r.t)->open, 0);
	/* a fragment of an expired datagram does not join the old one */
	CHECK_EQ_INT(feed_frag(&r, T0 + 40 * SEC, &d, 0, 1480, true), 0);
	CHECK_EQ_INT(feed_frag(&r, T0 + 80 * SEC, &d, 1480, 1480, true), 0);
	CHECK_EQ_INT(ipfrag_stats(r.t)->expired, 3);
	/* flush at the end */
	CHECK_EQ_INT(ipfrag_expire(r.t, UINT64_MAX, &r.out), 0);
	CHECK_EQ_INT(ipfrag_stats(r.t)->open, 0);
	frig_free(&r);
}

static void test_bounds(void)
{
	static struct dg d;
	struct ipfrag_limits lim;
	struct frig r;
	uint32_t i;

	ipfrag_limits_default(&lim);
	lim.max_datagrams = 4;
	frig_init(&r, &lim);
	for (i = 0; i < 10; i++) {
		dg_init(&d, 4, true, 100 + i, (uint16_t)i, 3000);
		CHECK_EQ_INT(feed_frag(&r, T0 + i, &d, 0, 1480, true), 0);
	}
	CHECK_EQ_INT(ipfrag_stats(r.t)->open, 4);
	CHECK_EQ_INT(ipfrag_stats(r.t)->evicted, 6);
	/* the newest survive: 109 completes, 100 cannot */
	dg_init(&d, 4, true, 109, 9, 3000);
	CHECK_EQ_INT(feed_frag(&r, T0 + 20, &d, 1480, 1480, true), 0);
	CHECK_EQ_INT(feed_frag(&r, T0 + 21, &d, 2960, d.len - 2960, false), 1);
	frig_free(&r);

	/* the byte bound: large datagrams, 1 MiB in all (clamped up) */
	ipfrag_limits_default(&lim);
	lim.max_bytes = 1;
	frig_init(&r, &lim);
	for (i = 0; i < 20; i++) {
		dg_init(&d, 6, true, 200 + i, (uint16_t)i, 60000);
		CHECK_EQ_INT(feed_frag(&r, T0 + i, &d, 0, 1448, true), 0);
		CHECK_EQ_INT(feed_frag(&r, T0 + i, &d, 58000, 1448, true), 0);
		CHECK(ipfrag_stats(r.t)->bytes <= 2 * (65535 + 1024));
	}
	CHECK(ipfrag_stats(r.t)->evicted >= 18);
	CHECK(ipfrag_stats(r.t)->open >= 1);
	frig_free(&r);
}

static void test_v6_ext(void)
{
	static struct dg d;
	struct frig r;
	int n;

	for (n = 1; n <= 3; n++) {
		frig_init(&r, NULL);
		dg_init(&d, 6, true, 0xabcdef01u, (uint16_t)n, 3000);
		d.n_ext = n;
		CHECK_EQ_INT(feed_frag(&r, T0, &d, 0, 1424, true), 0);
		CHECK_EQ_INT(feed_frag(&r, T0, &d, 1424, 1424, true), 0);
		CHECK_EQ_INT(feed_frag(&r, T0, &d, 2848, d.len - 2848, false),
			     1);
		check_same_as_whole(&r, &d);
		CHECK_EQ_INT(r.pkt.net.ip.n_ext, n);
		CHECK_EQ_INT(r.pkt.net.ip.proto, 58);
		frig_free(&r);
	}
	/* an atomic fragment is a datagram of its own (RFC 6946) */
	frig_init(&r, NULL);
	dg_init(&d, 6, true, 7, 9, 100);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 0, 1448, true), 0);
	dg_init(&d, 6, true, 7, 10, 100);
	CHECK_EQ_INT(feed_frag(&r, T0, &d, 0, d.len, false), 1);
	check_same_as_whole(&r, &d);
	CHECK_EQ_INT(ipfrag_stats(r.t)->open, 1);
	frig_free(&r);
}

static void test_ignored_and_keys(void)
{
	static struct dg d, e;
	struct frig r;
	size_t n;

	frig_init(&r, NULL);
	/* not a fragment, not ICMP: ignored */
	dg_init(&d, 4, true, 61, 1, 100);
	n = frag(buf, &d, 0, d.len, false, true);
	CHECK_EQ_INT(frig_feed(&r, 0, T0, buf, n, n), 0);
	n = frag(buf, &d, 0, 48, true, false);
	buf[14 + 9] = 17;
	buf[14 + 10] = buf[14 + 11] = 0;
	CHECK_EQ_INT(frig_feed(&r, 0, T0, buf, n, n), 0);
	CHECK_EQ_INT(ipfrag_stats(r.t)->ignored, 2);
	CHECK_EQ_INT(ipfrag_stats(r.t)->open, 0);
	/* same id at two points, and two ids at one point: four datagrams */
	dg_init(&d, 4, true, 62, 2, 3000);
	dg_init(&e, 4, true, 63, 2, 3000);
	n = frag(buf, &d, 0, 1480, true, false);
	CHECK_EQ_INT(frig_feed(&r, 0, T0, buf, n, n), 0);
	CHECK_EQ_INT(frig_feed(&r, 1, T0, buf, n, n), 0);
	n = frag(buf, &e, 1480, 1480, true, false);
	CHECK_EQ_INT(frig_feed(&r, 0, T0, buf, n, n), 0);
	CHECK_EQ_INT(frig_feed(&r, 1, T0, buf, n, n), 0);
	CHECK_EQ_INT(ipfrag_stats(r.t)->open, 4);
	n = frag(buf, &d, 1480, 1480, true, false);
	CHECK_EQ_INT(frig_feed(&r, 1, T0, buf, n, n), 0);
	n = frag(buf, &d, 2960, d.len - 2960, false, false);
	CHECK_EQ_INT(frig_feed(&r, 1, T0, buf, n, n), 1);
	CHECK_EQ_INT(r.out.point, 1);
	CHECK_EQ_INT(ipfrag_stats(r.t)->open, 3);
	/* a bad header checksum in the first fragment stays bad */
	dg_init(&d, 4, true, 64, 3, 3000);
	n = frag(buf, &d, 0, 1480, true, false);
	buf[14 + 10] ^= 0x10;
	CHECK_EQ_INT(frig_feed(&r, 2, T0, buf, n, n), 0);
	n = frag(buf, &d, 1480, d.len - 1480, false, false);
	CHECK_EQ_INT(frig_feed(&r, 2, T0, buf, n, n), 1);
	CHECK_EQ_INT(r.pkt.net.ip.hdr_csum, CSUM_BAD);
	CHECK_EQ_INT(r.pkt.net.icmp.csum, CSUM_GOOD);
	frig_free(&r);
}

static void test_snapped(int family)
{
	static struct dg d;
	struct frig r;
	size_t n, hdr = 14 + (family == 4 ? 20 : 48);

	frig_init(&r, NULL);
	dg_init(&d, family, true, 71, 1, 3000);
	/* every fragment cut at 200 bytes: all arrived, not all captured */
	n = frag(buf, &d, 0, 1480, true, false);
	CHECK_EQ_INT(frig_feed(&r, 0, T0, buf, n, 200), 0);
	n = frag(buf, &d, 1480, 1480, true, false);
	CHECK_EQ_INT(frig_feed(&r, 0, T0, buf, n, 200), 0);
	n = frag(buf, &d, 2960, d.len - 2960, false, false);
	CHECK_EQ_INT(frig_feed(&r, 0, T0, buf, n, n), 1);
	CHECK_EQ_INT(r.out.caplen,
		     200 - hdr + (family == 4 ? 14 + 20 : 14 + 40));
	CHECK_EQ_INT(r.out.wirelen, (family == 4 ? 14 + 20 : 14 + 40) + d.len);
	CHECK(r.pkt.snapped);
	CHECK(!r.pkt.net.ip.is_fragment);
	CHECK_EQ_INT(r.pkt.net.icmp.echo_len, 3000);
	CHECK(r.pkt.net.icmp.echo_caplen < 3000);
	CHECK_EQ_INT(r.pkt.net.icmp.csum, CSUM_UNVERIFIABLE);
	CHECK_EQ_INT(ipfrag_stats(r.t)->snapped, 1);
	/* no data of the first fragment captured: headers only */
	dg_init(&d, family, true, 72, 2, 3000);
	n = frag(buf, &d, 0, 1480, true, false);
	CHECK_EQ_INT(frig_feed(&r, 0, T0, buf, n, hdr), 0);
	n = frag(buf, &d, 1480, d.len - 1480, false, false);
	CHECK_EQ_INT(frig_feed(&r, 0, T0, buf, n, n), 1);
	CHECK_EQ_INT(r.out.caplen, family == 4 ? 14 + 20 : 14 + 40);
	CHECK(!(r.pkt.layers & (LAYER_ICMP | LAYER_ICMPV6)));
	frig_free(&r);
}

/* ---- through the engine ---------------------------------------------- */

/* All fragments of d at a point, skipping fragment `skip` (-1 none). */
static void efeed_dg(struct rig *r, int point, uint64_t ts,
		     const struct dg *d, int skip)
{
	uint32_t step = d->family == 4 ? 1480 : 1448, off;
	int i = 0;

	for (off = 0; off < d->len; off += step, i++) {
		uint32_t len = d->len - off < step ? d->len - off : step;
		size_t n = frag(buf, d, off, len, off + len < d->len, false);

		if (i != skip)
			feed(r, point, ts + (uint64_t)i * 1000, buf, n);
	}
}

static void ping(struct rig *r, int family, uint64_t t, uint16_t seq,
		 int lose_at_p1)
{
	static struct dg q, a;

	dg_init(&q, family, true, 0x100 + seq, seq, 3000);
	dg_init(&a, family, false, 0x200 + seq, seq, 3000);
	efeed_dg(r, 0, t, &q, -1);
	efeed_dg(r, 1, t + 50000, &q, lose_at_p1);
	if (lose_at_p1 >= 0)
		return;
	efeed_dg(r, 1, t + 300000, &a, -1);
	efeed_dg(r, 0, t + 350000, &a, -1);
}

static void test_engine_answered(int family)
{
	struct engine_totals t;
	struct rig r;
	uint16_t s;

	rig_init_points(&r, 2, NULL, NULL);
	for (s = 1; s <= 4; s++)
		ping(&r, family, T0 + s * SEC, s, -1);
	ping(&r, family, T0 + 20 * SEC, 5, -1);
	engine_finish(r.e);
	engine_totals(r.e, &t);
	CHECK_EQ_INT(t.probes, 5);
	CHECK_EQ_INT(t.answered, 5);
	CHECK_EQ_INT(t.lost, 0);
	CHECK(!find_kind(r.e, FK_NO_PROBES, 0));
	rig_free(&r);
}

static void test_engine_lost_fragment(int family)
{
	const struct finding *f;
	struct engine_totals t;
	struct rig r;
	uint16_t s;

	rig_init_points(&r, 2, NULL, NULL);
	for (s = 1; s <= 3; s++)
		ping(&r, family, T0 + s * SEC, s, -1);
	/* the middle fragment of request 4 never reaches p1 */
	ping(&r, family, T0 + 4 * SEC, 4, 1);
	for (s = 5; s <= 6; s++)
		ping(&r, family, T0 + s * SEC, s, -1);
	ping(&r, family, T0 + 20 * SEC, 7, -1);	/* the capture goes on */
	engine_finish(r.e);
	engine_totals(r.e, &t);
	CHECK_EQ_INT(t.probes, 7);
	CHECK_EQ_INT(t.answered, 6);
	CHECK_EQ_INT(t.lost, 1);
	CHECK(!find_kind(r.e, FK_NO_PROBES, 0));
	f = find_kind(r.e, FK_DROP, 0);
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ_INT(f->after, 0);
		CHECK_EQ_INT(f->before, 1);
		CHECK_EQ_INT(f->dir, LOC_REQUEST);
		CHECK_EQ_INT(f->count, 1);
	}
	rig_free(&r);
}

int main(void)
{
	int fam;

	for (fam = 4; fam <= 6; fam += 2) {
		test_in_order(fam);
		test_out_of_order(fam);
		test_duplicates(fam);
		test_snapped(fam);
		test_engine_answered(fam);
		test_engine_lost_fragment(fam);
	}
	test_overlaps();
	test_tiny();
	test_too_big();
	test_too_many();
	test_timeout();
	test_bounds();
	test_v6_ext();
	test_ignored_and_keys();
	return check_done();
}
