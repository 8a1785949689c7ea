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
#include "capture/drop_comment.h"
#include "analyze/internal.h"
#include "analyze/report.h"
#include "check.h"
#include "engine_rig.h"
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

/*
 * A frame long after everything else (an unrelated ping), so the probes
 * before it had their whole reply window in a file with no watch window.
 */
static void feed_later_frame(struct rig *r)
{
	feed_echo(r, 0, T0 + 20000 * MS,
		  &(struct echo){ 8, 1, 2, 3, 999, 64, 8, 0 });
}

/* Something at the end of a capture that is no probe. */
static void feed_arp_noise(struct rig *r, uint64_t ts)
{
	uint8_t b[64];

	feed(r, 0, ts, b, build_arp(b, 1, MAC_G, 0x0a000002, MAC_H,
				    0x0a000001));
}

/* A probe crossing points 0 -> 1 and back. */
static void full_probe_2(struct rig *r, uint64_t t, uint16_t seq)
{
	struct echo q = request(seq), a = reply_of(&q);

	feed_echo(r, 0, t, &q);
	feed_echo(r, 1, t + 10000, &q);
	feed_echo(r, 1, t + 300000, &a);
	feed_echo(r, 0, t + 310000, &a);
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

	rig_init_points(&r, 3, NULL, NULL);
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

	rig_init_points(&r, 3, NULL, NULL);
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

	rig_init_points(&r, 3, NULL, NULL);
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

	rig_init_points(&r, 3, NULL, NULL);
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

	rig_init_points(&r, 3, NULL, NULL);
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

	rig_init_points(&r, 2, NULL, NULL);
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

/*
 * Two senders ping two targets at the same instants with the same id, seq
 * and payload (Windows ping, fping): one target answers, the other does
 * not.  They are two flows, and the dead one's probes are lost, not folded
 * into the live one's.
 */
static void test_concurrent_equal_fingerprints(void)
{
	struct engine_totals t;
	struct rig r;
	uint16_t s;
	uint32_t i;

	rig_init_points(&r, 2, NULL, NULL);
	for (s = 1; s <= 5; s++) {
		struct echo qa = request(s), qb = request(s), a;
		uint64_t t0 = T0 + s * 1000 * MS;

		qb.src = 0x0a000003;
		qb.dst = 0x0a000009;	/* nobody there */
		feed_echo(&r, 0, t0, &qa);
		feed_echo(&r, 0, t0 + 1000, &qb);
		feed_echo(&r, 1, t0 + 2000, &qa);
		feed_echo(&r, 1, t0 + 3000, &qb);
		a = reply_of(&qa);
		feed_echo(&r, 1, t0 + 50000, &a);
		feed_echo(&r, 0, t0 + 60000, &a);
	}
	feed_later_frame(&r);
	engine_finish(r.e);
	engine_totals(r.e, &t);
	CHECK_EQ_INT(t.answered, 5);
	CHECK_EQ_INT(t.lost, 5);
	CHECK_EQ_INT(r.e->n_flows, 3);
	for (i = 0; i < r.e->n_flows; i++) {
		const struct flow *f = &r.e->flows[i];

		if (f->dst[3] == 9) {
			CHECK_EQ_INT(f->probes, 5);
			CHECK_EQ_INT(f->outcome[PO_LOST_REQUEST], 5);
		} else if (f->dst[3] == 1) {
			CHECK_EQ_INT(f->outcome[PO_ANSWERED], 5);
		}
	}
	CHECK(t.has_drop);
	rig_free(&r);
}

/*
 * Two Windows guests behind one masquerade (id 1 both, same seq, same
 * data): the NAT gives the second another id.  Each reply finds its own
 * guest; the second guest's replies are lost after the NAT.
 */
static void test_nat_equal_fingerprints(void)
{
	struct engine_totals t;
	struct rig r;
	uint16_t s;
	uint32_t i;

	rig_init_points(&r, 3, NULL, NULL);
	for (s = 1; s <= 4; s++) {
		struct echo qa = request(s), qb = request(s), na, nb, ra, rb;
		uint64_t t0 = T0 + s * 1000 * MS;

		qa.id = qb.id = 1;
		qa.src = 0xc0a87a02;
		qb.src = 0xc0a87a03;
		qa.dst = qb.dst = 0xcb007102;
		feed_echo(&r, 0, t0, &qa);
		feed_echo(&r, 0, t0 + 100, &qb);
		feed_echo(&r, 1, t0 + 1000, &qa);
		feed_echo(&r, 1, t0 + 1100, &qb);
		na = qa;
		nb = qb;
		na.src = nb.src = 0xcb007101;
		nb.id = 2;
		/* the NAT may pass them on in either order */
		feed_echo(&r, 2, t0 + 30000 + (s & 1) * 500, &na);
		feed_echo(&r, 2, t0 + 30000 + !(s & 1) * 500, &nb);
		rb = reply_of(&nb);
		ra = reply_of(&na);
		feed_echo(&r, 2, t0 + 200000, &rb);
		feed_echo(&r, 2, t0 + 200100, &ra);
		ra = reply_of(&qa);
		feed_echo(&r, 1, t0 + 230000, &ra);
		feed_echo(&r, 0, t0 + 240000, &ra);
	}
	feed_later_frame(&r);
	engine_finish(r.e);
	engine_totals(r.e, &t);
	CHECK_EQ_INT(t.answered, 4);
	CHECK_EQ_INT(t.lost, 4);
	for (i = 0; i < r.e->n_flows; i++) {
		const struct flow *f = &r.e->flows[i];

		if (f->src[3] == 2)
			CHECK_EQ_INT(f->outcome[PO_ANSWERED], 4);
		else if (f->src[3] == 3)
			CHECK_EQ_INT(f->outcome[PO_LOST_REPLY], 4);
	}
	rig_free(&r);
}

/*
 * Two identical Windows pings cross a NAT at once; only the second guest's
 * is passed on.  Taken in order, the survivor past the NAT would be the
 * first guest's; the reply coming home to the second guest says otherwise,
 * and the first guest's probe is lost before the NAT, where it was.
 */
static void test_nat_swap_repaired(void)
{
	struct echo qa = request(9), qb = request(9), nb, rb;
	struct engine_totals t;
	struct rig r;
	uint32_t i;

	rig_init_points(&r, 2, NULL, NULL);
	qa.id = qb.id = 1;
	qa.src = 0xc0a87a02;
	qb.src = 0xc0a87a03;
	qa.dst = qb.dst = 0xcb007102;
	feed_echo(&r, 0, T0, &qa);
	feed_echo(&r, 0, T0 + 100, &qb);
	nb = qb;
	nb.src = 0xcb007101;
	nb.id = 7;
	feed_echo(&r, 1, T0 + 30000, &nb);
	rb = reply_of(&nb);
	feed_echo(&r, 1, T0 + 200000, &rb);
	rb = reply_of(&qb);
	feed_echo(&r, 0, T0 + 240000, &rb);
	feed_later_frame(&r);
	engine_finish(r.e);
	engine_totals(r.e, &t);
	CHECK_EQ_INT(t.answered, 1);
	CHECK_EQ_INT(t.lost, 1);
	CHECK_EQ_INT(r.e->nat_swaps, 1);
	for (i = 0; i < r.e->n_flows; i++) {
		const struct flow *f = &r.e->flows[i];

		if (f->src[3] == 2)
			CHECK_EQ_INT(f->outcome[PO_LOST_REQUEST], 1);
		else if (f->src[3] == 3)
			CHECK_EQ_INT(f->outcome[PO_ANSWERED], 1);
	}
	rig_free(&r);
}

/* ---- identical pings of two guests through a NAT rewriting every id ---- */

#define NAT_SRC 0xcb007101u
#define NAT_DST 0xcb007102u

/* Guest .2 or .3's Windows ping (id 1, the same data), before the NAT. */
static struct echo guest_ping(uint8_t guest, uint16_t seq)
{
	struct echo q = request(seq);

	q.id = 1;
	q.src = 0xc0a87a00u | guest;
	q.dst = NAT_DST;
	return q;
}

/* The same ping past the masquerade, with the id the NAT gave it. */
static struct echo past_nat(const struct echo *q, uint16_t id)
{
	struct echo n = *q;

	n.src = NAT_SRC;
	n.id = id;
	return n;
}

/* Probes of guest's flow with outcome, and their request points. */
static uint64_t guest_outcome(const struct engine *e, uint8_t guest,
			      uint8_t outcome, uint64_t *req_mask)
{
	uint64_t n = 0;
	uint32_t i;

	*req_mask = 0;
	for (i = 0; i < e->n_groups; i++) {
		const struct group *g = &e->groups[i];

		if (e->flows[g->flow].src[3] != guest || g->outcome != outcome)
			continue;
		n += g->count;
		*req_mask |= g->req_mask;
	}
	if (outcome == PO_ANSWERED)
		for (i = 0; i < e->n_flows; i++)
			if (e->flows[i].src[3] == guest)
				n += e->flows[i].outcome[PO_ANSWERED];
	return n;
}

/*
 * Two guests' identical pings cross the NAT together, passed on in the
 * other order than they arrived: the guess past the NAT is wrong.  Their
 * replies come back over the NAT, first come first served, in as long as
 * the requests took: the claim swaps the two back, and the binding learnt
 * is the true one.  A second round where guest .3's request dies past the
 * NAT (seen at 1, not at 2) is then told of guest .3, not as a reply lost
 * of guest .3 and a request of guest .2 answered by another's reply.
 */
static void test_nat_replies_tell(void)
{
	struct engine_totals t;
	uint64_t mask;
	struct rig r;
	int k;

	rig_init_points(&r, 3, NULL, NULL);
	for (k = 0; k < 2; k++) {
		uint64_t t0 = T0 + (uint64_t)k * 1000 * MS;
		struct echo qa = guest_ping(2, (uint16_t)(9 + k));
		struct echo qb = guest_ping(3, (uint16_t)(9 + k));
		struct echo na = past_nat(&qa, 7), nb = past_nat(&qb, 8);
		struct echo a;

		feed_echo(&r, 0, t0, &qa);
		feed_echo(&r, 0, t0 + 100, &qb);
		feed_echo(&r, 1, t0 + 30000, &nb);
		feed_echo(&r, 1, t0 + 30100, &na);
		if (!k)
			feed_echo(&r, 2, t0 + 40000, &nb);
		feed_echo(&r, 2, t0 + 40100, &na);
		a = reply_of(&na);
		feed_echo(&r, 2, t0 + 190100, &a);
		feed_echo(&r, 1, t0 + 200100, &a);
		if (!k) {
			a = reply_of(&nb);
			feed_echo(&r, 2, t0 + 189900, &a);
			feed_echo(&r, 1, t0 + 199900, &a);
			a = reply_of(&qb);
			feed_echo(&r, 0, t0 + 229900, &a);
		}
		a = reply_of(&qa);
		feed_echo(&r, 0, t0 + 230100, &a);
	}
	feed_later_frame(&r);
	engine_finish(r.e);
	engine_totals(r.e, &t);
	CHECK_EQ_INT(t.answered, 3);
	CHECK_EQ_INT(guest_outcome(r.e, 2, PO_ANSWERED, &mask), 2);
	CHECK_EQ_INT(guest_outcome(r.e, 3, PO_LOST_REQUEST, &mask), 1);
	CHECK_EQ_INT(mask, 0x3);	/* seen at 0 and 1, lost before 2 */
	CHECK(r.e->nat_swaps >= 1);
	rig_free(&r);
}

/*
 * Two identical pings cross the NAT in order; both replies are seen past
 * it 8 us apart, and only the second crosses back, in the time the
 * requests took over the NAT.  First come first served would give the
 * first to guest .3 and learn a wrong binding; the delay tells.  The next
 * round, where only guest .3's request gets past the NAT and nothing
 * answers, is then told of the right guests.
 */
static void test_nat_delay_tells(void)
{
	struct echo qa = guest_ping(2, 9), qb = guest_ping(3, 9);
	struct echo na = past_nat(&qa, 7), nb = past_nat(&qb, 8), a;
	uint64_t mask, t1 = T0 + 1000 * MS;
	struct rig r;

	rig_init_points(&r, 2, NULL, NULL);
	feed_echo(&r, 0, T0, &qa);
	feed_echo(&r, 0, T0 + 100, &qb);
	feed_echo(&r, 1, T0 + 30000, &na);
	feed_echo(&r, 1, T0 + 30100, &nb);
	a = reply_of(&na);
	feed_echo(&r, 1, T0 + 200000, &a);
	a = reply_of(&nb);
	feed_echo(&r, 1, T0 + 200008, &a);
	a = reply_of(&qb);
	feed_echo(&r, 0, T0 + 230008, &a);
	qa = guest_ping(2, 10);
	qb = guest_ping(3, 10);
	nb = past_nat(&qb, 8);
	feed_echo(&r, 0, t1, &qa);
	feed_echo(&r, 0, t1 + 100, &qb);
	feed_echo(&r, 1, t1 + 30100, &nb);
	feed_later_frame(&r);
	engine_finish(r.e);
	CHECK_EQ_INT(guest_outcome(r.e, 3, PO_ANSWERED, &mask), 1);
	CHECK_EQ_INT(guest_outcome(r.e, 2, PO_LOST_REPLY, &mask), 1);
	CHECK_EQ_INT(guest_outcome(r.e, 3, PO_LOST_REQUEST, &mask), 1);
	CHECK_EQ_INT(mask, 0x3);	/* guest .3's got past the NAT */
	CHECK_EQ_INT(guest_outcome(r.e, 2, PO_LOST_REQUEST, &mask), 1);
	CHECK_EQ_INT(mask, 0x1);	/* guest .2's did not */
	rig_free(&r);
}

/*
 * Only one of two identical pings gets past the NAT, and nothing answers
 * them; which one, only the binding learnt from a later round tells, 3.5 s
 * on, after their reply window.  They wait for it, and the loss of each
 * is told where it happened.
 */
static void test_nat_binding_later(void)
{
	struct echo qa = guest_ping(2, 9), qb = guest_ping(3, 9);
	struct echo nb = past_nat(&qb, 8), na, a;
	uint64_t mask, t1 = T0 + 3500 * MS;
	struct rig r;

	rig_init_points(&r, 2, NULL, NULL);
	feed_echo(&r, 0, T0, &qa);
	feed_echo(&r, 0, T0 + 100, &qb);
	feed_echo(&r, 1, T0 + 30100, &nb);
	qa = guest_ping(2, 10);
	qb = guest_ping(3, 10);
	na = past_nat(&qa, 7);
	nb = past_nat(&qb, 8);
	feed_echo(&r, 0, t1, &qa);
	feed_echo(&r, 1, t1 + 30000, &na);
	a = reply_of(&na);
	feed_echo(&r, 1, t1 + 200000, &a);
	a = reply_of(&qa);
	feed_echo(&r, 0, t1 + 230000, &a);
	feed_echo(&r, 0, t1 + 1000 * MS, &qb);
	feed_echo(&r, 1, t1 + 1000 * MS + 30000, &nb);
	a = reply_of(&nb);
	feed_echo(&r, 1, t1 + 1000 * MS + 200000, &a);
	a = reply_of(&qb);
	feed_echo(&r, 0, t1 + 1000 * MS + 230000, &a);
	feed_later_frame(&r);
	engine_finish(r.e);
	CHECK_EQ_INT(guest_outcome(r.e, 3, PO_LOST_REQUEST, &mask), 1);
	CHECK_EQ_INT(mask, 0x3);
	CHECK_EQ_INT(guest_outcome(r.e, 2, PO_LOST_REQUEST, &mask), 1);
	CHECK_EQ_INT(mask, 0x1);
	rig_free(&r);
}

/* 100 targets, the 77th dead: it has its own flow and its loss is told. */
static void test_many_flows(void)
{
	struct engine_totals t;
	struct rig r;
	uint32_t i, found = 0;
	int k;

	rig_init_points(&r, 2, NULL, NULL);
	for (k = 0; k < 100; k++) {
		struct echo q = request(1), a;
		uint64_t t0 = T0 + (uint64_t)k * 10 * MS;

		q.dst = 0x0a010000 + (uint32_t)k;
		feed_echo(&r, 0, t0, &q);
		feed_echo(&r, 1, t0 + 1000, &q);
		if (k == 77)
			continue;
		a = reply_of(&q);
		feed_echo(&r, 1, t0 + 5000, &a);
		feed_echo(&r, 0, t0 + 6000, &a);
	}
	feed_later_frame(&r);
	engine_finish(r.e);
	engine_totals(r.e, &t);
	CHECK_EQ_INT(r.e->n_flows, 101);
	CHECK_EQ_INT(t.lost, 1);
	for (i = 0; i < r.e->n_findings; i++) {
		const struct finding *f = &r.e->findings[i];
		const struct detail *d = f->n_det ? &f->det[0] : NULL;

		if (f->kind == FK_DROP && d && !strcmp(d->key, "flow") &&
		    strstr(d->str, "> 10.1.0.77"))
			found++;
	}
	CHECK_EQ_INT(found, 1);
	rig_free(&r);
}

/*
 * A classic pcap says nothing of when it stopped: requests with no reply
 * well before the last frame are lost (with the caveat), only the one in
 * the last moment is unfinished, and none of it reads as success.
 */
static void test_end_of_capture(void)
{
	struct engine_totals t;
	const struct finding *f;
	struct rig r;
	uint16_t s;

	rig_init_points(&r, 2, NULL, NULL);
	for (s = 1; s <= 4; s++) {
		struct echo q = request(s);

		feed_echo(&r, 0, T0 + s * 200 * MS, &q);
		feed_echo(&r, 1, T0 + s * 200 * MS + 1000, &q);
	}
	/* the capture stops 2.2 s after the first request: within 3 s */
	feed_arp_noise(&r, T0 + 2400 * MS);
	engine_finish(r.e);
	engine_totals(r.e, &t);
	/* no reply ever: the timeout is the window, so all are unfinished */
	CHECK_EQ_INT(t.unfinished, 4);
	CHECK_EQ_INT(t.answered, 0);
	CHECK(t.problems > 0);
	CHECK(strncmp(engine_verdict(r.e), "0/4 probes answered", 19));
	rig_free(&r);

	/* with an answered probe before, the window is its round trip */
	rig_init_points(&r, 2, NULL, NULL);
	full_probe_2(&r, T0, 1);
	for (s = 2; s <= 5; s++) {
		struct echo q = request(s);

		feed_echo(&r, 0, T0 + s * 200 * MS, &q);
		feed_echo(&r, 1, T0 + s * 200 * MS + 1000, &q);
	}
	engine_finish(r.e);
	engine_totals(r.e, &t);
	CHECK_EQ_INT(t.answered, 1);
	CHECK_EQ_INT(t.lost, 3);
	CHECK_EQ_INT(t.unfinished, 1);
	f = find_kind(r.e, FK_DROP, 0);
	CHECK(f && strstr(f->summary, "no reply seen before the capture "
			  "ended"));
	rig_free(&r);
}

/* A reply with other data than its request is still its reply. */
static void test_reply_data_differs(void)
{
	struct engine_totals t;
	struct rig r;
	struct echo q = request(3), a;

	rig_init_points(&r, 2, NULL, NULL);
	feed_echo(&r, 0, T0, &q);
	feed_echo(&r, 1, T0 + 1000, &q);
	a = reply_of(&q);
	a.fill = 0x77;
	a.data_len = 40;
	feed_echo(&r, 1, T0 + 5000, &a);
	feed_echo(&r, 0, T0 + 6000, &a);
	feed_later_frame(&r);
	engine_finish(r.e);
	engine_totals(r.e, &t);
	CHECK_EQ_INT(t.answered, 1);
	CHECK_EQ_INT(t.orphan_replies, 0);
	CHECK_EQ_INT(r.e->data_differs, 1);
	rig_free(&r);
}

/* A kernel drop record of an echo, as trace saves it. */
static void feed_kernel_drop(struct rig *r, int point, uint64_t ts,
			     const struct echo *e, const char *reason)
{
	uint8_t pkt[1600];

	feed_drop(r, point, ts, pkt, build_echo(pkt, e), 0x0800, reason);
}

/*
 * "Answered" means delivered: a reply seen at the sender's interface and
 * then dropped by its kernel is lost there; NO_SOCKET of the copy no ping
 * socket wanted is not a loss.
 */
static void test_reply_dropped_at_home(void)
{
	struct engine_totals t;
	const struct finding *f;
	struct point kp;
	struct rig r;
	uint32_t i;
	uint16_t s;

	rig_init_points(&r, 2, NULL, NULL);
	memset(&kp, 0, sizeof(kp));
	snprintf(kp.name, sizeof(kp.name), "kernel-drops");
	kp.kind = POINT_KIND_KERNEL;
	kp.hook = HOOK_KFREE_SKB;
	point_table_add(&r.points, &kp);
	for (s = 1; s <= 4; s++) {
		struct echo q = request(s), a = reply_of(&q);
		uint64_t t0 = T0 + s * 1000 * MS;

		feed_echo(&r, 0, t0, &q);
		feed_echo(&r, 1, t0 + 1000, &q);
		feed_echo(&r, 1, t0 + 5000, &a);
		feed_echo(&r, 0, t0 + 6000, &a);
		feed_kernel_drop(&r, 2, t0 + 7000, &a,
				 s <= 2 ? "NO_SOCKET" : "NETFILTER_DROP");
	}
	feed_later_frame(&r);
	engine_finish(r.e);
	engine_totals(r.e, &t);
	CHECK_EQ_INT(t.answered, 2);
	CHECK_EQ_INT(t.lost, 2);
	/* the answered ones' lines leave the raw-socket copy's drop out */
	for (i = 0; i < r.e->n_kept; i++) {
		char line[512];

		if (r.e->kept[i]->seq > 4)
			continue;	/* the closing frame, no drop */
		report_probe_line(r.e, r.e->kept[i], line, sizeof(line));
		CHECK((strstr(line, " xkernel-drops") != NULL) ==
		      (r.e->kept[i]->outcome != PO_ANSWERED));
	}
	f = find_kind(r.e, FK_DROP, 0);
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ_INT(f->after, 0);
		CHECK_EQ_INT(f->dir, LOC_REPLY);
		CHECK(strstr(f->summary, "NETFILTER_DROP") != NULL);
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
	rig_init_points(&r, 2, NULL, NULL);
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

	rig_init_points(&r, 2, NULL, NULL);
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
	CHECK(f && f->count == 3 && f->cref.id == CAUSE_ICMP_ADMIN_PROHIBITED &&
	      strstr(f->cause, "rejected by a firewall at 10.0.0.1"));
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

	rig_init_points(&r, 1, NULL, NULL);
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

	rig_init_points(&r, 1, NULL, NULL);
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

	rig_init_points(&r, 3, NULL, NULL);
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

	rig_init_points(&r, 2, NULL, NULL);
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
	rig_init_points(&r, 2, NULL, &o);
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

	rig_init_points(&r, 3, NULL, NULL);
	full_probe(&r, T0, 1);
	engine_finish(r.e);
	CHECK(report_json(r.e, fp) == 0);
	fclose(fp);
	CHECK(buf && strstr(buf, "{\"schema\":\"dropspot.report\",\"version\":2,"));
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
	test_concurrent_equal_fingerprints();
	test_nat_equal_fingerprints();
	test_nat_swap_repaired();
	test_nat_replies_tell();
	test_nat_delay_tells();
	test_nat_binding_later();
	test_many_flows();
	test_end_of_capture();
	test_reply_data_differs();
	test_reply_dropped_at_home();
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
