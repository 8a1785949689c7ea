// SPDX-License-Identifier: GPL-2.0
/*
 * Compares two normalized summaries (diff_summary.h) and reports only what
 * changed, most important first: a new loss or drop point, kernel drop
 * reasons, NAT mappings, neighbour findings, other findings, paths, then
 * latency.  Each change says whether it is a regression (B worse than A):
 * what disappeared or got faster is reported, but is no regression.
 *
 * Probes of two runs cannot be paired one by one (other timestamps, other
 * ICMP ids, maybe another count), so a flow's probes are compared by their
 * fates: the share answered, and the share lost at each drop location.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "diff.h"
#include "diff_summary.h"

enum diff_cat {
	CAT_LOSS = 0,
	CAT_KERNEL,
	CAT_CAUSE,
	CAT_NAT,
	CAT_NEIGH,
	CAT_FINDING,
	CAT_PATH,
	CAT_LATENCY,
	CAT_COUNT
};

static const char *const cat_names[CAT_COUNT] = {
	"loss", "kernel_reason", "cause", "nat", "neighbour", "finding", "path",
	"latency",
};

#define DV_MAX 6

/* One value of a side of a change ("a" / "b" in the JSON). */
struct dval {
	const char *key;	/* static */
	bool is_num;
	double num;
	char str[DS_KEY];
};

struct diff_change {
	enum diff_cat cat;
	const char *change;	/* appeared, disappeared, changed, slower, faster */
	bool regression;
	char kind[32];		/* finding kind, "" for flows and latency */
	char flow[DS_KEY];	/* "" = not about one flow */
	bool located;
	char after[DS_NAME], before[DS_NAME], dir[16];
	char summary[768];
	struct dval a[DV_MAX], b[DV_MAX];
	uint8_t n_a, n_b;
	bool has_a, has_b;
	size_t order;		/* insertion order, for a stable sort */
};

struct diff_result {
	struct diff_side a, b;
	struct diff_opts o;
	struct diff_change *c;
	size_t n, cap;
	char note[256];
	bool oom;
};

void diff_opts_default(struct diff_opts *o)
{
	o->rtt_rel = 0.5;
	o->rtt_abs_ms = 1.0;
}

int diff_parse_threshold(const char *s, struct diff_opts *o)
{
	double rel = -1, abs_ms = -1, v;
	char *end;

	if (!s || !*s)
		return -1;
	while (*s) {
		v = strtod(s, &end);
		if (end == s || !(v >= 0) || v > 1e9)
			return -1;
		if (*end == '%') {
			rel = v / 100;
			end++;
		} else {
			if (!strncmp(end, "ms", 2))
				end += 2;
			abs_ms = v;
		}
		if (*end == ',' && end[1])
			end++;
		else if (*end)
			return -1;
		s = end;
	}
	/* what the user gives replaces the default entirely */
	o->rtt_rel = rel;
	o->rtt_abs_ms = abs_ms;
	return 0;
}

/* ---- building changes ------------------------------------------------ */

static struct diff_change *add_change(struct diff_result *r,
				      enum diff_cat cat, const char *change,
				      bool regression)
{
	struct diff_change *c;

	if (r->n == r->cap) {
		size_t ncap = r->cap ? 2 * r->cap : 16;
		struct diff_change *nc = realloc(r->c, ncap * sizeof(*nc));

		if (!nc) {
			r->oom = true;
			return NULL;
		}
		r->c = nc;
		r->cap = ncap;
	}
	c = &r->c[r->n];
	memset(c, 0, sizeof(*c));
	c->cat = cat;
	c->change = change;
	c->regression = regression;
	c->order = r->n++;
	return c;
}

static void summary(struct diff_change *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void summary(struct diff_change *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->summary, sizeof(c->summary), fmt, ap);
	va_end(ap);
}

static struct dval *val(struct diff_change *c, bool side_b, const char *key)
{
	uint8_t *n = side_b ? &c->n_b : &c->n_a;
	struct dval *v;

	if (*n == DV_MAX)
		return NULL;
	v = side_b ? &c->b[(*n)++] : &c->a[(*n)++];
	memset(v, 0, sizeof(*v));
	v->key = key;
	if (side_b)
		c->has_b = true;
	else
		c->has_a = true;
	return v;
}

static void val_num(struct diff_change *c, bool side_b, const char *key,
		    double num)
{
	struct dval *v = val(c, side_b, key);

	if (v) {
		v->is_num = true;
		v->num = num;
	}
}

static void val_str(struct diff_change *c, bool side_b, const char *key,
		    const char *s)
{
	struct dval *v = val(c, side_b, key);

	if (v)
		snprintf(v->str, sizeof(v->str), "%.*s", (int)sizeof(v->str) - 1, s);
}

static void locate(struct diff_change *c, const struct ds_finding *f)
{
	c->located = true;
	snprintf(c->kind, sizeof(c->kind), "%s", f->kind);
	snprintf(c->after, sizeof(c->after), "%s", f->after);
	snprintf(c->before, sizeof(c->before), "%s", f->before);
	snprintf(c->dir, sizeof(c->dir), "%s", f->dir);
	snprintf(c->flow, sizeof(c->flow), "%s", f->flow);
}

/* "after br0, before up0 (request)", in the words of the text report. */
static void where_phrase(char *buf, size_t n, const char *after,
			 const char *before, const char *dir)
{
	snprintf(buf, n, "after %s, before %s%s%s%s", after[0] ? after : "?",
		 before[0] ? before : "the target", dir[0] ? " (" : "", dir,
		 dir[0] ? ")" : "");
}

static const struct ds_flow *find_flow(const struct diff_summary *s,
				       const char *name)
{
	size_t i;

	for (i = 0; i < s->n_flows; i++)
		if (!strcmp(s->flows[i].name, name))
			return &s->flows[i];
	return NULL;
}

/* ---- losses: drop points per flow ------------------------------------ */

/*
 * A loss is a flow's drop findings at one location.  Several groups (one
 * per kernel reason or ICMP error) can share a location: their counts add
 * up and their reasons join.
 */
struct loss {
	const char *flow, *after, *before, *dir;
	const char *cause, *code;
	uint64_t count;
	char reasons[256];
};

#define MAX_LOSSES 512

static bool same_loss(const struct loss *l, const struct ds_finding *f)
{
	return !strcmp(l->flow, f->flow) && !strcmp(l->after, f->after) &&
	       !strcmp(l->before, f->before) && !strcmp(l->dir, f->dir);
}

static void add_reason(char *buf, size_t n, const char *reason)
{
	size_t len = strlen(buf);
	const char *p = buf;
	size_t rl = strlen(reason);

	if (!reason[0])
		return;
	/* a set: a reason already listed is not repeated */
	while ((p = strstr(p, reason))) {
		if ((p == buf || p[-1] == ',') && (p[rl] == ',' || !p[rl]))
			return;
		p++;
	}
	if (len < n)
		snprintf(buf + len, n - len, "%s%s", len ? "," : "", reason);
}

static size_t collect_losses(const struct diff_summary *s, struct loss *l)
{
	size_t i, j, n = 0;

	for (i = 0; i < s->n_findings; i++) {
		const struct ds_finding *f = &s->findings[i];

		if (strcmp(f->kind, "drop"))
			continue;
		for (j = 0; j < n; j++)
			if (same_loss(&l[j], f))
				break;
		if (j == n) {
			if (n == MAX_LOSSES)
				continue;
			memset(&l[n], 0, sizeof(l[n]));
			l[n].flow = f->flow;
			l[n].after = f->after;
			l[n].before = f->before;
			l[n].dir = f->dir;
			l[n].cause = f->cause;
			l[n].code = f->cause_code;
			n++;
		}
		l[j].count += f->count;
		add_reason(l[j].reasons, sizeof(l[j].reasons), f->reason);
	}
	return n;
}

static const struct loss *find_loss(const struct loss *l, size_t n,
				    const struct loss *k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(l[i].flow, k->flow) && !strcmp(l[i].after, k->after) &&
		    !strcmp(l[i].before, k->before) && !strcmp(l[i].dir, k->dir))
			return &l[i];
	return NULL;
}

static void flow_side(struct diff_change *c, bool side_b,
		      const struct ds_flow *f)
{
	val_num(c, side_b, "probes", f ? (double)f->probes : 0);
	val_num(c, side_b, "answered", f ? (double)f->answered : 0);
	val_num(c, side_b, "lost", f ? (double)f->lost : 0);
}

static void loss_side(struct diff_change *c, bool side_b,
		      const struct ds_flow *f, uint64_t here)
{
	flow_side(c, side_b, f);
	val_num(c, side_b, "lost_here", (double)here);
}

static void loss_located(struct diff_change *c, const struct loss *l)
{
	c->located = true;
	snprintf(c->kind, sizeof(c->kind), "drop");
	snprintf(c->flow, sizeof(c->flow), "%s", l->flow);
	snprintf(c->after, sizeof(c->after), "%s", l->after);
	snprintf(c->before, sizeof(c->before), "%s", l->before);
	snprintf(c->dir, sizeof(c->dir), "%s", l->dir);
}

/* x/y > u/v without division (y, v may be 0). */
static bool share_more(uint64_t x, uint64_t y, uint64_t u, uint64_t v)
{
	if (!y)
		return false;
	if (!v)
		return x > 0;
	return (double)x * (double)v > (double)u * (double)y;
}

static void compare_loss(struct diff_result *r, const struct loss *la,
			 size_t na, const struct loss *lb, size_t nb)
{
	const struct diff_summary *A = r->a.sum, *B = r->b.sum;
	struct diff_change *c;
	char where[256];
	size_t i;

	for (i = 0; i < nb; i++) {
		const struct loss *b = &lb[i], *a = find_loss(la, na, b);
		const struct ds_flow *fa = find_flow(A, b->flow);
		const struct ds_flow *fb = find_flow(B, b->flow);
		uint64_t pa = fa ? fa->probes : 0, pb = fb ? fb->probes : 0;
		bool worse;

		where_phrase(where, sizeof(where), b->after, b->before, b->dir);
		if (!a) {
			c = add_change(r, CAT_LOSS, "appeared", true);
			if (!c)
				return;
			summary(c, "%s: new drop %s: %llu of %llu probes lost "
				"there (before: %llu of %llu lost)%s%s",
				b->flow, where, (unsigned long long)b->count,
				(unsigned long long)pb,
				(unsigned long long)(fa ? fa->lost : 0),
				(unsigned long long)pa, b->cause[0] ? "; " : "",
				b->cause);
		} else {
			if (a->count * pb == b->count * pa)
				continue;
			worse = share_more(b->count, pb, a->count, pa);
			c = add_change(r, CAT_LOSS, "changed", worse);
			if (!c)
				return;
			summary(c, "%s: %s lost at the drop %s: %llu of %llu "
				"probes (before: %llu of %llu)", b->flow,
				worse ? "more" : "fewer", where,
				(unsigned long long)b->count,
				(unsigned long long)pb,
				(unsigned long long)a->count,
				(unsigned long long)pa);
		}
		loss_located(c, b);
		loss_side(c, false, fa, a ? a->count : 0);
		loss_side(c, true, fb, b->count);
	}
	for (i = 0; i < na; i++) {
		const struct loss *a = &la[i];
		const struct ds_flow *fa = find_flow(A, a->flow);
		const struct ds_flow *fb = find_flow(B, a->flow);

		if (find_loss(lb, nb, a))
			continue;
		where_phrase(where, sizeof(where), a->after, a->before, a->dir);
		c = add_change(r, CAT_LOSS, "disappeared", false);
		if (!c)
			return;
		summary(c, "%s: the drop %s is gone (it lost %llu of %llu "
			"probes; now %llu of %llu lost)", a->flow, where,
			(unsigned long long)a->count,
			(unsigned long long)(fa ? fa->probes : 0),
			(unsigned long long)(fb ? fb->lost : 0),
			(unsigned long long)(fb ? fb->probes : 0));
		loss_located(c, a);
		loss_side(c, false, fa, a->count);
		loss_side(c, true, fb, 0);
	}
}

static bool flow_has_loss_change(const struct diff_result *r, const char *flow)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->c[i].cat == CAT_LOSS && !strcmp(r->c[i].flow, flow))
			return true;
	return false;
}

/*
 * Flows that appeared or vanished, and answered shares that changed where
 * no drop finding explains it (e.g. a loss the capture could not locate).
 * A flow missing from B is a regression: its probes no longer prove that
 * the path works.
 */
static void compare_flows(struct diff_result *r)
{
	const struct diff_summary *A = r->a.sum, *B = r->b.sum;
	struct diff_change *c;
	size_t i;

	for (i = 0; i < A->n_flows; i++) {
		const struct ds_flow *fa = &A->flows[i];
		const struct ds_flow *fb = find_flow(B, fa->name);
		bool worse;

		if (!fb) {
			c = add_change(r, CAT_LOSS, "disappeared", true);
			if (!c)
				return;
			summary(c, "%s: no probes in B (A had %llu, %llu "
				"answered)", fa->name,
				(unsigned long long)fa->probes,
				(unsigned long long)fa->answered);
		} else {
			/* unfinished probes are not lost: lost shares only */
			if (fa->lost * fb->probes == fb->lost * fa->probes ||
			    flow_has_loss_change(r, fa->name))
				continue;
			worse = share_more(fb->lost, fb->probes, fa->lost,
					   fa->probes);
			c = add_change(r, CAT_LOSS, "changed", worse);
			if (!c)
				return;
			summary(c, "%s: %llu of %llu probes lost (before: "
				"%llu of %llu)", fa->name,
				(unsigned long long)fb->lost,
				(unsigned long long)fb->probes,
				(unsigned long long)fa->lost,
				(unsigned long long)fa->probes);
		}
		snprintf(c->flow, sizeof(c->flow), "%s", fa->name);
		flow_side(c, false, fa);
		if (fb)
			flow_side(c, true, fb);
	}
	for (i = 0; i < B->n_flows; i++) {
		const struct ds_flow *fb = &B->flows[i];

		if (find_flow(A, fb->name))
			continue;
		/* its losses, if any, are new drops already */
		c = add_change(r, CAT_LOSS, "appeared", false);
		if (!c)
			return;
		summary(c, "%s: new flow in B: %llu probes, %llu answered",
			fb->name, (unsigned long long)fb->probes,
			(unsigned long long)fb->answered);
		snprintf(c->flow, sizeof(c->flow), "%s", fb->name);
		flow_side(c, true, fb);
	}
}

/* ---- kernel drop reasons -------------------------------------------- */

static void compare_reasons(struct diff_result *r, const struct loss *la,
			    size_t na, const struct loss *lb, size_t nb)
{
	struct diff_change *c;
	char where[256];
	size_t i;

	for (i = 0; i < nb; i++) {
		const struct loss *b = &lb[i], *a = find_loss(la, na, b);
		bool regression;

		if (!a || !strcmp(a->reasons, b->reasons))
			continue;
		/*
		 * A reason where there was none is more evidence (a kernel
		 * drop watcher ran), a reason that vanished is less: only a
		 * different reason is a different failure.
		 */
		regression = a->reasons[0] && b->reasons[0];
		where_phrase(where, sizeof(where), b->after, b->before, b->dir);
		c = add_change(r, CAT_KERNEL, "changed", regression);
		if (!c)
			return;
		summary(c, "%s: kernel drop reason %s: %s (before: %s)",
			b->flow, where, b->reasons[0] ? b->reasons : "none",
			a->reasons[0] ? a->reasons : "none");
		loss_located(c, b);
		val_str(c, false, "kernel_reason", a->reasons);
		val_str(c, true, "kernel_reason", b->reasons);
	}
}

/* ---- causes ---------------------------------------------------------- */

/*
 * Another cause at the same place is another failure, even when as many
 * probes are lost: the golden tier must not pass a wrong cause.  Reports
 * of version 1 carry no code and are not compared.
 */
static bool cause_moved(const char *a, const char *b)
{
	return a[0] && b[0] && strcmp(a, b);
}

static void cause_change(struct diff_result *r, const char *flow,
			 const char *where, const char *code_a,
			 const char *code_b, const char *text_b)
{
	struct diff_change *c = add_change(r, CAT_CAUSE, "changed", true);

	if (!c)
		return;
	summary(c, "%s%s%s: the cause is now %s (before: %s)%s%s", flow,
		flow[0] ? " " : "", where, code_b, code_a,
		text_b[0] ? ": " : "", text_b);
	val_str(c, false, "cause", code_a);
	val_str(c, true, "cause", code_b);
}

static void compare_loss_causes(struct diff_result *r, const struct loss *la,
				size_t na, const struct loss *lb, size_t nb)
{
	char where[256];
	size_t i;

	for (i = 0; i < nb; i++) {
		const struct loss *b = &lb[i], *a = find_loss(la, na, b);
		size_t before = r->n;

		if (!a || !cause_moved(a->code, b->code))
			continue;
		where_phrase(where, sizeof(where), b->after, b->before, b->dir);
		cause_change(r, b->flow, where, a->code, b->code, b->cause);
		if (r->n > before)
			loss_located(&r->c[r->n - 1], b);
	}
}

/* ---- NAT mappings ---------------------------------------------------- */

static bool is_nat(const struct ds_finding *f)
{
	return !strcmp(f->kind, "nat_rewrite");
}

static const struct ds_finding *find_ident(const struct diff_summary *s,
					   const struct ds_finding *k)
{
	size_t i;

	for (i = 0; i < s->n_findings; i++) {
		const struct ds_finding *f = &s->findings[i];

		if (!strcmp(f->kind, k->kind) && !strcmp(f->ident, k->ident) &&
		    !strcmp(f->flow, k->flow))
			return f;
	}
	return NULL;
}

/* A rewrite at the same place of the same packets, to other addresses. */
static const struct ds_finding *nat_counterpart(const struct diff_summary *s,
						const struct ds_finding *k)
{
	size_t i;

	for (i = 0; i < s->n_findings; i++) {
		const struct ds_finding *f = &s->findings[i];

		if (is_nat(f) && !strcmp(f->after, k->after) &&
		    !strcmp(f->before, k->before) && !strcmp(f->dir, k->dir) &&
		    !strcmp(f->flow, k->flow) && strcmp(f->ident, k->ident))
			return f;
	}
	return NULL;
}

static void nat_side(struct diff_change *c, bool side_b,
		     const struct ds_finding *f)
{
	val_str(c, side_b, "mapping", f->ident);
	val_str(c, side_b, "summary", f->summary);
}

/* NAT is behaviour, not a problem: any change of a mapping is a regression. */
static void compare_nat(struct diff_result *r)
{
	const struct diff_summary *A = r->a.sum, *B = r->b.sum;
	struct diff_change *c;
	char where[256];
	size_t i;

	for (i = 0; i < B->n_findings; i++) {
		const struct ds_finding *b = &B->findings[i], *a;

		if (!is_nat(b) || find_ident(A, b))
			continue;
		a = nat_counterpart(A, b);
		where_phrase(where, sizeof(where), b->after, b->before, b->dir);
		c = add_change(r, CAT_NAT, a ? "changed" : "appeared", true);
		if (!c)
			return;
		if (a)
			summary(c, "NAT mapping %s changed: %s (before: %s)",
				where, b->summary, a->summary);
		else
			summary(c, "new NAT mapping %s: %s", where, b->summary);
		locate(c, b);
		if (a)
			nat_side(c, false, a);
		nat_side(c, true, b);
	}
	for (i = 0; i < A->n_findings; i++) {
		const struct ds_finding *a = &A->findings[i];

		if (!is_nat(a) || find_ident(B, a) || nat_counterpart(B, a))
			continue;
		where_phrase(where, sizeof(where), a->after, a->before, a->dir);
		c = add_change(r, CAT_NAT, "disappeared", true);
		if (!c)
			return;
		summary(c, "NAT mapping %s is gone: %s", where, a->summary);
		locate(c, a);
		nat_side(c, false, a);
	}
}

/* ---- other findings -------------------------------------------------- */

static enum diff_cat finding_cat(const char *kind)
{
	static const struct {
		const char *name;
		enum diff_cat cat;
	} kinds[] = {
#define FINDING_KIND(id, name, cat, located, ...) { name, CAT_##cat },
#include "kinds.def"
#undef FINDING_KIND
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i].name))
			return kinds[i].cat;
	return CAT_FINDING;
}

static bool is_problem(const struct ds_finding *f)
{
	return !strcmp(f->severity, "error") || !strcmp(f->severity, "warning");
}

static void finding_side(struct diff_change *c, bool side_b,
			 const struct ds_finding *f)
{
	val_str(c, side_b, "severity", f->severity);
	val_num(c, side_b, "count", (double)f->count);
	val_str(c, side_b, "summary", f->summary);
}

static void compare_findings(struct diff_result *r)
{
	const struct diff_summary *A = r->a.sum, *B = r->b.sum;
	struct diff_change *c;
	size_t i;

	for (i = 0; i < B->n_findings; i++) {
		const struct ds_finding *b = &B->findings[i];
		const struct ds_finding *a;

		if (!strcmp(b->kind, "drop") || is_nat(b))
			continue;
		a = find_ident(A, b);
		if (a && cause_moved(a->cause_code, b->cause_code)) {
			size_t before = r->n;

			cause_change(r, b->flow, b->kind, a->cause_code,
				     b->cause_code, b->cause);
			if (r->n > before)
				locate(&r->c[r->n - 1], b);
		}
		if (a)
			continue;
		c = add_change(r, finding_cat(b->kind), "appeared",
			       is_problem(b));
		if (!c)
			return;
		summary(c, "new %s (%s): %s", b->kind, b->severity, b->summary);
		locate(c, b);
		finding_side(c, true, b);
	}
	for (i = 0; i < A->n_findings; i++) {
		const struct ds_finding *a = &A->findings[i];

		if (!strcmp(a->kind, "drop") || is_nat(a) || find_ident(B, a))
			continue;
		c = add_change(r, finding_cat(a->kind), "disappeared", false);
		if (!c)
			return;
		summary(c, "%s is gone: %s", a->kind, a->summary);
		locate(c, a);
		finding_side(c, false, a);
	}
}

/* ---- paths and latency ----------------------------------------------- */

static void compare_paths(struct diff_result *r)
{
	const struct diff_summary *A = r->a.sum;
	struct diff_change *c;
	size_t i;

	for (i = 0; i < A->n_flows; i++) {
		const struct ds_flow *fa = &A->flows[i];
		const struct ds_flow *fb = find_flow(r->b.sum, fa->name);

		/* an empty path is a flow nothing was learnt of */
		if (!fb || !fa->path[0] || !fb->path[0] ||
		    !strcmp(fa->path, fb->path))
			continue;
		c = add_change(r, CAT_PATH, "changed", false);
		if (!c)
			return;
		summary(c, "%s: requests cross %s (before: %s)", fa->name,
			fb->path, fa->path);
		snprintf(c->flow, sizeof(c->flow), "%s", fa->name);
		val_str(c, false, "path", fa->path);
		val_str(c, true, "path", fb->path);
	}
}

/* -1 faster, 0 within the threshold, 1 slower. */
static int lat_moved(const struct diff_opts *o, double a, double b)
{
	double d = fabs(b - a);

	if (o->rtt_rel < 0 && o->rtt_abs_ms < 0)
		return 0;
	if (o->rtt_rel >= 0 && d <= o->rtt_rel * a)
		return 0;
	if (o->rtt_abs_ms >= 0 && d <= o->rtt_abs_ms)
		return 0;
	return b > a ? 1 : -1;
}

static void dist_side(struct diff_change *c, bool side_b,
		      const struct ds_dist *d)
{
	val_num(c, side_b, "n", (double)d->n);
	val_num(c, side_b, "median_ms", d->median_ms);
	val_num(c, side_b, "p99_ms", d->p99_ms);
}

static void compare_dist(struct diff_result *r, const struct ds_flow *f,
			 const char *what, const struct ds_hop *hop,
			 const struct ds_dist *a, const struct ds_dist *b)
{
	int med = lat_moved(&r->o, a->median_ms, b->median_ms);
	int p99 = lat_moved(&r->o, a->p99_ms, b->p99_ms);
	bool slower = med > 0 || p99 > 0;
	struct diff_change *c;

	if (!a->present || !b->present || (!med && !p99))
		return;
	c = add_change(r, CAT_LATENCY, slower ? "slower" : "faster", slower);
	if (!c)
		return;
	summary(c, "%s: %s %s: median %.3f ms (before %.3f), p99 %.3f ms "
		"(before %.3f)", f->name, what, slower ? "slower" : "faster",
		b->median_ms, a->median_ms, b->p99_ms, a->p99_ms);
	snprintf(c->flow, sizeof(c->flow), "%s", f->name);
	if (hop) {
		c->located = true;
		snprintf(c->after, sizeof(c->after), "%s", hop->from);
		snprintf(c->before, sizeof(c->before), "%s", hop->to);
		snprintf(c->dir, sizeof(c->dir), "%s", hop->dir);
	}
	dist_side(c, false, a);
	dist_side(c, true, b);
}

static const struct ds_hop *find_hop(const struct ds_flow *f,
				     const struct ds_hop *k)
{
	size_t i;

	for (i = 0; i < f->n_hops; i++)
		if (!strcmp(f->hops[i].from, k->from) &&
		    !strcmp(f->hops[i].to, k->to) &&
		    !strcmp(f->hops[i].dir, k->dir))
			return &f->hops[i];
	return NULL;
}

static void compare_latency(struct diff_result *r)
{
	const struct diff_summary *A = r->a.sum;
	char what[DS_KEY];
	size_t i, j;

	for (i = 0; i < A->n_flows; i++) {
		const struct ds_flow *fa = &A->flows[i];
		const struct ds_flow *fb = find_flow(r->b.sum, fa->name);

		if (!fb)
			continue;
		if (!fa->has_latency || !fb->has_latency) {
			snprintf(r->note, sizeof(r->note), "latency not "
				 "compared: %s has no per-hop latency (a report "
				 "of an older dropspot)", fa->has_latency ?
				 r->b.label : r->a.label);
			continue;
		}
		compare_dist(r, fa, "round trip", NULL, &fa->rtt, &fb->rtt);
		for (j = 0; j < fa->n_hops; j++) {
			const struct ds_hop *ha = &fa->hops[j];
			const struct ds_hop *hb = find_hop(fb, ha);

			if (!hb)
				continue;
			snprintf(what, sizeof(what), "%s %s -> %s", ha->dir,
				 ha->from, ha->to);
			compare_dist(r, fa, what, ha, &ha->d, &hb->d);
		}
	}
}

/* ---- the result ------------------------------------------------------ */

/* Regressions first, then by category, then in the order found. */
static int cmp_change(const void *x, const void *y)
{
	const struct diff_change *a = x, *b = y;

	if (a->regression != b->regression)
		return a->regression ? -1 : 1;
	if (a->cat != b->cat)
		return a->cat < b->cat ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

struct diff_result *diff_compare(const struct diff_side *a,
				 const struct diff_side *b,
				 const struct diff_opts *o)
{
	struct diff_result *r = calloc(1, sizeof(*r));
	struct loss *la = calloc(MAX_LOSSES, sizeof(*la));
	struct loss *lb = calloc(MAX_LOSSES, sizeof(*lb));
	size_t na, nb;

	if (!r || !la || !lb)
		goto fail;
	r->a = *a;
	r->b = *b;
	if (o)
		r->o = *o;
	else
		diff_opts_default(&r->o);
	na = collect_losses(a->sum, la);
	nb = collect_losses(b->sum, lb);
	compare_loss(r, la, na, lb, nb);
	compare_flows(r);
	compare_reasons(r, la, na, lb, nb);
	compare_loss_causes(r, la, na, lb, nb);
	compare_nat(r);
	compare_findings(r);
	compare_paths(r);
	compare_latency(r);
	if (r->oom)
		goto fail;
	if (r->n)
		qsort(r->c, r->n, sizeof(*r->c), cmp_change);
	free(la);
	free(lb);
	return r;
fail:
	free(la);
	free(lb);
	diff_result_free(r);
	return NULL;
}

void diff_result_free(struct diff_result *r)
{
	if (!r)
		return;
	free(r->c);
	free(r);
}

bool diff_regression(const struct diff_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->c[i].regression)
			return true;
	return false;
}

size_t diff_changes(const struct diff_result *r)
{
	return r->n;
}

/* ---- output ---------------------------------------------------------- */

static size_t regressions(const struct diff_result *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		n += r->c[i].regression;
	return n;
}

static void text_side(struct strbuf *sb, const char *name,
		      const struct diff_side *s)
{
	sb_printf(sb, "%s: %s (%s): %llu probes, %llu answered, %llu lost\n",
		  name, s->label, s->input,
		  (unsigned long long)s->sum->probes,
		  (unsigned long long)s->sum->answered,
		  (unsigned long long)s->sum->lost);
}

int diff_text(const struct diff_result *r, FILE *fp)
{
	struct strbuf sb;
	size_t i, nreg = regressions(r);
	bool ok;

	sb_init(&sb);
	if (!r->n)
		sb_puts(&sb, "no change\n");
	else if (nreg)
		sb_printf(&sb, "REGRESSION: %zu of %zu change(s)\n", nreg, r->n);
	else
		sb_printf(&sb, "no regression: %zu change(s)\n", r->n);
	text_side(&sb, "A", &r->a);
	text_side(&sb, "B", &r->b);
	for (i = 0; i < r->n; i++) {
		const struct diff_change *c = &r->c[i];

		sb_printf(&sb, "  %s %-13s %s\n", c->regression ? "!" : " ",
			  cat_names[c->cat], c->summary);
	}
	if (r->note[0])
		sb_printf(&sb, "note: %s\n", r->note);
	ok = !sb.oom && sb_flush(&sb, fp);
	sb_free(&sb);
	fflush(fp);
	return ok && !ferror(fp) ? 0 : -1;
}

static void json_key(struct strbuf *sb, bool *first, const char *k)
{
	if (!*first)
		sb_putc(sb, ',');
	*first = false;
	sb_json_cstr(sb, k);
	sb_putc(sb, ':');
}

/* A string, or null when empty. */
static void json_str_or_null(struct strbuf *sb, const char *s)
{
	if (s[0])
		sb_json_cstr(sb, s);
	else
		sb_puts(sb, "null");
}

static void json_num(struct strbuf *sb, double v)
{
	if (!isfinite(v))
		sb_puts(sb, "null");
	else if (v == floor(v) && fabs(v) < 9e15)
		sb_printf(sb, "%.0f", v);
	else
		sb_printf(sb, "%.6f", v);
}

static void json_vals(struct strbuf *sb, bool has, const struct dval *v,
		      uint8_t n)
{
	bool first = true;
	uint8_t i;

	if (!has) {
		sb_puts(sb, "null");
		return;
	}
	sb_putc(sb, '{');
	for (i = 0; i < n; i++) {
		json_key(sb, &first, v[i].key);
		if (v[i].is_num)
			json_num(sb, v[i].num);
		else
			sb_json_cstr(sb, v[i].str);
	}
	sb_putc(sb, '}');
}

static void json_side(struct strbuf *sb, const struct diff_side *s)
{
	bool first = true;

	sb_putc(sb, '{');
	json_key(sb, &first, "source");
	sb_json_cstr(sb, s->label);
	json_key(sb, &first, "input");
	sb_json_cstr(sb, s->input);
	json_key(sb, &first, "probes");
	sb_u64(sb, s->sum->probes);
	json_key(sb, &first, "answered");
	sb_u64(sb, s->sum->answered);
	json_key(sb, &first, "lost");
	sb_u64(sb, s->sum->lost);
	json_key(sb, &first, "unfinished");
	sb_u64(sb, s->sum->unfinished);
	sb_putc(sb, '}');
}

static void json_change(struct strbuf *sb, const struct diff_change *c)
{
	bool first = true, f2 = true;

	sb_putc(sb, '{');
	json_key(sb, &first, "category");
	sb_json_cstr(sb, cat_names[c->cat]);
	json_key(sb, &first, "change");
	sb_json_cstr(sb, c->change);
	json_key(sb, &first, "regression");
	sb_puts(sb, c->regression ? "true" : "false");
	json_key(sb, &first, "kind");
	json_str_or_null(sb, c->kind);
	json_key(sb, &first, "flow");
	json_str_or_null(sb, c->flow);
	json_key(sb, &first, "location");
	if (c->located) {
		sb_putc(sb, '{');
		json_key(sb, &f2, "after_name");
		json_str_or_null(sb, c->after);
		json_key(sb, &f2, "before_name");
		json_str_or_null(sb, c->before);
		json_key(sb, &f2, "direction");
		json_str_or_null(sb, c->dir);
		sb_putc(sb, '}');
	} else {
		sb_puts(sb, "null");
	}
	json_key(sb, &first, "summary");
	sb_json_cstr(sb, c->summary);
	json_key(sb, &first, "a");
	json_vals(sb, c->has_a, c->a, c->n_a);
	json_key(sb, &first, "b");
	json_vals(sb, c->has_b, c->b, c->n_b);
	sb_putc(sb, '}');
}

int diff_json(const struct diff_result *r, FILE *fp)
{
	struct strbuf sb;
	bool first = true, f2 = true, ok;
	size_t i;

	sb_init(&sb);
	sb_putc(&sb, '{');
	json_key(&sb, &first, "schema");
	sb_json_cstr(&sb, "dropspot.diff");
	json_key(&sb, &first, "version");
	sb_u64(&sb, DIFF_SCHEMA_VERSION);
	json_key(&sb, &first, "regression");
	sb_puts(&sb, diff_regression(r) ? "true" : "false");
	json_key(&sb, &first, "changes_count");
	sb_u64(&sb, r->n);
	json_key(&sb, &first, "regressions");
	sb_u64(&sb, regressions(r));
	json_key(&sb, &first, "a");
	json_side(&sb, &r->a);
	json_key(&sb, &first, "b");
	json_side(&sb, &r->b);
	json_key(&sb, &first, "rtt_threshold");
	sb_putc(&sb, '{');
	json_key(&sb, &f2, "relative");
	if (r->o.rtt_rel >= 0)
		json_num(&sb, r->o.rtt_rel);
	else
		sb_puts(&sb, "null");
	json_key(&sb, &f2, "absolute_ms");
	if (r->o.rtt_abs_ms >= 0)
		json_num(&sb, r->o.rtt_abs_ms);
	else
		sb_puts(&sb, "null");
	sb_putc(&sb, '}');
	json_key(&sb, &first, "changes");
	sb_putc(&sb, '[');
	for (i = 0; i < r->n; i++) {
		if (i)
			sb_putc(&sb, ',');
		json_change(&sb, &r->c[i]);
	}
	sb_putc(&sb, ']');
	json_key(&sb, &first, "notes");
	sb_putc(&sb, '[');
	if (r->note[0])
		sb_json_cstr(&sb, r->note);
	sb_puts(&sb, "]}\n");
	ok = !sb.oom && sb_flush(&sb, fp);
	sb_free(&sb);
	fflush(fp);
	return ok && !ferror(fp) ? 0 : -1;
}
