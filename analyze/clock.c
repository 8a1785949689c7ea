// SPDX-License-Identifier: GPL-2.0
/*
 * Clock-domain estimator: see clock.h for the method.  Per domain, probe
 * records in an array (bounded) with an open-addressing index from the
 * fingerprint to the record of its latest occurrence; a fingerprint seen
 * again well after its reply (a new ping session reusing sequence numbers)
 * starts a new occurrence, and records of two domains pair up by
 * (fingerprint, occurrence).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "internal.h"

/* A request this long after its occurrence's first is another probe. */
#define CLOCK_REUSE_NS (10ull * 1000000000ull)
#define IDX_SIZE (2 * CLOCK_MAX_PROBES)	/* power of two */
#define IDX_EMPTY UINT32_MAX
/* Fewest crossings over which a drift is fitted. */
#define DRIFT_MIN_PROBES 8

struct crec {
	struct clock_key k;
	uint32_t occ;
	bool has_req, has_rep;
	uint8_t ttl_min, ttl_max;	/* of the requests, 0 unknown */
	uint64_t first_req, first_rep, last_rep;
};

struct cdom {
	struct crec *rec;
	size_t n, cap;
	uint32_t *idx;		/* IDX_SIZE slots: latest record of a key */
	uint32_t *sorted;	/* record indexes by (key, occ), at solve */
	uint64_t skipped;
};

struct clock_est {
	struct cdom *dom;
	size_t n;
};

struct sample {
	int64_t t;		/* own clock */
	int64_t est;		/* offset seen by this probe */
	int64_t h;		/* half-width of its interval */
	int orient;		/* one-way: > 0 this domain further along */
};

struct clock_est *clock_est_new(size_t n_domains)
{
	struct clock_est *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->dom = calloc(n_domains ? n_domains : 1, sizeof(*c->dom));
	if (!c->dom) {
		free(c);
		return NULL;
	}
	c->n = n_domains;
	return c;
}

void clock_est_free(struct clock_est *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->dom[i].rec);
		free(c->dom[i].idx);
		free(c->dom[i].sorted);
	}
	free(c->dom);
	free(c);
}

static uint64_t key_hash(const struct clock_key *k)
{
	uint64_t h = k->hash ^ ((uint64_t)k->len << 32) ^
		     ((uint64_t)k->seq << 8) ^ k->family;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static bool key_eq(const struct clock_key *a, const struct clock_key *b)
{
	return a->hash == b->hash && a->len == b->len && a->seq == b->seq &&
	       a->family == b->family;
}

static int dom_alloc(struct cdom *d)
{
	size_t i;

	d->cap = 1024;
	d->rec = malloc(d->cap * sizeof(*d->rec));
	d->idx = malloc(IDX_SIZE * sizeof(*d->idx));
	if (!d->rec || !d->idx) {
		free(d->rec);
		free(d->idx);
		d->rec = NULL;
		d->idx = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < IDX_SIZE; i++)
		d->idx[i] = IDX_EMPTY;
	return 0;
}

void clock_est_sight(struct clock_est *c, size_t domain,
		     const struct clock_key *k, bool reply, uint64_t ts,
		     uint8_t ttl)
{
	struct cdom *d;
	struct crec *r = NULL;
	size_t slot;
	uint32_t occ = 0;

	if (domain >= c->n)
		return;
	d = &c->dom[domain];
	if (!d->idx && dom_alloc(d)) {
		d->skipped++;
		return;
	}
	slot = key_hash(k) & (IDX_SIZE - 1);
	while (d->idx[slot] != IDX_EMPTY) {
		if (key_eq(&d->rec[d->idx[slot]].k, k)) {
			r = &d->rec[d->idx[slot]];
			break;
		}
		slot = (slot + 1) & (IDX_SIZE - 1);
	}
	/* a request well after this occurrence's reply: the key reused */
	if (r && !reply && r->has_req &&
	    ((r->has_rep && ts > r->last_rep + CLOCK_REUSE_NS / 10) ||
	     ts > r->first_req + CLOCK_REUSE_NS)) {
		occ = r->occ + 1;
		r = NULL;
	}
	if (!r) {
		if (d->n == d->cap) {
			struct crec *nr = NULL;

			if (d->cap < CLOCK_MAX_PROBES)
				nr = realloc(d->rec, 2 * d->cap * sizeof(*nr));
			if (!nr) {
				d->skipped++;
				return;
			}
			d->rec = nr;
			d->cap *= 2;
		}
		r = &d->rec[d->n];
		memset(r, 0, sizeof(*r));
		r->k = *k;
		r->occ = occ;
		d->idx[slot] = (uint32_t)d->n++;	/* the latest occurrence */
	}
	if (!reply) {
		if (ttl && (!r->ttl_min || ttl < r->ttl_min))
			r->ttl_min = ttl;
		if (ttl > r->ttl_max)
			r->ttl_max = ttl;
		if (!r->has_req || ts < r->first_req)
			r->first_req = ts;
		r->has_req = true;
	} else {
		if (!r->has_rep || ts < r->first_rep)
			r->first_rep = ts;
		if (!r->has_rep || ts > r->last_rep)
			r->last_rep = ts;
		r->has_rep = true;
	}
}

/* ---- solving ---------------------------------------------------------- */

static const struct cdom *sort_dom;

static int rec_cmp3(const struct crec *a, const struct crec *b)
{
	if (a->k.hash != b->k.hash)
		return a->k.hash < b->k.hash ? -1 : 1;
	if (a->k.seq != b->k.seq)
		return a->k.seq < b->k.seq ? -1 : 1;
	if (a->k.len != b->k.len)
		return a->k.len < b->k.len ? -1 : 1;
	if (a->k.family != b->k.family)
		return a->k.family < b->k.family ? -1 : 1;
	if (a->occ != b->occ)
		return a->occ < b->occ ? -1 : 1;
	return 0;
}

static int idx_cmp(const void *a, const void *b)
{
	return rec_cmp3(&sort_dom->rec[*(const uint32_t *)a],
			&sort_dom->rec[*(const uint32_t *)b]);
}

static const struct crec *dom_find(const struct cdom *d, const struct crec *k)
{
	size_t lo = 0, hi = d->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = rec_cmp3(&d->rec[d->sorted[mid]], k);

		if (!c)
			return &d->rec[d->sorted[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int i64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median of v[0..n) (reordered); n > 0. */
static int64_t median(int64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), i64_cmp);
	return n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

static int64_t mid64(uint64_t a, uint64_t b)
{
	return (int64_t)(a + (b - a) / 2);
}

uint64_t clock_domain_correct(const struct clock_domain *d, uint64_t ts)
{
	int64_t corr;

	if (!d->applied)
		return ts;
	corr = d->offset_ns +
	       (int64_t)llround(d->drift_ppm * 1e-6 *
				(double)((int64_t)ts - d->t0_ns));
	return (uint64_t)((int64_t)ts - corr);
}

/* Reference times of a record, on the reference clock. */
static uint64_t ref_time(const struct clock_domain *r, uint64_t ts)
{
	return clock_domain_correct(r, ts);
}

/*
 * The samples of domain d against solved domain r: crossings first; when
 * there are none, one-way sightings (*one_way set).  Returns how many.
 */
static size_t pair_samples(const struct cdom *d, const struct cdom *r,
			   const struct clock_domain *rd, struct sample *out,
			   bool *one_way)
{
	size_t i, n2 = 0, n1 = 0;

	*one_way = false;
	if (!r->sorted || !d->rec)
		return 0;
	for (i = 0; i < d->n; i++) {
		const struct crec *a = &d->rec[i];
		const struct crec *b = dom_find(r, a);

		if (!b || !a->has_req || !b->has_req || !a->has_rep ||
		    !b->has_rep)
			continue;
		{
			int64_t ca = mid64(a->first_req, a->last_rep);
			int64_t cb = mid64(ref_time(rd, b->first_req),
					   ref_time(rd, b->last_rep));
			int64_t sa = (int64_t)(a->last_rep - a->first_req);
			int64_t sb = (int64_t)(b->last_rep - b->first_req);

			out[n2].t = ca;
			out[n2].est = ca - cb;
			out[n2].h = abs64(sa - sb) / 2;
			n2++;
		}
	}
	if (n2)
		return n2;
	for (i = 0; i < d->n; i++) {
		const struct crec *a = &d->rec[i];
		const struct crec *b = dom_find(r, a);
		int64_t ta, tb;
		int orient = 0;

		if (!b)
			continue;
		if (a->has_req && b->has_req) {
			ta = (int64_t)a->first_req;
			tb = (int64_t)ref_time(rd, b->first_req);
			if (a->ttl_min && b->ttl_min)
				orient = (b->ttl_min > a->ttl_min) -
					 (b->ttl_min < a->ttl_min) +
					 (b->ttl_max > a->ttl_max) -
					 (b->ttl_max < a->ttl_max);
		} else if (a->has_rep && b->has_rep) {
			ta = (int64_t)a->first_rep;
			tb = (int64_t)ref_time(rd, b->first_rep);
		} else {
			continue;
		}
		out[n1].t = ta;
		out[n1].est = ta - tb;
		out[n1].h = 0;
		out[n1].orient = orient;
		n1++;
	}
	*one_way = n1 > 0;
	return n1;
}

static int s_t_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct sample *)a)->t;
	int64_t y = ((const struct sample *)b)->t;

	return x < y ? -1 : x > y;
}

/*
 * Offset (at t0), drift and uncertainty from n samples; tmp has room for
 * n values.
 */
static void fit(struct sample *s, size_t n, bool one_way, int64_t *tmp,
		struct clock_domain *out)
{
	double slope = 0;
	int64_t off, t0, mad, hmed, unc;
	size_t i;

	qsort(s, n, sizeof(*s), s_t_cmp);
	t0 = s[n / 2].t;
	for (i = 0; i < n; i++)
		tmp[i] = s[i].est;
	off = median(tmp, n);
	for (i = 0; i < n; i++)
		tmp[i] = abs64(s[i].est - off);
	mad = median(tmp, n);
	if (one_way) {
		int votes = 0;

		for (i = 0; i < n; i++)
			votes += s[i].orient > 0 ? 1 : s[i].orient < 0 ? -1 : 0;
		/*
		 * Further along: est = theta + delay, theta <= the least;
		 * nearer: est = theta - delay, theta >= the greatest.
		 */
		for (i = 0; votes && i < n; i++)
			if (i == 0 || (votes > 0 ? s[i].est < off :
				       s[i].est > off))
				off = s[i].est;
		/* within the one-way delays: their spread, at least 1 ms */
		hmed = mad;
		for (i = 0; i < n; i++)
			if (abs64(s[i].est - off) > hmed)
				hmed = abs64(s[i].est - off);
		if (hmed < 1000000)
			hmed = 1000000;
	} else {
		for (i = 0; i < n; i++)
			tmp[i] = s[i].h;
		hmed = median(tmp, n);
	}
	unc = hmed + mad + mad / 2;	/* 1.4826 MAD, about */
	if (!one_way && n >= DRIFT_MIN_PROBES) {
		size_t h = n / 2, k;
		int64_t o1, o2, ta, tb, span = s[n - 1].t - s[0].t;

		for (k = 0; k < h; k++)
			tmp[k] = s[k].est;
		o1 = median(tmp, h);
		for (k = 0; k < h; k++)
			tmp[k] = s[k].t;
		ta = median(tmp, h);
		for (k = h; k < n; k++)
			tmp[k - h] = s[k].est;
		o2 = median(tmp, n - h);
		for (k = h; k < n; k++)
			tmp[k - h] = s[k].t;
		tb = median(tmp, n - h);
		if (tb > ta) {
			double sl = (double)(o2 - o1) / (double)(tb - ta);

			/* kept when it moves the clock beyond the noise */
			if (fabs(sl) * (double)span > 2.0 * (double)unc)
				slope = sl;
		}
		if (slope != 0) {
			for (i = 0; i < n; i++)
				tmp[i] = s[i].est -
					 (int64_t)llround(slope *
							  (double)(s[i].t - t0));
			off = median(tmp, n);
			for (i = 0; i < n; i++)
				tmp[i] = abs64(tmp[i] - off);
			mad = median(tmp, n);
			unc = hmed + mad + mad / 2;
		}
	}
	if (unc < CLOCK_MIN_UNCERTAINTY_NS)
		unc = CLOCK_MIN_UNCERTAINTY_NS;
	out->method = one_way ? CLOCK_ONE_WAY : CLOCK_CROSSING;
	out->offset_ns = off;
	out->t0_ns = t0;
	out->drift_ppm = slope * 1e6;
	out->uncertainty_ns = (uint64_t)unc;
	out->probes = (uint32_t)n;
	out->applied = abs64(off) > unc || slope != 0;
}

int clock_est_solve(struct clock_est *c, size_t n, struct clock_domains *out)
{
	struct sample *s = NULL;
	int64_t *tmp = NULL;
	size_t *pairs = NULL;	/* [i * n + j]: samples, one-way ones negated */
	bool *solved = NULL, progress;
	size_t i, j, ref = SIZE_MAX;
	int ret = -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (n < c->n)
		c->n = n;	/* the rest was never fed */
	out->d = calloc(c->n ? c->n : 1, sizeof(*out->d));
	s = malloc(CLOCK_MAX_PROBES * sizeof(*s));
	tmp = malloc(CLOCK_MAX_PROBES * sizeof(*tmp));
	solved = calloc(c->n ? c->n : 1, sizeof(*solved));
	pairs = calloc(c->n ? c->n * c->n : 1, sizeof(*pairs));
	if (!out->d || !s || !tmp || !solved || !pairs)
		goto out;
	out->n = c->n;
	for (i = 0; i < c->n; i++) {
		struct cdom *d = &c->dom[i];

		out->d[i].ref = -1;
		out->d[i].probes_seen = (uint32_t)d->n;
		out->d[i].probes_skipped = d->skipped;
		if (!d->n)
			continue;
		d->sorted = malloc(d->n * sizeof(*d->sorted));
		if (!d->sorted)
			goto out;
		for (j = 0; j < d->n; j++)
			d->sorted[j] = (uint32_t)j;
		sort_dom = d;
		qsort(d->sorted, d->n, sizeof(*d->sorted), idx_cmp);
		sort_dom = NULL;
		if (ref == SIZE_MAX)
			ref = i;
	}
	if (ref == SIZE_MAX || c->n < 2) {
		ret = 0;
		goto out;
	}
	out->d[ref].method = CLOCK_REFERENCE;
	solved[ref] = true;
	/* how many (and which kind of) samples each pair has: once */
	for (i = 0; i < c->n; i++) {
		for (j = 0; j < c->n; j++) {
			bool ow;
			size_t k;

			if (i == j || !c->dom[i].n || !c->dom[j].n)
				continue;
			k = pair_samples(&c->dom[i], &c->dom[j], &out->d[j], s,
					 &ow);
			pairs[i * c->n + j] = ow ? k : k + (SIZE_MAX / 2);
		}
	}
	/* each round: the unsolved domain with most samples against a solved one */
	do {
		size_t best_d = SIZE_MAX, best_r = 0, best_n = 0;
		bool best_one_way = true, ow;

		progress = false;
		for (i = 0; i < c->n; i++) {
			if (solved[i] || !c->dom[i].n)
				continue;
			for (j = 0; j < c->n; j++) {
				size_t k = pairs[i * c->n + j];

				if (!solved[j] || !k)
					continue;
				/* crossings counted above SIZE_MAX / 2 */
				ow = k < SIZE_MAX / 2;
				if (!ow)
					k -= SIZE_MAX / 2;
				if (!k)
					continue;
				if (best_d == SIZE_MAX ||
				    (best_one_way && !ow) ||
				    (best_one_way == ow && k > best_n)) {
					best_d = i;
					best_r = j;
					best_n = k;
					best_one_way = ow;
				}
			}
		}
		if (best_d != SIZE_MAX) {
			struct clock_domain *rd = &out->d[best_r];
			struct clock_domain *dd = &out->d[best_d];

			best_n = pair_samples(&c->dom[best_d], &c->dom[best_r],
					      rd, s, &ow);
			fit(s, best_n, ow, tmp, dd);
			dd->ref = (int)best_r;
			solved[best_d] = true;
			out->estimated = true;
			progress = true;
		}
	} while (progress);
	ret = 0;
out:
	free(s);
	free(tmp);
	free(solved);
	free(pairs);
	if (ret)
		clock_domains_free(out);
	return ret;
}

void clock_domains_free(struct clock_domains *cd)
{
	free(cd->d);
	cd->d = NULL;
	cd->n = 0;
	cd->estimated = false;
}

const char *clock_method_name(enum clock_method m)
{
	switch (m) {
	case CLOCK_REFERENCE:
		return "reference";
	case CLOCK_CROSSING:
		return "crossing";
	case CLOCK_ONE_WAY:
		return "one-way";
	case CLOCK_NONE:
		break;
	}
	return "none";
}

void engine_set_clock_domains(struct engine *e, const struct clock_domains *cd)
{
	e->clock = cd;
}
