// SPDX-License-Identifier: GPL-2.0
/*
 * One closed probe in brief, for the event stream and the metrics
 * (trace --ndjson / --metrics, docs/ndjson-schema.md).  A live probe closes
 * long before the findings exist (they need every probe of the flow, and
 * the paths), so this says only what the probe's own sightings show: where
 * it was last seen, its round trip, and a cause when it carries one itself
 * (a kernel drop reason, an ICMP error, a loop).  The cause codes are the
 * report's (causes.def), so a pipeline can group by them; the finding at
 * the end of the session stays the verdict.
 */
#include <stdio.h>
#include <string.h>

#include "cause.h"
#include "internal.h"
#include "report.h"

/* The kernel drop that speaks for the probe: not one after delivery. */
static const struct sighting *speaking_drop(const struct engine *e,
					    const struct probe *pr)
{
	const struct sighting *r = NULL, *any = NULL;
	uint16_t i;

	for (i = 0; i < pr->n_sight; i++) {
		const struct sighting *s = &pr->s[i];

		if (s->kind != SK_DROP || !s->aux)
			continue;
		any = s;
		if (!engine_reason_after_delivery(e, s->aux - 1))
			r = s;
	}
	/* a NO_SOCKET copy of an answered probe says nothing */
	return r ? r : pr->outcome == PO_ANSWERED ? NULL : any;
}

/* The ICMP error as the report's causes name it. */
static enum cause_id icmp_cause(int family, int type, int code)
{
	if (family == 6) {
		if (type == 1)
			return code == 1 ? CAUSE_ICMP_ADMIN_PROHIBITED :
			       CAUSE_ICMP_NO_ROUTE;
		if (type == 2)
			return CAUSE_ICMP_TOO_BIG;
		if (type == 3)
			return CAUSE_ICMP_TTL_EXCEEDED;
		return CAUSE_ICMP_ERROR;
	}
	if (type == 3) {
		if (code == 9 || code == 10 || code == 13)
			return CAUSE_ICMP_ADMIN_PROHIBITED;
		if (code == 4)
			return CAUSE_ICMP_TOO_BIG;
		if (code <= 1 || code == 6 || code == 7)
			return CAUSE_ICMP_NO_ROUTE;
		return CAUSE_ICMP_ERROR;
	}
	if (type == 11)
		return CAUSE_ICMP_TTL_EXCEEDED;
	return CAUSE_ICMP_ERROR;
}

static void set_cause(struct probe_brief *b, enum cause_id id)
{
	b->cause = cause_code(id);
	b->strength = cause_strength_name(cause_strength_of(id));
}

static void brief_where(const struct engine *e, const struct probe *pr,
			struct probe_brief *b)
{
	const struct sighting *last = NULL;
	uint8_t want = pr->outcome == PO_LOST_REPLY ? SK_REP : SK_REQ;
	uint16_t i;

	for (i = 0; i < pr->n_sight; i++)
		if (pr->s[i].kind == want)
			last = &pr->s[i];
	if (!last)
		return;
	b->last_point = last->point;
	b->last_name = point_label(e, last->point);
	b->direction = want == SK_REP ? "reply" : "request";
}

static void brief_rtt(const struct probe *pr, struct probe_brief *b)
{
	const struct sighting *req = NULL, *rep = NULL;
	uint16_t i;

	for (i = 0; i < pr->n_sight && !req; i++)
		if (pr->s[i].kind == SK_REQ)
			req = &pr->s[i];
	if (!req)
		return;
	/* the reply where the request was first seen, else the last one */
	for (i = 0; i < pr->n_sight; i++) {
		const struct sighting *s = &pr->s[i];

		if (s->kind != SK_REP)
			continue;
		if (s->point == req->point) {
			rep = s;
			break;
		}
		rep = s;
	}
	if (rep && rep->ts_ns >= req->ts_ns)
		b->rtt_ns = (int64_t)(rep->ts_ns - req->ts_ns);
}

static void brief_cause(const struct engine *e, const struct probe *pr,
			struct probe_brief *b)
{
	const struct sighting *drop = speaking_drop(e, pr);
	const struct sighting *err = NULL;
	uint16_t i;

	for (i = 0; i < pr->n_sight; i++)
		if (pr->s[i].kind == SK_ERR && !err)
			err = &pr->s[i];
	if (drop) {
		b->drop_reason = engine_reason(e, drop->aux - 1);
		b->drop_function = engine_reason_function(e, drop->aux - 1);
	}
	if (err) {
		b->icmp_type = err->echo_id >> 8;
		b->icmp_code = err->echo_id & 0xff;
		fmt_ip(b->icmp_from, sizeof(b->icmp_from), pr->family, err->src);
	}
	if (pr->outcome == PO_ANSWERED || pr->outcome == PO_ORPHAN_REPLY)
		return;
	if (pr->flags & PF_LOOP) {
		set_cause(b, CAUSE_ROUTING_LOOP);
		snprintf(b->cause_text, sizeof(b->cause_text),
			 "routing loop: the request comes back with a lower TTL");
	} else if (err) {
		set_cause(b, icmp_cause(pr->family, b->icmp_type, b->icmp_code));
		snprintf(b->cause_text, sizeof(b->cause_text),
			 "ICMP type %d code %d from %s", b->icmp_type,
			 b->icmp_code, b->icmp_from);
	} else if (drop) {
		set_cause(b, CAUSE_KERNEL_DROP);
		snprintf(b->cause_text, sizeof(b->cause_text),
			 "dropped by the kernel: %s%s%s", b->drop_reason,
			 b->drop_function[0] ? " in " : "", b->drop_function);
	}
}

void report_probe_brief(const struct engine *e, const struct probe *pr,
			struct probe_brief *b)
{
	const struct sighting *first = NULL;
	uint16_t i;

	memset(b, 0, sizeof(*b));
	b->id = pr->id;
	b->seq = pr->seq;
	b->outcome = probe_outcome_name(pr->outcome);
	b->answered = pr->outcome == PO_ANSWERED;
	b->lost = pr->outcome == PO_LOST_REQUEST || pr->outcome == PO_LOST_REPLY;
	b->unfinished = pr->outcome == PO_UNFINISHED;
	b->orphan = pr->outcome == PO_ORPHAN_REPLY;
	b->family = pr->family;
	b->last_point = -1;
	b->last_name = "";
	b->direction = "";
	b->cause = "";
	b->strength = "";
	b->drop_reason = "";
	b->drop_function = "";
	b->icmp_type = b->icmp_code = -1;
	b->rtt_ns = -1;
	b->first_ts_ns = pr->first_ts;
	/* addresses as the first request shows them (before any NAT) */
	for (i = 0; i < pr->n_sight && !first; i++)
		if (pr->s[i].kind == SK_REQ)
			first = &pr->s[i];
	if (!first && pr->n_sight && pr->s[0].kind != SK_ERR)
		first = &pr->s[0];
	if (first) {
		bool rep = first->kind == SK_REP;

		fmt_ip(b->src, sizeof(b->src), pr->family,
		       rep ? first->dst : first->src);
		fmt_ip(b->dst, sizeof(b->dst), pr->family,
		       rep ? first->src : first->dst);
	}
	brief_where(e, pr, b);
	brief_rtt(pr, b);
	brief_cause(e, pr, b);
}
