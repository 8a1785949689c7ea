// SPDX-License-Identifier: GPL-2.0
/*
 * Neighbour exchanges followed across the points (analyze/exchange.c) and
 * layer-2 identity (analyze/macs.c), on synthetic frames: where an ARP or
 * ND answer dies, the kernel's reason joining it, retransmissions folding
 * into one fate, delivered and unanswered exchanges left alone, hostile
 * ARP kept out, the no_probes verdict naming the exchange's location, and
 * a MAC entering one bridge through two ports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/engine.h"
#include "capture/drop_comment.h"
#include "analyze/internal.h"
#include "check.h"
#include "engine_rig.h"
#include "dissect/packet.h"

#define MS 1000000ull
#define T0 1700000000000000000ull

static const uint8_t MAC_G[6] = { 0x02, 0, 0, 0, 0, 0x02 };	/* guest */
static const uint8_t MAC_H[6] = { 0x02, 0, 0, 0, 0, 0x01 };	/* host */
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t ZERO6[6];

#define IP_G 0x0a000002u
#define IP_H 0x0a000001u

static size_t eth(uint8_t *b, const uint8_t *dst, const uint8_t *src,
		  uint16_t type)
{
	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	put16(b + 12, type);
	return 14;
}

static size_t arp(uint8_t *b, uint16_t htype, uint16_t op, const uint8_t *sha,
		  uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
	size_t n = eth(b, op == 1 ? BCAST : tha, sha, 0x0806);

	put16(b + n, htype);
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

/* A frame with a direction (the rig's feed leaves it unknown). */
static void feed_dir(struct rig *r, int point, uint64_t ts, const uint8_t *b,
		     size_t n, uint8_t dir)
{
	static struct packet p;
	struct frame f;
	uint8_t *copy = malloc(n);

	memcpy(copy, b, n);
	memset(&f, 0, sizeof(f));
	f.data = copy;
	f.caplen = f.wirelen = (uint32_t)n;
	f.ts_ns = ts;
	f.point = (uint32_t)point;
	f.number = ++r->numbers[point];
	f.linktype = LINKTYPE_ETHERNET;
	f.dir = dir;
	dissect_frame(&f, &p);
	engine_feed(r->e, &p);
	free(copy);
}

/*
 * p0 tap0 (the guest's port), p1 br0 (the host answers), p2 up0 (a port
 * the request is flooded out of), p3 kernel drops, p4 a second tap.
 */
static void rig_bridge(struct rig *r)
{
	static const char *const names[] = { "tap0", "br0", "up0",
					     "kernel-drops", "tap1" };
	static const enum point_kind kinds[] = {
		POINT_KIND_TAP, POINT_KIND_BRIDGE, POINT_KIND_VETH,
		POINT_KIND_KERNEL, POINT_KIND_TAP
	};
	int lt[5] = { LINKTYPE_ETHERNET, LINKTYPE_ETHERNET, LINKTYPE_ETHERNET,
		      LINKTYPE_LINUX_SLL2, LINKTYPE_ETHERNET };
	int i;

	rig_init_points(r, 5, lt, NULL);
	for (i = 0; i < 5; i++) {
		struct point *pt = point_get(&r->points, (uint32_t)i);

		snprintf(pt->name, sizeof(pt->name), "%s", names[i]);
		snprintf(pt->ifname, sizeof(pt->ifname), "%s", names[i]);
		pt->kind = kinds[i];
		if (i == 3)
			pt->hook = HOOK_KFREE_SKB;
	}
}

/* One exchange: the request in at tap0, out of up0, up to br0; br0's
 * answer goes out, and (deliver) reaches tap0 or not. */
static void exchange(struct rig *r, uint64_t t, bool deliver,
		     const char *drop_reason)
{
	uint8_t b[128];
	size_t n;

	n = arp(b, 1, 1, MAC_G, IP_G, ZERO6, IP_H);
	feed_dir(r, 0, t, b, n, DIR_IN);
	feed_dir(r, 2, t + 10000, b, n, DIR_OUT);	/* flooded first */
	feed_dir(r, 1, t + 20000, b, n, DIR_IN);
	n = arp(b, 1, 2, MAC_H, IP_H, MAC_G, IP_G);
	feed_dir(r, 1, t + 50000, b, n, DIR_OUT);
	if (deliver)
		feed_dir(r, 0, t + 60000, b, n, DIR_OUT);
	if (drop_reason)
		feed_drop(r, 3, t + 55000, b, n, 0x0806, drop_reason);
}

static const char *detail(const struct finding *f, const char *key)
{
	uint8_t i;

	for (i = 0; f && i < f->n_det; i++)
		if (!strcmp(f->det[i].key, key) && !f->det[i].is_num)
			return f->det[i].str;
	return "";
}

static void test_answer_lost(void)
{
	const struct finding *f;
	struct rig r;
	int i;

	rig_bridge(&r);
	for (i = 0; i < 3; i++)
		exchange(&r, T0 + (uint64_t)i * 1000 * MS, false,
			 i == 0 ? "NETFILTER_DROP" : NULL);
	engine_finish(r.e);
	f = find_kind(r.e, FK_NEIGHBOUR_ANSWER_LOST, 0);
	CHECK(f != NULL);
	if (f) {
		/* back from br0 toward tap0; the flooded up0 not expected */
		CHECK_EQ_INT(f->after, 1);
		CHECK_EQ_INT(f->before, 0);
		CHECK(f->dir == LOC_REPLY);
		CHECK(f->cref.id == CAUSE_NEIGHBOUR_ANSWER_LOST);
		CHECK(!strcmp(detail(f, "target"), "10.0.0.1"));
		CHECK(!strcmp(detail(f, "asker_ip"), "10.0.0.2"));
		CHECK(!strcmp(detail(f, "answer_mac"), "02:00:00:00:00:01"));
		CHECK(strstr(f->cause, "lost after br0, not seen at tap0"));
	}
	/* the first one carries the kernel's reason: a fate of its own */
	{
		enum finding_kind k = FK_NEIGHBOUR_ANSWER_LOST;
		const struct finding *a = find_kind(r.e, k, 0);
		const struct finding *b = find_kind(r.e, k, 1);
		const struct finding *kd =
			a && !strcmp(detail(a, "kernel_reason"),
				     "NETFILTER_DROP") ? a : b;

		CHECK(a && b && find_kind(r.e, k, 2) == NULL);
		CHECK(kd && kd->count == 1 &&
		      strstr(kd->cause, "NETFILTER_DROP"));
		CHECK(a && b && a->count + b->count == 3);
	}
	/* the answer's drop joined its exchange: not an "other" drop */
	CHECK_EQ_INT(r.e->other_drops_total, 0);
	CHECK(find_kind(r.e, FK_KERNEL_DROPS, 0) == NULL);
	/* no probe at all: the verdict says where the answer died */
	f = find_kind(r.e, FK_NO_PROBES, 0);
	CHECK(f && f->cref.id == CAUSE_NEIGHBOUR_ANSWER_LOST);
	CHECK(strstr(r.e->verdict, "after br0, not seen at tap0") != NULL);
	if (!strstr(r.e->verdict, "after br0, not seen at tap0"))
		fprintf(stderr, "verdict: %s\n", r.e->verdict);
	rig_free(&r);
}

static void test_delivered_and_unanswered(void)
{
	uint8_t b[128];
	struct rig r;
	size_t n;
	int i;

	rig_bridge(&r);
	exchange(&r, T0, true, NULL);
	/* a copy of the answer dropped elsewhere: delivered all the same */
	exchange(&r, T0 + 1000 * MS, true, "OTHERHOST");
	/* nobody answers 10.0.0.9: the neighbour layer's, not a lost answer */
	for (i = 0; i < 3; i++) {
		n = arp(b, 1, 1, MAC_G, IP_G, ZERO6, 0x0a000009);
		feed_dir(&r, 0, T0 + (uint64_t)(2000 + i * 1000) * MS, b, n,
			 DIR_IN);
	}
	engine_finish(r.e);
	CHECK(find_kind(r.e, FK_NEIGHBOUR_ANSWER_LOST, 0) == NULL);
	CHECK(find_kind(r.e, FK_ARP_UNANSWERED, 0) != NULL);
	rig_free(&r);
}

/* Back at the asker's port, then dropped by its kernel: lost there. */
static void test_dropped_at_home(void)
{
	const struct finding *f;
	uint8_t b[128];
	struct rig r;
	size_t n;

	rig_bridge(&r);
	exchange(&r, T0, true, NULL);
	n = arp(b, 1, 2, MAC_H, IP_H, MAC_G, IP_G);
	feed_drop(&r, 3, T0 + 70000, b, n, 0x0806, "NETFILTER_DROP");
	/* a copy for another host dropped after delivery: no loss */
	exchange(&r, T0 + 1000 * MS, true, NULL);
	feed_drop(&r, 3, T0 + 1000 * MS + 70000, b, n, 0x0806, "OTHERHOST");
	engine_finish(r.e);
	f = find_kind(r.e, FK_NEIGHBOUR_ANSWER_LOST, 0);
	CHECK(f != NULL);
	CHECK(find_kind(r.e, FK_NEIGHBOUR_ANSWER_LOST, 1) == NULL);
	if (f) {
		CHECK_EQ_INT(f->after, 0);
		CHECK_EQ_INT(f->before, -1);
		CHECK_EQ_INT(f->count, 1);
		CHECK(!strcmp(detail(f, "kernel_reason"), "NETFILTER_DROP"));
		CHECK(strstr(f->summary, "not at its asker") != NULL);
	}
	rig_free(&r);
}

/* Non-Ethernet hardware, short addresses: anomalies, never exchanges. */
static void test_hostile_arp(void)
{
	static struct packet p;
	uint8_t b[128];
	struct frame f;
	struct rig r;
	size_t n;

	rig_bridge(&r);
	n = arp(b, 19, 1, MAC_G, IP_G, ZERO6, IP_H);	/* ATM */
	feed_dir(&r, 0, T0, b, n, DIR_IN);
	feed_dir(&r, 1, T0 + 1000, b, n, DIR_IN);
	n = arp(b, 19, 2, MAC_H, IP_H, MAC_G, IP_G);
	feed_dir(&r, 1, T0 + 5000, b, n, DIR_OUT);
	memset(&f, 0, sizeof(f));
	f.data = b;
	f.caplen = f.wirelen = (uint32_t)n;
	f.linktype = LINKTYPE_ETHERNET;
	dissect_frame(&f, &p);
	CHECK(packet_has_anomaly(&p, ANOM_ARP_UNSUPPORTED));
	/* truncated reply after a real request */
	n = arp(b, 1, 1, MAC_G, IP_G, ZERO6, IP_H);
	feed_dir(&r, 0, T0 + 10 * MS, b, n, DIR_IN);
	n = arp(b, 1, 2, MAC_H, IP_H, MAC_G, IP_G);
	feed_dir(&r, 1, T0 + 11 * MS, b, 30, DIR_OUT);
	/* a reply whose hardware length lies */
	b[14 + 4] = 8;
	feed_dir(&r, 1, T0 + 12 * MS, b, n, DIR_OUT);
	/* a kernel drop record of a hostile ARP reply */
	b[14 + 4] = 6;
	b[14] = 0;
	b[15] = 19;
	feed_drop(&r, 3, T0 + 13 * MS, b, n, 0x0806, "NETFILTER_DROP");
	engine_finish(r.e);
	CHECK_EQ_INT(r.e->other_drops_total, 1);	/* only counted */
	CHECK(find_kind(r.e, FK_NEIGHBOUR_ANSWER_LOST, 0) == NULL);
	CHECK(r.e->exch == NULL || r.e->exch->n == 1);
	rig_free(&r);
}

static size_t nd(uint8_t *b, uint8_t type, const uint8_t *smac,
		 const uint8_t *dmac, const uint8_t *src, const uint8_t *dst,
		 const uint8_t *target, uint8_t flags)
{
	size_t n = eth(b, dmac, smac, 0x86dd), l = 32;
	uint8_t *ip = b + n, *ic = ip + 40;
	uint32_t s = 0;
	size_t i;

	memset(ip, 0, 40);
	ip[0] = 0x60;
	put16(ip + 4, (uint16_t)l);
	ip[6] = 58;
	ip[7] = 255;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	memset(ic, 0, l);
	ic[0] = type;
	ic[4] = flags;
	memcpy(ic + 8, target, 16);
	ic[24] = type == 135 ? 1 : 2;	/* source / target link-layer */
	ic[25] = 1;
	memcpy(ic + 26, smac, 6);
	/* checksum over the pseudo header */
	for (i = 0; i < 32; i += 2)
		s += (uint32_t)(ip[8 + i] << 8 | ip[9 + i]);
	s += (uint32_t)l + 58;
	for (i = 0; i < l; i += 2)
		s += (uint32_t)(ic[i] << 8 | ic[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	put16(ic + 2, (uint16_t)~s);
	return n + 40 + l;
}

static void test_nd_answer_lost(void)
{
	static const uint8_t g6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
					0, 0, 0, 0, 0, 0, 0, 2 };
	static const uint8_t h6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
					0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t sn[16] = { 0xff, 2, 0, 0, 0, 0, 0, 0,
					0, 0, 0, 1, 0xff, 0, 0, 1 };
	static const uint8_t snmac[6] = { 0x33, 0x33, 0xff, 0, 0, 1 };
	const struct finding *f;
	uint8_t b[256];
	struct rig r;
	size_t n;

	rig_bridge(&r);
	n = nd(b, 135, MAC_G, snmac, g6, sn, h6, 0);
	feed_dir(&r, 0, T0, b, n, DIR_IN);
	feed_dir(&r, 1, T0 + 1000, b, n, DIR_IN);
	n = nd(b, 136, MAC_H, MAC_G, h6, g6, h6, 0x60);
	feed_dir(&r, 1, T0 + 5000, b, n, DIR_OUT);
	feed_drop(&r, 3, T0 + 6000, b, n, 0x86dd, "NETFILTER_DROP");
	engine_finish(r.e);
	f = find_kind(r.e, FK_NEIGHBOUR_ANSWER_LOST, 0);
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ_INT(f->after, 1);
		CHECK_EQ_INT(f->before, 0);
		CHECK(!strcmp(detail(f, "target"), "fd00::1"));
		CHECK(!strcmp(detail(f, "kernel_reason"), "NETFILTER_DROP"));
		CHECK(strstr(f->summary, "neighbour advertisement") != NULL);
	}
	rig_free(&r);
}

/* A MAC coming in through two taps of one netns: a conflict. */
static void test_mac_conflict(void)
{
	const struct finding *f;
	uint8_t b[128];
	struct rig r;
	size_t n;
	int i;

	rig_bridge(&r);
	for (i = 0; i < 4; i++) {
		n = arp(b, 1, 1, MAC_G, IP_G, ZERO6, 0x0a000007);
		feed_dir(&r, 0, T0 + (uint64_t)i * 1000 * MS, b, n, DIR_IN);
		n = arp(b, 1, 1, MAC_G, 0x0a000004, ZERO6, 0x0a000008);
		feed_dir(&r, 4, T0 + (uint64_t)i * 1000 * MS + 300 * MS, b, n,
			 DIR_IN);
		/* the host's frames going out: not entering */
		n = arp(b, 1, 1, MAC_H, IP_H, ZERO6, 0x0a000007);
		feed_dir(&r, 0, T0 + (uint64_t)i * 1000 * MS + 1, b, n,
			 DIR_OUT);
		feed_dir(&r, 4, T0 + (uint64_t)i * 1000 * MS + 2, b, n,
			 DIR_OUT);
	}
	engine_finish(r.e);
	f = find_kind(r.e, FK_MAC_CONFLICT, 0);
	CHECK(f != NULL);
	CHECK(find_kind(r.e, FK_MAC_CONFLICT, 1) == NULL);
	if (f) {
		CHECK(!strcmp(detail(f, "mac"), "02:00:00:00:00:02"));
		CHECK(!strcmp(detail(f, "port_a"), "tap0"));
		CHECK(!strcmp(detail(f, "port_b"), "tap1"));
		CHECK(f->cref.id == CAUSE_MAC_CONFLICT);
	}
	rig_free(&r);
}

static size_t echo(uint8_t *b, const uint8_t *dmac, const uint8_t *smac,
		   uint32_t src, uint32_t dst, uint8_t type, uint16_t seq)
{
	size_t n = eth(b, dmac, smac, 0x0800);
	uint8_t *ip = b + n, *ic = ip + 20;
	int i;

	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, 20 + 8 + 56);
	ip[8] = 64;
	ip[9] = 1;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, csum(ip, 20));
	memset(ic, 0, 8);
	ic[0] = type;
	put16(ic + 4, 0x1234);
	put16(ic + 6, seq);
	for (i = 0; i < 56; i++)
		ic[8 + i] = (uint8_t)i;
	put16(ic + 2, csum(ic, 64));
	return n + 20 + 64;
}

/*
 * The guest's MAC also comes in through tap1 (a clone): the host's replies
 * to it leave br0 and never reach tap0.  The loss is put down to the
 * conflict.
 */
static void test_mac_conflict_cause(void)
{
	const struct finding *f;
	uint8_t b[256];
	struct rig r;
	size_t n;
	uint64_t t;
	int i;

	rig_bridge(&r);
	for (i = 0; i < 4; i++) {
		t = T0 + (uint64_t)i * 1000 * MS;
		n = arp(b, 1, 1, MAC_G, IP_G, ZERO6, 0x0a000007);
		feed_dir(&r, 0, t, b, n, DIR_IN);
		n = arp(b, 1, 1, MAC_G, 0x0a000004, ZERO6, 0x0a000008);
		feed_dir(&r, 4, t + 100 * MS, b, n, DIR_IN);
		n = echo(b, MAC_H, MAC_G, IP_G, IP_H, 8, (uint16_t)(i + 1));
		feed_dir(&r, 0, t + 200 * MS, b, n, DIR_IN);
		feed_dir(&r, 1, t + 200 * MS + 10000, b, n, DIR_IN);
		n = echo(b, MAC_G, MAC_H, IP_H, IP_G, 0, (uint16_t)(i + 1));
		feed_dir(&r, 1, t + 200 * MS + 20000, b, n, DIR_OUT);
	}
	n = arp(b, 1, 1, MAC_H, IP_H, ZERO6, 0x0a000007);
	feed_dir(&r, 1, T0 + 20000 * MS, b, n, DIR_OUT);
	engine_finish(r.e);
	CHECK(find_kind(r.e, FK_MAC_CONFLICT, 0) != NULL);
	f = find_kind(r.e, FK_DROP, 0);
	CHECK(f != NULL);
	if (f) {
		CHECK(f->dir == LOC_REPLY);
		CHECK(f->cref.id == CAUSE_MAC_CONFLICT);
		CHECK(strstr(f->cause, "02:00:00:00:00:02") != NULL);
		if (f->cref.id != CAUSE_MAC_CONFLICT)
			fprintf(stderr, "drop cause: %s\n", f->cause);
	}
	rig_free(&r);
}

/* Direction unknown, another netns, or one move long ago: nothing said. */
static void test_mac_no_guess(void)
{
	uint8_t b[128];
	struct rig r;
	size_t n;
	int i;

	rig_bridge(&r);
	n = arp(b, 1, 1, MAC_G, IP_G, ZERO6, 0x0a000007);
	for (i = 0; i < 3; i++) {
		feed_dir(&r, 0, T0 + (uint64_t)i * MS, b, n, DIR_UNKNOWN);
		feed_dir(&r, 4, T0 + (uint64_t)i * MS + 1, b, n, DIR_UNKNOWN);
	}
	/* moved from tap0 to tap1 once, a minute later */
	n = arp(b, 1, 1, MAC_H, IP_H, ZERO6, 0x0a000007);
	feed_dir(&r, 0, T0, b, n, DIR_IN);
	feed_dir(&r, 4, T0 + 60000 * MS, b, n, DIR_IN);
	feed_dir(&r, 4, T0 + 61000 * MS, b, n, DIR_IN);
	engine_finish(r.e);
	CHECK(find_kind(r.e, FK_MAC_CONFLICT, 0) == NULL);
	rig_free(&r);

	rig_bridge(&r);
	snprintf(point_get(&r.points, 4)->netns, POINT_NETNS_MAX, "other");
	n = arp(b, 1, 1, MAC_G, IP_G, ZERO6, 0x0a000007);
	for (i = 0; i < 3; i++) {
		feed_dir(&r, 0, T0 + (uint64_t)i * MS, b, n, DIR_IN);
		feed_dir(&r, 4, T0 + (uint64_t)i * MS + 1, b, n, DIR_IN);
	}
	engine_finish(r.e);
	CHECK(find_kind(r.e, FK_MAC_CONFLICT, 0) == NULL);
	rig_free(&r);
}

/* Beyond the table bound: counted and said. */
static void test_bounds(void)
{
	const struct finding *f;
	uint8_t b[128];
	struct rig r;
	size_t n;
	uint32_t i;
	size_t k;
	bool found = false;

	rig_bridge(&r);
	for (i = 0; i < EXCH_SERIES_LIMIT + 5; i++) {
		n = arp(b, 1, 1, MAC_G, IP_G, ZERO6, 0x0b000000 + i);
		feed_dir(&r, 0, T0 + i, b, n, DIR_IN);
	}
	engine_finish(r.e);
	for (k = 0; (f = find_kind(r.e, FK_EVIDENCE_INCOMPLETE, (int)k)); k++)
		if (!strcmp(detail(f, "reason"), "too_many_exchanges") &&
		    f->count == 5)
			found = true;
	CHECK(found);
	rig_free(&r);
}

/*
 * Address 10.0.0.1 claimed by two MACs: on one segment (a point saw both)
 * a conflict; on two segments that never meet (a host with two links
 * asking on one with the other's address) none.
 */
static void claims(bool shared)
{
	static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };
	struct rig r;
	uint8_t b[128];
	size_t n;

	rig_bridge(&r);
	n = arp(b, 1, 2, MAC_H, IP_H, MAC_G, IP_G);
	feed_dir(&r, 0, 1000000, b, n, DIR_IN);
	feed_dir(&r, 1, 1010000, b, n, DIR_IN);
	n = arp(b, 1, 1, mac_b, IP_H, ZERO6, 0x0a000009u);
	feed_dir(&r, 2, 2000000, b, n, DIR_IN);
	if (shared)
		feed_dir(&r, 1, 2010000, b, n, DIR_IN);
	engine_finish(r.e);
	CHECK(!!find_kind(r.e, FK_IP_CONFLICT, 0) == shared);
	rig_free(&r);
}

static void test_ip_conflict_needs_one_segment(void)
{
	claims(true);
	claims(false);
}

int main(void)
{
	test_answer_lost();
	test_delivered_and_unanswered();
	test_dropped_at_home();
	test_hostile_arp();
	test_nd_answer_lost();
	test_mac_conflict();
	test_mac_conflict_cause();
	test_mac_no_guess();
	test_bounds();
	test_ip_conflict_needs_one_segment();
	return check_done();
}
