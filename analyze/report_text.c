// SPDX-License-Identifier: GPL-2.0
/*
 * The text report.  First line: the verdict in one sentence.  Then the
 * points, the flows with their learnt path, a ladder per flow (one column
 * per point in path order, a request row "->" and a reply row "<-" per
 * probe, time since the probe was first seen, NAT rewrites marked "*",
 * "--" where it should have been and was not), and the findings with their
 * evidence.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "internal.h"
#include "report.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_DIM "\033[2m"

#define COL_W 16
#define KCOL_W 30	/* the kernel-drop column: "x REASON +delta" */

void report_opts_default(struct report_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ladder_max = 20;
}

const char *engine_verdict(const struct engine *e)
{
	return e->verdict;
}

static const char *col(const struct report_opts *o, const char *c)
{
	return o->color ? c : "";
}

static const char *outcome_name(uint8_t oc)
{
	switch (oc) {
	case PO_ANSWERED: return "answered";
	case PO_LOST_REQUEST: return "lost (no reply)";
	case PO_LOST_REPLY: return "lost (reply)";
	case PO_UNFINISHED: return "unanswered at the end";
	case PO_ORPHAN_REPLY: return "reply only";
	}
	return "?";
}

static void fmt_delta(char *buf, size_t n, uint64_t t0, uint64_t t)
{
	double ms = t >= t0 ? (double)(t - t0) / 1e6 : -(double)(t0 - t) / 1e6;

	if (ms < 1.0)
		snprintf(buf, n, "+%.0fus", ms * 1000.0);
	else
		snprintf(buf, n, "+%.2fms", ms);
}

static const struct sighting *sight_at(const struct probe *pr, int point,
				       uint8_t kind)
{
	uint16_t i;

	for (i = 0; i < pr->n_sight; i++)
		if (pr->s[i].point == point && pr->s[i].kind == kind)
			return &pr->s[i];
	return NULL;
}

/* The sighting of the same kind just before s in time, if any. */
static const struct sighting *previous(const struct probe *pr,
				       const struct sighting *s)
{
	const struct sighting *r = NULL;
	uint16_t i;

	for (i = 0; i < pr->n_sight && &pr->s[i] != s; i++)
		if (pr->s[i].kind == s->kind)
			r = &pr->s[i];
	return r;
}

static bool rewritten(const struct probe *pr, const struct sighting *s)
{
	const struct sighting *p = previous(pr, s);

	return p && (memcmp(p->src, s->src, 16) || memcmp(p->dst, s->dst, 16) ||
		     p->echo_id != s->echo_id);
}

static void ladder_row(FILE *fp, const struct engine *e, const struct flow *f,
		       const struct probe *pr, uint8_t kind, uint64_t t0,
		       const struct report_opts *o)
{
	const char *arrow = kind == SK_REQ ? "->" : "<-";
	uint64_t mask = kind == SK_REQ ? pr->req_mask : pr->rep_mask;
	uint8_t i;

	for (i = 0; i < f->req_len; i++) {
		const struct sighting *s = sight_at(pr, f->req_path[i], kind);
		char cell[40], d[24];

		if (s) {
			fmt_delta(d, sizeof(d), t0, s->ts_ns);
			char dup[8] = "";

			if (s->dups)
				snprintf(dup, sizeof(dup), "x%u", s->dups + 1u);
			snprintf(cell, sizeof(cell), "%s %s%s%s", arrow, d,
				 rewritten(pr, s) ? "*" : "", dup);
			fprintf(fp, "%-*s", COL_W, cell);
		} else if (kind == SK_REP && !pr->rep_mask) {
			fprintf(fp, "%-*s", COL_W, "");
		} else {
			fprintf(fp, "%s%-*s%s", col(o, C_RED), COL_W,
				mask ? "--" : "  --", col(o, C_RESET));
		}
	}
}

/*
 * A kernel drop that says nothing of the probe's fate: the raw-socket
 * copy's NO_SOCKET after its reply was delivered.
 */
static bool drop_is_noise(const struct engine *e, const struct probe *pr,
			  const struct sighting *s)
{
	return s->kind == SK_DROP && pr->outcome == PO_ANSWERED && s->aux &&
	       engine_reason_after_delivery(e, s->aux - 1);
}

/* The kernel's drop record of the probe's request, or of its reply. */
static const struct sighting *kernel_drop_of(const struct engine *e,
					     const struct probe *pr, bool reply)
{
	uint16_t i;

	for (i = 0; i < pr->n_sight; i++)
		if (pr->s[i].kind == SK_DROP &&
		    !!(pr->s[i].flags & SF_DROP_REPLY) == reply &&
		    !drop_is_noise(e, pr, &pr->s[i]))
			return &pr->s[i];
	return NULL;
}

static bool kernel_column(const struct engine *e,
			  const struct probe *const *sel, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (kernel_drop_of(e, sel[k], false) ||
		    kernel_drop_of(e, sel[k], true))
			return true;
	return false;
}

/*
 * The kernel-drop sighting as its own column: "x REASON +delta", after the
 * points the probe crossed, so the ladder shows where the kernel took it.
 */
static void kernel_cell(FILE *fp, const struct engine *e,
			const struct probe *pr, bool reply, uint64_t t0,
			const struct report_opts *o)
{
	const struct sighting *s = kernel_drop_of(e, pr, reply);
	char cell[64], d[24];

	if (!s) {
		fprintf(fp, "%-*s", KCOL_W, "");
		return;
	}
	fmt_delta(d, sizeof(d), t0, s->ts_ns);
	snprintf(cell, sizeof(cell), "x %.*s %s", KCOL_W - 14,
		 s->aux ? engine_reason(e, s->aux - 1) : "?", d);
	fprintf(fp, "%s%-*s%s", col(o, C_RED), KCOL_W, cell, col(o, C_RESET));
}

static int cmp_probe_id(const void *a, const void *b)
{
	const struct probe *x = *(const struct probe *const *)a;
	const struct probe *y = *(const struct probe *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Picks failed probes first, then answered ones, up to the maximum. */
static size_t pick_probes(const struct engine *e, uint32_t flow,
			  const struct probe **out, size_t max)
{
	size_t n = 0;
	uint32_t i;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < e->n_kept && n < max; i++) {
			const struct probe *pr = e->kept[i];
			bool ok = pr->outcome == PO_ANSWERED;

			if (pr->flow != flow || ok != (pass == 1))
				continue;
			out[n++] = pr;
		}
	}
	qsort(out, n, sizeof(*out), cmp_probe_id);
	return n;
}

static void ladder(FILE *fp, const struct engine *e, uint32_t fi,
		   const struct report_opts *o)
{
	const struct flow *f = &e->flows[fi];
	const struct probe **sel;
	size_t n, k;
	uint8_t i;
	bool kcol;

	if (!o->ladder_max || !f->req_len)
		return;
	sel = calloc(o->ladder_max, sizeof(*sel));
	if (!sel)
		return;
	n = pick_probes(e, fi, sel, o->ladder_max);
	kcol = kernel_column(e, sel, n);
	fprintf(fp, "  %-8s %-6s %-5s   ", "probe", "seq", "len");
	for (i = 0; i < f->req_len; i++)
		fprintf(fp, "%-*.*s", COL_W, COL_W - 1,
			point_label(e, f->req_path[i]));
	if (kcol)
		fprintf(fp, "%-*s", KCOL_W, "kernel drop");
	fprintf(fp, "\n");
	for (k = 0; k < n; k++) {
		const struct probe *pr = sel[k];
		uint64_t t0 = pr->n_sight ? pr->s[0].ts_ns : 0;
		bool ok = pr->outcome == PO_ANSWERED;

		fprintf(fp, "  #%-7llu %-6u %-5u %s ",
			(unsigned long long)pr->id, pr->seq, pr->len, "req");
		ladder_row(fp, e, f, pr, SK_REQ, t0, o);
		if (kcol)
			kernel_cell(fp, e, pr, false, t0, o);
		fprintf(fp, "%s%s%s\n", col(o, ok ? C_GREEN : C_RED),
			outcome_name(pr->outcome), col(o, C_RESET));
		fprintf(fp, "  %-8s %-6s %-5s %s ", "", "", "", "rep");
		ladder_row(fp, e, f, pr, SK_REP, t0, o);
		if (kcol)
			kernel_cell(fp, e, pr, true, t0, o);
		fprintf(fp, "\n");
	}
	if (f->probes > n)
		fprintf(fp, "  (%llu more probes of this flow not shown; "
			"--json lists them)\n", (unsigned long long)(f->probes - n));
	free(sel);
}

static void print_points(FILE *fp, const struct engine *e)
{
	size_t i;

	fprintf(fp, "points:\n");
	for (i = 0; i < e->points->count; i++) {
		const struct point *pt = point_get_const(e->points, (uint32_t)i);
		const struct point_stat *ps = i < ENGINE_MAX_POINTS ?
					      &e->pstat[i] : NULL;

		if (point_is_sll2_parent(pt))
			continue;

		fprintf(fp, "  %2zu %-16s %llu frames, %llu requests, %llu "
			"replies%s%s\n", i, point_label(e, (int)i),
			(unsigned long long)(ps ? ps->frames : 0),
			(unsigned long long)(ps ? ps->probes_req : 0),
			(unsigned long long)(ps ? ps->probes_rep : 0),
			pt->source[0] ? "  from " : "", pt->source);
		if (ps && ps->undecodable)
			fprintf(fp, "     %-16s %llu frames of link type %d not "
				"decoded: not watched\n", "",
				(unsigned long long)ps->undecodable,
				pt->linktype);
		/* a live hook the kernel refused: silence here proves nothing */
		if (pt->blind)
			fprintf(fp, "     %-16s not watched%s\n", "",
				pt->blind == POINT_BLIND_ALL ? "" :
				pt->blind & POINT_BLIND_IN ? " (frames received)" :
				" (frames sent)");
	}
}

/*
 * Past this many flows, the ones whose every probe was answered are
 * counted, not drawn (the JSON lists them); every flow with a loss is.
 */
#define TEXT_HEALTHY_FLOWS 32

static void print_flows(FILE *fp, const struct engine *e,
			const struct report_opts *o)
{
	uint32_t i, healthy_hidden = 0;

	for (i = 0; i < e->n_flows; i++) {
		const struct flow *f = &e->flows[i];
		char s[64], d[64];
		uint8_t k;

		if (e->n_flows > TEXT_HEALTHY_FLOWS && !o->verbose &&
		    f->outcome[PO_ANSWERED] == f->probes) {
			healthy_hidden++;
			continue;
		}
		fmt_ip(s, sizeof(s), f->family, f->src);
		fmt_ip(d, sizeof(d), f->family, f->dst);
		fprintf(fp, "\nflow %u: %s > %s: %llu probes, %llu answered, "
			"%llu lost", i, s, d, (unsigned long long)f->probes,
			(unsigned long long)f->outcome[PO_ANSWERED],
			(unsigned long long)(f->outcome[PO_LOST_REQUEST] +
					     f->outcome[PO_LOST_REPLY]));
		if (f->outcome[PO_UNFINISHED])
			fprintf(fp, ", %llu unanswered at the end",
				(unsigned long long)f->outcome[PO_UNFINISHED]);
		if (f->rtt_n)
			fprintf(fp, ", RTT min/avg/max %.3f/%.3f/%.3f ms",
				f->rtt_min_ms, f->rtt_sum_ms / (double)f->rtt_n,
				f->rtt_max_ms);
		fprintf(fp, "\n  path:");
		for (k = 0; k < f->req_len; k++)
			fprintf(fp, "%s %s", k ? " ->" : "",
				point_label(e, f->req_path[k]));
		fprintf(fp, "\n");
		ladder(fp, e, i, o);
	}
	if (healthy_hidden)
		fprintf(fp, "\n%u more flows, every probe answered, not shown "
			"(-v or --json lists them)\n", healthy_hidden);
}

static const char *sev_color(enum severity s)
{
	return s == SEV_ERROR ? C_RED : s == SEV_WARNING ? C_YELLOW : C_DIM;
}

static void print_finding(FILE *fp, const struct engine *e,
			  const struct finding *f, const struct report_opts *o)
{
	uint8_t i, max_ev = o->verbose ? FINDING_EVIDENCE : 3;

	fprintf(fp, "  %s[%s]%s %s: %s\n", col(o, sev_color(f->sev)),
		severity_name(f->sev), col(o, C_RESET),
		finding_kind_name(f->kind), f->summary);
	if (f->cause[0] && !strstr(f->summary, f->cause))
		fprintf(fp, "      cause: %s\n", f->cause);
	if (f->after >= 0 || f->before >= 0)
		fprintf(fp, "      location: after %s, before %s%s%s\n",
			f->after >= 0 ? point_label(e, f->after) : "-",
			f->before >= 0 ? point_label(e, f->before) : "-",
			f->dir == LOC_REQUEST ? " (request path)" :
			f->dir == LOC_REPLY ? " (reply path)" : "", "");
	for (i = 0; i < f->n_ev && i < max_ev; i++) {
		const struct evidence *ev = &f->ev[i];

		/* host state and other evidence of no frame: said as it is */
		if (ev->point < 0 && !ev->frame_no)
			fprintf(fp, "      evidence: %s\n", ev->what);
		else if (!ev->frame_no)
			fprintf(fp, "      evidence: %s at %s\n", ev->what,
				point_label(e, ev->point));
		else
			fprintf(fp, "      evidence: %s at %s, frame %llu\n",
				ev->what, point_label(e, ev->point),
				(unsigned long long)ev->frame_no);
	}
}

static void print_findings(FILE *fp, const struct engine *e,
			   const struct report_opts *o)
{
	size_t i, shown = 0;

	fprintf(fp, "\nfindings:\n");
	for (i = 0; i < e->n_findings; i++) {
		const struct finding *f = &e->findings[i];

		if (f->sev == SEV_INFO && !o->verbose &&
		    f->kind != FK_NAT_REWRITE)
			continue;
		print_finding(fp, e, f, o);
		shown++;
	}
	if (!shown)
		fprintf(fp, "  none\n");
}

/*
 * Several files: one line per file whose clock was corrected, or a note
 * when no probe was shared to compare them (one file: nothing).
 */
static void print_clock_domains(FILE *fp, const struct engine *e)
{
	const struct clock_domains *cd = e->clock;
	bool head = false;
	size_t i;

	if (!cd || cd->n < 2)
		return;
	if (!cd->estimated) {
		fprintf(fp, "clock domains: no probe seen in two files, their "
			"clocks are taken as they are\n");
		return;
	}
	for (i = 0; i < cd->n; i++) {
		const struct clock_domain *d = &cd->d[i];

		if (!d->applied)
			continue;
		if (!head)
			fprintf(fp, "clock domains:\n");
		head = true;
		fprintf(fp, "  %s shifted by %+.6f s +- %.6f s against %s "
			"(%u probes, %s", d->name, -(double)d->offset_ns / 1e9,
			(double)d->uncertainty_ns / 1e9, cd->d[d->ref].name,
			d->probes, clock_method_name(d->method));
		if (d->drift_ppm != 0)
			fprintf(fp, ", drift %+.3f ppm", d->drift_ppm);
		fprintf(fp, ")\n");
	}
}

int report_text(const struct engine *e, FILE *fp, const struct report_opts *o)
{
	struct engine_totals t;

	engine_totals(e, &t);
	fprintf(fp, "%s%s%s%s\n", col(o, C_BOLD),
		col(o, t.lost || t.problems ? C_RED : C_GREEN), e->verdict,
		col(o, C_RESET));
	fprintf(fp, "\n");
	print_points(fp, e);
	print_clock_domains(fp, e);
	print_flows(fp, e, o);
	print_findings(fp, e, o);
	fflush(fp);
	return ferror(fp) ? -1 : 0;
}

void report_probe_line(const struct engine *e, const struct probe *pr,
		       char *buf, size_t n)
{
	size_t len;
	uint16_t i;

	len = (size_t)snprintf(buf, n, "probe %llu seq %u len %u: %s;",
			       (unsigned long long)pr->id, pr->seq, pr->len,
			       outcome_name(pr->outcome));
	for (i = 0; i < pr->n_sight && len < n; i++) {
		const struct sighting *s = &pr->s[i];

		/* the raw-socket copy's NO_SOCKET says nothing of a delivery */
		if (drop_is_noise(e, pr, s))
			continue;
		len += (size_t)snprintf(buf + len, n - len, " %s%s",
					s->kind == SK_REQ ? "->" :
					s->kind == SK_REP ? "<-" :
					s->kind == SK_ERR ? "!" : "x",
					point_label(e, s->point));
	}
}
