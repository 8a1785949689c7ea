// SPDX-License-Identifier: GPL-2.0
/*
 * Reads a `dropspot.report` (docs/report-schema.md) back into the
 * normalized summary that `dropspot diff` compares.  The document may come
 * from anywhere, so every key is type-checked, every count bounded, and the
 * first problem ends the read with one line naming the key at fault.
 * Unknown keys are ignored, as the schema asks of readers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "diff.h"
#include "diff_summary.h"
#include "report.h"

struct rd {
	char *err;
	size_t errlen;
	bool failed;
	/* point names by id */
	const struct json *points;
	bool one_source;
};

/*
 * Strings of the report end up on a terminal: control characters (escape
 * sequences, newlines) become '?'.
 */
static void scrub(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void rd_fail(struct rd *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void rd_fail(struct rd *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failed)
		return;
	r->failed = true;
	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	/* the message may quote the document: it stays one line */
	scrub(r->err);
}

static const struct json *want(struct rd *r, const struct json *obj,
			       const char *where, const char *key,
			       enum json_type t)
{
	const struct json *v = json_get(obj, key);

	if (!v) {
		rd_fail(r, "not a dropspot report: %s.%s is missing", where, key);
		return NULL;
	}
	if (v->type != t) {
		rd_fail(r, "not a dropspot report: %s.%s is a %s, not a %s",
			where, key, json_type_name(v->type), json_type_name(t));
		return NULL;
	}
	return v;
}

static uint64_t want_u64(struct rd *r, const struct json *obj,
			 const char *where, const char *key)
{
	const struct json *v = want(r, obj, where, key, JSON_NUMBER);

	if (v && !v->is_u64) {
		rd_fail(r, "not a dropspot report: %s.%s is not a count",
			where, key);
		return 0;
	}
	return v ? v->u64 : 0;
}

/* A string or null (""), copied with truncation; absent is "" too. */
static void opt_str(struct rd *r, const struct json *obj, const char *where,
		    const char *key, char *out, size_t n)
{
	const struct json *v = json_get(obj, key);

	out[0] = 0;
	if (!v || v->type == JSON_NULL)
		return;
	if (v->type != JSON_STRING) {
		rd_fail(r, "not a dropspot report: %s.%s is a %s, not a string",
			where, key, json_type_name(v->type));
		return;
	}
	snprintf(out, n, "%s", v->str);
}

/*
 * A point's name with the capture file's name in front of it removed when
 * every point comes from one file ("run1.pcapng:if0" -> "if0"): captures of
 * one scenario saved under other names must still match point by point.
 */
static const char *normal_name(const struct rd *r, const struct json *pt)
{
	const struct json *name = json_get(pt, "name");
	const struct json *src = json_get(pt, "source");
	const char *base;
	size_t bl;

	if (!name || name->type != JSON_STRING)
		return "";
	if (!r->one_source || !src || src->type != JSON_STRING)
		return name->str;
	base = strrchr(src->str, '/');
	base = base ? base + 1 : src->str;
	bl = strlen(base);
	if (bl && !strncmp(name->str, base, bl) && name->str[bl] == ':' &&
	    name->str[bl + 1])
		return name->str + bl + 1;
	return name->str;
}

static bool one_source(const struct json *points)
{
	const struct json *p, *src, *first = NULL;

	for (p = points->child; p; p = p->next) {
		src = json_get(p, "source");
		if (!src || src->type != JSON_STRING)
			return false;
		if (!first)
			first = src;
		else if (strcmp(first->str, src->str))
			return false;
	}
	return true;
}

static const char *point_name(struct rd *r, const struct json *id,
			      const char *where)
{
	const struct json *p, *pid;

	if (!id || id->type != JSON_NUMBER || !id->is_u64) {
		rd_fail(r, "not a dropspot report: %s is not a point id", where);
		return "";
	}
	for (p = r->points->child; p; p = p->next) {
		pid = json_get(p, "id");
		if (pid && pid->type == JSON_NUMBER && pid->is_u64 &&
		    pid->u64 == id->u64)
			return normal_name(r, p);
	}
	rd_fail(r, "not a dropspot report: %s names point %llu, which "
		"points[] lacks", where, (unsigned long long)id->u64);
	return "";
}

/* A location end: the point's name by id, or "" for null. */
static void loc_name(struct rd *r, const struct json *loc, const char *key,
		     const char *where, char *out, size_t n)
{
	const struct json *id = json_get(loc, key);

	out[0] = 0;
	if (!id || id->type == JSON_NULL)
		return;
	snprintf(out, n, "%s", point_name(r, id, where));
}

/* A scalar's text; an array's scalars sorted and joined by ','. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void scalar_text(const struct json *v, char *out, size_t n)
{
	switch (v->type) {
	case JSON_STRING:
		snprintf(out, n, "%s", v->str);
		break;
	case JSON_NUMBER:
		if (v->is_u64)
			snprintf(out, n, "%llu", (unsigned long long)v->u64);
		else
			snprintf(out, n, "%g", v->num);
		break;
	case JSON_BOOL:
		snprintf(out, n, "%s", v->boolean ? "true" : "false");
		break;
	default:
		out[0] = 0;
	}
}

#define VALUES_MAX 16
static void value_text(const struct json *v, char *out, size_t n)
{
	char item[VALUES_MAX][96];
	const char *sorted[VALUES_MAX];
	const struct json *m;
	size_t k = 0, i, len = 0;

	out[0] = 0;
	if (v->type != JSON_ARRAY) {
		scalar_text(v, out, n);
		return;
	}
	for (m = v->child; m && k < VALUES_MAX; m = m->next) {
		scalar_text(m, item[k], sizeof(item[k]));
		sorted[k] = item[k];
		k++;
	}
	/* the order of an array of MACs or reasons carries no meaning */
	qsort(sorted, k, sizeof(sorted[0]), cmp_str);
	for (i = 0; i < k && len < n; i++)
		len += (size_t)snprintf(out + len, n - len, "%s%s",
					i ? "," : "", sorted[i]);
}

/*
 * What makes a finding the same finding in another run: its kind, the
 * details that name what is wrong (not counts or ICMP ids, which vary), and
 * for most kinds where it is.  Neighbour findings are about an address:
 * which point saw most of the ARP traffic is no part of their identity,
 * and neither are the MACs (a guest's MAC changes with every new VM or
 * namespace; the conflict on the address is what persists).
 */
struct kind_ident {
	const char *kind;
	bool located;
	const char *keys[5];
};

static const struct kind_ident kind_idents[] = {
#define FINDING_KIND(id, name, cat, located, ...) \
	{ name, located, { __VA_ARGS__ } },
#include "kinds.def"
#undef FINDING_KIND
};

static const struct kind_ident *kind_ident(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(kind_idents) / sizeof(kind_idents[0]); i++)
		if (!strcmp(kind_idents[i].kind, kind))
			return &kind_idents[i];
	return NULL;
}

static void ident_add(char *out, size_t n, const char *k, const char *v)
{
	size_t len = strlen(out);

	if (len < n)
		snprintf(out + len, n - len, "%s%s=%s", len ? ";" : "", k, v);
}

static void build_ident(struct ds_finding *f, const struct json *det)
{
	const struct kind_ident *ki = kind_ident(f->kind);
	const struct json *m;
	char v[256];
	size_t i;

	f->ident[0] = 0;
	if (!ki || ki->located) {
		ident_add(f->ident, sizeof(f->ident), "after", f->after);
		ident_add(f->ident, sizeof(f->ident), "before", f->before);
		ident_add(f->ident, sizeof(f->ident), "dir", f->dir);
	}
	if (!det || det->type != JSON_OBJECT)
		return;
	if (!ki) {
		/* a kind of a newer release: its string details name it */
		for (m = det->child; m; m = m->next) {
			if (m->type != JSON_STRING)
				continue;
			ident_add(f->ident, sizeof(f->ident), m->key, m->str);
		}
		return;
	}
	for (i = 0; ki->keys[i]; i++) {
		m = json_get(det, ki->keys[i]);
		if (!m)
			continue;
		value_text(m, v, sizeof(v));
		ident_add(f->ident, sizeof(f->ident), ki->keys[i], v);
	}
}

/*
 * Version 2: cause {code, ...} and its sentence in cause_text; version 1:
 * the sentence alone in cause, and no code to compare.
 */
static void read_cause(struct rd *r, const struct json *j, const char *where,
		       struct ds_finding *f)
{
	const struct json *c = json_get(j, "cause");
	char w[64];

	f->cause_code[0] = 0;
	if (!c || c->type != JSON_OBJECT) {
		opt_str(r, j, where, "cause", f->cause, sizeof(f->cause));
		return;
	}
	snprintf(w, sizeof(w), "%s.cause", where);
	opt_str(r, c, w, "code", f->cause_code, sizeof(f->cause_code));
	opt_str(r, j, where, "cause_text", f->cause, sizeof(f->cause));
}

static void read_finding(struct rd *r, const struct json *j, size_t idx,
			 struct ds_finding *f)
{
	const struct json *loc, *det, *v;
	char where[48];

	snprintf(where, sizeof(where), "findings[%zu]", idx);
	if (j->type != JSON_OBJECT) {
		rd_fail(r, "not a dropspot report: %s is not an object", where);
		return;
	}
	opt_str(r, j, where, "kind", f->kind, sizeof(f->kind));
	if (!f->kind[0])
		rd_fail(r, "not a dropspot report: %s.kind is missing", where);
	opt_str(r, j, where, "severity", f->severity, sizeof(f->severity));
	opt_str(r, j, where, "summary", f->summary, sizeof(f->summary));
	read_cause(r, j, where, f);
	v = json_get(j, "count");
	if (v && v->type == JSON_NUMBER && v->is_u64)
		f->count = v->u64;
	loc = want(r, j, where, "location", JSON_OBJECT);
	if (loc) {
		loc_name(r, loc, "after", where, f->after, sizeof(f->after));
		loc_name(r, loc, "before", where, f->before, sizeof(f->before));
		opt_str(r, loc, where, "direction", f->dir, sizeof(f->dir));
	}
	det = json_get(j, "details");
	if (det && det->type == JSON_OBJECT) {
		v = json_get(det, "flow");
		if (v)
			value_text(v, f->flow, sizeof(f->flow));
		v = json_get(det, "kernel_reason");
		if (v)
			value_text(v, f->reason, sizeof(f->reason));
	}
	build_ident(f, det);
	scrub(f->kind);
	scrub(f->severity);
	scrub(f->after);
	scrub(f->before);
	scrub(f->dir);
	scrub(f->flow);
	scrub(f->ident);
	scrub(f->reason);
	scrub(f->cause);
	scrub(f->cause_code);
	scrub(f->summary);
}

static void read_dist(struct rd *r, const struct json *j, const char *where,
		      struct ds_dist *d)
{
	const struct json *med, *p99;

	memset(d, 0, sizeof(*d));
	if (!j || j->type == JSON_NULL)
		return;
	if (j->type != JSON_OBJECT) {
		rd_fail(r, "not a dropspot report: %s is not an object", where);
		return;
	}
	d->n = want_u64(r, j, where, "n");
	med = want(r, j, where, "median_ms", JSON_NUMBER);
	p99 = want(r, j, where, "p99_ms", JSON_NUMBER);
	if (!med || !p99)
		return;
	d->median_ms = med->num;
	d->p99_ms = p99->num;
	d->present = d->n > 0;
}

static void read_latency(struct rd *r, const struct json *lat, size_t fi,
			 struct ds_flow *f)
{
	const struct json *hops, *h, *dir;
	char where[80];
	size_t i = 0;

	if (!lat || lat->type != JSON_OBJECT)
		return;		/* a report older than latency: not compared */
	f->has_latency = true;
	snprintf(where, sizeof(where), "flows[%zu].latency.rtt", fi);
	read_dist(r, json_get(lat, "rtt"), where, &f->rtt);
	snprintf(where, sizeof(where), "flows[%zu].latency", fi);
	hops = want(r, lat, where, "hops", JSON_ARRAY);
	if (!hops || !hops->len)
		return;
	if (hops->len > DS_MAX_HOPS) {
		rd_fail(r, "%s.hops has %zu entries (at most %d)", where,
			hops->len, DS_MAX_HOPS);
		return;
	}
	f->hops = calloc(hops->len, sizeof(*f->hops));
	if (!f->hops) {
		rd_fail(r, "out of memory");
		return;
	}
	for (h = hops->child; h && !r->failed; h = h->next, i++) {
		struct ds_hop *hp = &f->hops[i];

		snprintf(where, sizeof(where), "flows[%zu].latency.hops[%zu]",
			 fi, i);
		if (h->type != JSON_OBJECT) {
			rd_fail(r, "not a dropspot report: %s is not an object",
				where);
			return;
		}
		snprintf(hp->from, sizeof(hp->from), "%s",
			 point_name(r, json_get(h, "from"), where));
		snprintf(hp->to, sizeof(hp->to), "%s",
			 point_name(r, json_get(h, "to"), where));
		dir = want(r, h, where, "direction", JSON_STRING);
		if (dir)
			snprintf(hp->dir, sizeof(hp->dir), "%s", dir->str);
		read_dist(r, h, where, &hp->d);
		f->n_hops = i + 1;
	}
}

static void read_path(struct rd *r, const struct json *path, size_t fi,
		      struct ds_flow *f)
{
	const struct json *p;
	char where[48];
	size_t len = 0;

	snprintf(where, sizeof(where), "flows[%zu].path[]", fi);
	if (!path || path->type != JSON_ARRAY)
		return;
	for (p = path->child; p && !r->failed; p = p->next) {
		const char *name = point_name(r, p, where);

		if (len < sizeof(f->path))
			len += (size_t)snprintf(f->path + len,
						sizeof(f->path) - len, "%s%s",
						len ? " > " : "", name);
	}
}

static void read_flow(struct rd *r, const struct json *j, size_t idx,
		      struct ds_flow *f)
{
	char where[48], src[64], dst[64];
	size_t i;

	snprintf(where, sizeof(where), "flows[%zu]", idx);
	if (j->type != JSON_OBJECT) {
		rd_fail(r, "not a dropspot report: %s is not an object", where);
		return;
	}
	opt_str(r, j, where, "src", src, sizeof(src));
	opt_str(r, j, where, "dst", dst, sizeof(dst));
	/* the same words as the drop findings' details.flow */
	snprintf(f->name, sizeof(f->name), "%s > %s", src, dst);
	f->probes = want_u64(r, j, where, "probes");
	f->answered = want_u64(r, j, where, "answered");
	f->lost = want_u64(r, j, where, "lost");
	f->unfinished = want_u64(r, j, where, "unfinished");
	read_path(r, json_get(j, "path"), idx, f);
	read_latency(r, json_get(j, "latency"), idx, f);
	scrub(f->name);
	scrub(f->path);
	for (i = 0; i < f->n_hops; i++) {
		scrub(f->hops[i].from);
		scrub(f->hops[i].to);
		scrub(f->hops[i].dir);
	}
}

static void read_summary(struct rd *r, const struct json *root,
			 struct diff_summary *s)
{
	const struct json *sum = want(r, root, "report", "summary", JSON_OBJECT);

	if (!sum)
		return;
	s->probes = want_u64(r, sum, "summary", "probes");
	s->answered = want_u64(r, sum, "summary", "answered");
	s->lost = want_u64(r, sum, "summary", "lost");
	s->unfinished = want_u64(r, sum, "summary", "unfinished");
}

static void read_header(struct rd *r, const struct json *root)
{
	const struct json *schema, *version;

	if (root->type != JSON_OBJECT) {
		rd_fail(r, "not a dropspot report: the document is a %s, not "
			"an object", json_type_name(root->type));
		return;
	}
	schema = want(r, root, "report", "schema", JSON_STRING);
	if (schema && strcmp(schema->str, "dropspot.report")) {
		rd_fail(r, "not a dropspot report: schema is \"%.64s\"",
			schema->str);
		return;
	}
	version = want(r, root, "report", "version", JSON_NUMBER);
	if (version && (!version->is_u64 || version->u64 < 1 ||
			version->u64 > REPORT_SCHEMA_VERSION))
		rd_fail(r, "report version %g is not supported (this dropspot "
			"reads versions 1 to %d)", version->num,
			REPORT_SCHEMA_VERSION);
}

static void read_arrays(struct rd *r, const struct json *root,
			struct diff_summary *s)
{
	const struct json *flows, *findings, *m;
	size_t i;

	r->points = want(r, root, "report", "points", JSON_ARRAY);
	flows = want(r, root, "report", "flows", JSON_ARRAY);
	findings = want(r, root, "report", "findings", JSON_ARRAY);
	if (r->failed)
		return;
	r->one_source = one_source(r->points);
	if (r->points->len > DS_MAX_POINTS || flows->len > DS_MAX_FLOWS ||
	    findings->len > DS_MAX_FINDINGS) {
		rd_fail(r, "report too large: %zu points, %zu flows, %zu "
			"findings (at most %d, %d, %d)", r->points->len,
			flows->len, findings->len, DS_MAX_POINTS, DS_MAX_FLOWS,
			DS_MAX_FINDINGS);
		return;
	}
	s->flows = calloc(flows->len + 1, sizeof(*s->flows));
	s->findings = calloc(findings->len + 1, sizeof(*s->findings));
	if (!s->flows || !s->findings) {
		rd_fail(r, "out of memory");
		return;
	}
	for (m = flows->child, i = 0; m && !r->failed; m = m->next, i++) {
		read_flow(r, m, i, &s->flows[i]);
		s->n_flows = i + 1;
	}
	for (m = findings->child, i = 0; m && !r->failed; m = m->next, i++) {
		read_finding(r, m, i, &s->findings[i]);
		s->n_findings = i + 1;
	}
}

struct diff_summary *diff_summary_from_json(const char *text, size_t len,
					    char *err, size_t errlen)
{
	struct rd r = { .err = err, .errlen = errlen };
	struct diff_summary *s = NULL;
	struct json_doc *doc;
	const struct json *root;

	doc = json_parse(text, len, err, errlen);
	if (!doc)
		return NULL;
	root = json_root(doc);
	s = calloc(1, sizeof(*s));
	if (!s) {
		rd_fail(&r, "out of memory");
		goto cleanup;
	}
	read_header(&r, root);
	if (!r.failed)
		read_summary(&r, root, s);
	if (!r.failed)
		read_arrays(&r, root, s);
cleanup:
	json_free(doc);
	if (r.failed) {
		diff_summary_free(s);
		return NULL;
	}
	return s;
}

void diff_summary_free(struct diff_summary *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n_flows; i++)
		free(s->flows[i].hops);
	free(s->flows);
	free(s->findings);
	free(s);
}
