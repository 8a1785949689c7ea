// SPDX-License-Identifier: GPL-2.0
/*
 * File readers on crafted byte arrays: pcap (both byte orders, us and ns),
 * pcapng (both byte orders, tsresol variants, several sections and
 * interfaces, unknown blocks, SPB, PB, ISB, options), SLL/SLL2 points and
 * directions, gzip, stdin, the merger, and every kind of bad input: each
 * error must name the file and the offset, after the good frames before it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "capture/input.h"
#include "capture/source.h"
#include "check.h"

/* ---- a little file builder ---- */

struct buf {
	uint8_t d[1 << 18];
	size_t n;
	bool be;
};

static void put8(struct buf *b, uint8_t v)
{
	if (b->n < sizeof(b->d))
		b->d[b->n++] = v;
}

static void put16(struct buf *b, uint16_t v)
{
	if (b->be) {
		put8(b, v >> 8);
		put8(b, v & 0xff);
	} else {
		put8(b, v & 0xff);
		put8(b, v >> 8);
	}
}

static void put32(struct buf *b, uint32_t v)
{
	if (b->be) {
		put16(b, v >> 16);
		put16(b, v & 0xffff);
	} else {
		put16(b, v & 0xffff);
		put16(b, v >> 16);
	}
}

static void put64(struct buf *b, uint64_t v)
{
	if (b->be) {
		put32(b, v >> 32);
		put32(b, (uint32_t)v);
	} else {
		put32(b, (uint32_t)v);
		put32(b, v >> 32);
	}
}

static void put_bytes(struct buf *b, const void *p, size_t n)
{
	const uint8_t *q = p;
	size_t i;

	for (i = 0; i < n; i++)
		put8(b, q[i]);
}

static void pad4(struct buf *b)
{
	while (b->n % 4)
		put8(b, 0);
}

static void patch32(struct buf *b, size_t at, uint32_t v)
{
	size_t save = b->n;

	b->n = at;
	put32(b, v);
	b->n = save;
}

static size_t blk_begin(struct buf *b, uint32_t type)
{
	size_t start = b->n;

	put32(b, type);
	put32(b, 0);
	return start;
}

static void blk_end(struct buf *b, size_t start)
{
	uint32_t len;

	pad4(b);
	len = (uint32_t)(b->n - start + 4);
	put32(b, len);
	patch32(b, start + 4, len);
}

static void opt(struct buf *b, uint16_t code, const void *v, uint16_t len)
{
	put16(b, code);
	put16(b, len);
	put_bytes(b, v, len);
	pad4(b);
}

static void opt_end(struct buf *b)
{
	put32(b, 0);
}

static void shb(struct buf *b)
{
	size_t s = blk_begin(b, 0x0a0d0d0a);

	put32(b, 0x1a2b3c4d);
	put16(b, 1);
	put16(b, 0);
	put64(b, UINT64_MAX);
	blk_end(b, s);
}

/* tsresol < 0: no option; name NULL: unnamed */
static void idb(struct buf *b, uint16_t linktype, uint32_t snaplen,
		const char *name, int tsresol, int64_t tsoffset)
{
	size_t s = blk_begin(b, 1);

	put16(b, linktype);
	put16(b, 0);
	put32(b, snaplen);
	if (name)
		opt(b, 2, name, (uint16_t)strlen(name));
	if (name)
		opt(b, 3, "a description", 13);
	if (tsresol >= 0) {
		uint8_t r = (uint8_t)tsresol;

		opt(b, 9, &r, 1);
	}
	if (tsoffset) {
		put16(b, 14);
		put16(b, 8);
		put64(b, (uint64_t)tsoffset);
	}
	if (name || tsresol >= 0 || tsoffset)
		opt_end(b);
	blk_end(b, s);
}

static uint8_t payload[4096];

/* flags < 0: no epb_flags; comment NULL: none */
static void epb(struct buf *b, uint32_t ifid, uint64_t ts, uint32_t caplen,
		uint32_t wirelen, const uint8_t *data, int flags,
		const char *comment)
{
	size_t s = blk_begin(b, 6);

	put32(b, ifid);
	put32(b, ts >> 32);
	put32(b, (uint32_t)ts);
	put32(b, caplen);
	put32(b, wirelen);
	put_bytes(b, data ? data : payload, caplen);
	pad4(b);
	if (flags >= 0) {
		put16(b, 2);
		put16(b, 4);
		put32(b, (uint32_t)flags);
	}
	if (comment)
		opt(b, 1, comment, (uint16_t)strlen(comment));
	if (flags >= 0 || comment)
		opt_end(b);
	blk_end(b, s);
}

static void isb(struct buf *b, uint32_t ifid, uint64_t ifdrop)
{
	size_t s = blk_begin(b, 5);

	put32(b, ifid);
	put32(b, 0);
	put32(b, 0);
	put16(b, 5);
	put16(b, 8);
	put64(b, ifdrop);
	opt_end(b);
	blk_end(b, s);
}

static void pcap_hdr(struct buf *b, uint32_t magic, uint32_t snaplen,
		     uint32_t linktype)
{
	put32(b, magic);
	put16(b, 2);
	put16(b, 4);
	put32(b, 0);
	put32(b, 0);
	put32(b, snaplen);
	put32(b, linktype);
}

static void pcap_rec(struct buf *b, uint32_t sec, uint32_t frac,
		     uint32_t caplen, uint32_t len, const uint8_t *data)
{
	put32(b, sec);
	put32(b, frac);
	put32(b, caplen);
	put32(b, len);
	put_bytes(b, data ? data : payload, caplen);
}

/* SLL2 header: protocol, reserved, ifindex, hatype, pkttype, addrlen, addr */
static void sll2_frame(uint8_t *d, uint32_t ifindex, uint8_t pkttype)
{
	memset(d, 0, 40);
	d[0] = 0x08;
	d[4] = (uint8_t)(ifindex >> 24);
	d[5] = (uint8_t)(ifindex >> 16);
	d[6] = (uint8_t)(ifindex >> 8);
	d[7] = (uint8_t)ifindex;
	d[9] = 1;
	d[10] = pkttype;
	d[11] = 6;
}

/* ---- reading ---- */

#define MAX_FRAMES 64

struct result {
	int nframes;
	int last;		/* last source_next() return */
	struct frame f[MAX_FRAMES];
	char comment[MAX_FRAMES][64];
	uint64_t data_hash[MAX_FRAMES];	/* f.data is gone after the read */
	char err[SOURCE_ERR_MAX];
	int open_ret;
};

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static void drain(struct source *s, struct result *r)
{
	struct frame f;

	while ((r->last = source_next(s, &f)) > 0) {
		if (r->nframes < MAX_FRAMES) {
			if (f.comment)
				snprintf(r->comment[r->nframes], 64, "%.*s",
					 (int)f.comment_len, f.comment);
			r->f[r->nframes] = f;
			r->data_hash[r->nframes] = fnv(f.data, f.caplen);
		}
		r->nframes++;
	}
	if (r->last < 0)
		snprintf(r->err, sizeof(r->err), "%s", source_error(s));
}

static void read_mem(const void *d, size_t n, const char *name,
		     struct point_table *pt, struct result *r)
{
	struct source *s;

	memset(r, 0, sizeof(*r));
	r->open_ret = source_open_memory(d, n, name, pt, &s, r->err,
					 sizeof(r->err));
	if (r->open_ret) {
		r->last = r->open_ret;
		return;
	}
	drain(s, r);
	source_close(s);
}

static const struct point *pt_named(const struct point_table *pt,
				    const char *name)
{
	size_t i;

	for (i = 0; i < pt->count; i++)
		if (strcmp(pt->items[i].name, name) == 0)
			return &pt->items[i];
	return NULL;
}

static bool has(const char *hay, const char *needle)
{
	if (!strstr(hay, needle)) {
		fprintf(stderr, "  \"%s\" lacks \"%s\"\n", hay, needle);
		return false;
	}
	return true;
}

/* ---- tests ---- */

static void test_pcap_variants(void)
{
	static const struct {
		uint32_t magic;
		bool be;
		uint64_t mult;
	} v[] = {
		{ 0xa1b2c3d4, false, 1000 }, { 0xa1b2c3d4, true, 1000 },
		{ 0xa1b23c4d, false, 1 }, { 0xa1b23c4d, true, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct point_table pt;
		struct buf *b = calloc(1, sizeof(*b));
		struct result *r = calloc(1, sizeof(*r));
		const struct point *p;

		point_table_init(&pt);
		b->be = v[i].be;
		pcap_hdr(b, v[i].magic, 65535, 1);
		pcap_rec(b, 1700000000, 123456, 60, 60, NULL);
		pcap_rec(b, 1700000001, 5, 42, 1514, NULL);	/* snapped */
		pcap_rec(b, 1700000002, 7, 70, 60, NULL);	/* caplen > len */
		read_mem(b->d, b->n, "dir/t.pcap", &pt, r);
		CHECK_EQ_INT(r->open_ret, 0);
		CHECK_EQ_INT(r->last, 0);
		CHECK_EQ_INT(r->nframes, 3);
		CHECK(r->f[0].ts_ns == 1700000000ull * 1000000000 + 123456 * v[i].mult);
		CHECK(r->f[1].ts_ns == 1700000001ull * 1000000000 + 5 * v[i].mult);
		CHECK_EQ_INT(r->f[0].caplen, 60);
		CHECK_EQ_INT(r->f[1].caplen, 42);
		CHECK_EQ_INT(r->f[1].wirelen, 1514);
		CHECK_EQ_INT(r->f[2].wirelen, 70);
		CHECK_EQ_INT(r->f[0].number, 1);
		CHECK_EQ_INT(r->f[2].number, 3);
		CHECK_EQ_INT(r->f[0].linktype, 1);
		CHECK_EQ_INT(r->f[0].dir, DIR_UNKNOWN);
		CHECK(r->data_hash[0] == fnv(payload, 60));
		CHECK(r->data_hash[1] == fnv(payload, 42));
		CHECK_EQ_INT(pt.count, 1);
		p = pt_named(&pt, "t.pcap");
		CHECK(p != NULL);
		if (p) {
			CHECK_EQ_INT(p->frames, 3);
			CHECK_EQ_INT(p->bytes, 60 + 1514 + 70);
			CHECK_EQ_INT(p->snapped, 1);
			CHECK_EQ_INT(p->snaplen, 65535);
			CHECK_EQ_INT(p->linktype, 1);
			CHECK_EQ_INT(p->tsresol_ns, v[i].mult);
			CHECK_EQ_INT(p->hook, HOOK_FILE);
			CHECK(strcmp(p->source, "dir/t.pcap") == 0);
		}
		point_table_free(&pt);
		free(b);
		free(r);
	}
}

/* Two interfaces with different link types, flags, comment; both orders. */
static void test_pcapng_multi(void)
{
	int be;

	for (be = 0; be < 2; be++) {
		struct point_table pt;
		struct buf *b = calloc(1, sizeof(*b));
		struct result *r = calloc(1, sizeof(*r));
		const struct point *p0, *p1;

		point_table_init(&pt);
		b->be = be;
		shb(b);
		idb(b, 1, 262144, "eth0", -1, 0);
		idb(b, 101, 128, NULL, 9, 0);
		epb(b, 0, 1700000000123456ull, 60, 60, NULL, 1, "hello");
		epb(b, 1, 1700000000123456789ull, 41, 41, NULL, 2, NULL);
		epb(b, 0, 1700000000123457ull, 61, 100, NULL, 0, NULL);
		epb(b, 1, 1700000000123456790ull, 0, 0, NULL, -1, NULL);
		read_mem(b->d, b->n, "/x/t.pcapng", &pt, r);
		CHECK_EQ_INT(r->last, 0);
		CHECK_EQ_INT(r->nframes, 4);
		CHECK(r->f[0].ts_ns == 1700000000123456000ull);
		CHECK(r->f[1].ts_ns == 1700000000123456789ull);
		CHECK_EQ_INT(r->f[0].dir, DIR_IN);
		CHECK_EQ_INT(r->f[1].dir, DIR_OUT);
		CHECK_EQ_INT(r->f[2].dir, DIR_UNKNOWN);
		CHECK_EQ_INT(r->f[0].linktype, 1);
		CHECK_EQ_INT(r->f[1].linktype, 101);
		CHECK(strcmp(r->comment[0], "hello") == 0);
		CHECK(r->f[1].comment == NULL);
		CHECK_EQ_INT(r->f[2].caplen, 61);
		CHECK_EQ_INT(r->f[2].wirelen, 100);
		CHECK_EQ_INT(r->f[3].caplen, 0);
		CHECK(r->f[0].point != r->f[1].point);
		p0 = pt_named(&pt, "t.pcapng:eth0");
		p1 = pt_named(&pt, "t.pcapng:if1");
		CHECK(p0 && p1);
		if (p0 && p1) {
			CHECK_EQ_INT(r->f[0].point, p0->id);
			CHECK_EQ_INT(r->f[1].point, p1->id);
			CHECK(strcmp(p0->ifname, "eth0") == 0);
			CHECK(strcmp(p1->ifname, "") == 0);
			CHECK_EQ_INT(p0->file_if, 0);
			CHECK_EQ_INT(p1->file_if, 1);
			CHECK_EQ_INT(p0->linktype, 1);
			CHECK_EQ_INT(p1->linktype, 101);
			CHECK_EQ_INT(p1->snaplen, 128);
			CHECK_EQ_INT(p0->tsresol_ns, 1000);
			CHECK_EQ_INT(p1->tsresol_ns, 1);
			CHECK_EQ_INT(p0->frames, 2);
			CHECK_EQ_INT(p0->frames_in, 1);
			CHECK_EQ_INT(p0->snapped, 1);
			CHECK_EQ_INT(p1->frames_out, 1);
			CHECK_EQ_INT(p1->frames, 2);
		}
		point_table_free(&pt);
		free(b);
		free(r);
	}
}

static void test_tsresol(void)
{
	static const struct {
		int tsresol;
		uint64_t ts;
		int64_t offset;
		uint64_t want;
	} v[] = {
		{ -1, 1500000, 0, 1500000000 },			/* default us */
		{ 6, 1500000, 0, 1500000000 },
		{ 3, 1500, 0, 1500000000 },			/* ms */
		{ 0, 2, 0, 2000000000 },			/* s */
		{ 9, 123, 0, 123 },
		{ 12, 123456, 0, 123 },				/* ps */
		{ 0x80 | 20, 3 << 20, 0, 3000000000 },		/* 2^-20 */
		{ 0x80 | 30, (1ull << 30) + (1ull << 29), 0, 1500000000 },
		{ 0x80 | 0, 5, 0, 5000000000 },
		{ 6, 1000000, 1700000000, 1700000001000000000ull },	/* tsoffset */
		{ 9, 5000000000ull, -2, 3000000000ull },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct point_table pt;
		struct buf *b = calloc(1, sizeof(*b));
		struct result *r = calloc(1, sizeof(*r));

		point_table_init(&pt);
		b->be = i % 2;
		shb(b);
		idb(b, 1, 0, "e", v[i].tsresol, v[i].offset);
		epb(b, 0, v[i].ts, 20, 20, NULL, -1, NULL);
		read_mem(b->d, b->n, "ts.pcapng", &pt, r);
		CHECK_EQ_INT(r->nframes, 1);
		CHECK_EQ_INT(r->last, 0);
		if (r->f[0].ts_ns != v[i].want)
			fprintf(stderr, "  tsresol case %zu: %llu != %llu\n", i,
				(unsigned long long)r->f[0].ts_ns,
				(unsigned long long)v[i].want);
		CHECK(r->f[0].ts_ns == v[i].want);
		point_table_free(&pt);
		free(b);
		free(r);
	}
}

/* Sections, unknown blocks, NRB, ISB, SPB, PB. */
static void test_sections_and_blocks(void)
{
	struct point_table pt;
	struct buf *b = calloc(1, sizeof(*b));
	struct result *r = calloc(1, sizeof(*r));
	const struct point *a, *c, *d;
	size_t s;

	point_table_init(&pt);
	shb(b);
	s = blk_begin(b, 0x12345678);		/* unknown */
	put32(b, 0xdeadbeef);
	blk_end(b, s);
	idb(b, 1, 0, "eth0", -1, 0);
	s = blk_begin(b, 4);			/* NRB */
	put32(b, 0);
	blk_end(b, s);
	epb(b, 0, 1000000, 30, 30, NULL, -1, NULL);
	isb(b, 0, 7);
	isb(b, 0, 9);				/* cumulative: last wins */
	s = blk_begin(b, 0x40000bad);		/* custom block */
	blk_end(b, s);
	/* section 2, other byte order: interface ids restart */
	b->be = true;
	shb(b);
	idb(b, 113, 0, "eth0", -1, 0);		/* same name: made unique */
	idb(b, 1, 64, NULL, -1, 0);
	epb(b, 0, 2000000, 30, 30, NULL, -1, NULL);
	s = blk_begin(b, 3);			/* SPB on interface 0 */
	put32(b, 50);
	put_bytes(b, payload, 50);
	blk_end(b, s);
	s = blk_begin(b, 2);			/* obsolete PB on interface 1 */
	put16(b, 1);
	put16(b, 0);
	put32(b, 0);
	put32(b, 3000000);
	put32(b, 20);
	put32(b, 30);
	put_bytes(b, payload, 20);
	put16(b, 2);
	put16(b, 4);
	put32(b, 2);				/* pack_flags: outbound */
	opt_end(b);
	blk_end(b, s);
	read_mem(b->d, b->n, "sec.pcapng", &pt, r);
	CHECK_EQ_INT(r->last, 0);
	CHECK_EQ_INT(r->nframes, 4);
	CHECK_EQ_INT(pt.count, 3);
	a = pt_named(&pt, "sec.pcapng:eth0");
	c = pt_named(&pt, "sec.pcapng:eth0#2");
	d = pt_named(&pt, "sec.pcapng:if1");
	CHECK(a && c && d);
	if (a && c && d) {
		CHECK_EQ_INT(r->f[0].point, a->id);
		CHECK_EQ_INT(r->f[1].point, c->id);
		CHECK_EQ_INT(r->f[2].point, c->id);
		CHECK_EQ_INT(r->f[3].point, d->id);
		CHECK(a->capture_drops_known);
		CHECK_EQ_INT(a->capture_drops, 9);
		CHECK(!c->capture_drops_known);
		CHECK_EQ_INT(c->linktype, 113);
		CHECK_EQ_INT(c->file_if, 0);
	}
	CHECK_EQ_INT(r->f[1].ts_ns, 2000000000);
	CHECK_EQ_INT(r->f[2].caplen, 50);	/* SPB: no snaplen on if 0 */
	CHECK_EQ_INT(r->f[2].wirelen, 50);
	CHECK_EQ_INT(r->f[3].caplen, 20);
	CHECK_EQ_INT(r->f[3].wirelen, 30);
	CHECK_EQ_INT(r->f[3].dir, DIR_OUT);
	CHECK_EQ_INT(r->f[3].ts_ns, 3000000000);
	CHECK_EQ_INT(r->f[3].linktype, 1);
	point_table_free(&pt);
	free(b);
	free(r);
}

static void test_sll2_points(void)
{
	struct point_table pt;
	struct buf *b = calloc(1, sizeof(*b));
	struct result *r = calloc(1, sizeof(*r));
	const struct point *p3, *p5, *base;
	uint8_t d[40];

	point_table_init(&pt);
	pcap_hdr(b, 0xa1b2c3d4, 262144, 276);
	sll2_frame(d, 3, 4);
	pcap_rec(b, 1, 0, 40, 40, d);
	sll2_frame(d, 5, 0);
	pcap_rec(b, 2, 0, 40, 40, d);
	sll2_frame(d, 3, 1);
	pcap_rec(b, 3, 0, 40, 40, d);
	sll2_frame(d, 5, 3);
	pcap_rec(b, 4, 0, 40, 40, d);
	sll2_frame(d, 5, 2);
	pcap_rec(b, 5, 0, 40, 40, d);
	sll2_frame(d, 3, 7);			/* unknown packet type */
	pcap_rec(b, 6, 0, 40, 40, d);
	pcap_rec(b, 7, 0, 6, 40, d);		/* too short for an ifindex */
	read_mem(b->d, b->n, "any.pcap", &pt, r);
	CHECK_EQ_INT(r->last, 0);
	CHECK_EQ_INT(r->nframes, 7);
	p3 = pt_named(&pt, "any.pcap:ifindex3");
	p5 = pt_named(&pt, "any.pcap:ifindex5");
	base = pt_named(&pt, "any.pcap");
	CHECK(p3 && p5 && base);
	if (p3 && p5 && base) {
		CHECK_EQ_INT(p3->ifindex, 3);
		CHECK_EQ_INT(p5->ifindex, 5);
		CHECK_EQ_INT(p3->linktype, 276);
		CHECK_EQ_INT(p3->hook, HOOK_FILE);
		CHECK_EQ_INT(r->f[0].point, p3->id);
		CHECK_EQ_INT(r->f[1].point, p5->id);
		CHECK_EQ_INT(r->f[2].point, p3->id);
		CHECK_EQ_INT(r->f[6].point, base->id);
		CHECK_EQ_INT(p3->frames, 3);
		CHECK_EQ_INT(p3->frames_out, 1);
		CHECK_EQ_INT(p3->frames_in, 1);
		CHECK_EQ_INT(p5->frames, 3);
		CHECK_EQ_INT(p5->frames_in, 3);
		CHECK_EQ_INT(base->frames, 1);
	}
	CHECK_EQ_INT(r->f[0].dir, DIR_OUT);
	CHECK_EQ_INT(r->f[1].dir, DIR_IN);
	CHECK_EQ_INT(r->f[2].dir, DIR_IN);
	CHECK_EQ_INT(r->f[3].dir, DIR_IN);
	CHECK_EQ_INT(r->f[4].dir, DIR_IN);
	CHECK_EQ_INT(r->f[5].dir, DIR_UNKNOWN);
	CHECK_EQ_INT(r->f[6].dir, DIR_UNKNOWN);
	point_table_free(&pt);

	/* SLL v1: direction from the be16 packet type, one point */
	point_table_init(&pt);
	memset(b, 0, sizeof(*b));
	pcap_hdr(b, 0xa1b2c3d4, 262144, 113);
	memset(d, 0, sizeof(d));
	d[1] = 4;
	pcap_rec(b, 1, 0, 40, 40, d);
	d[1] = 0;
	pcap_rec(b, 2, 0, 40, 40, d);
	read_mem(b->d, b->n, "sll.pcap", &pt, r);
	CHECK_EQ_INT(r->nframes, 2);
	CHECK_EQ_INT(pt.count, 1);
	CHECK_EQ_INT(r->f[0].dir, DIR_OUT);
	CHECK_EQ_INT(r->f[1].dir, DIR_IN);
	point_table_free(&pt);

	/* pcapng SLL2 interface next to Ethernet; epb_flags beat pkttype */
	point_table_init(&pt);
	memset(b, 0, sizeof(*b));
	shb(b);
	idb(b, 1, 0, "veth0", -1, 0);
	idb(b, 276, 0, "any", 9, 0);
	sll2_frame(d, 7, 4);
	epb(b, 1, 10, 40, 40, d, -1, NULL);
	epb(b, 0, 11000, 40, 40, NULL, -1, NULL);
	epb(b, 1, 12, 40, 40, d, 1, NULL);
	read_mem(b->d, b->n, "m.pcapng", &pt, r);
	CHECK_EQ_INT(r->nframes, 3);
	CHECK_EQ_INT(r->last, 0);
	p3 = pt_named(&pt, "m.pcapng:ifindex7");
	CHECK(p3 != NULL);
	if (p3) {
		CHECK_EQ_INT(r->f[0].point, p3->id);
		CHECK_EQ_INT(r->f[2].point, p3->id);
		CHECK_EQ_INT(p3->file_if, 1);
	}
	CHECK_EQ_INT(r->f[0].dir, DIR_OUT);
	CHECK_EQ_INT(r->f[2].dir, DIR_IN);
	CHECK_EQ_INT(r->f[1].linktype, 1);
	point_table_free(&pt);
	free(b);
	free(r);
}

/* A bad file: want the error text, want nframes good frames before it. */
static void expect_bad(const struct buf *b, int nframes, const char *what,
		       const char *offset)
{
	struct point_table pt;
	struct result *r = calloc(1, sizeof(*r));

	point_table_init(&pt);
	read_mem(b->d, b->n, "bad.cap", &pt, r);
	CHECK(r->last < 0);
	CHECK_EQ_INT(r->nframes, nframes);
	CHECK(has(r->err, "bad.cap: "));
	CHECK(has(r->err, what));
	if (offset)
		CHECK(has(r->err, offset));
	CHECK(strchr(r->err, '\n') == NULL);
	point_table_free(&pt);
	free(r);
}

/* Offsets below: SHB 28 bytes, IDB 20 (no options), EPB 32 + data. */
static void test_bad_pcapng(void)
{
	struct buf *b = calloc(1, sizeof(*b));
	size_t s;

	/* block length below the minimum, after one good frame at 48..108 */
	memset(b, 0, sizeof(*b));
	shb(b);
	idb(b, 1, 0, NULL, -1, 0);
	epb(b, 0, 1, 28, 28, NULL, -1, NULL);
	put32(b, 6);
	put32(b, 8);
	put32(b, 8);
	expect_bad(b, 1, "bad block length 8", "offset 108");

	/* zero-length block */
	b->n = 108;
	put32(b, 6);
	put32(b, 0);
	put32(b, 0);
	expect_bad(b, 1, "bad block length 0", "offset 108");

	/* not a multiple of 4 */
	b->n = 108;
	put32(b, 0x77);
	put32(b, 13);
	put32(b, 0);
	put32(b, 13);
	expect_bad(b, 1, "bad block length 13", "offset 108");

	/* trailing length mismatch */
	b->n = 108;
	s = blk_begin(b, 0x77);
	put32(b, 0);
	blk_end(b, s);
	patch32(b, b->n - 4, 20);
	expect_bad(b, 1, "trailing length 20 does not match 16", "offset 108");

	/* larger than the 16 MiB cap */
	b->n = 108;
	put32(b, 6);
	put32(b, 0x7ffffff0);
	put32(b, 0);
	expect_bad(b, 1, "exceeds the limit", "offset 108");

	/* truncated EPB: claims 96 bytes, 40 present */
	b->n = 108;
	epb(b, 0, 1, 64, 64, NULL, -1, NULL);
	b->n = 148;
	expect_bad(b, 1, "truncated enhanced packet block at offset 108 (needs 96 bytes, 40 left)",
		   NULL);

	/* truncated block header */
	b->n = 108;
	put32(b, 6);
	put16(b, 0);
	expect_bad(b, 1, "truncated block header at offset 108 (needs 8 bytes, 6 left)",
		   NULL);

	/* EPB on an undefined interface */
	b->n = 108;
	epb(b, 3, 1, 28, 28, NULL, -1, NULL);
	expect_bad(b, 1, "refers to undefined interface 3", "offset 108");

	/* EPB captured length overrunning its block */
	b->n = 108;
	s = b->n;
	epb(b, 0, 1, 28, 28, NULL, -1, NULL);
	patch32(b, s + 20, 200);
	expect_bad(b, 1, "captured length 200 overruns the block", "offset 108");

	/* EPB captured length above 256 KiB in a block big enough */
	b->n = 108;
	s = blk_begin(b, 6);
	put32(b, 0);
	put32(b, 0);
	put32(b, 0);
	put32(b, 300000);
	put32(b, 300000);
	while (b->n < s + 300)
		put8(b, 0);
	blk_end(b, s);
	expect_bad(b, 1, "captured length 300000 exceeds the maximum 262144",
		   "offset 108");

	/* EPB block too small for its fixed fields */
	b->n = 108;
	s = blk_begin(b, 6);
	put32(b, 0);
	blk_end(b, s);
	expect_bad(b, 1, "too small", "offset 108");

	/* option overrunning the block */
	b->n = 108;
	s = blk_begin(b, 6);
	put32(b, 0);
	put32(b, 0);
	put32(b, 0);
	put32(b, 0);
	put32(b, 0);
	put16(b, 1);
	put16(b, 400);
	put32(b, 0);
	blk_end(b, s);
	expect_bad(b, 1, "option 1 length 400 overruns", "offset 108");

	/* ISB for an undefined interface */
	b->n = 108;
	isb(b, 9, 1);
	expect_bad(b, 1, "undefined interface 9", "offset 108");

	/* bad tsresol */
	memset(b, 0, sizeof(*b));
	shb(b);
	idb(b, 1, 0, NULL, 20, 0);
	expect_bad(b, 0, "unsupported if_tsresol 0x14", "offset 28");

	/* undefined interface after a new section reset the ids */
	memset(b, 0, sizeof(*b));
	shb(b);
	idb(b, 1, 0, NULL, -1, 0);
	shb(b);
	epb(b, 0, 1, 28, 28, NULL, -1, NULL);
	expect_bad(b, 0, "undefined interface 0 (section has 0)", "offset 76");

	/* bad byte-order magic in a later SHB */
	memset(b, 0, sizeof(*b));
	shb(b);
	shb(b);
	patch32(b, 36, 0x11223344);
	expect_bad(b, 0, "bad byte-order magic", "offset 28");

	/* unsupported version */
	memset(b, 0, sizeof(*b));
	shb(b);
	b->d[12] = 2;
	expect_bad(b, 0, "unsupported pcapng version 2.0", "offset 0");
	free(b);
}

static void test_bad_pcap(void)
{
	struct buf *b = calloc(1, sizeof(*b));

	pcap_hdr(b, 0xa1b2c3d4, 65535, 1);
	pcap_rec(b, 1, 0, 30, 30, NULL);		/* 24..70 */
	put32(b, 1);
	put32(b, 0);
	put32(b, 300000);
	put32(b, 300000);
	expect_bad(b, 1, "packet record at offset 70: captured length 300000 exceeds the maximum 262144",
		   NULL);
	b->n = 70;
	pcap_rec(b, 1, 0, 100, 100, NULL);
	b->n = 70 + 16 + 50;
	expect_bad(b, 1, "truncated packet record at offset 70 (needs 116 bytes, 66 left)",
		   NULL);
	b->n = 75;
	expect_bad(b, 1, "truncated packet record header at offset 70 (needs 16 bytes, 5 left)",
		   NULL);
	b->n = 10;
	expect_bad(b, 0, "truncated pcap file header at offset 0", NULL);

	memset(b, 0, sizeof(*b));
	pcap_hdr(b, 0xa1b2c3d4, 65535, 1);
	b->d[4] = 1;
	expect_bad(b, 0, "unsupported pcap version 1.4", NULL);

	/* absurd header snaplen is accepted, reported as unknown */
	{
		struct point_table pt;
		struct result *r = calloc(1, sizeof(*r));

		memset(b, 0, sizeof(*b));
		pcap_hdr(b, 0xa1b2c3d4, 0xffffffff, 1);
		pcap_rec(b, 1, 0, 30, 30, NULL);
		point_table_init(&pt);
		read_mem(b->d, b->n, "s.pcap", &pt, r);
		CHECK_EQ_INT(r->nframes, 1);
		CHECK_EQ_INT(r->last, 0);
		CHECK_EQ_INT(pt.items[0].snaplen, 0);
		point_table_free(&pt);
		free(r);
	}

	memset(b, 0, sizeof(*b));
	put32(b, 0x12345678);
	put32(b, 0);
	expect_bad(b, 0, "not a capture file (unknown magic 0x78563412)", NULL);
	b->n = 3;
	expect_bad(b, 0, "not a capture file (only 3 bytes)", NULL);
	b->n = 0;
	expect_bad(b, 0, "not a capture file (only 0 bytes)", NULL);
	free(b);
}

/*
 * A valid file cut at every length: never a crash; a clean end exactly at
 * record boundaries (after the header), an error everywhere else.
 */
static void truncate_everywhere(const struct buf *b, const size_t *bounds,
				const int *frames, size_t nbounds,
				size_t min_open)
{
	struct result *r = calloc(1, sizeof(*r));
	size_t len, i;

	for (len = 0; len <= b->n; len++) {
		struct point_table pt;
		bool boundary = false;
		int want_frames = 0;

		for (i = 0; i < nbounds; i++) {
			if (bounds[i] == len)
				boundary = true;
			if (bounds[i] <= len)
				want_frames = frames[i];
		}
		point_table_init(&pt);
		read_mem(b->d, len, "cut", &pt, r);
		if (len < min_open) {
			CHECK(r->open_ret < 0);
		} else if (boundary) {
			CHECK_EQ_INT(r->last, 0);
			CHECK_EQ_INT(r->nframes, want_frames);
		} else {
			if (r->last >= 0)
				fprintf(stderr, "  cut at %zu did not fail\n", len);
			CHECK(r->last < 0);
			CHECK(strstr(r->err, "offset") != NULL);
			CHECK_EQ_INT(r->nframes, want_frames);
		}
		point_table_free(&pt);
	}
	free(r);
}

static void test_truncation(void)
{
	struct buf *b = calloc(1, sizeof(*b));
	size_t bounds[8], n = 0;
	int frames[8];

	pcap_hdr(b, 0xa1b23c4d, 65535, 1);
	frames[n] = 0;
	bounds[n++] = b->n;
	pcap_rec(b, 1, 0, 30, 30, NULL);
	frames[n] = 1;
	bounds[n++] = b->n;
	pcap_rec(b, 2, 0, 17, 30, NULL);
	frames[n] = 2;
	bounds[n++] = b->n;
	truncate_everywhere(b, bounds, frames, n, 24);

	/* pcapng: frames end with EPBs; the SHB must be whole to open */
	memset(b, 0, sizeof(*b));
	n = 0;
	b->be = true;
	shb(b);
	frames[n] = 0;
	bounds[n++] = b->n;
	idb(b, 1, 0, "eth0", 9, 0);
	frames[n] = 0;
	bounds[n++] = b->n;
	epb(b, 0, 5, 33, 40, NULL, 1, "c");
	frames[n] = 1;
	bounds[n++] = b->n;
	isb(b, 0, 3);
	frames[n] = 1;
	bounds[n++] = b->n;
	epb(b, 0, 6, 10, 40, NULL, -1, NULL);
	frames[n] = 2;
	bounds[n++] = b->n;
	truncate_everywhere(b, bounds, frames, n, 28);
	free(b);
}

static size_t gzip_mem(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	z_stream zs;
	size_t len;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY))
		return 0;
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&zs);
		return 0;
	}
	len = zs.total_out;
	deflateEnd(&zs);
	return len;
}

static bool write_file(const char *path, const void *d, size_t n)
{
	FILE *fp = fopen(path, "wb");
	bool ok;

	if (!fp)
		return false;
	ok = fwrite(d, 1, n, fp) == n;
	return fclose(fp) == 0 && ok;
}

static void read_path(const char *path, struct point_table *pt,
		      struct result *r)
{
	struct source *s;

	memset(r, 0, sizeof(*r));
	r->open_ret = source_open_file(path, pt, &s, r->err, sizeof(r->err));
	if (r->open_ret) {
		r->last = r->open_ret;
		return;
	}
	drain(s, r);
	source_close(s);
}

static void test_gzip_files_stdin(void)
{
	struct buf *b = calloc(1, sizeof(*b));
	static uint8_t gz[1 << 17], big[1 << 16];
	struct result *r = calloc(1, sizeof(*r));
	char dir[] = "/tmp/test_readers.XXXXXX", path[256], path2[256];
	struct point_table pt;
	size_t gzlen, cut, i;
	int fd, saved;

	shb(b);
	idb(b, 1, 0, "eth0", -1, 0);
	for (i = 0; i < 40; i++)
		epb(b, 0, i, 1000, 1000, NULL, -1, NULL);
	gzlen = gzip_mem(b->d, b->n, gz, sizeof(gz));
	CHECK(gzlen > 20);

	/* gzip in memory */
	point_table_init(&pt);
	read_mem(gz, gzlen, "z.pcapng.gz", &pt, r);
	CHECK_EQ_INT(r->last, 0);
	CHECK_EQ_INT(r->nframes, 40);
	CHECK(r->f[39].ts_ns == 39000);
	point_table_free(&pt);

	/* gzip cut short, in memory: the frames before, then an error */
	for (cut = 10; cut < gzlen; cut += gzlen / 7) {
		point_table_init(&pt);
		read_mem(gz, cut, "z.gz", &pt, r);
		CHECK(r->last < 0);
		CHECK(r->nframes < 40);
		CHECK(has(r->err, "z.gz: "));
		point_table_free(&pt);
	}
	/* every cut of the gzip stream: an error, never a crash or a hang */
	for (cut = 0; cut < gzlen; cut++) {
		point_table_init(&pt);
		read_mem(gz, cut, "z.gz", &pt, r);
		CHECK(r->last < 0);
		/* a cut in the trailer (or the end-of-block code before it)
		 * still has every frame */
		CHECK(r->nframes < 40 || cut >= gzlen - 12);
		point_table_free(&pt);
	}
	point_table_init(&pt);
	read_mem(gz, gzlen - 4, "z.gz", &pt, r);	/* trailer cut */
	CHECK(r->last < 0);
	CHECK(has(r->err, "compressed stream ends early"));
	point_table_free(&pt);

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		goto out;
	}
	/* plain and gzip files; missing file; gzip file cut short */
	snprintf(path, sizeof(path), "%s/plain.pcapng", dir);
	CHECK(write_file(path, b->d, b->n));
	point_table_init(&pt);
	read_path(path, &pt, r);
	CHECK_EQ_INT(r->nframes, 40);
	CHECK_EQ_INT(r->last, 0);
	CHECK(pt_named(&pt, "plain.pcapng:eth0") != NULL);
	point_table_free(&pt);

	snprintf(path2, sizeof(path2), "%s/z.pcapng.gz", dir);
	CHECK(write_file(path2, gz, gzlen));
	point_table_init(&pt);
	read_path(path2, &pt, r);
	CHECK_EQ_INT(r->nframes, 40);
	CHECK_EQ_INT(r->last, 0);
	point_table_free(&pt);

	/* a window far smaller than a record: refills, moves, growth */
	input_set_initial_window(16);
	point_table_init(&pt);
	read_path(path, &pt, r);
	CHECK_EQ_INT(r->nframes, 40);
	CHECK_EQ_INT(r->last, 0);
	CHECK(r->f[39].ts_ns == 39000 && r->f[39].caplen == 1000);
	CHECK(r->data_hash[39] == fnv(payload, 1000));
	CHECK(r->data_hash[0] == fnv(payload, 1000));
	read_path(path2, &pt, r);
	CHECK_EQ_INT(r->nframes, 40);
	CHECK_EQ_INT(r->last, 0);
	point_table_free(&pt);
	input_set_initial_window(0);

	CHECK(write_file(path2, gz, gzlen * 3 / 4));
	point_table_init(&pt);
	read_path(path2, &pt, r);
	CHECK(r->last < 0);
	if (r->nframes == 0 || r->nframes >= 40)
		fprintf(stderr, "  gz half: %d frames of 40, gz %zu bytes: %s\n",
			r->nframes, gzlen, r->err);
	CHECK(r->nframes > 0 && r->nframes < 40);
	CHECK(has(r->err, "compressed stream ends early"));
	CHECK(has(r->err, "offset"));
	point_table_free(&pt);

	snprintf(path2, sizeof(path2), "%s/missing.pcap", dir);
	point_table_init(&pt);
	read_path(path2, &pt, r);
	CHECK_EQ_INT(r->open_ret, -ENOENT);
	CHECK(has(r->err, "missing.pcap: No such file or directory"));
	point_table_free(&pt);

	/* stdin */
	saved = dup(0);
	fd = open(path, O_RDONLY);
	CHECK(saved >= 0 && fd >= 0);
	if (saved >= 0 && fd >= 0) {
		dup2(fd, 0);
		close(fd);
		point_table_init(&pt);
		read_path("-", &pt, r);
		CHECK_EQ_INT(r->nframes, 40);
		CHECK_EQ_INT(r->last, 0);
		CHECK(pt_named(&pt, "stdin:eth0") != NULL);
		point_table_free(&pt);
		dup2(saved, 0);
		close(saved);
	}

	/* a block bigger than the initial read window, in a gzip file */
	memset(b, 0, sizeof(*b));
	shb(b);
	idb(b, 1, 0, NULL, -1, 0);
	epb(b, 0, 1, 60, 60, NULL, -1, NULL);
	{
		/* 2 MiB unknown block between frames */
		size_t n = 2u << 20;
		uint8_t *blk = calloc(1, n), *all = malloc(n + 2 * b->n);
		uint8_t *z = malloc(n + 65536);
		struct buf *tail = calloc(1, sizeof(*tail));

		if (blk && all && z && tail) {
			blk[0] = 0x99;
			blk[4] = (uint8_t)n;
			blk[5] = (uint8_t)(n >> 8);
			blk[6] = (uint8_t)(n >> 16);
			memcpy(blk + n - 4, blk + 4, 4);
			epb(tail, 0, 2, 60, 60, NULL, -1, NULL);
			memcpy(all, b->d, b->n);
			memcpy(all + b->n, blk, n);
			memcpy(all + b->n + n, tail->d, tail->n);
			gzlen = gzip_mem(all, b->n + n + tail->n, z, n + 65536);
			snprintf(path2, sizeof(path2), "%s/big.gz", dir);
			CHECK(write_file(path2, z, gzlen));
			point_table_init(&pt);
			read_path(path2, &pt, r);
			CHECK_EQ_INT(r->nframes, 2);
			CHECK_EQ_INT(r->last, 0);
			point_table_free(&pt);
			unlink(path2);
		}
		free(blk);
		free(all);
		free(z);
		free(tail);
	}
	(void)big;
	unlink(path);
	snprintf(path2, sizeof(path2), "%s/z.pcapng.gz", dir);
	unlink(path2);
	rmdir(dir);
out:
	free(b);
	free(r);
}

static void test_merger(void)
{
	struct buf *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct buf *c = calloc(1, sizeof(*c));
	struct source *src[3];
	struct point_table pt;
	struct merger *m;
	struct source *failed;
	struct frame f;
	char err[SOURCE_ERR_MAX];
	uint64_t ts[16];
	uint32_t pts[16];
	int n = 0, ret, errors = 0;

	/* a: 1 3 5 5; b: 2 3 5 (ties: a before b); c: 4 then an error */
	pcap_hdr(a, 0xa1b23c4d, 0, 1);
	pcap_rec(a, 0, 1, 10, 10, NULL);
	pcap_rec(a, 0, 3, 10, 10, NULL);
	pcap_rec(a, 0, 5, 10, 10, NULL);
	pcap_rec(a, 0, 5, 11, 11, NULL);
	b->be = true;
	pcap_hdr(b, 0xa1b23c4d, 0, 1);
	pcap_rec(b, 0, 2, 20, 20, NULL);
	pcap_rec(b, 0, 3, 20, 20, NULL);
	pcap_rec(b, 0, 5, 20, 20, NULL);
	pcap_hdr(c, 0xa1b23c4d, 0, 1);
	pcap_rec(c, 0, 4, 30, 30, NULL);
	put32(c, 0);

	point_table_init(&pt);
	CHECK(!source_open_memory(a->d, a->n, "a", &pt, &src[0], err, sizeof(err)));
	CHECK(!source_open_memory(b->d, b->n, "b", &pt, &src[1], err, sizeof(err)));
	CHECK(!source_open_memory(c->d, c->n, "c", &pt, &src[2], err, sizeof(err)));
	CHECK(!merger_new(src, 3, &m));
	while ((ret = merger_next(m, &f, &failed)) != 0 && n < 16) {
		if (ret < 0) {
			errors++;
			CHECK(failed == src[2]);
			CHECK(has(source_error(failed), "c: truncated"));
			continue;
		}
		/* the data of the frame handed out must still be readable */
		CHECK(f.data && f.data[f.caplen - 1] == payload[f.caplen - 1]);
		ts[n] = f.ts_ns;
		pts[n++] = f.point * 100 + f.caplen;
	}
	CHECK_EQ_INT(errors, 1);
	CHECK_EQ_INT(n, 8);
	CHECK_EQ_INT(ts[0], 1);
	CHECK_EQ_INT(pts[1], 120);
	CHECK_EQ_INT(pts[2], 10);	/* ts 3: a first */
	CHECK_EQ_INT(pts[3], 120);
	CHECK_EQ_INT(pts[4], 230);	/* ts 4 from c */
	CHECK_EQ_INT(pts[5], 10);	/* ts 5: a, a, b */
	CHECK_EQ_INT(pts[6], 11);
	CHECK_EQ_INT(pts[7], 120);
	merger_free(m);
	source_close(src[0]);
	source_close(src[1]);
	source_close(src[2]);
	point_table_free(&pt);
	free(a);
	free(b);
	free(c);
}

/* A file claiming a huge number of SLL2 interfaces hits the point cap. */
static void test_point_cap(void)
{
	struct buf *b = calloc(1, sizeof(*b));
	struct point_table pt;
	struct result *r = calloc(1, sizeof(*r));
	uint8_t d[40];
	uint32_t i;

	pcap_hdr(b, 0xa1b2c3d4, 0, 276);
	for (i = 0; i < 5000 && b->n + 40 < sizeof(b->d); i++) {
		sll2_frame(d, i, 0);
		pcap_rec(b, 1, 0, 12, 12, d);
	}
	point_table_init(&pt);
	read_mem(b->d, b->n, "many", &pt, r);
	CHECK(r->last < 0);
	CHECK(has(r->err, "too many interfaces"));
	CHECK(pt.count <= 4096);
	point_table_free(&pt);

	/* thousands of IDBs with one name: unique names stay cheap */
	memset(b, 0, sizeof(*b));
	shb(b);
	for (i = 0; i < 5000; i++)
		idb(b, 1, 0, "a", -1, 0);
	point_table_init(&pt);
	read_mem(b->d, b->n, "same", &pt, r);
	CHECK(has(r->err, "too many interfaces"));
	CHECK_EQ_INT(pt.count, 4096);
	CHECK(pt_named(&pt, "same:a#9") != NULL);
	CHECK(pt_named(&pt, "same:a#10") != NULL);
	CHECK(pt_named(&pt, "same:a#4096") != NULL);
	point_table_free(&pt);
	free(b);
	free(r);
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	test_pcap_variants();
	test_pcapng_multi();
	test_tsresol();
	test_sections_and_blocks();
	test_sll2_points();
	test_bad_pcapng();
	test_bad_pcap();
	test_truncation();
	test_gzip_files_stdin();
	test_merger();
	test_point_cap();
	return check_done();
}
