// SPDX-License-Identifier: GPL-2.0
/*
 * Neighbour exchanges followed across the points, like echo probes.
 *
 * An exchange is one ARP request (or IPv6 neighbour solicitation) and its
 * answer.  Its identity is the asker (address and MAC), the target address
 * and, for the answer, the answering MAC: the same bytes at every point,
 * since nothing rewrites ARP.  The request's copies are kept in the order
 * the points saw them; the answer should come back through those points in
 * reverse order.  Where it was last seen on that way back is `after`, the
 * next point that should have seen it and did not is `before`: "ARP reply
 * for X from MAC m seen at P, not at Q".  A kernel drop record of the
 * answer (same bytes) joins the exchange and names the kernel's reason.
 *
 * Which request points the answer must cross: a request is flooded, so
 * some points saw a copy that went elsewhere.  A point that did not see
 * the answer is not expected to when
 *   - it is a bridge device and not where the answer started (the
 *     bridge's local copy of a broadcast: the answer, unicast, passes the
 *     ports only), or
 *   - the answer started at a bridge device (the host answered) and the
 *     request left through the point (a copy flooded out of another port).
 * Without directions (files that do not record them) every request point
 * is expected.
 *
 * Per frame: one hash lookup of the series (asker, target) and bit
 * operations.  Memory: EXCH_SERIES_LIMIT series, EXCH_FATES lost fates
 * each; what lies beyond is counted and reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Copies of one request at the points arrive within this window. */
#define EXCH_WINDOW_NS 500000000ull

static uint32_t series_hash(int family, const uint8_t *asker_ip,
			    const uint8_t *target)
{
	/* where a series sits in its bucket chain, never which it is */
	uint64_t h = ip_hash64(family, asker_ip, 0) ^
		     (ip_hash64(family, target, 1) >> 1);

	return hash_fold(h) & (EXCH_BUCKETS - 1);
}

static bool mac_known(const uint8_t *m)
{
	static const uint8_t zero[6], bcast[6] = { 0xff, 0xff, 0xff,
						   0xff, 0xff, 0xff };

	return m && memcmp(m, zero, 6) && memcmp(m, bcast, 6);
}

static struct exch_table *table(struct engine *e)
{
	uint32_t i;

	if (!e->exch) {
		e->exch = calloc(1, sizeof(*e->exch));
		if (!e->exch)
			return NULL;
		for (i = 0; i < EXCH_BUCKETS; i++)
			e->exch->bucket[i] = -1;
	}
	return e->exch;
}

/*
 * The series of (asker, target); asker_mac NULL matches any MAC.  create:
 * add it when absent (NULL when the table is full, counted).
 */
static struct exch_series *series_find(struct engine *e, int family,
				       const uint8_t *asker_ip,
				       const uint8_t *asker_mac,
				       const uint8_t *target, bool create)
{
	struct exch_table *t = table(e);
	uint32_t h = series_hash(family, asker_ip, target);
	size_t n = family == 6 ? 16 : 4;
	struct exch_series *s;
	int32_t i;

	if (!t)
		return NULL;
	for (i = t->bucket[h]; i >= 0; i = t->s[i].hnext) {
		s = &t->s[i];
		if (s->family == family && ip_eq(family, s->asker_ip, asker_ip) &&
		    ip_eq(family, s->target, target) &&
		    (!asker_mac || !memcmp(s->asker_mac, asker_mac, 6)))
			return s;
	}
	if (!create)
		return NULL;
	if (t->n == EXCH_SERIES_LIMIT) {
		t->overflow++;
		return NULL;
	}
	s = &t->s[t->n];
	memset(s, 0, sizeof(*s));
	s->family = (uint8_t)family;
	memcpy(s->asker_ip, asker_ip, n);
	memcpy(s->target, target, n);
	memcpy(s->asker_mac, asker_mac, 6);
	s->hnext = t->bucket[h];
	t->bucket[h] = (int32_t)t->n++;
	return s;
}

static enum point_kind kind_of(const struct engine *e, int id)
{
	const struct point *pt = id >= 0 ? point_get_const(e->points,
							   (uint32_t)id)
					 : NULL;

	return pt ? pt->kind : POINT_KIND_UNKNOWN;
}

/* Whether the answer must pass the request's i-th point (see the top). */
static bool expected_at(const struct engine *e, const struct exch *x, int i)
{
	int pt = x->order[i];

	if (i == 0 || pt == x->rep_point)
		return true;
	if (kind_of(e, pt) == POINT_KIND_BRIDGE)
		return false;
	if (x->rep_point >= 0 &&
	    kind_of(e, x->rep_point) == POINT_KIND_BRIDGE &&
	    x->order_dir[i] == DIR_OUT)
		return false;
	return true;
}

/*
 * Answered means delivered: an answer that came back to the asker's first
 * point and was then dropped by the kernel (the asker's input firewall...)
 * is lost there.  A copy of a unicast frame dropped by a host it was not
 * for (OTHERHOST) is no loss.
 */
static bool dropped_home(const struct engine *e, const struct exch *x)
{
	return x->drop_reason >= 0 && x->home_ts && x->drop_ts >= x->home_ts &&
	       strcmp(engine_reason(e, x->drop_reason), "OTHERHOST");
}

/*
 * The fate of an exchange: false when it is no lost exchange (delivered,
 * or never answered at all, which the neighbour layer reports).
 */
static bool exch_locate(const struct engine *e, const struct exch *x,
			struct exch_fate *fo)
{
	int i, seen = -1;

	if (!x->n_order)
		return false;
	if (x->rep_mask & (1ull << x->order[0]) && !dropped_home(e, x))
		return false;	/* back at the asker's first point */
	if (!x->rep_mask && x->drop_reason < 0)
		return false;	/* unanswered */
	memset(fo, 0, sizeof(*fo));
	fo->after = fo->before = -1;
	if (x->rep_mask & (1ull << x->order[0])) {
		/* home, then dropped by the asker's own kernel */
		fo->after = x->order[0];
		seen = 0;
	}
	fo->reason = x->drop_reason;
	fo->has_mac = x->has_mac;
	memcpy(fo->answer_mac, x->answer_mac, 6);
	fo->count = 1;
	fo->req_mask = x->req_mask;
	fo->first_ts = fo->last_ts = x->first_ts;
	for (i = x->n_order - 1; i >= 0 && seen; i--)
		if (x->rep_mask & (1ull << x->order[i]))
			seen = i;
	if (seen > 0) {
		fo->after = x->order[seen];
		for (i = seen - 1; i >= 0; i--) {
			if (expected_at(e, x, i)) {
				fo->before = x->order[i];
				break;
			}
		}
	} else if (x->rep_mask && seen < 0) {
		/* seen only where the request was not: the answerer's side */
		fo->after = x->rep_point;
		fo->before = x->order[0];
	}
	if (x->rep_point >= 0) {
		fo->point = (uint16_t)x->rep_point;
		fo->ts = x->rep_ts;
		fo->frame = x->rep_frame;
	} else {
		fo->point = x->first_point;
		fo->ts = x->first_ts;
		fo->frame = x->first_frame;
	}
	return true;
}

static bool same_fate(const struct exch_fate *a, const struct exch_fate *b)
{
	return a->after == b->after && a->before == b->before &&
	       a->reason == b->reason && a->has_mac == b->has_mac &&
	       (!a->has_mac || !memcmp(a->answer_mac, b->answer_mac, 6));
}

/* Folds the current exchange of s into its fates. */
static void fold(struct engine *e, struct exch_series *s)
{
	struct exch_fate fo;
	uint8_t i;

	if (!s->open)
		return;
	s->open = false;
	if (s->cur.rep_mask & (1ull << s->cur.order[0]))
		s->delivered++;
	if (!exch_locate(e, &s->cur, &fo))
		return;
	for (i = 0; i < s->n_fate; i++) {
		if (same_fate(&s->fate[i], &fo)) {
			s->fate[i].count++;
			s->fate[i].last_ts = fo.first_ts;
			s->fate[i].req_mask |= fo.req_mask;
			return;
		}
	}
	if (s->n_fate == EXCH_FATES) {
		s->fates_overflow++;
		return;
	}
	s->fate[s->n_fate++] = fo;
}

static void open_exchange(struct exch_series *s, const struct packet *p,
			  uint16_t point)
{
	struct exch *x = &s->cur;

	memset(x, 0, sizeof(*x));
	x->rep_point = -1;
	x->drop_reason = -1;
	x->first_ts = p->frame->ts_ns;
	x->first_frame = p->frame->number;
	x->first_point = point;
	s->open = true;
	s->exchanges++;
}

void exch_request(struct engine *e, const struct packet *p, uint16_t point,
		  int family, const uint8_t *asker_ip, const uint8_t *asker_mac,
		  const uint8_t *target)
{
	struct exch_series *s;
	struct exch *x;
	uint64_t bit = 1ull << point;

	if (point >= ENGINE_MAX_POINTS)
		return;
	s = series_find(e, family, asker_ip, asker_mac, target, true);
	if (!s)
		return;
	x = &s->cur;
	/* sent again (seen again here) or long after: a new exchange */
	if (s->open && ((x->req_mask & bit) ||
			p->frame->ts_ns > x->first_ts + EXCH_WINDOW_NS ||
			p->frame->ts_ns + EXCH_WINDOW_NS < x->first_ts))
		fold(e, s);
	if (!s->open)
		open_exchange(s, p, point);
	if (x->req_mask & bit)
		return;
	x->req_mask |= bit;
	if (x->n_order < EXCH_ORDER) {
		x->order_dir[x->n_order] = p->frame->dir;
		x->order[x->n_order++] = (uint8_t)point;
	}
}

bool exch_answer(struct engine *e, const struct packet *p, uint16_t point,
		 int family, const uint8_t *asker_ip, const uint8_t *asker_mac,
		 const uint8_t *target, const uint8_t *answer_mac, bool drop)
{
	struct exch_series *s;
	struct exch *x;

	if (point >= ENGINE_MAX_POINTS || !e->exch)
		return false;
	s = series_find(e, family, asker_ip, mac_known(asker_mac) ? asker_mac
								  : NULL,
			target, false);
	if (!s || !s->open)
		return false;	/* unsolicited, or its request not seen */
	x = &s->cur;
	if (!x->has_mac && mac_known(answer_mac)) {
		memcpy(x->answer_mac, answer_mac, 6);
		x->has_mac = true;
	}
	if (drop) {
		if (x->drop_reason < 0) {
			x->drop_reason =
				(int16_t)probe_drop_reason(e, p->frame);
			x->drop_ts = p->frame->ts_ns;
			x->drop_frame = p->frame->number;
		}
		return true;
	}
	if (point == x->order[0] && !x->home_ts)
		x->home_ts = p->frame->ts_ns;
	if (x->rep_point < 0) {
		x->rep_point = (int16_t)point;
		x->rep_ts = p->frame->ts_ns;
		x->rep_frame = p->frame->number;
	}
	x->rep_mask |= 1ull << point;
	return true;
}

/* ---- queries --------------------------------------------------------- */

const struct exch_series *exch_lost(const struct engine *e, int family,
				    const uint8_t *asker_ip, uint64_t near,
				    struct exch_fate *out)
{
	const struct exch_series *best = NULL;
	size_t n = family == 6 ? 16 : 4;
	struct exch_fate fo;
	uint32_t i;
	uint8_t k;

	if (!e->exch)
		return NULL;
	for (i = 0; i < e->exch->n; i++) {
		const struct exch_series *s = &e->exch->s[i];

		if (s->family != family ||
		    (asker_ip && memcmp(s->asker_ip, asker_ip, n)))
			continue;
		for (k = 0; k < s->n_fate; k++) {
			if (near && !(s->fate[k].req_mask & near))
				continue;
			if (!best || s->fate[k].count > out->count) {
				best = s;
				*out = s->fate[k];
			}
		}
		if (s->open && exch_locate(e, &s->cur, &fo) &&
		    (!near || (fo.req_mask & near)) &&
		    (!best || fo.count > out->count)) {
			best = s;
			*out = fo;
		}
	}
	return best;
}

void exch_fate_params(const struct engine *e, const struct exch_series *s,
		      const struct exch_fate *f, struct cause_facts *cf)
{
	char buf[64];

	fmt_ip(buf, sizeof(buf), s->family, s->target);
	facts_set(cf, "neighbour", "%s", buf);
	if (f->has_mac) {
		fmt_mac(buf, sizeof(buf), f->answer_mac);
		facts_set(cf, "answer_mac", "%s", buf);
	}
	if (f->after >= 0)
		facts_set(cf, "answer_after", "%s", point_label(e, f->after));
	if (f->before >= 0)
		facts_set(cf, "answer_before", "%s", point_label(e, f->before));
	if (f->reason >= 0) {
		const char *fn = engine_reason_function(e, f->reason);

		facts_set(cf, "answer_reason", "%s%s%s",
			  engine_reason(e, f->reason), fn[0] ? " in " : "", fn);
	}
}

/* ---- findings -------------------------------------------------------- */

static void lost_finding(struct engine *e, const struct exch_series *s,
			 const struct exch_fate *fo)
{
	char ip[64], asker[64], amac[24], mac[24], where[160];
	const char *what = s->family == 6 ? "neighbour advertisement" :
			   "ARP reply";
	struct cause_facts cf;
	struct cause_ref c;
	struct finding *f;

	/* later answers that came back make this one a passing loss */
	f = finding_add(e, FK_NEIGHBOUR_ANSWER_LOST,
			s->delivered ? SEV_WARNING : SEV_ERROR);
	if (!f)
		return;
	fmt_ip(ip, sizeof(ip), s->family, s->target);
	fmt_ip(asker, sizeof(asker), s->family, s->asker_ip);
	fmt_mac(amac, sizeof(amac), s->asker_mac);
	fmt_mac(mac, sizeof(mac), fo->answer_mac);
	if (fo->after >= 0 && fo->before >= 0)
		snprintf(where, sizeof(where), "seen at %.60s, not at %.60s",
			 point_label(e, fo->after), point_label(e, fo->before));
	else if (fo->after >= 0)
		snprintf(where, sizeof(where),
			 "seen at %.60s, not at its asker",
			 point_label(e, fo->after));
	else
		snprintf(where, sizeof(where), "dropped before any watched "
			 "point");
	memset(&cf, 0, sizeof(cf));
	exch_fate_params(e, s, fo, &cf);
	cf.bits = CF_NEIGH_ANSWER_LOST;
	cause_pick(&cf, &c);
	finding_cause(f, &c);
	snprintf(f->summary, sizeof(f->summary),
		 "%s for %.46s%s%s %.100s: %llu of %llu exchange(s) asked by "
		 "%.46s (%s) lost%s%.100s", what, ip,
		 fo->has_mac ? " from MAC " : "", fo->has_mac ? mac : "", where,
		 (unsigned long long)fo->count,
		 (unsigned long long)s->exchanges, asker, amac,
		 fo->reason >= 0 ? "; the kernel dropped it: " : "",
		 facts_get(&cf, "answer_reason"));
	f->after = fo->after;
	f->before = fo->before;
	f->dir = LOC_REPLY;
	f->count = fo->count;
	finding_str(f, "target", "%s", ip);
	finding_str(f, "asker_ip", "%s", asker);
	finding_str(f, "asker_mac", "%s", amac);
	if (fo->has_mac)
		finding_str(f, "answer_mac", "%s", mac);
	finding_num(f, "exchanges", s->exchanges);
	finding_num(f, "delivered", s->delivered);
	if (fo->reason >= 0) {
		const char *fn = engine_reason_function(e, fo->reason);

		finding_str(f, "kernel_reason", "%s",
			    engine_reason(e, fo->reason));
		if (fn[0])
			finding_str(f, "kernel_function", "%s", fn);
	}
	finding_evidence(f, fo->point, fo->ts, fo->frame, 0,
			 "%s for %s %s", what, ip,
			 fo->after >= 0 ? "last seen" : "first request");
}

void exch_findings(struct engine *e)
{
	uint32_t i;
	uint8_t k;

	if (!e->exch)
		return;
	for (i = 0; i < e->exch->n; i++)
		fold(e, &e->exch->s[i]);
	for (i = 0; i < e->exch->n; i++) {
		const struct exch_series *s = &e->exch->s[i];

		for (k = 0; k < s->n_fate; k++)
			lost_finding(e, s, &s->fate[k]);
	}
}

void exch_free(struct engine *e)
{
	free(e->exch);
	e->exch = NULL;
}
