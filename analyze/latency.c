// SPDX-License-Identifier: GPL-2.0
/*
 * Latency distributions per flow: the round trip at the first point, and
 * every hop a probe made between two consecutive sightings (request from
 * point to point, the turnaround where the request was last and the reply
 * first seen, reply from point to point).  `dropspot diff` compares their
 * median and 99th percentile between two runs.
 *
 * The engine's memory must not grow with the capture, so a distribution is
 * a log-linear histogram (8 buckets per power of two of nanoseconds, like
 * HdrHistogram with 3 significant bits): a quantile is then known within
 * 1/16 of its value, plenty to tell 50 us from 20 ms, at a fixed 1.3 KiB.
 */
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "internal.h"

#define LAT_SUB 8		/* buckets per power of two */
#define LAT_BUCKETS 320		/* up to 2^42 ns (73 min), then clamped */
#define LAT_HOPS 16		/* distinct hops kept per flow */

enum hop_dir { HOP_REQUEST = 0, HOP_TURN, HOP_REPLY };

struct lat_hist {
	uint64_t n;
	uint32_t b[LAT_BUCKETS];
};

struct lat_hop {
	uint16_t from, to;	/* point ids */
	uint8_t dir;		/* enum hop_dir */
	struct lat_hist h;
};

struct flow_latency {
	struct lat_hist rtt;
	struct lat_hop hop[LAT_HOPS];
	uint8_t n_hops;
};

static unsigned lat_bucket(uint64_t v)
{
	unsigned e, idx;

	if (v < LAT_SUB)
		return (unsigned)v;
	e = 63u - (unsigned)__builtin_clzll(v);	/* >= 3 */
	idx = (e - 2) * LAT_SUB + (unsigned)((v >> (e - 3)) & (LAT_SUB - 1));
	return idx < LAT_BUCKETS ? idx : LAT_BUCKETS - 1;
}

/* The middle of a bucket, in ns: the value a quantile reports. */
static uint64_t lat_bucket_mid(unsigned idx)
{
	unsigned e, sub;

	if (idx < LAT_SUB)
		return idx;
	e = idx / LAT_SUB + 2;
	sub = idx % LAT_SUB;
	return ((uint64_t)(LAT_SUB + sub) << (e - 3)) + ((1ull << (e - 3)) >> 1);
}

static void hist_add(struct lat_hist *h, uint64_t v)
{
	uint32_t *b = &h->b[lat_bucket(v)];

	if (*b != UINT32_MAX)
		(*b)++;
	h->n++;
}

/* The q-quantile (0 < q <= 1) in ns, nearest-rank; 0 if empty. */
static uint64_t hist_quantile(const struct lat_hist *h, double q)
{
	uint64_t rank = (uint64_t)(q * (double)h->n), seen = 0;
	unsigned i;

	if (!h->n)
		return 0;
	if ((double)rank < q * (double)h->n)
		rank++;
	if (!rank)
		rank = 1;
	for (i = 0; i < LAT_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank)
			return lat_bucket_mid(i);
	}
	return lat_bucket_mid(LAT_BUCKETS - 1);
}

static struct lat_hist *hop_hist(struct flow_latency *fl, uint16_t from,
				 uint16_t to, uint8_t dir)
{
	uint8_t i;

	for (i = 0; i < fl->n_hops; i++)
		if (fl->hop[i].from == from && fl->hop[i].to == to &&
		    fl->hop[i].dir == dir)
			return &fl->hop[i].h;
	/* beyond LAT_HOPS the rest is not measured: odd paths, not ours */
	if (fl->n_hops == LAT_HOPS)
		return NULL;
	fl->hop[fl->n_hops].from = from;
	fl->hop[fl->n_hops].to = to;
	fl->hop[fl->n_hops].dir = dir;
	return &fl->hop[fl->n_hops++].h;
}

/* Same round trip as the flow's rtt_ms: request and reply at one point. */
static void learn_rtt_hist(struct flow_latency *fl, const struct probe *pr)
{
	const struct sighting *rq = NULL;
	uint16_t i;

	for (i = 0; i < pr->n_sight; i++) {
		const struct sighting *s = &pr->s[i];

		if (!rq && s->kind == SK_REQ)
			rq = s;
		else if (rq && s->kind == SK_REP && s->point == rq->point &&
			 s->ts_ns >= rq->ts_ns) {
			hist_add(&fl->rtt, s->ts_ns - rq->ts_ns);
			return;
		}
	}
}

#define HOP_SIGHTS 64

/*
 * a before b?  Sightings are in time order, but captures with microsecond
 * stamps often give two points the same time, and then the merge order
 * says nothing: a request goes before its reply, and two sightings of one
 * kind follow the order the flow learnt from probes that told them apart
 * (replies cross the points in the reverse order of requests).
 */
static bool sight_before(const struct flow *f, const struct sighting *a,
			 const struct sighting *b)
{
	uint64_t ab, ba;

	if (a->ts_ns != b->ts_ns)
		return a->ts_ns < b->ts_ns;
	if (a->kind != b->kind)
		return a->kind == SK_REQ;
	if (a->point >= ENGINE_MAX_POINTS || b->point >= ENGINE_MAX_POINTS)
		return true;
	ab = (uint64_t)flow_prec(f, false, a->point, b->point) +
	     flow_prec(f, true, b->point, a->point);
	ba = (uint64_t)flow_prec(f, false, b->point, a->point) +
	     flow_prec(f, true, a->point, b->point);
	return a->kind == SK_REQ ? ab >= ba : ba >= ab;
}

/* The probe's request and reply sightings in crossing order. */
static unsigned hop_order(const struct flow *f, const struct probe *pr,
			  const struct sighting **o)
{
	const struct sighting *t;
	unsigned n = 0, i, j;
	uint16_t k;

	for (k = 0; k < pr->n_sight && n < HOP_SIGHTS; k++)
		if (pr->s[k].kind == SK_REQ || pr->s[k].kind == SK_REP)
			o[n++] = &pr->s[k];
	/* insertion sort: already in order but for ties */
	for (i = 1; i < n; i++) {
		for (j = i; j > 0 && !sight_before(f, o[j - 1], o[j]); j--) {
			t = o[j];
			o[j] = o[j - 1];
			o[j - 1] = t;
		}
	}
	return n;
}

/*
 * Each request or reply sighting after the previous one is a hop.  A
 * request seen after a reply is a retransmission or a loop, not a hop of
 * this probe.
 */
static void learn_hops(struct flow_latency *fl, const struct flow *f,
		       const struct probe *pr)
{
	const struct sighting *o[HOP_SIGHTS], *prev, *s;
	struct lat_hist *h;
	unsigned i, n = hop_order(f, pr, o);
	uint8_t dir;

	for (i = 1; i < n; i++) {
		prev = o[i - 1];
		s = o[i];
		if (prev->kind == SK_REP && s->kind == SK_REQ)
			continue;
		dir = prev->kind != s->kind ? HOP_TURN :
		      s->kind == SK_REQ ? HOP_REQUEST : HOP_REPLY;
		h = hop_hist(fl, prev->point, s->point, dir);
		if (h)
			hist_add(h, s->ts_ns - prev->ts_ns);
	}
}

/*
 * A flow's distributions take ~22 KiB: kept for the first LAT_FLOWS flows
 * only (docs/report-schema.md), so thousands of flows stay cheap.
 */
#define LAT_FLOWS 1024

void latency_learn(struct engine *e, uint32_t flow, const struct probe *pr)
{
	struct flow *f = &e->flows[flow];

	if (!f->lat) {
		if (e->lat_flows >= LAT_FLOWS)
			return;
		f->lat = calloc(1, sizeof(*f->lat));
		if (!f->lat)
			return;	/* latency is optional: the verdict stands */
		e->lat_flows++;
	}
	learn_rtt_hist(f->lat, pr);
	learn_hops(f->lat, f, pr);
}

void latency_free(struct engine *e)
{
	uint32_t i;

	for (i = 0; i < e->n_flows; i++) {
		free(e->flows[i].lat);
		e->flows[i].lat = NULL;
	}
	e->lat_flows = 0;
}

static const char *hop_dir_name(uint8_t d)
{
	switch (d) {
	case HOP_REQUEST: return "request";
	case HOP_TURN: return "turnaround";
	case HOP_REPLY: return "reply";
	}
	return "?";
}

static void json_dist(struct strbuf *sb, const struct lat_hist *h)
{
	sb_puts(sb, "\"n\":");
	sb_u64(sb, h->n);
	sb_printf(sb, ",\"median_ms\":%.6f,\"p99_ms\":%.6f",
		  (double)hist_quantile(h, 0.5) / 1e6,
		  (double)hist_quantile(h, 0.99) / 1e6);
}

/* The value of flows[].latency (docs/report-schema.md). */
void latency_json(struct strbuf *sb, const struct engine *e, uint32_t flow)
{
	const struct flow_latency *fl;
	uint8_t i;

	if (flow >= e->n_flows || !e->flows[flow].lat) {
		sb_puts(sb, "{\"rtt\":null,\"hops\":[]}");
		return;
	}
	fl = e->flows[flow].lat;
	sb_puts(sb, "{\"rtt\":");
	if (fl->rtt.n) {
		sb_putc(sb, '{');
		json_dist(sb, &fl->rtt);
		sb_putc(sb, '}');
	} else {
		sb_puts(sb, "null");
	}
	sb_puts(sb, ",\"hops\":[");
	for (i = 0; i < fl->n_hops; i++) {
		const struct lat_hop *hp = &fl->hop[i];

		if (i)
			sb_putc(sb, ',');
		sb_puts(sb, "{\"from\":");
		sb_u64(sb, hp->from);
		sb_puts(sb, ",\"to\":");
		sb_u64(sb, hp->to);
		sb_puts(sb, ",\"direction\":");
		sb_json_cstr(sb, hop_dir_name(hp->dir));
		sb_putc(sb, ',');
		json_dist(sb, &hp->h);
		sb_putc(sb, '}');
	}
	sb_puts(sb, "]}");
}
