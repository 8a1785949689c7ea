/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared pieces of the unit tests that feed crafted frames to the engine:
 * big-endian stores, the Internet checksum, and a rig (a point table, an
 * engine, per-point frame numbers) whose feed dissects a heap copy of
 * exactly the captured bytes, so ASan catches any read past them.
 */
#ifndef TEST_ENGINE_RIG_H
#define TEST_ENGINE_RIG_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/engine.h"
#include "capture/drop_comment.h"
#include "analyze/internal.h"
#include "dissect/packet.h"

#define RIG_POINTS 16

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static inline uint16_t csum(const uint8_t *p, size_t n)
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

struct rig {
	struct point_table points;
	struct engine *e;
	uint64_t numbers[RIG_POINTS];
};

/*
 * n points named p0, p1...; linktypes gives each one's link type (NULL:
 * Ethernet for all).
 */
static inline void rig_init_points(struct rig *r, int n, const int *linktypes,
				   const struct engine_opts *o)
{
	int i;

	memset(r, 0, sizeof(*r));
	point_table_init(&r->points);
	for (i = 0; i < n; i++) {
		struct point p;

		memset(&p, 0, sizeof(p));
		snprintf(p.name, sizeof(p.name), "p%d", i);
		p.linktype = linktypes ? linktypes[i] : LINKTYPE_ETHERNET;
		point_table_add(&r->points, &p);
	}
	r->e = engine_new(&r->points, o);
}

static inline void rig_free(struct rig *r)
{
	engine_free(r->e);
	point_table_free(&r->points);
}

/* Feeds caplen of the n bytes at point, with the point's link type. */
static inline void feed_cut(struct rig *r, int point, uint64_t ts,
			    const uint8_t *b, size_t n, size_t caplen)
{
	const struct point *pt = point_get_const(&r->points, (uint32_t)point);
	static struct packet p;	/* big: off the stack */
	struct frame f;
	uint8_t *copy = malloc(caplen ? caplen : 1);

	memcpy(copy, b, caplen);
	memset(&f, 0, sizeof(f));
	f.data = copy;
	f.caplen = (uint32_t)caplen;
	f.wirelen = (uint32_t)n;
	f.ts_ns = ts;
	f.point = (uint32_t)point;
	f.number = ++r->numbers[point % RIG_POINTS];
	/* the engine also meets frames of points it has no entry for */
	f.linktype = pt ? pt->linktype : LINKTYPE_ETHERNET;
	dissect_frame(&f, &p);
	engine_feed(r->e, &p);
	free(copy);
}

static inline void feed(struct rig *r, int point, uint64_t ts,
			const uint8_t *b, size_t n)
{
	feed_cut(r, point, ts, b, n, n);
}

/*
 * A kernel drop record, as trace saves it (typed event and comment), of
 * the n-byte Ethernet frame b: the bytes after its Ethernet header.
 */
static inline void feed_drop(struct rig *r, int point, uint64_t ts,
			     const uint8_t *b, size_t n, uint16_t proto,
			     const char *reason)
{
	uint8_t buf[DROP_FRAME_MAX];
	struct drop_event ev;
	static struct packet p;
	struct frame f;
	char comment[512];

	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = ts;
	ev.protocol = proto;
	ev.wire_len = (uint32_t)(n - 14);
	ev.cap_len = ev.wire_len < DROP_DATA_MAX ? ev.wire_len : DROP_DATA_MAX;
	memcpy(ev.data, b + 14, ev.cap_len);
	snprintf(ev.reason_name, sizeof(ev.reason_name), "%s", reason);
	snprintf(ev.symbol, sizeof(ev.symbol), "somewhere+0x10");
	drop_event_frame(&ev, (uint32_t)point, buf, &f);
	drop_event_comment(&ev, comment, sizeof(comment));
	f.comment = comment;
	f.comment_len = (uint32_t)strlen(comment);
	f.number = ++r->numbers[point];
	dissect_frame(&f, &p);
	engine_feed(r->e, &p);
}

/* The nth finding of kind k, or NULL. */
static inline const struct finding *find_kind(const struct engine *e,
					      enum finding_kind k, int nth)
{
	size_t i;

	for (i = 0; i < e->n_findings; i++)
		if (e->findings[i].kind == k && nth-- == 0)
			return &e->findings[i];
	return NULL;
}

#endif /* TEST_ENGINE_RIG_H */
