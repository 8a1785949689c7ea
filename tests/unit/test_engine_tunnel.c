// SPDX-License-Identifier: GPL-2.0
/*
 * The engine over a VXLAN overlay, from crafted frames: the probe is one
 * probe at the overlay devices (plain frames) and on the underlay
 * (encapsulated), each underlay sighting records the tunnel, and a loss
 * is located and explained on the underlay: not decapsulated in the
 * receiving host (the next point, in the same netns, never sees it), or
 * too big once encapsulated (size-dependent, last seen inside a tunnel).
 *
 *   p0 a/vx0 (overlay)  p1 a/va (underlay)  p2 b/vb (underlay)  p3 b/vx0
 */
#include <string.h>

#include "analyze/cause.h"
#include "analyze/engine.h"
#include "analyze/internal.h"
#include "check.h"
#include "engine_rig.h"

#define MS 1000000ull
#define T0 1700000000000000000ull

struct buf {
	uint8_t b[2048];
	uint32_t len;
};

static const uint8_t mac_a[6] = { 2, 0, 0, 0, 0, 0xa }, mac_b[6] = { 2, 0, 0, 0, 0, 0xb };
static const uint8_t vtep_a[4] = { 192, 168, 100, 1 }, vtep_b[4] = { 192, 168, 100, 2 };
static const uint8_t ip_a[4] = { 10, 42, 0, 1 }, ip_b[4] = { 10, 42, 0, 2 };

static uint8_t *prepend(struct buf *x, uint32_t n)
{
	memmove(x->b + n, x->b, x->len);
	memset(x->b, 0, n);
	x->len += n;
	return x->b;
}

static void ipv4(struct buf *x, uint8_t proto, const uint8_t *s,
		 const uint8_t *d)
{
	uint8_t *p = prepend(x, 20);

	p[0] = 0x45;
	put16(p + 2, (uint16_t)x->len);
	p[6] = 0x40;
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, s, 4);
	memcpy(p + 16, d, 4);
	put16(p + 10, csum(p, 20));
}

static void eth(struct buf *x, uint16_t type, const uint8_t *s,
		const uint8_t *d)
{
	uint8_t *p = prepend(x, 14);

	memcpy(p, d, 6);
	memcpy(p + 6, s, 6);
	put16(p + 12, type);
}

/* An echo request (or reply) of len data bytes as an Ethernet frame. */
static void ping(struct buf *x, bool reply, uint16_t seq, uint32_t len)
{
	uint32_t i;

	x->len = 8 + len;
	memset(x->b, 0, x->len);
	x->b[0] = reply ? 0 : 8;
	put16(x->b + 4, 0x4242);
	put16(x->b + 6, seq);
	for (i = 8; i < x->len; i++)
		x->b[i] = (uint8_t)(i + seq);
	put16(x->b + 2, csum(x->b, x->len));
	ipv4(x, 1, reply ? ip_b : ip_a, reply ? ip_a : ip_b);
	eth(x, 0x0800, reply ? mac_b : mac_a, reply ? mac_a : mac_b);
}

/* The same frame in VXLAN 42 between the two VTEPs. */
static void vxlan(struct buf *x, bool reply)
{
	uint8_t *p = prepend(x, 8);

	p[0] = 0x08;
	p[6] = 42;
	p = prepend(x, 8);
	put16(p, 40000);
	put16(p + 2, 4789);
	put16(p + 4, (uint16_t)x->len);
	ipv4(x, 17, reply ? vtep_b : vtep_a, reply ? vtep_a : vtep_b);
	eth(x, 0x0800, mac_a, mac_b);
}

/*
 * One probe of len data bytes through the points up to last_req (and,
 * when answered, back).
 */
static void probe(struct rig *r, uint64_t t, uint16_t seq, uint32_t len,
		  int last_req, bool answered)
{
	struct buf q, e;
	int i;

	ping(&q, false, seq, len);
	e = q;
	vxlan(&e, false);
	for (i = 0; i <= last_req; i++)
		feed(r, i, t + (uint64_t)i * 10000,
		     i == 1 || i == 2 ? e.b : q.b, i == 1 || i == 2 ? e.len : q.len);
	if (!answered)
		return;
	ping(&q, true, seq, len);
	e = q;
	vxlan(&e, true);
	for (i = 3; i >= 0; i--)
		feed(r, i, t + 300000 + (uint64_t)(3 - i) * 10000,
		     i == 1 || i == 2 ? e.b : q.b, i == 1 || i == 2 ? e.len : q.len);
}

static void rig_overlay(struct rig *r)
{
	int i;

	rig_init_points(r, 4, NULL, NULL);
	for (i = 0; i < 4; i++)
		snprintf(r->points.items[i].netns, sizeof(r->points.items[i].netns),
			 "%s", i < 2 ? "a" : "b");
}

static const struct finding *drop_finding(const struct engine *e)
{
	return find_kind(e, FK_DROP, 0);
}

static const char *detail(const struct finding *f, const char *key)
{
	uint8_t i;

	for (i = 0; i < f->n_det; i++)
		if (!strcmp(f->det[i].key, key))
			return f->det[i].is_num ? "(num)" : f->det[i].str;
	return NULL;
}

static void test_healthy_and_not_decapsulated(void)
{
	const struct finding *f;
	const struct probe *pr;
	struct rig r;
	uint16_t s, j;

	rig_overlay(&r);
	for (s = 1; s <= 3; s++)
		probe(&r, T0 + s * 1000 * MS, s, 56, 3, true);
	for (s = 4; s <= 5; s++)
		probe(&r, T0 + s * 1000 * MS, s, 56, 2, false);
	engine_finish(r.e);

	CHECK_EQ_INT(r.e->n_flows, 1);
	CHECK_EQ_INT(r.e->flows[0].req_len, 4);
	CHECK_EQ_INT(r.e->n_encaps, 2);		/* one per direction */
	CHECK_EQ_INT(r.e->encaps[0].type, TUN_VXLAN);
	CHECK_EQ_INT(r.e->encaps[0].id, 42);
	CHECK(!memcmp(r.e->encaps[0].dst, vtep_b, 4));
	CHECK(r.e->n_kept >= 5);
	pr = r.e->kept[0];
	CHECK_EQ_INT(pr->outcome, PO_ANSWERED);
	CHECK_EQ_INT(pr->n_sight, 8);
	for (j = 0; j < pr->n_sight; j++) {
		const struct sighting *si = &pr->s[j];
		bool under = si->point == 1 || si->point == 2;

		CHECK_EQ_INT(!!si->encap, under);
		if (under)
			CHECK_EQ_INT(si->outer_len, 20 + 8 + 8 + 14 + 20 + 8 + 56);
	}
	f = drop_finding(r.e);
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ_INT(f->after, 2);
		CHECK_EQ_INT(f->before, 3);
		CHECK_EQ_INT(f->cref.id, CAUSE_TUNNEL_NOT_DECAPSULATED);
		CHECK(detail(f, "encap") && !strcmp(detail(f, "encap"), "vxlan"));
		CHECK(detail(f, "outer_dst") &&
		      !strcmp(detail(f, "outer_dst"), "192.168.100.2"));
		CHECK(strstr(f->cause, "vxlan 42 packet to 192.168.100.2 reaches p2"));
	}
	rig_free(&r);
}

/* Small probes pass, large ones die between the underlay points. */
static void test_overhead_mtu(void)
{
	const struct finding *f;
	struct rig r;
	uint16_t s;

	rig_overlay(&r);
	for (s = 1; s <= 2; s++)
		probe(&r, T0 + s * 1000 * MS, s, 56, 3, true);
	for (s = 3; s <= 4; s++)
		probe(&r, T0 + s * 1000 * MS, s, 1400, 1, false);
	engine_finish(r.e);
	f = drop_finding(r.e);
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ_INT(f->after, 1);
		CHECK_EQ_INT(f->before, 2);
		CHECK_EQ_INT(f->cref.id, CAUSE_TUNNEL_OVERHEAD_MTU);
		CHECK(strstr(f->cause, "1478-byte encapsulated packet exceeds the "
			     "underlay MTU (50 bytes of vxlan overhead"));
	}
	rig_free(&r);
}

/*
 * Large probes die on the underlay and a router there says why, quoting
 * the encapsulated packet (cut, as routers do): the error joins the probe
 * through the quote's inner headers, and the tunnel is named.
 */
static void test_underlay_too_big(void)
{
	static const uint8_t router[4] = { 192, 168, 100, 254 };
	const struct finding *f;
	const struct probe *pr;
	struct buf q, err;
	struct rig r;
	uint32_t qlen;
	uint16_t s, j;
	bool seen = false;

	rig_overlay(&r);
	for (s = 1; s <= 2; s++)
		probe(&r, T0 + s * 1000 * MS, s, 56, 3, true);
	probe(&r, T0 + 3000 * MS, 3, 1400, 1, false);
	ping(&q, false, 3, 1400);
	vxlan(&q, false);
	qlen = 548;
	memcpy(err.b + 8, q.b + 14, qlen);
	memset(err.b, 0, 8);
	err.b[0] = 3;
	err.b[1] = 4;
	put16(err.b + 6, 1400);
	err.len = 8 + qlen;
	put16(err.b + 2, csum(err.b, err.len));
	ipv4(&err, 1, router, vtep_a);
	eth(&err, 0x0800, mac_b, mac_a);
	feed(&r, 1, T0 + 3000 * MS + 50000, err.b, err.len);
	engine_finish(r.e);

	CHECK_EQ_INT(r.e->late_errors, 0);
	pr = r.e->n_kept >= 3 ? r.e->kept[2] : NULL;
	CHECK(pr != NULL);
	for (j = 0; pr && j < pr->n_sight; j++) {
		if (pr->s[j].kind != SK_ERR)
			continue;
		seen = true;
		CHECK_EQ_INT(pr->s[j].point, 1);
		CHECK_EQ_INT(pr->s[j].aux, 1400);
		CHECK(pr->s[j].encap != 0);
		CHECK_EQ_INT(pr->s[j].outer_len, 1478);
	}
	CHECK(seen);
	f = drop_finding(r.e);
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ_INT(f->after, 1);
		CHECK_EQ_INT(f->cref.id, CAUSE_TUNNEL_TOO_BIG);
		CHECK(strstr(f->cause, "192.168.100.254 reports next-hop MTU 1400 "
			     "for the 1478-byte encapsulated packet (50 bytes of "
			     "vxlan overhead)"));
	}
	rig_free(&r);
}

/* A frame in VXLAN vni from VTEP s to VTEP d. */
static void vxlan_to(struct buf *x, const uint8_t *s, const uint8_t *d,
		     uint32_t vni)
{
	uint8_t *p = prepend(x, 8);

	p[0] = 0x08;
	p[4] = (uint8_t)(vni >> 16);
	p[5] = (uint8_t)(vni >> 8);
	p[6] = (uint8_t)vni;
	p = prepend(x, 8);
	put16(p, 40000);
	put16(p + 2, 4789);
	put16(p + 4, (uint16_t)x->len);
	ipv4(x, 17, s, d);
	eth(x, 0x0800, mac_a, mac_b);
}

/*
 * After two answered probes (the replies come from VTEP .2), a's FDB
 * sends two more to 192.168.100.9: seen on the underlay, lost before b's
 * tunnel device, and the wire says the target lives behind .2.
 */
static void test_wrong_vtep(void)
{
	static const uint8_t wrong[4] = { 192, 168, 100, 9 };
	const struct finding *f;
	struct buf q, e;
	struct rig r;
	uint16_t s;
	int i;

	rig_overlay(&r);
	for (s = 1; s <= 2; s++)
		probe(&r, T0 + s * 1000 * MS, s, 56, 3, true);
	for (s = 3; s <= 4; s++) {
		ping(&q, false, s, 56);
		e = q;
		vxlan_to(&e, vtep_a, wrong, 42);
		for (i = 0; i <= 2; i++)
			feed(&r, i, T0 + s * 1000 * MS + (uint64_t)i * 10000,
			     i ? e.b : q.b, i ? e.len : q.len);
	}
	engine_finish(r.e);
	f = drop_finding(r.e);
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ_INT(f->after, 2);
		CHECK_EQ_INT(f->before, 3);
		CHECK_EQ_INT(f->cref.id, CAUSE_TUNNEL_WRONG_VTEP);
		CHECK(strstr(f->cause, "the vxlan 42 packet goes to "
			     "192.168.100.9, but 10.42.0.2 is behind VTEP "
			     "192.168.100.2"));
	}
	rig_free(&r);
}

/*
 * a's tunnel is VNI 42, b's 43, each pings the other: every request dies
 * on the far side's NIC, and what b's VTEP sends names its VNI.
 */
static void test_vni_mismatch(void)
{
	const struct finding *f;
	struct buf q, e;
	struct rig r;
	uint16_t s;
	int i, n = 0;
	size_t k;

	rig_overlay(&r);
	for (s = 1; s <= 2; s++) {
		/* b's echo request, first (every point watched from the
		 * first frame it sees): a reply turned into a request */
		ping(&q, true, s, 56);
		q.b[34] = 8;
		put16(q.b + 36, 0);
		put16(q.b + 36, csum(q.b + 34, q.len - 34));
		e = q;
		vxlan_to(&e, vtep_b, vtep_a, 43);
		for (i = 3; i >= 1; i--)
			feed(&r, i, T0 + s * 1000 * MS + (uint64_t)(3 - i) * 10000,
			     i < 3 ? e.b : q.b, i < 3 ? e.len : q.len);
		ping(&q, false, s, 56);
		e = q;
		vxlan_to(&e, vtep_a, vtep_b, 42);
		for (i = 0; i <= 2; i++)
			feed(&r, i, T0 + s * 1000 * MS + 500 * MS +
			     (uint64_t)i * 10000, i ? e.b : q.b, i ? e.len : q.len);
	}
	/* the capture goes on past every reply window (an ARP request) */
	memset(q.b, 0, 28);
	q.len = 28;
	q.b[1] = 1;
	q.b[2] = 8;
	q.b[4] = 6;
	q.b[5] = 4;
	q.b[7] = 1;
	eth(&q, 0x0806, mac_a, mac_b);
	for (i = 0; i <= 3; i++)
		feed(&r, i, T0 + 10000 * MS, q.b, q.len);
	engine_finish(r.e);
	for (k = 0; k < r.e->n_findings; k++) {
		f = &r.e->findings[k];
		if (f->kind != FK_DROP)
			continue;
		n++;
		CHECK_EQ_INT(f->cref.id, CAUSE_TUNNEL_ID_MISMATCH);
		if (f->after == 2)
			CHECK(strstr(f->cause, "vxlan VNI mismatch: sent with 42 "
				     "to 192.168.100.2, whose VTEP uses 43 "
				     "for 10.42.0.2"));
		else
			CHECK(f->after == 1 &&
			      strstr(f->cause, "sent with 43 to 192.168.100.1, "
				     "whose VTEP uses 42 for 10.42.0.1"));
	}
	CHECK_EQ_INT(n, 2);
	rig_free(&r);
}

int main(void)
{
	test_healthy_and_not_decapsulated();
	test_overhead_mtu();
	test_underlay_too_big();
	test_wrong_vtep();
	test_vni_mismatch();
	return check_done();
}
