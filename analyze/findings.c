// SPDX-License-Identifier: GPL-2.0
/*
 * Findings and the verdict.  Every failed probe group is located by the
 * same rule (path.c); this file turns the evidence attached to it (ICMP
 * errors, kernel drop reasons, checksums, VLAN tags, sizes, NAT, silent
 * points, neighbour failures) into the most likely cause, and refuses to
 * blame the network when the capture itself was incomplete.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/ipfrag.h"
#include "dissect/names.h"
#include "internal.h"

static const char *const kind_names[FK_COUNT] = {
#define FINDING_KIND(id, name, cat, located, ...) [FK_##id] = name,
#include "kinds.def"
#undef FINDING_KIND
};

const char *finding_kind_name(enum finding_kind k)
{
	return k < FK_COUNT ? kind_names[k] : "unknown";
}

const char *severity_name(enum severity s)
{
	switch (s) {
	case SEV_ERROR: return "error";
	case SEV_WARNING: return "warning";
	case SEV_INFO: break;
	}
	return "info";
}

struct finding *finding_add(struct engine *e, enum finding_kind kind,
			    enum severity sev)
{
	struct finding *f;

	if (e->n_findings == e->cap_findings) {
		size_t ncap = e->cap_findings ? e->cap_findings * 2 : 16;
		struct finding *n = realloc(e->findings, ncap * sizeof(*n));

		if (!n)
			return NULL;
		e->findings = n;
		e->cap_findings = ncap;
	}
	f = &e->findings[e->n_findings++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->sev = sev;
	f->after = f->before = -1;
	f->group = -1;
	f->drop_dev_point = DROP_DEV_NONE;
	return f;
}

void finding_evidence(struct finding *f, int point, uint64_t ts,
		      uint64_t frame_no, uint64_t probe, const char *fmt, ...)
{
	struct evidence *ev;
	va_list ap;

	if (f->n_ev == FINDING_EVIDENCE)
		return;
	ev = &f->ev[f->n_ev++];
	ev->point = point;
	ev->ts_ns = ts;
	ev->frame_no = frame_no;
	ev->probe = probe;
	va_start(ap, fmt);
	vsnprintf(ev->what, sizeof(ev->what), fmt, ap);
	va_end(ap);
}

void finding_num(struct finding *f, const char *key, uint64_t v)
{
	struct detail *d;

	if (f->n_det == FINDING_DETAILS)
		return;
	d = &f->det[f->n_det++];
	d->key = key;
	d->is_num = true;
	d->num = v;
}

void finding_str(struct finding *f, const char *key, const char *fmt, ...)
{
	struct detail *d;
	va_list ap;

	if (f->n_det == FINDING_DETAILS)
		return;
	d = &f->det[f->n_det++];
	d->key = key;
	d->is_num = false;
	va_start(ap, fmt);
	vsnprintf(d->str, sizeof(d->str), fmt, ap);
	va_end(ap);
}

void finding_cause(struct finding *f, const struct cause_ref *c)
{
	f->cref = *c;
	cause_render(c, f->cause, sizeof(f->cause));
}

void finding_assign_cause(struct finding *f, enum cause_id id, ...)
{
	struct cause_ref c;
	va_list ap;

	va_start(ap, id);
	cause_assignv(&c, id, ap);
	va_end(ap);
	finding_cause(f, &c);
}

/* The cause of a group's loss: the cause table over the group's facts. */
static void group_cause(const struct engine *e, const struct group *g,
			struct cause_ref *c)
{
	struct cause_facts cf;

	group_facts(e, g, &cf);
	cause_pick(&cf, c);
}

static bool cause_is_incomplete(const struct cause_ref *c)
{
	return c->id != CAUSE_NONE &&
	       cause_strength_of(c->id) == CAUSE_INCOMPLETE;
}

static void missing_list(const struct engine *e, uint64_t mask, char *buf,
			 size_t n)
{
	size_t len = 0;
	int i, k = 0, total = __builtin_popcountll(mask);

	buf[0] = 0;
	for (i = 0; i < ENGINE_MAX_POINTS && len < n; i++) {
		if (!(mask & (1ull << i)))
			continue;
		k++;
		len += (size_t)snprintf(buf + len, n - len, "%s%s",
					k == 1 ? "" : k == total ? " or " : ", ",
					point_label(e, i));
	}
}

/* "requests stop after A, not seen at B" */
static void path_phrase(const struct engine *e, const struct group *g,
			char *buf, size_t n)
{
	const char *what = g->reply_dir ? "replies" : "requests";
	char miss[256];

	if (g->after < 0 && g->drop_reason >= 0) {
		/* only the kernel saw them: dropped before any watched point */
		snprintf(buf, n, "%s dropped before any watched point (in the "
			 "sender's own stack?)", what);
		return;
	}
	if (g->after < 0) {
		snprintf(buf, n, "%s seen nowhere", what);
		return;
	}
	if (g->delivery) {
		snprintf(buf, n, "replies reach %s, then die in the sender's "
			 "own kernel, before its socket",
			 point_label(e, g->after));
		return;
	}
	if (g->before >= 0) {
		snprintf(buf, n, "%s stop after %s, not seen at %s", what,
			 point_label(e, g->after), point_label(e, g->before));
		return;
	}
	if (g->missing_mask) {
		missing_list(e, g->missing_mask, miss, sizeof(miss));
		snprintf(buf, n, "%s stop after %s, not seen at %s", what,
			 point_label(e, g->after), miss);
		return;
	}
	if (g->at_owner && g->drop_reply)
		/* the target answered: the kernel record of its reply says so */
		snprintf(buf, n, "requests reach %s, where the target lives; "
			 "its replies never come back", point_label(e, g->after));
	else if (g->at_owner)
		snprintf(buf, n, "requests reach %s, where the target lives, "
			 "no reply seen", point_label(e, g->after));
	else if (g->reply_dir)
		snprintf(buf, n, "replies reach %s, the last watched point",
			 point_label(e, g->after));
	else
		snprintf(buf, n, "requests reach %s, the last watched point, "
			 "no reply seen", point_label(e, g->after));
}

/*
 * Where on the path, and, when the kernel named a device no point watched,
 * that device too: it is where the probes died, even unwatched.
 */
static void location_phrase(const struct engine *e, const struct group *g,
			    char *buf, size_t n)
{
	const char *what = g->reply_dir || g->drop_reply ? "replies" : "requests";
	char dev[96];
	size_t len;

	path_phrase(e, g, buf, n);
	if (drop_device_point(e, g) != DROP_DEV_UNWATCHED)
		return;
	drop_device_label(e, g, dev, sizeof(dev));
	if (g->after < 0) {
		snprintf(buf, n, "%s dropped on %s (not watched), before any "
			 "watched point", what, dev);
		return;
	}
	len = strlen(buf);
	if (len < n)
		snprintf(buf + len, n - len, "; the kernel drops %s on %s "
			 "(not watched)", g->reply_dir ? "them" :
			 g->drop_reply ? "their replies" : "them", dev);
}

static void add_group_evidence(struct finding *f, const struct group *g)
{
	uint8_t i;

	for (i = 0; i < g->n_examples; i++)
		finding_evidence(f, g->example_point[i], g->example_ts[i],
				 g->example_frame[i], g->example_id[i],
				 "probe %llu first seen",
				 (unsigned long long)g->example_id[i]);
}

/* Groups with the same location and cause make one finding. */
static struct finding *same_drop(struct engine *e, const struct group *g,
				 enum finding_kind kind,
				 const struct cause_ref *c)
{
	size_t i;

	for (i = 0; i < e->n_findings; i++) {
		struct finding *f = &e->findings[i];
		const struct group *o;

		if (f->kind != kind || f->group < 0)
			continue;
		o = &e->groups[f->group];
		if (o->flow == g->flow && o->after == g->after &&
		    o->before == g->before && o->reply_dir == g->reply_dir &&
		    (kind == FK_DROP || f->cref.id == c->id))
			return f;
	}
	return NULL;
}

static void fill_drop(struct engine *e, struct finding *f, uint32_t gi,
		      const struct cause_ref *c);

/*
 * A file that does not say when capture stopped (classic pcap, SLL) ends
 * at its last frame: a request with no reply before it is lost, said with
 * how little time its reply had.
 */
static const char *ended_caveat(const struct group *g, char *buf, size_t n)
{
	buf[0] = 0;
	if (!g->ended)
		return buf;
	if (g->ended == g->count)
		snprintf(buf, n, " (no reply seen before the capture ended, "
			 "%.0f ms after the last of them)",
			 (double)g->ended_gap_ns / 1e6);
	else
		snprintf(buf, n, " (%llu of them: no reply seen before the "
			 "capture ended, %.0f ms after the last)",
			 (unsigned long long)g->ended,
			 (double)g->ended_gap_ns / 1e6);
	return buf;
}

static void drop_finding(struct engine *e, uint32_t gi)
{
	const struct group *g = &e->groups[gi];
	struct cause_ref c;
	enum finding_kind kind;
	struct finding *f;

	group_cause(e, g, &c);
	kind = cause_is_incomplete(&c) ? FK_EVIDENCE_INCOMPLETE : FK_DROP;
	f = same_drop(e, g, kind, &c);
	if (f) {
		/*
		 * Same place: one finding.  The cause with the stronger
		 * evidence (an ICMP error, a kernel reason) speaks for all:
		 * rate-limited errors leave some probes without one.
		 */
		const struct group *o = &e->groups[f->group];

		f->count += g->count;
		if ((g->err || g->drop_reason >= 0) &&
		    !o->err && o->drop_reason < 0) {
			uint64_t count = f->count;

			f->n_ev = 0;
			f->n_det = 0;
			fill_drop(e, f, gi, &c);
			f->count = count;
		}
		add_group_evidence(f, g);
		return;
	}
	f = finding_add(e, kind, kind == FK_DROP ? SEV_ERROR : SEV_WARNING);
	if (!f)
		return;
	fill_drop(e, f, gi, &c);
	add_group_evidence(f, g);
}

static void fill_drop(struct engine *e, struct finding *f, uint32_t gi,
		      const struct cause_ref *c)
{
	const struct group *g = &e->groups[gi];
	const struct flow *fl = &e->flows[g->flow];
	char loc[256], src[64], dst[64], caveat[128];
	bool incomplete = cause_is_incomplete(c);

	f->group = (int)gi;
	f->after = g->after;
	f->before = g->before;
	f->dir = g->reply_dir || g->drop_reply ? LOC_REPLY : LOC_REQUEST;
	f->count = g->count;
	finding_cause(f, c);
	f->drop_dev_point = drop_device_point(e, g);
	if (f->drop_dev_point != DROP_DEV_NONE)
		drop_device_label(e, g, f->drop_dev, sizeof(f->drop_dev));
	location_phrase(e, g, loc, sizeof(loc));
	fmt_ip(src, sizeof(src), fl->family, fl->src);
	fmt_ip(dst, sizeof(dst), fl->family, fl->dst);
	snprintf(f->summary, sizeof(f->summary), "%s%.230s: %.500s%s",
		 incomplete ? "cannot locate the loss: " : "", loc, f->cause,
		 ended_caveat(g, caveat, sizeof(caveat)));
	finding_str(f, "flow", "%s > %s", src, dst);
	if (incomplete)
		finding_str(f, "reason", "%s", cause_code(c->id));
	if (g->err) {
		char en[96];

		icmp_err_name(en, sizeof(en), g->family, g->err);
		finding_str(f, "icmp_error", "%s", en);
	}
	if (g->drop_reason >= 0) {
		const char *fn = engine_reason_function(e, g->drop_reason);

		finding_str(f, "kernel_reason", "%s",
			    engine_reason(e, g->drop_reason));
		if (fn[0])
			finding_str(f, "kernel_function", "%s", fn);
	}
	/* the host state behind the cause, as the operator reads it */
	state_evidence(e, g, f);
	/* lost on an underlay: which tunnel carried it there */
	encap_evidence(e, g, f);
}

/*
 * Probes still waiting when the capture ended, sent less than their reply
 * window before its end: no verdict on them, but where they were is known.
 */
static void unfinished_finding(struct engine *e, uint32_t gi)
{
	const struct group *g = &e->groups[gi];
	struct cause_ref c;
	struct finding *f;
	char loc[256];
	size_t i;

	for (i = 0; i < e->n_findings; i++) {
		f = &e->findings[i];
		if (f->kind == FK_EVIDENCE_INCOMPLETE && f->group == -2 &&
		    f->after == g->after && f->before == g->before &&
		    f->dir == (g->reply_dir ? LOC_REPLY : LOC_REQUEST)) {
			f->count += g->count;
			add_group_evidence(f, g);
			return;
		}
	}
	f = finding_add(e, FK_EVIDENCE_INCOMPLETE, SEV_WARNING);
	if (!f)
		return;
	f->group = -2;	/* placed like a drop, counted as no loss */
	f->after = g->after;
	f->before = g->before;
	f->dir = g->reply_dir ? LOC_REPLY : LOC_REQUEST;
	f->count = g->count;
	location_phrase(e, g, loc, sizeof(loc));
	snprintf(f->summary, sizeof(f->summary),
		 "%.300s; the capture ended %.1f ms after the last request, "
		 "less than its reply window", loc,
		 (double)(e->now - g->last_ts) / 1e6);
	/* what the wire suggests, were they lost: the operator's next step */
	group_cause(e, g, &c);
	finding_cause(f, &c);
	finding_str(f, "reason", "capture_ended");
	add_group_evidence(f, g);
}

/*
 * Probes of this session the sender's own kernel refused to send
 * (ENETUNREACH...): lost before any point, and the errno says why.
 */
static void unsent_finding(struct engine *e)
{
	struct engine_totals t;
	struct finding *f;

	if (!e->unsent)
		return;
	engine_totals(e, &t);
	f = finding_add(e, FK_DROP, SEV_ERROR);
	if (!f)
		return;
	f->group = FINDING_UNSENT;
	f->dir = LOC_REQUEST;
	f->count = e->unsent;
	snprintf(f->summary, sizeof(f->summary),
		 "%llu of %llu probes could not be sent: %s",
		 (unsigned long long)e->unsent, (unsigned long long)t.probes,
		 strerror(e->unsent_err));
	finding_assign_cause(f, CAUSE_SEND_REFUSED, "send_error",
			     strerror(e->unsent_err), NULL);
	finding_str(f, "send_error", "%s", strerror(e->unsent_err));
}

static void drop_findings(struct engine *e)
{
	uint32_t i;

	unsent_finding(e);
	for (i = 0; i < e->n_groups; i++) {
		const struct group *g = &e->groups[i];

		if (g->outcome == PO_LOST_REQUEST || g->outcome == PO_LOST_REPLY)
			drop_finding(e, i);
		else if (g->outcome == PO_UNFINISHED)
			unfinished_finding(e, i);
	}
}

/* ---- other evidence -------------------------------------------------- */

static void error_findings(struct engine *e)
{
	uint32_t i;

	for (i = 0; i < e->n_groups; i++) {
		const struct group *g = &e->groups[i];
		const struct flow *fl = &e->flows[g->flow];
		char who[64], en[96], dst[64];
		enum finding_kind kind;
		struct cause_facts cf;
		struct cause_ref c;
		struct finding *f;
		int pt;

		if (!g->err)
			continue;
		kind = icmp_is_ttl(g->family, g->err) ? FK_TTL_EXCEEDED
						       : FK_ICMP_ERROR;
		fmt_ip(who, sizeof(who), g->family, g->err_src);
		fmt_ip(dst, sizeof(dst), fl->family, fl->dst);
		icmp_err_name(en, sizeof(en), g->family, g->err);
		pt = g->err_mask ? __builtin_ctzll(g->err_mask) : -1;
		f = finding_add(e, kind, SEV_ERROR);
		if (!f)
			break;
		snprintf(f->summary, sizeof(f->summary),
			 "ICMP %s from %s quoting %llu probe(s) to %s", en, who,
			 (unsigned long long)g->count, dst);
		/* the ICMP causes of the table, from the error alone */
		group_facts(e, g, &cf);
		cf.bits &= CF_ICMP_ADMIN | CF_ICMP_NOROUTE | CF_ICMP_TOOBIG |
			   CF_ICMP_TTL | CF_ICMP_OTHER;
		cause_pick(&cf, &c);
		finding_cause(f, &c);
		f->after = g->after >= 0 ? g->after : pt;
		f->before = g->before;
		f->dir = LOC_REQUEST;
		f->count = g->count;
		finding_str(f, "type", "%s", icmp_type_name(g->family,
							    g->err >> 8));
		finding_str(f, "code", "%s", icmp_code_name(g->family,
							    g->err >> 8,
							    g->err & 0xff));
		finding_str(f, "reporter", "%s", who);
		if (g->err_mtu && icmp_is_toobig(g->family, g->err))
			finding_num(f, "mtu", g->err_mtu);
		add_group_evidence(f, g);
	}
}

static void loop_finding(struct engine *e)
{
	struct finding *f;

	if (!e->loops)
		return;
	f = finding_add(e, FK_TTL_EXCEEDED, SEV_ERROR);
	if (!f)
		return;
	snprintf(f->summary, sizeof(f->summary),
		 "%llu probe(s) passed %s again and again with a falling TTL "
		 "(%u down to %u): routing loop",
		 (unsigned long long)e->loops, point_label(e, e->loop_point),
		 e->loop_ttl_first, e->loop_ttl_min);
	finding_assign_cause(f, CAUSE_ROUTING_LOOP_TTL, "after",
			     point_label(e, e->loop_point), NULL);
	f->after = e->loop_point;
	f->count = e->loops;
	finding_num(f, "ttl_first", e->loop_ttl_first);
	finding_num(f, "ttl_min", e->loop_ttl_min);
	finding_num(f, "passes", (uint64_t)e->loop_dups + 1);
	finding_evidence(f, e->loop_point, e->loop_ts, e->loop_frame,
			 e->loop_probe, "probe %llu first pass",
			 (unsigned long long)e->loop_probe);
}

static void nat_findings(struct engine *e)
{
	uint32_t i;

	for (i = 0; i < e->n_nats; i++) {
		const struct nat_rewrite *n = &e->nats[i];
		char s0[64], s1[64], d0[64], d1[64];
		struct finding *f = finding_add(e, FK_NAT_REWRITE, SEV_INFO);

		if (!f)
			return;
		fmt_ip(s0, sizeof(s0), n->family, n->src0);
		fmt_ip(s1, sizeof(s1), n->family, n->src1);
		fmt_ip(d0, sizeof(d0), n->family, n->dst0);
		fmt_ip(d1, sizeof(d1), n->family, n->dst1);
		snprintf(f->summary, sizeof(f->summary),
			 "%s between %s and %s: %s > %s id %u becomes %s > %s "
			 "id %u", n->kind == SK_REQ ? "NAT" : "reply de-NAT",
			 point_label(e, n->from), point_label(e, n->to),
			 s0, d0, n->id0, s1, d1, n->id1);
		f->after = n->from;
		f->before = n->to;
		f->dir = n->kind == SK_REQ ? LOC_REQUEST : LOC_REPLY;
		f->count = n->count;
		finding_str(f, "src_before", "%s", s0);
		finding_str(f, "dst_before", "%s", d0);
		finding_str(f, "src_after", "%s", s1);
		finding_str(f, "dst_after", "%s", d1);
		finding_num(f, "id_before", n->id0);
		finding_num(f, "id_after", n->id1);
		finding_evidence(f, n->from, n->ts, n->frame_from, 0,
				 "before the rewrite");
		finding_evidence(f, n->to, n->ts, n->frame_to, 0,
				 "after the rewrite");
	}
}

static void nat_reply_findings(struct engine *e)
{
	uint32_t i;

	for (i = 0; i < e->n_groups; i++) {
		const struct group *g = &e->groups[i];
		const struct nat_rewrite *n = nat_of_flow(e, g->flow);
		struct finding *f;

		if (g->outcome != PO_LOST_REPLY || !n)
			continue;
		if (!(g->rep_mask & (1ull << n->to)) ||
		    (g->rep_mask & (1ull << n->from)))
			continue;
		f = finding_add(e, FK_NAT_REPLY_NOT_REVERSED, SEV_ERROR);
		if (!f)
			return;
		snprintf(f->summary, sizeof(f->summary),
			 "replies seen at %s (outside the NAT) never reach %s "
			 "de-NATed", point_label(e, n->to),
			 point_label(e, n->from));
		f->after = n->to;
		f->before = n->from;
		f->dir = LOC_REPLY;
		f->count = g->count;
		add_group_evidence(f, g);
	}
}

/*
 * A lost group above size big that left with DF: an MTU can only drop
 * those whole.  Probes sent without DF are fragmented where an MTU is
 * smaller: their loss is a fragment's (cause FRAGMENTS_LOST), no black hole.
 */
static bool lost_whole_above(const struct engine *e, uint32_t big)
{
	uint32_t i;

	for (i = 0; i < e->n_groups; i++) {
		const struct group *g = &e->groups[i];

		if ((g->outcome == PO_LOST_REQUEST ||
		     g->outcome == PO_LOST_REPLY) && g->min_len > big &&
		    !g->fragmentable)
			return true;
	}
	return false;
}

static void mtu_finding(struct engine *e)
{
	uint32_t i, smallest_lost = UINT32_MAX, big;
	char ip_len[16];
	bool found;
	struct finding *f;

	big = largest_answered(e, &found);
	if (!found)
		return;
	for (i = 0; i < e->n_sizes; i++) {
		const struct size_stat *s = &e->sizes[i];

		if (s->len > big && s->answered)
			return;	/* a bigger one passed: not size-dependent */
		if (s->lost && !s->answered && s->len > big &&
		    s->len < smallest_lost)
			smallest_lost = s->len;
	}
	if (smallest_lost == UINT32_MAX || !lost_whole_above(e, big))
		return;
	f = finding_add(e, FK_MTU_BLACKHOLE, SEV_ERROR);
	if (!f)
		return;
	for (i = 0; i < e->n_groups; i++) {
		const struct group *g = &e->groups[i];

		if ((g->outcome == PO_LOST_REQUEST ||
		     g->outcome == PO_LOST_REPLY) && g->min_len > big) {
			f->after = g->after;
			f->before = g->before;
			f->dir = g->reply_dir ? LOC_REPLY : LOC_REQUEST;
			f->count += g->count;
			add_group_evidence(f, g);
		}
	}
	snprintf(f->summary, sizeof(f->summary),
		 "MTU black hole between %s and %s: echo data of %u bytes "
		 "passes, %u bytes and more is lost",
		 point_label(e, f->after),
		 f->before >= 0 ? point_label(e, f->before) : "the target",
		 big, smallest_lost);
	snprintf(ip_len, sizeof(ip_len), "%u", big + 28);
	finding_assign_cause(f, CAUSE_PATH_MTU_SMALLER, "largest_ip_len",
			     ip_len, NULL);
	finding_num(f, "largest_passing_data", big);
	finding_num(f, "smallest_failing_data", smallest_lost);
	finding_num(f, "largest_passing_ip4_len", big + 28);
}

static void checksum_findings(struct engine *e)
{
	size_t i;

	for (i = 0; i < e->points->count && i < ENGINE_MAX_POINTS; i++) {
		const struct point_stat *ps = &e->pstat[i];
		struct finding *f;
		uint8_t k;

		if (!ps->csum_bad)
			continue;
		f = finding_add(e, FK_CHECKSUM_BAD, SEV_WARNING);
		if (!f)
			return;
		snprintf(f->summary, sizeof(f->summary),
			 "corrupt IP/ICMP checksum in %llu frame(s) at %s",
			 (unsigned long long)ps->csum_bad,
			 point_label(e, (int)i));
		finding_assign_cause(f, CAUSE_CHECKSUM_DISCARDED, NULL);
		f->after = (int)i;
		f->count = ps->csum_bad;
		for (k = 0; k < ps->n_csum_examples; k++)
			finding_evidence(f, (int)i, 0, ps->csum_bad_frame[k], 0,
					 "bad checksum");
	}
}

static int cmp_sender(const void *a, const void *b)
{
	const struct sender_count *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

static void storm_findings(struct engine *e)
{
	size_t i;

	for (i = 0; i < e->points->count && i < ENGINE_MAX_POINTS; i++) {
		struct point_stat *ps = &e->pstat[i];
		struct finding *f;
		char mac[24];
		uint32_t k;

		if (ps->max_rate < e->o.storm_rate)
			continue;
		qsort(ps->senders, ps->n_senders, sizeof(ps->senders[0]),
		      cmp_sender);
		f = finding_add(e, FK_STORM, SEV_ERROR);
		if (!f)
			return;
		fmt_mac(mac, sizeof(mac), ps->senders[0].mac);
		snprintf(f->summary, sizeof(f->summary),
			 "broadcast storm at %s: %llu broadcast frames/s "
			 "(%llu in all), top sender %s (%llu)",
			 point_label(e, (int)i),
			 (unsigned long long)ps->max_rate,
			 (unsigned long long)ps->bcast, mac,
			 (unsigned long long)ps->senders[0].count);
		finding_assign_cause(f, CAUSE_BROADCAST_STORM, NULL);
		f->after = (int)i;
		f->count = ps->bcast;
		finding_num(f, "peak_rate", ps->max_rate);
		finding_num(f, "threshold", e->o.storm_rate);
		for (k = 0; k < ps->n_senders && k < 3; k++) {
			fmt_mac(mac, sizeof(mac), ps->senders[k].mac);
			finding_str(f, "top_sender", "%s %llu", mac,
				    (unsigned long long)ps->senders[k].count);
		}
	}
}

static const struct finding *first_kind_at(const struct engine *e,
					   enum finding_kind k, int point)
{
	size_t i;

	for (i = 0; i < e->n_findings; i++)
		if (e->findings[i].kind == k && e->findings[i].after == point)
			return &e->findings[i];
	return NULL;
}

/*
 * Lost probes whose last sighting carried a VLAN tag that the traffic which
 * does get through at that point (or anywhere) does not carry: tagged where
 * untagged traffic flows, or another tag.  A trunk that mixes tags while
 * every probe is answered is not a mismatch.
 */
static void vlan_findings(struct engine *e)
{
	uint32_t i;

	for (i = 0; i < e->n_groups; i++) {
		const struct group *g = &e->groups[i];
		const struct point_stat *ps;
		uint16_t vid;
		struct finding *f;
		size_t k;
		bool dup = false;

		if (!g->vlan_last || g->after < 0 ||
		    (g->outcome != PO_LOST_REQUEST && g->outcome != PO_LOST_REPLY))
			continue;
		vid = g->vlan_last - 1;
		ps = &e->pstat[g->after];
		for (k = 0; k < e->n_findings; k++)
			if (e->findings[k].kind == FK_VLAN_MISMATCH &&
			    e->findings[k].after == g->after)
				dup = true;
		if (dup)
			continue;
		f = finding_add(e, FK_VLAN_MISMATCH, SEV_ERROR);
		if (!f)
			return;
		snprintf(f->summary, sizeof(f->summary),
			 "VLAN tag mismatch at %s: the lost probes carry VLAN %u "
			 "where %s", point_label(e, g->after), vid,
			 ps->untagged_ip || !e->outcome[PO_ANSWERED] ?
			 "untagged traffic is expected" : "other tags pass");
		finding_assign_cause(f, CAUSE_VLAN_SENDER_TAGS, NULL);
		f->after = g->after;
		f->before = g->before;
		f->dir = g->reply_dir ? LOC_REPLY : LOC_REQUEST;
		f->count = g->count;
		finding_num(f, "vlan_seen", vid);
		finding_str(f, "vlan_expected", "untagged");
		add_group_evidence(f, g);
	}
}

/*
 * Neighbour resolution that fails while its requests carry a VLAN tag at a
 * point where untagged traffic flows: the asker tags, the segment does not
 * (the catalogue's VLAN mismatch when no echo request gets out at all).
 */
static void vlan_neigh_findings(struct engine *e)
{
	uint32_t i;

	for (i = 0; i < e->n_neigh; i++) {
		const struct neigh *ne = &e->neigh[i];
		const struct point_stat *ps;
		struct finding *f;
		char ip[64];

		if (!ne->req_vlan || !neigh_unresolved(ne) ||
		    ne->req_vlan_point >= ENGINE_MAX_POINTS)
			continue;
		ps = &e->pstat[ne->req_vlan_point];
		if (!ps->untagged_ip || first_kind_at(e, FK_VLAN_MISMATCH,
						       ne->req_vlan_point))
			continue;
		f = finding_add(e, FK_VLAN_MISMATCH, SEV_ERROR);
		if (!f)
			return;
		fmt_ip(ip, sizeof(ip), ne->family, ne->ip);
		snprintf(f->summary, sizeof(f->summary),
			 "VLAN tag mismatch at %s: %s requests for %s carry "
			 "VLAN %u where untagged traffic flows, and nobody "
			 "answers them", point_label(e, ne->req_vlan_point),
			 ne->family == 6 ? "neighbour" : "ARP", ip,
			 ne->req_vlan - 1);
		finding_assign_cause(f, CAUSE_VLAN_SEGMENT_UNTAGGED, NULL);
		f->after = ne->req_vlan_point;
		f->dir = LOC_REQUEST;
		f->count = neigh_streak(ne);
		finding_num(f, "vlan_seen", ne->req_vlan - 1);
		finding_str(f, "vlan_expected", "untagged");
		finding_str(f, "target", "%s", ip);
		finding_evidence(f, ne->streak_first_point, ne->streak_first_ts,
				 ne->streak_first_frame, 0,
				 "first unanswered request for %s", ip);
	}
}

/*
 * Kernel drops of other watched traffic (ARP, ICMP that is no probe): one
 * summary with the most frequent reasons, not a line per drop; they are
 * context for the verdict, not part of it.
 */
static void other_drops_finding(struct engine *e)
{
	char top[512] = "";
	const char *fn;
	uint32_t used[3], best, r;
	size_t len = 0;
	struct finding *f;
	int k, u;

	if (!e->other_drops_total)
		return;
	f = finding_add(e, FK_KERNEL_DROPS, SEV_INFO);
	if (!f)
		return;
	for (k = 0; k < 3; k++) {
		best = UINT32_MAX;
		for (r = 0; r < e->n_reasons; r++) {
			for (u = 0; u < k && used[u] != r; u++)
				;
			if (u == k && e->other_drops[r] &&
			    (best == UINT32_MAX ||
			     e->other_drops[r] > e->other_drops[best]))
				best = r;
		}
		if (best == UINT32_MAX || len >= sizeof(top))
			break;
		used[k] = best;
		/* the function tells apart drops of one generic reason */
		fn = engine_reason_function(e, (int)best);
		len += (size_t)snprintf(top + len, sizeof(top) - len,
					"%s%s%s%s (%llu)", k ? ", " : "",
					engine_reason(e, (int)best),
					fn[0] ? " in " : "", fn,
					(unsigned long long)e->other_drops[best]);
		finding_str(f, "reason", "%s %llu", engine_reason(e, (int)best),
			    (unsigned long long)e->other_drops[best]);
	}
	snprintf(f->summary, sizeof(f->summary),
		 "%llu kernel drop(s) of other watched traffic (no probe): %.400s",
		 (unsigned long long)e->other_drops_total, top[0] ? top : "-");
	f->count = e->other_drops_total;
}

/*
 * A bound the input reached: a warning when evidence for the verdict was
 * left out, info when only a listing was shortened.
 */
static void bound_finding(struct engine *e, uint64_t n, enum severity sev,
			  const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void bound_finding(struct engine *e, uint64_t n, enum severity sev,
			  const char *reason, const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	if (!n)
		return;
	f = finding_add(e, FK_EVIDENCE_INCOMPLETE, sev);
	if (!f)
		return;
	va_start(ap, fmt);
	vsnprintf(f->summary, sizeof(f->summary), fmt, ap);
	va_end(ap);
	f->count = n;
	finding_str(f, "reason", "%s", reason);
}

/* Every table bound the input reached, said, never silently folded. */
static void bounds_findings(struct engine *e)
{
	const uint64_t *o = e->flows_overflow;
	uint64_t beyond = o[PO_ANSWERED] + o[PO_LOST_REQUEST] +
			  o[PO_LOST_REPLY] + o[PO_UNFINISHED];
	const struct ipfrag_stats *fs = engine_frag_stats(e);
	uint64_t slots_full = 0, refused = 0;
	uint32_t i;
	int k;

	for (i = 0; i < e->n_flows; i++)
		slots_full += e->flows[i].slots_full;
	bound_finding(e, beyond, SEV_WARNING, "too_many_flows",
		      "evidence incomplete: %llu probe(s) of flows beyond the "
		      "first %u not analysed (%llu of them lost, %llu "
		      "unanswered at the end)", (unsigned long long)beyond,
		      e->n_flows,
		      (unsigned long long)(o[PO_LOST_REQUEST] + o[PO_LOST_REPLY]),
		      (unsigned long long)o[PO_UNFINISHED]);
	bound_finding(e, e->groups_overflow, SEV_WARNING, "too_many_losses",
		      "evidence incomplete: %llu lost probe(s) beyond the first "
		      "%u distinct fates not located",
		      (unsigned long long)e->groups_overflow, e->n_groups);
	bound_finding(e, slots_full, SEV_WARNING, "too_many_points_per_flow",
		      "evidence incomplete: %llu flow(s) crossed more than %d "
		      "points; the order of the others is not known",
		      (unsigned long long)slots_full, FLOW_SLOTS);
	bound_finding(e, e->nats_overflow, SEV_INFO, "too_many_nat_rewrites",
		      "%llu NAT rewrite(s) beyond the first %d not listed",
		      (unsigned long long)e->nats_overflow, MAX_NATS);
	bound_finding(e, e->sizes_overflow, SEV_INFO, "too_many_sizes",
		      "%llu probe(s) of sizes beyond the first %d not used for "
		      "the MTU analysis", (unsigned long long)e->sizes_overflow,
		      MAX_SIZES);
	bound_finding(e, e->reasons_overflow, SEV_WARNING, "too_many_drop_reasons",
		      "evidence incomplete: %llu kernel drop(s) whose reason "
		      "found no slot (more than %d distinct)",
		      (unsigned long long)e->reasons_overflow, REASONS_LIMIT);
	bound_finding(e, fs->evicted, SEV_WARNING, "too_many_fragments",
		      "evidence incomplete: %llu fragmented datagram(s) "
		      "dropped unassembled by the reassembler's memory bound",
		      (unsigned long long)fs->evicted);
	for (k = 0; k < ANOM_COUNT; k++)
		refused += fs->rejected[k];
	bound_finding(e, refused, SEV_WARNING, "fragments_refused",
		      "%llu IP fragment(s) refused as hostile or broken "
		      "(overlapping with other bytes, beyond 65535, too many): "
		      "their datagrams are not analysed",
		      (unsigned long long)refused);
	bound_finding(e, e->neigh_overflow, SEV_WARNING, "too_many_neighbours",
		      "evidence incomplete: ARP/ND of %llu frame(s) for "
		      "addresses beyond the first %d not analysed",
		      (unsigned long long)e->neigh_overflow, MAX_NEIGH);
	bound_finding(e, e->exch ? e->exch->overflow : 0, SEV_WARNING,
		      "too_many_exchanges",
		      "evidence incomplete: ARP/ND of %llu frame(s) of askers "
		      "and targets beyond the first %d not followed",
		      (unsigned long long)(e->exch ? e->exch->overflow : 0),
		      EXCH_SERIES_LIMIT);
	bound_finding(e, e->macs ? e->macs->overflow : 0, SEV_INFO,
		      "too_many_macs",
		      "%llu frame(s) of source MACs beyond the first %d not "
		      "checked for MAC conflicts",
		      (unsigned long long)(e->macs ? e->macs->overflow : 0),
		      MACS_LIMIT);
	/* fed all the same: a probe may have been placed wrongly */
	bound_finding(e, e->late_frames, SEV_WARNING, "frames_out_of_order",
		      "evidence incomplete: %llu frame(s) out of time order by "
		      "more than the reorder window; where a probe was lost "
		      "may be misplaced", (unsigned long long)e->late_frames);
}

static void honesty_findings(struct engine *e)
{
	size_t i;
	struct finding *f;

	for (i = 0; i < e->points->count && i < ENGINE_MAX_POINTS; i++) {
		const struct point *pt = point_get_const(e->points, (uint32_t)i);
		const struct point_stat *ps = &e->pstat[i];

		if (pt->capture_drops_known && pt->capture_drops) {
			f = finding_add(e, FK_EVIDENCE_INCOMPLETE, SEV_WARNING);
			if (!f)
				return;
			snprintf(f->summary, sizeof(f->summary),
				 "the capture at %s lost %llu frame(s): a "
				 "missing probe there proves nothing",
				 point_label(e, (int)i),
				 (unsigned long long)pt->capture_drops);
			f->after = (int)i;
			f->count = pt->capture_drops;
			finding_str(f, "reason", "capture_drops");
		}
		if (ps->snapped_probes) {
			f = finding_add(e, FK_EVIDENCE_INCOMPLETE, SEV_INFO);
			if (!f)
				return;
			snprintf(f->summary, sizeof(f->summary),
				 "the snap length at %s cut the echo data of %llu "
				 "probe sighting(s): matched on sequence and "
				 "length only", point_label(e, (int)i),
				 (unsigned long long)ps->snapped_probes);
			f->after = (int)i;
			f->count = ps->snapped_probes;
			finding_str(f, "reason", "snaplen");
		}
		if (ps->undecodable) {
			const char *lt = pt->linktype_name;

			f = finding_add(e, FK_EVIDENCE_INCOMPLETE, SEV_WARNING);
			if (!f)
				return;
			snprintf(f->summary, sizeof(f->summary),
				 "cannot decode link type %s%s%d%s at %s: %llu "
				 "frame(s) not analysed, a missing probe there "
				 "proves nothing", lt, lt[0] ? " (" : "",
				 pt->linktype, lt[0] ? ")" : "",
				 point_label(e, (int)i),
				 (unsigned long long)ps->undecodable);
			finding_assign_cause(f, CAUSE_LINK_UNDECODABLE,
					     "linktype", lt[0] ? lt : "unknown",
					     NULL);
			f->after = (int)i;
			f->count = ps->undecodable;
			finding_str(f, "reason", "undecodable_link");
			finding_num(f, "linktype", (uint64_t)pt->linktype);
		}
	}
	if (e->points_overflow) {
		f = finding_add(e, FK_EVIDENCE_INCOMPLETE, SEV_WARNING);
		if (f) {
			snprintf(f->summary, sizeof(f->summary),
				 "%llu frames of points beyond the first %d "
				 "were not analysed",
				 (unsigned long long)e->points_overflow,
				 ENGINE_MAX_POINTS);
			f->count = e->points_overflow;
			finding_str(f, "reason", "too_many_points");
		}
	}
	bounds_findings(e);
}

/*
 * Seconds during which every point was watched, from the capture's own
 * record (pcapng ISB start/end, live capture); 0 when any point does not
 * say, which is the case for classic pcap.
 */
static double watched_seconds(const struct engine *e)
{
	double shortest = 0;
	size_t i;

	for (i = 0; i < e->points->count; i++) {
		const struct point *p = &e->points->items[i];
		double s;

		if (!point_on_wire(p))
			continue;
		if (!p->watch_start_ns || p->watch_end_ns <= p->watch_start_ns)
			return 0;
		s = (double)(p->watch_end_ns - p->watch_start_ns) / 1e9;
		if (!shortest || s < shortest)
			shortest = s;
	}
	return shortest;
}

/* Points on the wire: the kernel-drop pseudo point is not one. */
static size_t wire_points(const struct engine *e)
{
	size_t i, n = 0;

	for (i = 0; i < e->points->count; i++)
		n += point_on_wire(&e->points->items[i]);
	return n;
}

static void no_probe_finding(struct engine *e, double watched)
{
	const struct neigh *ne = unresolved_near(e, ~0ull);
	struct finding *f = finding_add(e, FK_NO_PROBES, SEV_ERROR);
	const struct exch_series *xs;
	struct exch_fate fo;
	struct cause_facts cf;
	struct cause_ref c;
	char ip[64];

	if (!f)
		return;
	if (watched > 0)
		snprintf(f->summary, sizeof(f->summary),
			 "no echo request seen at any of the %zu point(s), "
			 "all watched for %.1f s: no probe left the guest",
			 wire_points(e), watched);
	else
		snprintf(f->summary, sizeof(f->summary),
			 "no echo request seen at any of the %zu point(s): "
			 "no probe left the guest", wire_points(e));
	/* its neighbour's answer was seen, then lost: where */
	xs = exch_lost(e, 4, NULL, 0, &fo);
	if (!xs)
		xs = exch_lost(e, 6, NULL, 0, &fo);
	if (xs) {
		memset(&cf, 0, sizeof(cf));
		cf.bits = CF_NEIGH_ANSWER_LOST;
		exch_fate_params(e, xs, &fo, &cf);
		cause_pick(&cf, &c);
		finding_cause(f, &c);
		f->after = fo.after;
		f->before = fo.before;
		f->dir = LOC_REPLY;
	} else if (ne) {
		fmt_ip(ip, sizeof(ip), ne->family, ne->ip);
		finding_assign_cause(f, CAUSE_GUEST_NEIGHBOUR_UNRESOLVED,
				     "neighbour", ip, NULL);
	} else {
		finding_assign_cause(f, CAUSE_GUEST_SENDS_NOTHING, NULL);
	}
}

/*
 * Nothing captured at all, and nothing says the points were watched while
 * the ping ran: that proves nothing about the guest.
 */
static void empty_finding(struct engine *e)
{
	struct finding *f = finding_add(e, FK_EVIDENCE_INCOMPLETE, SEV_WARNING);

	if (!f)
		return;
	snprintf(f->summary, sizeof(f->summary),
		 "no frame at all was captured at any of the %zu point(s)",
		 wire_points(e));
	finding_assign_cause(f, CAUSE_CAPTURE_EMPTY, NULL);
	finding_str(f, "reason", "empty_capture");
}

/* ---- verdict --------------------------------------------------------- */

static const struct finding *first_kind(const struct engine *e,
					enum finding_kind k)
{
	size_t i;

	for (i = 0; i < e->n_findings; i++)
		if (e->findings[i].kind == k)
			return &e->findings[i];
	return NULL;
}

static void path_string(const struct engine *e, const struct flow *f,
			char *buf, size_t n)
{
	size_t len = 0;
	uint8_t i;

	buf[0] = 0;
	for (i = 0; i < f->req_len && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s",
					i ? " -> " : "",
					point_label(e, f->req_path[i]));
}

static int busiest_flow(const struct engine *e)
{
	uint32_t i;
	int best = -1;

	for (i = 0; i < e->n_flows; i++)
		if (best < 0 || e->flows[i].probes > e->flows[best].probes)
			best = (int)i;
	return best;
}

static void verdict_ok(struct engine *e, uint64_t answered, uint64_t total)
{
	const struct finding *nat = first_kind(e, FK_NAT_REWRITE);
	int fi = busiest_flow(e);
	char path[256] = "", rtt[64] = "";
	const struct flow *f;
	size_t i;
	int len;

	if (fi >= 0) {
		f = &e->flows[fi];
		path_string(e, f, path, sizeof(path));
		if (f->rtt_n)
			snprintf(rtt, sizeof(rtt), ", RTT avg %.3f ms",
				 f->rtt_sum_ms / (double)f->rtt_n);
	}
	len = snprintf(e->verdict, sizeof(e->verdict),
		       "%llu/%llu probes answered%s%s%s",
		       (unsigned long long)answered, (unsigned long long)total,
		       path[0] ? " via " : "", path, rtt);
	if (nat && len > 0 && (size_t)len < sizeof(e->verdict))
		len += snprintf(e->verdict + len, sizeof(e->verdict) - (size_t)len,
				"; %.300s", nat->summary);
	for (i = 0; i < e->n_findings; i++) {
		const struct finding *fd = &e->findings[i];

		if (fd->sev < SEV_ERROR || len < 0 ||
		    (size_t)len >= sizeof(e->verdict))
			continue;
		snprintf(e->verdict + len, sizeof(e->verdict) - (size_t)len,
			 "; but %.300s", fd->summary);
		break;
	}
}

static const struct finding *first_unfinished(const struct engine *e)
{
	size_t i;

	for (i = 0; i < e->n_findings; i++)
		if (e->findings[i].kind == FK_EVIDENCE_INCOMPLETE &&
		    e->findings[i].group == -2)
			return &e->findings[i];
	return NULL;
}

static void verdict_build(struct engine *e)
{
	struct engine_totals t;
	const struct finding *np = first_kind(e, FK_NO_PROBES);
	size_t i;
	const struct finding *best = NULL;

	engine_totals(e, &t);
	if (np) {
		snprintf(e->verdict, sizeof(e->verdict),
			 "No probe left the guest: no echo request seen at any "
			 "point%s; %.250s",
			 e->packets ? "" : " while they were watched",
			 np->cause);
		return;
	}
	if (!e->packets && !e->unsent) {
		snprintf(e->verdict, sizeof(e->verdict),
			 "Evidence incomplete: no frame was captured at any "
			 "point");
		return;
	}
	if (!t.lost && !t.unfinished) {
		verdict_ok(e, t.answered, t.probes);
		return;
	}
	if (!t.lost) {
		const struct finding *u = first_unfinished(e);

		snprintf(e->verdict, sizeof(e->verdict),
			 "%llu/%llu probes unanswered when the capture ended, "
			 "too soon to call them lost%s%.500s",
			 (unsigned long long)t.unfinished,
			 (unsigned long long)t.probes, u ? ": " : "",
			 u ? u->summary : "");
		return;
	}
	for (i = 0; i < e->n_findings; i++) {
		const struct finding *f = &e->findings[i];

		if ((f->kind == FK_DROP || f->kind == FK_EVIDENCE_INCOMPLETE) &&
		    (f->group >= 0 || f->group == FINDING_UNSENT) &&
		    (!best || f->count > best->count))
			best = f;
	}
	if (!best) {
		snprintf(e->verdict, sizeof(e->verdict),
			 "%llu/%llu probes lost",
			 (unsigned long long)t.lost,
			 (unsigned long long)t.probes);
		return;
	}
	snprintf(e->verdict, sizeof(e->verdict), "%llu/%llu probes lost: %.900s",
		 (unsigned long long)t.lost, (unsigned long long)t.probes,
		 best->summary);
}

void findings_build(struct engine *e)
{
	struct engine_totals t;

	engine_totals(e, &t);
	/* probes that could not be sent explain a silent capture */
	if (!e->packets && !watched_seconds(e) && !e->unsent)
		empty_finding(e);
	else if (!t.probes && !t.orphan_replies)
		no_probe_finding(e, watched_seconds(e));
	drop_findings(e);
	nat_reply_findings(e);
	error_findings(e);
	loop_finding(e);
	mtu_finding(e);
	neigh_findings(e);
	vlan_findings(e);
	vlan_neigh_findings(e);
	storm_findings(e);
	checksum_findings(e);
	nat_findings(e);
	other_drops_finding(e);
	honesty_findings(e);
	verdict_build(e);
}
