// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON report, schema "dropspot.report" version REPORT_SCHEMA_VERSION,
 * documented field by field in docs/report-schema.md.  Keys are stable;
 * additions bump the minor behaviour only, removals or meaning changes bump
 * the version.
 */
#include <string.h>

#include "common/strbuf.h"
#include "clock.h"
#include "internal.h"
#include "report.h"

const char *probe_outcome_name(uint8_t oc)
{
	switch (oc) {
	case PO_ANSWERED: return "answered";
	case PO_LOST_REQUEST: return "lost_request";
	case PO_LOST_REPLY: return "lost_reply";
	case PO_UNFINISHED: return "unfinished";
	case PO_ORPHAN_REPLY: return "orphan_reply";
	}
	return "unknown";
}

static const char *sight_key(uint8_t k)
{
	switch (k) {
	case SK_REQ: return "request";
	case SK_REP: return "reply";
	case SK_ERR: return "icmp_error";
	case SK_DROP: return "kernel_drop";
	}
	return "unknown";
}

static void kv_point(struct strbuf *sb, bool *first, const char *k, int v)
{
	sb_key(sb, first, k);
	if (v < 0)
		sb_puts(sb, "null");
	else
		sb_u64(sb, (uint64_t)v);
}

static void kv_ip(struct strbuf *sb, bool *first, const char *k, int family,
		  const uint8_t *a)
{
	char buf[64];

	fmt_ip(buf, sizeof(buf), family, a);
	sb_kv_str(sb, first, k, buf);
}

static void kv_double(struct strbuf *sb, bool *first, const char *k, double v)
{
	sb_key(sb, first, k);
	sb_printf(sb, "%.6f", v);
}

static void json_points(struct strbuf *sb, const struct engine *e)
{
	size_t i;

	sb_puts(sb, "\"points\":[");
	for (i = 0; i < e->points->count; i++) {
		const struct point *pt = point_get_const(e->points, (uint32_t)i);
		const struct point_stat *ps = i < ENGINE_MAX_POINTS ?
					      &e->pstat[i] : NULL;
		bool first = true;

		if (i)
			sb_putc(sb, ',');
		sb_putc(sb, '{');
		sb_kv_u64(sb, &first, "id", i);
		sb_kv_str(sb, &first, "name", point_label(e, (int)i));
		sb_kv_str(sb, &first, "ifname", pt->ifname);
		sb_kv_str(sb, &first, "netns", pt->netns);
		sb_kv_str(sb, &first, "source", pt->source);
		if (pt->host[0])	/* known only from some files */
			sb_kv_str(sb, &first, "host", pt->host);
		sb_kv_u64(sb, &first, "ifindex", pt->ifindex);
		sb_kv_str(sb, &first, "kind", point_kind_name(pt->kind));
		sb_kv_str(sb, &first, "hook", point_hook_name(pt->hook));
		sb_kv_u64(sb, &first, "frames", ps ? ps->frames : 0);
		sb_kv_u64(sb, &first, "first_ts_ns", ps ? ps->first_ts : 0);
		sb_kv_u64(sb, &first, "last_ts_ns", ps ? ps->last_ts : 0);
		sb_kv_u64(sb, &first, "requests", ps ? ps->probes_req : 0);
		sb_kv_u64(sb, &first, "replies", ps ? ps->probes_rep : 0);
		sb_key(sb, &first, "capture_drops");
		if (pt->capture_drops_known)
			sb_u64(sb, pt->capture_drops);
		else
			sb_puts(sb, "null");
		sb_kv_u64(sb, &first, "snaplen", pt->snaplen);
		/* only when some were: frames of a link type not decoded */
		if (ps && ps->undecodable)
			sb_kv_u64(sb, &first, "undecodable", ps->undecodable);
		/* only when it was: directions a live capture could not watch */
		if (pt->blind)
			sb_kv_str(sb, &first, "not_watched",
			       pt->blind == POINT_BLIND_ALL ? "both" :
			       pt->blind & POINT_BLIND_IN ? "in" : "out");
		sb_putc(sb, '}');
	}
	sb_putc(sb, ']');
}

static void json_path(struct strbuf *sb, const uint8_t *path, uint8_t len)
{
	uint8_t i;

	sb_putc(sb, '[');
	for (i = 0; i < len; i++) {
		if (i)
			sb_putc(sb, ',');
		sb_u64(sb, path[i]);
	}
	sb_putc(sb, ']');
}

static void json_flows(struct strbuf *sb, const struct engine *e)
{
	uint32_t i;

	sb_puts(sb, "\"flows\":[");
	for (i = 0; i < e->n_flows; i++) {
		const struct flow *f = &e->flows[i];
		bool first = true;

		if (i)
			sb_putc(sb, ',');
		sb_putc(sb, '{');
		sb_kv_u64(sb, &first, "id", i);
		sb_kv_u64(sb, &first, "family", f->family);
		kv_ip(sb, &first, "src", f->family, f->src);
		kv_ip(sb, &first, "dst", f->family, f->dst);
		sb_kv_u64(sb, &first, "probes", f->probes);
		sb_kv_u64(sb, &first, "answered", f->outcome[PO_ANSWERED]);
		sb_kv_u64(sb, &first, "lost", f->outcome[PO_LOST_REQUEST] +
					   f->outcome[PO_LOST_REPLY]);
		sb_kv_u64(sb, &first, "unfinished", f->outcome[PO_UNFINISHED]);
		sb_key(sb, &first, "path");
		json_path(sb, f->req_path, f->req_len);
		sb_key(sb, &first, "reply_path");
		json_path(sb, f->rep_path, f->rep_len);
		sb_key(sb, &first, "rtt_ms");
		if (f->rtt_n) {
			bool f2 = true;

			sb_putc(sb, '{');
			kv_double(sb, &f2, "min", f->rtt_min_ms);
			kv_double(sb, &f2, "avg", f->rtt_sum_ms / (double)f->rtt_n);
			kv_double(sb, &f2, "max", f->rtt_max_ms);
			sb_putc(sb, '}');
		} else {
			sb_puts(sb, "null");
		}
		sb_key(sb, &first, "latency");
		latency_json(sb, e, i);
		sb_putc(sb, '}');
	}
	sb_putc(sb, ']');
}

/* The tunnel a sighting was inside, or null on a plain frame. */
static void json_encap(struct strbuf *sb, const struct engine *e,
		       const struct sighting *s)
{
	const struct encap_seen *x;
	bool first = true;

	if (!s->encap) {
		sb_puts(sb, "null");
		return;
	}
	sb_putc(sb, '{');
	if (s->encap == ENCAP_UNKNOWN || s->encap > e->n_encaps) {
		sb_kv_str(sb, &first, "type", "unknown");
	} else {
		x = &e->encaps[s->encap - 1];
		sb_kv_str(sb, &first, "type", tunnel_type_name(x->type));
		sb_key(sb, &first, "id");
		if (x->has_id)
			sb_u64(sb, x->id);
		else
			sb_puts(sb, "null");
		kv_ip(sb, &first, "outer_src", x->family, x->src);
		kv_ip(sb, &first, "outer_dst", x->family, x->dst);
	}
	sb_kv_u64(sb, &first, "outer_len", s->outer_len);
	sb_key(sb, &first, "outer_df");
	sb_puts(sb, s->flags & SF_OUTER_DF ? "true" : "false");
	sb_putc(sb, '}');
}

static void json_sighting(struct strbuf *sb, const struct engine *e,
			  const struct probe *pr, const struct sighting *s)
{
	bool first = true;

	sb_putc(sb, '{');
	sb_kv_u64(sb, &first, "point", s->point);
	sb_kv_str(sb, &first, "kind", sight_key(s->kind));
	sb_kv_u64(sb, &first, "ts_ns", s->ts_ns);
	sb_kv_u64(sb, &first, "frame", s->frame_no);
	sb_kv_str(sb, &first, "dir", direction_name(s->dir));
	kv_ip(sb, &first, "src", pr->family, s->src);
	kv_ip(sb, &first, "dst", pr->family, s->dst);
	sb_kv_u64(sb, &first, "ttl", s->ttl);
	if (s->kind == SK_ERR) {
		sb_kv_u64(sb, &first, "icmp_type", s->echo_id >> 8);
		sb_kv_u64(sb, &first, "icmp_code", s->echo_id & 0xff);
		if (s->aux)
			sb_kv_u64(sb, &first, "mtu", s->aux);
	} else {
		sb_kv_u64(sb, &first, "echo_id", s->echo_id);
	}
	if (s->kind == SK_DROP) {
		sb_kv_str(sb, &first, "reason", engine_reason(e, s->aux - 1));
		if (engine_reason_function(e, s->aux - 1)[0])
			sb_kv_str(sb, &first, "function",
			       engine_reason_function(e, s->aux - 1));
	}
	sb_kv_u64(sb, &first, "dups", s->dups);
	sb_key(sb, &first, "vlan");
	if (s->flags & SF_VLAN)
		sb_u64(sb, s->vlan);
	else
		sb_puts(sb, "null");
	sb_key(sb, &first, "checksum_bad");
	sb_puts(sb, s->flags & SF_CSUM_BAD ? "true" : "false");
	sb_key(sb, &first, "snapped");
	sb_puts(sb, s->flags & SF_SNAPPED ? "true" : "false");
	sb_key(sb, &first, "encap");
	json_encap(sb, e, s);
	sb_putc(sb, '}');
}

static void json_probe(struct strbuf *sb, const struct engine *e,
		       const struct probe *pr)
{
	bool first = true;
	uint16_t i;

	sb_putc(sb, '{');
	sb_kv_u64(sb, &first, "id", pr->id);
	sb_kv_u64(sb, &first, "flow", pr->flow);
	sb_kv_u64(sb, &first, "family", pr->family);
	sb_kv_u64(sb, &first, "seq", pr->seq);
	sb_kv_u64(sb, &first, "len", pr->len);
	sb_kv_str(sb, &first, "outcome", probe_outcome_name(pr->outcome));
	sb_key(sb, &first, "evidence_incomplete");
	sb_puts(sb, pr->flags & (PF_PARTIAL_FP | PF_SIGHT_OVERFLOW | PF_FORCED) ?
		    "true" : "false");
	sb_key(sb, &first, "loop");
	sb_puts(sb, pr->flags & PF_LOOP ? "true" : "false");
	sb_key(sb, &first, "reply_data_differs");
	sb_puts(sb, pr->flags & PF_DATA_DIFFERS ? "true" : "false");
	sb_key(sb, &first, "dropped_after_delivery");
	sb_puts(sb, pr->flags & PF_DELIVERY_DROP ? "true" : "false");
	sb_key(sb, &first, "capture_ended");
	sb_puts(sb, pr->flags & PF_ENDED ? "true" : "false");
	sb_key(sb, &first, "sightings");
	sb_putc(sb, '[');
	for (i = 0; i < pr->n_sight; i++) {
		if (i)
			sb_putc(sb, ',');
		json_sighting(sb, e, pr, &pr->s[i]);
	}
	sb_puts(sb, "]}");
}

static void json_probes(struct strbuf *sb, const struct engine *e, FILE *fp)
{
	uint32_t i;

	sb_puts(sb, "\"probes\":[");
	for (i = 0; i < e->n_kept; i++) {
		if (i)
			sb_putc(sb, ',');
		json_probe(sb, e, e->kept[i]);
		if (sb->len > 1 << 16)
			sb_flush(sb, fp);
	}
	sb_puts(sb, "],\"probes_omitted\":");
	sb_u64(sb, e->kept_skipped);
}

/* Details: a key that appears more than once becomes an array. */
static void json_details(struct strbuf *sb, const struct finding *f)
{
	bool first = true;
	uint8_t i, j;

	sb_putc(sb, '{');
	for (i = 0; i < f->n_det; i++) {
		bool seen = false, multi = false;

		for (j = 0; j < i; j++)
			if (!strcmp(f->det[j].key, f->det[i].key))
				seen = true;
		if (seen)
			continue;
		for (j = i + 1; j < f->n_det; j++)
			if (!strcmp(f->det[j].key, f->det[i].key))
				multi = true;
		sb_key(sb, &first, f->det[i].key);
		if (multi)
			sb_putc(sb, '[');
		for (j = i; j < f->n_det; j++) {
			const struct detail *d = &f->det[j];

			if (strcmp(d->key, f->det[i].key))
				continue;
			if (j != i)
				sb_putc(sb, ',');
			if (d->is_num)
				sb_u64(sb, d->num);
			else
				sb_json_cstr(sb, d->str);
			if (!multi)
				break;
		}
		if (multi)
			sb_putc(sb, ']');
	}
	sb_putc(sb, '}');
}

/*
 * The cause as data: its stable code, how firm it is, the values its
 * sentence names, and the other causes the evidence also supported.
 */
static void json_cause(struct strbuf *sb, const struct cause_ref *c)
{
	bool first = true, f2 = true;
	uint8_t i;

	if (c->id == CAUSE_NONE) {
		sb_puts(sb, "null");
		return;
	}
	sb_putc(sb, '{');
	sb_kv_str(sb, &first, "code", cause_code(c->id));
	sb_kv_str(sb, &first, "strength",
	       cause_strength_name(cause_strength_of(c->id)));
	sb_key(sb, &first, "params");
	sb_putc(sb, '{');
	for (i = 0; i < c->n_param; i++)
		sb_kv_str(sb, &f2, c->param[i].key, c->param[i].val);
	sb_putc(sb, '}');
	sb_key(sb, &first, "supporting");
	sb_putc(sb, '[');
	for (i = 0; i < c->n_support; i++) {
		if (i)
			sb_putc(sb, ',');
		sb_json_cstr(sb, cause_code(c->support[i]));
	}
	sb_puts(sb, "]}");
}

static void json_finding(struct strbuf *sb, const struct engine *e,
			 const struct finding *f)
{
	bool first = true, f2 = true;
	uint8_t i;

	sb_putc(sb, '{');
	sb_kv_str(sb, &first, "kind", finding_kind_name(f->kind));
	sb_kv_str(sb, &first, "severity", severity_name(f->sev));
	sb_kv_str(sb, &first, "summary", f->summary);
	sb_key(sb, &first, "cause");
	json_cause(sb, &f->cref);
	sb_kv_str(sb, &first, "cause_text", f->cause);
	sb_kv_u64(sb, &first, "count", f->count);
	sb_key(sb, &first, "location");
	sb_putc(sb, '{');
	kv_point(sb, &f2, "after", f->after);
	sb_key(sb, &f2, "after_name");
	if (f->after >= 0)
		sb_json_cstr(sb, point_label(e, f->after));
	else
		sb_puts(sb, "null");
	kv_point(sb, &f2, "before", f->before);
	sb_key(sb, &f2, "before_name");
	if (f->before >= 0)
		sb_json_cstr(sb, point_label(e, f->before));
	else
		sb_puts(sb, "null");
	sb_key(sb, &f2, "direction");
	if (f->dir == LOC_NONE)
		sb_puts(sb, "null");
	else
		sb_json_cstr(sb, f->dir == LOC_REQUEST ? "request" : "reply");
	if (f->drop_dev_point != DROP_DEV_NONE) {
		/* the kernel's drop device: a place even when unwatched */
		sb_key(sb, &f2, "dropped_on");
		sb_json_cstr(sb, f->drop_dev);
		kv_point(sb, &f2, "dropped_on_point",
			 f->drop_dev_point >= 0 ? f->drop_dev_point : -1);
	}
	if (f->group >= 0 && e->groups[f->group].missing_mask) {
		uint64_t m = e->groups[f->group].missing_mask;
		int k, n = 0;

		sb_key(sb, &f2, "not_seen_at");
		sb_putc(sb, '[');
		for (k = 0; k < ENGINE_MAX_POINTS; k++) {
			if (!(m & (1ull << k)))
				continue;
			if (n++)
				sb_putc(sb, ',');
			sb_u64(sb, (uint64_t)k);
		}
		sb_putc(sb, ']');
	}
	sb_putc(sb, '}');
	sb_key(sb, &first, "details");
	json_details(sb, f);
	sb_key(sb, &first, "evidence");
	sb_putc(sb, '[');
	for (i = 0; i < f->n_ev; i++) {
		const struct evidence *ev = &f->ev[i];
		bool f3 = true;

		if (i)
			sb_putc(sb, ',');
		sb_putc(sb, '{');
		kv_point(sb, &f3, "point", ev->point);
		sb_kv_str(sb, &f3, "point_name", point_label(e, ev->point));
		sb_kv_u64(sb, &f3, "ts_ns", ev->ts_ns);
		sb_kv_u64(sb, &f3, "frame", ev->frame_no);
		sb_key(sb, &f3, "probe");
		if (ev->probe)
			sb_u64(sb, ev->probe);
		else
			sb_puts(sb, "null");
		sb_kv_str(sb, &f3, "what", ev->what);
		sb_putc(sb, '}');
	}
	sb_puts(sb, "]}");
}

/*
 * The files' clocks, when there are several (docs/report-schema.md):
 * absent for one file, so single-capture reports are as they were.
 */
static void json_clock_domains(struct strbuf *sb, const struct engine *e)
{
	const struct clock_domains *cd = e->clock;
	bool first = true;
	size_t i;

	if (!cd || cd->n < 2)
		return;
	sb_puts(sb, ",\"clock_domains\":{");
	sb_key(sb, &first, "estimated");
	sb_puts(sb, cd->estimated ? "true" : "false");
	sb_key(sb, &first, "domains");
	sb_putc(sb, '[');
	for (i = 0; i < cd->n; i++) {
		const struct clock_domain *d = &cd->d[i];
		bool f2 = true;

		if (i)
			sb_putc(sb, ',');
		sb_putc(sb, '{');
		sb_kv_str(sb, &f2, "file", d->name);
		sb_kv_str(sb, &f2, "method", clock_method_name(d->method));
		sb_key(sb, &f2, "reference");
		if (d->ref < 0)
			sb_puts(sb, "null");
		else
			sb_json_cstr(sb, cd->d[d->ref].name);
		sb_key(sb, &f2, "offset_ns");
		sb_printf(sb, "%lld", (long long)d->offset_ns);
		sb_kv_u64(sb, &f2, "uncertainty_ns", d->uncertainty_ns);
		sb_kv_u64(sb, &f2, "probes", d->probes);
		kv_double(sb, &f2, "drift_ppm", d->drift_ppm);
		sb_key(sb, &f2, "at_ns");
		sb_printf(sb, "%lld", (long long)d->t0_ns);
		sb_key(sb, &f2, "applied");
		sb_puts(sb, d->applied ? "true" : "false");
		sb_putc(sb, '}');
	}
	sb_puts(sb, "]}");
}

int report_json(const struct engine *e, FILE *fp)
{
	struct engine_totals t;
	struct strbuf sb;
	bool first = true, ok;
	size_t i;

	engine_totals(e, &t);
	sb_init(&sb);
	sb_putc(&sb, '{');
	sb_kv_str(&sb, &first, "schema", "dropspot.report");
	sb_kv_u64(&sb, &first, "version", REPORT_SCHEMA_VERSION);
	sb_kv_str(&sb, &first, "verdict", e->verdict);
	sb_key(&sb, &first, "summary");
	{
		bool f2 = true;

		sb_putc(&sb, '{');
		sb_kv_u64(&sb, &f2, "packets", e->packets);
		sb_kv_u64(&sb, &f2, "probes", t.probes);
		sb_kv_u64(&sb, &f2, "answered", t.answered);
		sb_kv_u64(&sb, &f2, "lost", t.lost);
		sb_kv_u64(&sb, &f2, "unfinished", t.unfinished);
		sb_kv_u64(&sb, &f2, "orphan_replies", t.orphan_replies);
		sb_kv_u64(&sb, &f2, "unmatched_icmp_errors", e->late_errors);
		sb_kv_u64(&sb, &f2, "forced_closed", e->forced);
		sb_kv_u64(&sb, &f2, "replies_data_differs", e->data_differs);
		sb_kv_u64(&sb, &f2, "unsent", e->unsent);
		sb_kv_u64(&sb, &f2, "other_pings_ignored", e->other_pings);
		sb_key(&sb, &f2, "has_drop");
		sb_puts(&sb, t.has_drop ? "true" : "false");
		sb_kv_u64(&sb, &f2, "problems", t.problems);
		sb_putc(&sb, '}');
	}
	sb_putc(&sb, ',');
	json_points(&sb, e);
	sb_putc(&sb, ',');
	json_flows(&sb, e);
	sb_putc(&sb, ',');
	json_probes(&sb, e, fp);
	json_clock_domains(&sb, e);
	sb_puts(&sb, ",\"findings\":[");
	for (i = 0; i < e->n_findings; i++) {
		if (i)
			sb_putc(&sb, ',');
		json_finding(&sb, e, &e->findings[i]);
	}
	sb_puts(&sb, "]}\n");
	ok = !sb.oom && sb_flush(&sb, fp);
	sb_free(&sb);
	fflush(fp);
	return ok && !ferror(fp) ? 0 : -1;
}

/*
 * The same objects one at a time, for the event stream (trace --ndjson,
 * docs/ndjson-schema.md): a probe exactly as in "probes", a finding
 * exactly as in "findings", so both outputs read alike.
 */
void report_json_probe(struct strbuf *sb, const struct engine *e,
		       const struct probe *pr)
{
	json_probe(sb, e, pr);
}

void report_json_finding(struct strbuf *sb, const struct engine *e, size_t i)
{
	if (i < e->n_findings)
		json_finding(sb, e, &e->findings[i]);
	else
		sb_puts(sb, "null");
}
