// SPDX-License-Identifier: GPL-2.0
/*
 * Engine unit tests on packets built from crafted bytes: Ethernet + IPv4 +
 * ICMP echo / errors and ARP frames, dissected by dissect_frame() and fed to
 * the engine at chosen points and times, as the capture stage would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/engine.h"
#include "analyze/internal.h"
#include "analyze/report.h"
#include "check.h"
#include "dissect/packet.h"

#define MS 1000000ull
#define T0 1700000000000000000ull

static const uint8_t MAC_G[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t MAC_H[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t MAC_X[6] = { 2, 0, 0, 0, 0, 9 };

struct echo {
	uint8_t type;			/* 8 request, 0 reply */
	uint32_t src, dst;		/* host order */
	uint16_t id, seq;
	uint8_t ttl;
	uint16_t data_len;
	uint8_t fill;			/* payload byte pattern seed */
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)(p[n - 1] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static size_t eth_hdr(uint8_t *b, const uint8_t *dst, const uint8_t *src,
		      uint16_t type)
{
	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	put16(b + 12, type);
	return 14;
}

static size_t ip_hdr(uint8_t *b, uint32_t src, uint32_t dst, uint8_t ttl,
		     uint16_t payload)
{
	memset(b, 0, 20);
	b[0] = 0x45;
	put16(b + 2, (uint16_t)(20 + payload));
	b[6] = 0x40;	/* DF */
	b[8] = ttl;
	b[9] = 1;
	put32(b + 12, src);
	put32(b + 16, dst);
	put16(b + 10, csum(b, 20));
	return 20;
}

/* ICMP echo at b; returns its length. */
static size_t icmp_echo(uint8_t *b, const struct echo *e)
{
	size_t i, n = 8 + e->data_len;

	memset(b, 0, 8);
	b[0] = e->type;
	put16(b + 4, e->id);
	put16(b + 6, e->seq);
	for (i = 0; i < e->data_len; i++)
		b[8 + i] = (uint8_t)(e->fill + i * 7 + e->seq);
	put16(b + 2, csum(b, n));
	return n;
}

static size_t build_echo(uint8_t *b, const struct echo *e)
{
	size_t n = eth_hdr(b, e->type == 8 ? MAC_H : MAC_G,
			   e->type == 8 ? MAC_G : MAC_H, 0x0800);
	uint16_t icmp_len = (uint16_t)(8 + e->data_len);

	n += ip_hdr(b + n, e->src, e->dst, e->ttl, icmp_len);
	n += icmp_echo(b + n, e);
	return n;
}

/* ICMP error from `from` quoting the (request) echo q. */
static size_t build_error(uint8_t *b, uint32_t from, uint8_t type,
			  uint8_t code, const struct echo *q)
{
	uint8_t inner[1600];
	size_t n = eth_hdr(b, MAC_G, MAC_H, 0x0800), qn, ilen;

	qn = ip_hdr(inner, q->src, q->dst, q->ttl, (uint16_t)(8 + q->data_len));
	qn += icmp_echo(inner + qn, q);
	ilen = qn > 548 ? 548 : qn;
	n += ip_hdr(b + n, from, q->src, 64, (uint16_t)(8 + ilen));
	memset(b + n, 0, 8);
	b[n] = type;
	b[n + 1] = code;
	memcpy(b + n + 8, inner, ilen);
	put16(b + n + 2, csum(b + n, 8 + ilen));
	return n + 8 + ilen;
}

static size_t build_arp(uint8_t *b, uint16_t op, const uint8_t *sha,
			uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	size_t n = eth_hdr(b, op == 1 ? bcast : tha, sha, 0x0806);

	put16(b + n, 1);
	put16(b + n + 2, 0x0800);
	b[n + 4] = 6;
	b[n + 5] = 4;
	put16(b + n + 6, op);
	memcpy(b + n + 8, sha, 6);
	put32(b + n + 14, spa);
	memcpy(b + n + 18, tha, 6);
	put32(b + n + 24, tpa);
	return n + 28;
}

/* ---- a tiny capture: a point table and a feeder ---------------------- */

struct rig {
	struct point_table points;
	struct engine *e;
	uint64_t numbers[8];
};

static void rig_init(struct rig *r, int n_points, const struct engine_opts *o)
{
	int i;

	memset(r, 0, sizeof(*r));
	point_table_init(&r->points);
	for (i = 0; i < n_points; i++) {
		struct point p;

		memset(&p, 0, sizeof(p));
		snprintf(p.name, sizeof(p.name), "p%d", i);
		point_table_add(&r->points, &p);
	}
	r->e = engine_new(&r->points, o);
}

static void rig_free(struct rig *r)
{
	engine_free(r->e);
	point_table_free(&r->points);
}

/* Feeds caplen of the n bytes, from a heap copy (ASan sees overreads). */
static void feed_cut(struct rig *r, int point, uint64_t ts, const uint8_t *b,
		     size_t n, size_t caplen)
{
	struct packet p;
	struct frame f;
	uint8_t *copy = malloc(caplen);

	memcpy(copy, b, caplen);
	memset(&f, 0, sizeof(f));
	f.data = copy;
	f.caplen = (uint32_t)caplen;
	f.wirelen = (uint32_t)n;
	f.ts_ns = ts;
	f.point = (uint32_t)point;
	f.number = ++r->numbers[point];
	f.linktype = LINKTYPE_ETHERNET;
	dissect_frame(&f, &p);
	engine_feed(r->e, &p);
	free(copy);
}

static void feed(struct rig *r, int point, uint64_t ts, const uint8_t *b,
		 size_t n)
{
	feed_cut(r, point, ts, b, n, n);
}

static void feed_echo(struct rig *r, int point, uint64_t ts,
		      const struct echo *e)
{
	uint8_t b[1600];

	feed(r, point, ts, b, build_echo(b, e));
}

static struct echo request(uint16_t seq)
{
	struct echo e = { 8, 0x0a000002, 0x0a000001, 0x1234, seq, 64, 56, 0x11 };

	return e;
}

static struct echo reply_of(const struct echo *q)
{
	struct echo e = *q;

	e.type = 0;
	e.src = q->dst;
	e.dst = q->src;
	return e;
}

static const struct finding *find_kind(const struct engine *e,
				       enum finding_kind k, int nth)
{
	size_t i;

	for (i = 0; i < e->n_findings; i++)
		if (e->findings[i].kind == k && nth-- == 0)
			return &e->findings[i];
	return NULL;
}

/* A probe crossing points 0 -> 1 -> 2 and its reply back 2 -> 1 -> 0. */
static void full_probe(struct rig *r, uint64_t t, uint16_t seq)
{
	struct echo q = request(seq), a = reply_of(&q);

	feed_echo(r, 0, t, &q);
	q.ttl--;
	feed_echo(r, 1, t + 10000, &q);
	feed_echo(r, 2, t + 20000, &q);
	feed_echo(r, 2, t + 300000, &a);
	feed_echo(r, 1, t + 310000, &a);
	feed_echo(r, 0, t + 320000, &a);
}

static void test_healthy(void)
{
	struct engine_totals t;
	struct rig r;
	uint16_t s;

	rig_init(&r, 3, NULL);
	for (s = 1; s <= 5; s++)
		full_probe(&r, T0 + s * 1000 * MS, s);
	engine_finish(r.e);
	engine_totals(r.e, &t);
	CHECK_EQ_INT(t.probes, 5);
	CHECK_EQ_INT(t.answered, 5);
	CHECK_EQ_INT(t.lost, 0);
	CHECK(!t.has_drop);
	CHECK_EQ_INT(r.e->n_flows, 1);
	CHECK_EQ_INT(r.e->flows[0].req_len, 3);
	CHECK(r.e->flows[0].req_path[0] == 0 && r.e->flows[0].req_path[1] == 1 &&
	      r.e->flows[0].req_path[2] == 2);
	CHECK(strstr(engine_verdict(r.e), "5/5 probes answered via p0 -> p1 -> p2"));
	CHECK(!find_kind(r.e, FK_NAT_REWRITE, 0));
	rig_free(&r);
}

/* Points fed in reverse order of their ids: the path comes from time. */
static void test_path_from_time(void)
{
	struct rig r;
	uint16_t s;

	rig_init(&r, 3, NULL);
	for (s = 1; s <= 3; s++) {
		struct echo q = request(s), a = reply_of(&q);
		uint64_t t = T0 + s * 1000 * MS;

		feed_echo(&r, 2, t, &q);
		feed_echo(&r, 0, t + 5000, &q);
		feed_echo(&r, 1, t + 9000, &q);
		feed_echo(&r, 1, t + 90000, &a);
		feed_echo(&r, 0, t + 95000, &a);
		feed_echo(&r, 2, t + 99000, &a);
	}
	engine_finish(r.e);
	CHECK(r.e->flows[0].req_path[0] == 2 && r.e->flows[0].req_path[1] == 0 &&
	      r.e->flows[0].req_path[2] == 1);
	CHECK_EQ_INT(r.e->outcome[PO_ANSWERED], 3);
	rig_free(&r);
}

static void test_drop_located(void)
{
	const struct finding *f;
	struct engine_totals t;
	struct rig r;
	uint16_t s;

	rig_init(&r, 3, NULL);
	for (s = 1; s <= 6; s++) {
		uint64_t t0 = T0 + s * 1000 * MS;
		struct echo q = request(s);

		if (s % 3) {
			full_probe(&r, t0, s);
			continue;
		}
		/* every third request stops after point 1 */
		feed_echo(&r, 0, t0, &q);
		feed_echo(&r, 1, t0 + 10000, &q);
	}
	full_probe(&r, T0 + 10000 * MS, 7);	/* the capture goes on */
	engine_finish(r.e);
	engine_totals(r.e, &t);
	CHECK_EQ_INT(t.probes, 7);
	CHECK_EQ_INT(t.lost, 2);
	CHECK(t.has_drop);
	f = find_kind(r.e, FK_DROP, 0);
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ_INT(f->after, 1);
		CHECK_EQ_INT(f->before, 2);
		CHECK_EQ_INT(f->dir, LOC_REQUEST);
		CHECK_EQ_INT(f->count, 2);
		CHECK(f->n_ev >= 2);
	}
	CHECK(strstr(engine_verdict(r.e), "2/7 probes lost: requests stop "
		     "after p1, not seen at p2"));
	rig_free(&r);
}

static void test_reply_lost(void)
{
	const struct finding *f;
	struct rig r;
	uint16_t s;

	rig_init(&r, 3, NULL);
	full_probe(&r, T0, 1);
	for (s = 2; s <= 4; s++) {
		struct echo q = request(s), a = reply_of(&q);
		uint64_t t = T0 + s * 1000 * MS;

		feed_echo(&r, 0, t, &q);
		feed_echo(&r, 1, t + 10000, &q);
		feed_echo(&r, 2, t + 20000, &q);
		feed_echo(&r, 2, t + 300000, &a);
		feed_echo(&r, 1, t + 310000, &a);
	}
	full_probe(&r, T0 + 9000 * MS, 5);
	engine_finish(r.e);
	CHECK_EQ_INT(r.e->outcome[PO_LOST_REPLY], 3);
	f = find_kind(r.e, FK_DROP, 0);
	CHECK(f && f->after == 1 && f->before == 0 && f->dir == LOC_REPLY);
	rig_free(&r);
}

static void test_nat(void)
{
	const struct finding *f;
	struct rig r;
	uint16_t s;

	rig_init(&r, 3, NULL);
	for (s = 1; s <= 3; s++) {
		struct echo q = request(s), a;
		uint64_t t = T0 + s * 1000 * MS;

		q.src = 0xc0a87a02;	/* 192.168.122.2 */
		q.dst = 0xcb007102;	/* 203.0.113.2 */
		feed_echo(&r, 0, t, &q);
		feed_echo(&r, 1, t + 1000, &q);
		a = reply_of(&q);
		q.src = 0xcb007101;	/* masqueraded to 203.0.113.1 */
		q.id = 0x9999;
		feed_echo(&r, 2, t + 30000, &q);
		feed_echo(&r, 2, t + 200000, &(struct echo){ 0, q.dst, q.src,
					q.id, q.seq, 64, 56, 0x11 });
		feed_echo(&r, 1, t + 230000, &a);
		feed_echo(&r, 0, t + 240000, &a);
	}
	engine_finish(r.e);
	CHECK_EQ_INT(r.e->outcome[PO_ANSWERED], 3);
	f = find_kind(r.e, FK_NAT_REWRITE, 0);
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ_INT(f->after, 1);
		CHECK_EQ_INT(f->before, 2);
		CHECK_EQ_INT(f->count, 3);
		CHECK(strstr(f->summary, "192.168.122.2 > 203.0.113.2 id 4660 "
			     "becomes 203.0.113.1 > 203.0.113.2 id 39321"));
	}
	/* and the reply's de-NAT, on the reply path */
	f = find_kind(r.e, FK_NAT_REWRITE, 1);
	CHECK(f && f->dir == LOC_REPLY && f->after == 2 && f->before == 1);
	rig_free(&r);
}

/* Duplicates at a point, a retransmitted sequence, a wrapped sequence. */
static void test_identity(void)
{
	struct echo q = request(7), q2 = request(7), a;
	struct rig r;

	rig_init(&r, 2, NULL);
	feed_echo(&r, 0, T0, &q);
	feed_echo(&r, 0, T0 + 1000, &q);		/* duplicate copy */
	feed_echo(&r, 1, T0 + 2000, &q);
	a = reply_of(&q);
	feed_echo(&r, 1, T0 + 50000, &a);
	feed_echo(&r, 0, T0 + 60000, &a);
	/* same seq, other payload (timestamp): another probe */
	q2.fill = 0x55;
	feed_echo(&r, 0, T0 + 100 * MS, &q2);
	feed_echo(&r, 1, T0 + 100 * MS + 2000, &q2);
	a = reply_of(&q2);
	feed_echo(&r, 1, T0 + 100 * MS + 50000, &a);
	feed_echo(&r, 0, T0 + 100 * MS + 60000, &a);
	/* the very same bytes again, after the first was answered (wrap) */
	feed_echo(&r, 0, T0 + 200 * MS, &q);
	engine_finish(r.e);
	CHECK_EQ_INT(r.e->outcome[PO_ANSWERED], 2);
	CHECK_EQ_INT(r.e->next_probe_id, 3);
	CHECK_EQ_INT(r.e->n_kept, 3);
	if (r.e->n_kept >= 1) {
		const struct probe *pr = r.e->kept[0];

		CHECK_EQ_INT(pr->seq, 7);
		CHECK_EQ_INT(pr->s[0].dups, 1);
		CHECK_EQ_INT(pr->n_sight, 4);
	}
	rig_free(&r);
}

/* A snap length that cuts the echo data: matched, but flagged. */
static void test_snaplen(void)
{
	struct echo q = request(1), a = reply_of(&q);
	uint8_t b[1600];
	size_t n;
	struct rig r;

	q.data_len = a.data_len = 200;
	rig_init(&r, 2, NULL);
	feed_echo(&r, 0, T0, &q);
	n = build_echo(b, &q);
	feed_cut(&r, 1, T0 + 1000, b, n, 96);	/* snaplen 96 */
	n = build_echo(b, &a);
	feed_cut(&r, 1, T0 + 40000, b, n, 96);
	feed_echo(&r, 0, T0 + 50000, &a);
	engine_finish(r.e);
	CHECK_EQ_INT(r.e->next_probe_id, 1);
	CHECK_EQ_INT(r.e->outcome[PO_ANSWERED], 1);
	CHECK(r.e->n_kept == 1 && (r.e->kept[0]->flags & PF_PARTIAL_FP));
	CHECK(find_kind(r.e, FK_EVIDENCE_INCOMPLETE, 0) != NULL);
	rig_free(&r);
}

static void test_icmp_error(void)
{
	const struct finding *f;
	uint8_t b[1600];
	struct rig r;
	uint16_t s;

	rig_init(&r, 2, NULL);
	for (s = 1; s <= 3; s++) {
		struct echo q = request(s);
		uint64_t t = T0 + s * 1000 * MS;

		feed_echo(&r, 0, t, &q);
		feed_echo(&r, 1, t + 1000, &q);
		/* the host rejects: admin prohibited, quoting the probe */
		feed(&r, 1, t + 5000, b, build_error(b, 0x0a000001, 3, 13, &q));
		feed(&r, 0, t + 6000, b, build_error(b, 0x0a000001, 3, 13, &q));
	}
	engine_finish(r.e);
	CHECK_EQ_INT(r.e->outcome[PO_LOST_REQUEST], 3);
	CHECK_EQ_INT(r.e->late_errors, 0);
	f = find_kind(r.e, FK_ICMP_ERROR, 0);
	CHECK(f && f->count == 3 && strstr(f->cause, "rejected by firewall at host 10.0.0.1"));
	f = find_kind(r.e, FK_DROP, 0);
	CHECK(f && strstr(f->cause, "rejected by a firewall at 10.0.0.1"));
	rig_free(&r);
}

static void test_neighbours(void)
{
	const struct finding *f;
	uint8_t b[128];
	struct rig r;
	int i;

	rig_init(&r, 1, NULL);
	/* the guest asks for its gateway 10.0.0.254 three times, unanswered */
	for (i = 0; i < 3; i++)
		feed(&r, 0, T0 + (uint64_t)i * 1000 * MS, b,
		     build_arp(b, 1, MAC_G, 0x0a000002, (const uint8_t[6]){ 0 },
			       0x0a0000fe));
	/* two MACs answer for 10.0.0.1 */
	feed(&r, 0, T0 + 4000 * MS, b,
	     build_arp(b, 1, MAC_G, 0x0a000002, (const uint8_t[6]){ 0 }, 0x0a000001));
	feed(&r, 0, T0 + 4001 * MS, b, build_arp(b, 2, MAC_H, 0x0a000001, MAC_G, 0x0a000002));
	feed(&r, 0, T0 + 4002 * MS, b, build_arp(b, 2, MAC_X, 0x0a000001, MAC_G, 0x0a000002));
	/* a gratuitous announcement */
	feed(&r, 0, T0 + 5000 * MS, b,
	     build_arp(b, 1, MAC_X, 0x0a000005, (const uint8_t[6]){ 0 }, 0x0a000005));
	engine_finish(r.e);
	f = find_kind(r.e, FK_ARP_UNANSWERED, 0);
	CHECK(f && f->count == 3 && strstr(f->summary, "10.0.0.254"));
	CHECK(!find_kind(r.e, FK_ARP_UNANSWERED, 1));
	f = find_kind(r.e, FK_IP_CONFLICT, 0);
	CHECK(f && strstr(f->summary, "10.0.0.1") &&
	      strstr(f->summary, "02:00:00:00:00:01") &&
	      strstr(f->summary, "02:00:00:00:00:09"));
	CHECK(find_kind(r.e, FK_GRATUITOUS_ARP, 0) != NULL);
	CHECK(find_kind(r.e, FK_NO_PROBES, 0) != NULL);
	CHECK(strstr(engine_verdict(r.e), "No probe left the guest"));
	rig_free(&r);
}

static void test_storm(void)
{
	uint8_t b[128];
	struct rig r;
	int i;

	rig_init(&r, 1, NULL);
	for (i = 0; i < 500; i++)
		feed(&r, 0, T0 + (uint64_t)i * MS, b,
		     build_arp(b, 1, MAC_X, 0x0a000009, (const uint8_t[6]){ 0 },
			       0x0a000001 + (uint32_t)(i % 50)));
	engine_finish(r.e);
	CHECK(find_kind(r.e, FK_STORM, 0) != NULL);
	rig_free(&r);
}

/* A size that never passes while smaller ones do: MTU black hole. */
static void test_mtu(void)
{
	const struct finding *f;
	struct rig r;
	uint16_t s;

	rig_init(&r, 3, NULL);
	for (s = 1; s <= 6; s++) {
		struct echo q = request(s);
		uint64_t t = T0 + s * 1000 * MS;

		if (s <= 3) {
			full_probe(&r, t, s);
			continue;
		}
		q.data_len = 1450;
		feed_echo(&r, 0, t, &q);
		feed_echo(&r, 1, t + 10000, &q);
	}
	full_probe(&r, T0 + 9000 * MS, 9);
	engine_finish(r.e);
	f = find_kind(r.e, FK_MTU_BLACKHOLE, 0);
	CHECK(f && f->after == 1 && f->before == 2);
	if (f)
		CHECK(strstr(f->summary, "56 bytes passes, 1450"));
	rig_free(&r);
}

static void test_bad_checksum(void)
{
	struct echo q = request(1);
	uint8_t b[1600];
	size_t n;
	struct rig r;

	rig_init(&r, 2, NULL);
	full_probe(&r, T0, 9);
	feed_echo(&r, 0, T0 + 1000 * MS, &q);
	n = build_echo(b, &q);
	b[14 + 20 + 2] ^= 0x55;		/* corrupt the ICMP checksum */
	feed(&r, 1, T0 + 1000 * MS + 10000, b, n);
	full_probe(&r, T0 + 5000 * MS, 10);
	engine_finish(r.e);
	CHECK(find_kind(r.e, FK_CHECKSUM_BAD, 0) != NULL);
	CHECK(find_kind(r.e, FK_DROP, 0) &&
	      strstr(find_kind(r.e, FK_DROP, 0)->cause, "corrupt checksum"));
	rig_free(&r);
}

/* Long captures: closed probes leave the table; memory stays bounded. */
static void test_bounded(void)
{
	struct engine_opts o;
	struct rig r;
	uint32_t i;
	uint32_t max_live = 0;

	engine_opts_default(&o);
	o.keep_probes = 16;
	rig_init(&r, 2, &o);
	for (i = 0; i < 50000; i++) {
		struct echo q = request((uint16_t)i), a = reply_of(&q);
		uint64_t t = T0 + (uint64_t)i * 10 * MS;

		q.fill = (uint8_t)(i >> 16);
		feed_echo(&r, 0, t, &q);
		feed_echo(&r, 1, t + 1000, &q);
		if (i % 1000 == 999)
			continue;	/* a few lost */
		a = reply_of(&q);
		feed_echo(&r, 1, t + 2000, &a);
		feed_echo(&r, 0, t + 3000, &a);
		if (r.e->n_live > max_live)
			max_live = r.e->n_live;
	}
	engine_finish(r.e);
	CHECK(max_live < 200);
	CHECK(r.e->n_kept <= 64);
	CHECK_EQ_INT(r.e->outcome[PO_ANSWERED], 50000 - 50);
	/* the last one was still in its reply window at the end */
	CHECK_EQ_INT(r.e->outcome[PO_LOST_REQUEST], 49);
	CHECK_EQ_INT(r.e->outcome[PO_UNFINISHED], 1);
	rig_free(&r);
}

static void test_json(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct rig r;

	rig_init(&r, 3, NULL);
	full_probe(&r, T0, 1);
	engine_finish(r.e);
	CHECK(report_json(r.e, fp) == 0);
	fclose(fp);
	CHECK(buf && strstr(buf, "{\"schema\":\"dropspot.report\",\"version\":1,"));
	CHECK(buf && strstr(buf, "\"findings\":[]"));
	CHECK(buf && strstr(buf, "\"path\":[0,1,2]"));
	free(buf);
	rig_free(&r);
}

int main(void)
{
	test_healthy();
	test_path_from_time();
	test_drop_located();
	test_reply_lost();
	test_nat();
	test_identity();
	test_snaplen();
	test_icmp_error();
	test_neighbours();
	test_storm();
	test_mtu();
	test_bad_checksum();
	test_bounded();
	test_json();
	return check_done();
}
