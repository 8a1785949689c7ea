// SPDX-License-Identifier: GPL-2.0
/*
 * Probe identity: which open probe a new sighting belongs to.
 *
 * The fingerprint (family, sequence, echo data length, hash of the echo
 * data) finds the candidates: NAT rewrites addresses and the ICMP id but
 * never the data.  It does not decide alone: Windows ping sends the same 32
 * bytes with id 1 and a global sequence, fping sends zeros, two pings
 * started together count alike, so equal fingerprints from different
 * conversations are common.  A candidate is taken only when the sighting's
 * tuple (source, target, id, as the request carries them) agrees with one
 * consistent mapping between the points:
 *
 *  - identical to a tuple the probe already has: nothing rewrote it;
 *  - bound to one of them by a NAT binding learnt from answered probes
 *    (conntrack-like, both directions, forgotten when unused for as long as
 *    the kernel keeps an ICMP conntrack entry);
 *  - failing both, a rewrite one NAT can make: one of the two addresses
 *    kept (masquerade keeps the target, DNAT the source), close in time,
 *    between points not known to pass tuples unchanged; weakest when the
 *    tuple is bound to another conversation whose probe is not open.
 *
 * Two sightings of one kind at one place with different tuples are always
 * two probes, whatever their fingerprint.  Among acceptable candidates the
 * strongest agreement wins, then the one that still has a free slot at this
 * place, then the oldest (NAT keeps the order of a flow).
 *
 * A reply whose data differs from its request's (some stacks and
 * middleboxes answer with other bytes) fails the fingerprint; it is still
 * that request's reply when, at the same place, the probe's request carried
 * exactly the reply's tuple reversed and no reply was seen there yet.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define BIND_IDLE_NS 30000000000ull	/* nf_conntrack_icmp_timeout */
#define MAX_BINDS 65536
#define MAX_PROBE_TUPLES 4
#define NAT_GUESS_WINDOW_NS 1000000000ull

enum {
	SCORE_NONE = 0,
	SCORE_FOREIGN = 1,	/* + kept src, dst, id: bound elsewhere */
	SCORE_GUESS = 10,	/* + kept src, kept dst, kept id */
	SCORE_BOUND = 50,
	SCORE_SAME = 100,
};

void tuple_of_packet(struct tuple *t, const struct packet *p, uint8_t kind,
		     bool is_req)
{
	const struct net_info *n = kind == SK_ERR ? &p->quoted : &p->net;
	bool reverse = kind == SK_ERR ? false : !is_req;

	memcpy(t->src, reverse ? n->ip.dst.a : n->ip.src.a, 16);
	memcpy(t->dst, reverse ? n->ip.src.a : n->ip.dst.a, 16);
	t->id = n->icmp.echo_id;
}

/* The request-oriented tuple of a sighting; false for ICMP errors. */
bool tuple_of_sighting(struct tuple *t, const struct sighting *s)
{
	bool reverse;

	if (s->kind == SK_ERR)
		return false;
	reverse = s->kind == SK_REP ||
		  (s->kind == SK_DROP && (s->flags & SF_DROP_REPLY));
	memcpy(t->src, reverse ? s->dst : s->src, 16);
	memcpy(t->dst, reverse ? s->src : s->dst, 16);
	t->id = s->echo_id;
	return true;
}

bool tuple_eq(const struct tuple *a, const struct tuple *b)
{
	return a->id == b->id && !memcmp(a->src, b->src, 16) &&
	       !memcmp(a->dst, b->dst, 16);
}

static uint32_t tuple_hash(const struct tuple *t)
{
	uint64_t h = 0xcbf29ce484222325ull ^ t->id;
	uint64_t w;
	int i;

	for (i = 0; i < 16; i += 8) {
		memcpy(&w, t->src + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
		memcpy(&w, t->dst + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
	}
	h ^= h >> 29;
	return (uint32_t)h;
}

/* ---- what each pair of points does to a tuple ------------------------- */

#define PAIR_SAME 0x1		/* a tuple crossed unchanged */
#define PAIR_REWRITE 0x2	/* an answered probe changed tuple */

static bool pair_passes_unchanged(const struct engine *e, uint16_t a,
				  uint16_t b)
{
	uint8_t f;

	if (a >= ENGINE_MAX_POINTS || b >= ENGINE_MAX_POINTS)
		return false;
	f = e->pair_nat[a][b] | e->pair_nat[b][a];
	return (f & PAIR_SAME) && !(f & PAIR_REWRITE);
}

/*
 * Which pairs of points keep a tuple and which rewrite it, from a closed
 * probe's sightings of one kind.  Kernel drops have no place: skipped.
 */
static void learn_pairs(struct engine *e, const struct probe *pr)
{
	struct tuple a, b;
	uint16_t i, j;

	for (i = 0; i < pr->n_sight; i++) {
		const struct sighting *x = &pr->s[i];

		if ((x->kind != SK_REQ && x->kind != SK_REP) ||
		    x->point >= ENGINE_MAX_POINTS)
			continue;
		tuple_of_sighting(&a, x);
		for (j = i + 1; j < pr->n_sight; j++) {
			const struct sighting *y = &pr->s[j];

			if (y->kind != x->kind || y->point == x->point ||
			    y->point >= ENGINE_MAX_POINTS)
				continue;
			tuple_of_sighting(&b, y);
			if (tuple_eq(&a, &b))
				e->pair_nat[x->point][y->point] |= PAIR_SAME;
			else if (pr->outcome == PO_ANSWERED)
				e->pair_nat[x->point][y->point] |= PAIR_REWRITE;
		}
	}
}

/* ---- NAT bindings ---------------------------------------------------- */

static bool bind_alive(const struct engine *e, const struct nat_bind *b)
{
	return e->now < b->last_ts + BIND_IDLE_NS;
}

/*
 * Calls fn for every live binding that has t on either side, with the
 * tuple on the other side; stops when fn returns true.
 */
static bool bind_each(const struct engine *e, int family, const struct tuple *t,
		      bool (*fn)(const struct tuple *other, const void *ctx),
		      const void *ctx)
{
	uint32_t h;
	int32_t i;
	int side;

	if (!e->n_bind_buckets)
		return false;
	h = tuple_hash(t) & (e->n_bind_buckets - 1);
	for (side = 0; side < 2; side++) {
		for (i = e->bind_bucket[side][h]; i >= 0;
		     i = e->binds[i].next[side]) {
			const struct nat_bind *b = &e->binds[i];
			const struct tuple *mine = side ? &b->b : &b->a;

			if (b->family != family || !tuple_eq(mine, t) ||
			    !bind_alive(e, b))
				continue;
			if (fn(side ? &b->a : &b->b, ctx))
				return true;
		}
	}
	return false;
}

static bool is_tuple(const struct tuple *other, const void *ctx)
{
	return tuple_eq(other, ctx);
}

struct tuple_set {
	struct tuple t[MAX_PROBE_TUPLES];
	int n;
};

static bool outside_set(const struct tuple *other, const void *ctx)
{
	const struct tuple_set *ts = ctx;
	int i;

	for (i = 0; i < ts->n; i++)
		if (tuple_eq(other, &ts->t[i]))
			return false;
	return true;
}

static bool bind_grow(struct engine *e)
{
	uint32_t ncap = e->cap_binds ? e->cap_binds * 2 : 256, i, nb;
	struct nat_bind *n;
	int32_t *b0, *b1;

	if (ncap > MAX_BINDS)
		return false;
	n = realloc(e->binds, ncap * sizeof(*n));
	if (!n)
		return false;
	e->binds = n;
	e->cap_binds = ncap;
	nb = ncap;	/* load factor <= 1 per side */
	b0 = malloc(nb * sizeof(*b0));
	b1 = malloc(nb * sizeof(*b1));
	if (!b0 || !b1) {
		free(b0);
		free(b1);
		return false;
	}
	memset(b0, 0xff, nb * sizeof(*b0));
	memset(b1, 0xff, nb * sizeof(*b1));
	free(e->bind_bucket[0]);
	free(e->bind_bucket[1]);
	e->bind_bucket[0] = b0;
	e->bind_bucket[1] = b1;
	e->n_bind_buckets = nb;
	for (i = 0; i < e->n_binds; i++) {
		struct nat_bind *b = &e->binds[i];
		uint32_t ha = tuple_hash(&b->a) & (nb - 1);
		uint32_t hb = tuple_hash(&b->b) & (nb - 1);

		b->next[0] = b0[ha];
		b0[ha] = (int32_t)i;
		b->next[1] = b1[hb];
		b1[hb] = (int32_t)i;
	}
	return true;
}

static struct nat_bind *bind_find(struct engine *e, int family,
				  const struct tuple *a, const struct tuple *b)
{
	uint32_t h;
	int32_t i;

	if (!e->n_bind_buckets)
		return NULL;
	h = tuple_hash(a) & (e->n_bind_buckets - 1);
	for (i = e->bind_bucket[0][h]; i >= 0; i = e->binds[i].next[0]) {
		struct nat_bind *nb = &e->binds[i];

		if (nb->family == family && tuple_eq(&nb->a, a) &&
		    tuple_eq(&nb->b, b))
			return nb;
	}
	return NULL;
}

static void bind_add(struct engine *e, int family, const struct tuple *a,
		     const struct tuple *b, uint64_t ts)
{
	struct nat_bind *nb = bind_find(e, family, a, b);
	uint32_t ha, hb;

	if (!nb)
		nb = bind_find(e, family, b, a);
	if (nb) {
		if (ts > nb->last_ts)
			nb->last_ts = ts;
		return;
	}
	if (e->n_binds == e->cap_binds && !bind_grow(e)) {
		e->binds_dropped++;
		return;
	}
	nb = &e->binds[e->n_binds];
	memset(nb, 0, sizeof(*nb));
	nb->family = (uint8_t)family;
	nb->a = *a;
	nb->b = *b;
	nb->last_ts = ts;
	ha = tuple_hash(a) & (e->n_bind_buckets - 1);
	hb = tuple_hash(b) & (e->n_bind_buckets - 1);
	nb->next[0] = e->bind_bucket[0][ha];
	e->bind_bucket[0][ha] = (int32_t)e->n_binds;
	nb->next[1] = e->bind_bucket[1][hb];
	e->bind_bucket[1][hb] = (int32_t)e->n_binds;
	e->n_binds++;
}

static void probe_tuples(const struct probe *pr, struct tuple_set *ts)
{
	struct tuple t;
	uint16_t i;
	int j;

	ts->n = 0;
	for (i = 0; i < pr->n_sight; i++) {
		if (!tuple_of_sighting(&t, &pr->s[i]))
			continue;
		for (j = 0; j < ts->n; j++)
			if (tuple_eq(&ts->t[j], &t))
				break;
		if (j == ts->n && ts->n < MAX_PROBE_TUPLES)
			ts->t[ts->n++] = t;
	}
}

/*
 * What a closed probe teaches: which pairs of points pass tuples through,
 * and, when it was answered with its tuple changed between points, the
 * binding (every pair of its tuples is one conversation from now on).
 */
void identity_learn(struct engine *e, const struct probe *pr)
{
	struct tuple_set ts;
	int i, j;

	learn_pairs(e, pr);
	if (pr->outcome != PO_ANSWERED)
		return;
	probe_tuples(pr, &ts);
	for (i = 0; i < ts.n; i++)
		for (j = i + 1; j < ts.n; j++)
			bind_add(e, pr->family, &ts.t[i], &ts.t[j], pr->last_ts);
}

void identity_free(struct engine *e)
{
	free(e->binds);
	free(e->bind_bucket[0]);
	free(e->bind_bucket[1]);
	e->binds = NULL;
	e->bind_bucket[0] = e->bind_bucket[1] = NULL;
	e->n_binds = e->cap_binds = e->n_bind_buckets = 0;
}

/* ---- matching a sighting to a candidate ------------------------------ */

/*
 * Two points on the same interface (live hooks: XDP ingress and TC egress
 * of one device) see the two directions of one place.
 */
bool same_place(const struct engine *e, uint16_t a, uint16_t b)
{
	const struct point *pa, *pb;

	if (a == b)
		return true;
	pa = point_get_const(e->points, a);
	pb = point_get_const(e->points, b);
	if (!pa || !pb || strcmp(pa->netns, pb->netns))
		return false;
	return pa->ifindex && pa->ifindex == pb->ifindex &&
	       pa->hook != HOOK_FILE && pb->hook != HOOK_FILE;
}

/* The probe has a sighting of kind at point's place (not of drops). */
static const struct sighting *at_place(const struct engine *e,
				       const struct probe *pr, uint16_t point,
				       uint8_t kind)
{
	uint16_t i;

	for (i = 0; i < pr->n_sight; i++)
		if (pr->s[i].kind == kind &&
		    same_place(e, pr->s[i].point, point))
			return &pr->s[i];
	return NULL;
}

/*
 * A rewrite one NAT could have made between a sighting of the probe and
 * this one: one address kept (masquerade keeps the target, DNAT the
 * source), close in time (NAT happens inside one host), and between two
 * points not known to pass tuples through unchanged.
 */
static int guess_score(const struct engine *e, const struct probe *pr,
		       const struct tuple *t, uint16_t point)
{
	int best = SCORE_NONE;
	uint16_t i;

	for (i = 0; i < pr->n_sight; i++) {
		const struct sighting *s = &pr->s[i];
		bool same_src, same_dst;
		struct tuple u;
		int score;

		if (!tuple_of_sighting(&u, s) ||
		    e->now > s->ts_ns + NAT_GUESS_WINDOW_NS ||
		    pair_passes_unchanged(e, s->point, point))
			continue;
		same_src = !memcmp(u.src, t->src, 16);
		same_dst = !memcmp(u.dst, t->dst, 16);
		/* one NAT rewrites one side; both changed is another ping */
		if (!same_src && !same_dst)
			continue;
		score = SCORE_GUESS + same_src + same_dst + (u.id == t->id);
		if (score > best)
			best = score;
	}
	return best;
}

static int tuple_score(const struct engine *e, const struct probe *pr,
		       const struct tuple *t, uint16_t point, uint8_t kind)
{
	const struct sighting *here;
	struct tuple_set ts;
	struct tuple u;
	int i, score;

	probe_tuples(pr, &ts);
	for (i = 0; i < ts.n; i++)
		if (tuple_eq(&ts.t[i], t))
			return SCORE_SAME;
	/* a request (or reply) seen here already, with another tuple */
	if (kind == SK_REQ || kind == SK_REP) {
		here = at_place(e, pr, point, kind);
		if (here && tuple_of_sighting(&u, here) && !tuple_eq(&u, t))
			return SCORE_NONE;
	}
	for (i = 0; i < ts.n; i++)
		if (bind_each(e, pr->family, t, is_tuple, &ts.t[i]))
			return SCORE_BOUND;
	score = guess_score(e, pr, t, point);
	/*
	 * Bound to another conversation: its own probe, when open, scores
	 * SCORE_BOUND and wins.  When it is not there, the binding was
	 * learnt from an ambiguous crossing (identical probes answered in
	 * an order the NAT did not keep) or went stale: a last resort.
	 */
	if (score && bind_each(e, pr->family, t, outside_set, &ts))
		return SCORE_FOREIGN + score - SCORE_GUESS;
	return score;
}

static bool fp_matches(const struct probe *pr, const struct icmp_info *ic,
		       bool *partial)
{
	*partial = false;
	if (pr->len != ic->echo_len)
		return false;
	if (pr->hash_caplen == ic->echo_caplen)
		return pr->hash == ic->echo_hash;
	/* a snap length cut one of them: sequence and length only */
	*partial = true;
	return true;
}

/* A reply with other data: its request, with the reversed tuple, is here. */
static bool reply_of_other_data(const struct engine *e, const struct probe *pr,
				const struct tuple *t, uint16_t point)
{
	const struct sighting *rq = at_place(e, pr, point, SK_REQ);
	struct tuple u;

	if (!rq || at_place(e, pr, point, SK_REP))
		return false;
	return tuple_of_sighting(&u, rq) && tuple_eq(&u, t);
}

struct probe *identity_find(struct engine *e, const struct identity_key *k,
			    bool *partial, bool *data_differs)
{
	struct probe *pr, *best = NULL;
	int best_score = SCORE_NONE;
	bool best_partial = false, best_open = false;

	*partial = false;
	*data_differs = false;
	if (!e->n_buckets)
		return NULL;
	pr = e->buckets[probe_bucket(e, k->family, k->ic->echo_seq)];
	for (; pr; pr = pr->hnext) {
		bool part, open;
		int score;

		if (pr->family != k->family || pr->seq != k->ic->echo_seq ||
		    !fp_matches(pr, k->ic, &part))
			continue;
		score = tuple_score(e, pr, &k->t, k->point, k->kind);
		if (score == SCORE_NONE)
			continue;
		open = k->kind == SK_ERR || k->kind == SK_DROP ||
		       !at_place(e, pr, k->point, k->kind);
		if (score < best_score)
			continue;
		if (score == best_score &&
		    (open < best_open || (open == best_open && pr->id > best->id)))
			continue;
		best = pr;
		best_score = score;
		best_partial = part;
		best_open = open;
	}
	if (best) {
		*partial = best_partial;
		return best;
	}
	if (k->kind != SK_REP)
		return NULL;
	pr = e->buckets[probe_bucket(e, k->family, k->ic->echo_seq)];
	for (; pr; pr = pr->hnext) {
		if (pr->family != k->family || pr->seq != k->ic->echo_seq ||
		    !reply_of_other_data(e, pr, &k->t, k->point))
			continue;
		if (!best || pr->id < best->id)
			best = pr;
	}
	*data_differs = best != NULL;
	return best;
}

/* ---- repairing a swap past a NAT ------------------------------------- */

/* Sightings whose tuple is not the probe's first one: past a rewrite. */
static bool rewritten(const struct sighting *s, const struct tuple *origin)
{
	struct tuple t;

	return tuple_of_sighting(&t, s) && !tuple_eq(&t, origin);
}

struct side {
	uint64_t req, rep;	/* points of rewritten requests / replies */
	bool home_reply;	/* a reply where the request was first seen */
	struct tuple origin;
};

static bool probe_side(const struct engine *e, const struct probe *pr,
		       struct side *sd)
{
	const struct sighting *o = NULL;
	uint16_t i;

	memset(sd, 0, sizeof(*sd));
	for (i = 0; i < pr->n_sight && !o; i++)
		if (pr->s[i].kind == SK_REQ)
			o = &pr->s[i];
	if (!o)
		return false;
	tuple_of_sighting(&sd->origin, o);
	for (i = 0; i < pr->n_sight; i++) {
		const struct sighting *s = &pr->s[i];

		if (s->point >= ENGINE_MAX_POINTS)
			continue;
		if (s->kind == SK_REP && same_place(e, s->point, o->point) &&
		    !rewritten(s, &sd->origin))
			sd->home_reply = true;
		if (!rewritten(s, &sd->origin))
			continue;
		if (s->kind == SK_REQ)
			sd->req |= 1ull << s->point;
		else if (s->kind == SK_REP)
			sd->rep |= 1ull << s->point;
	}
	return true;
}

static int cmp_sighting_ts(const void *a, const void *b)
{
	const struct sighting *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	return x->frame_no < y->frame_no ? -1 : x->frame_no > y->frame_no;
}

static void recompute_masks(struct probe *pr)
{
	uint16_t i;

	pr->req_mask = pr->rep_mask = pr->err_mask = pr->drop_mask = 0;
	for (i = 0; i < pr->n_sight; i++) {
		const struct sighting *s = &pr->s[i];
		uint64_t bit = s->point < ENGINE_MAX_POINTS ? 1ull << s->point : 0;

		if (s->kind == SK_REQ)
			pr->req_mask |= bit;
		else if (s->kind == SK_REP)
			pr->rep_mask |= bit;
		else if (s->kind == SK_ERR)
			pr->err_mask |= bit;
		else
			pr->drop_mask |= bit;
	}
}

/*
 * The sightings of a that stay (not rewritten) and the rewritten ones of b,
 * in time order, into a fresh array.  False (nothing changed) when memory
 * is short or the result would not fit.
 */
static bool merge_sides(const struct probe *a, const struct tuple *ao,
			const struct probe *b, const struct tuple *bo,
			struct sighting **out, uint16_t *n_out)
{
	uint16_t i, n = 0;
	struct sighting *s = malloc((size_t)(a->n_sight + b->n_sight) *
				    sizeof(*s));

	if (!s)
		return false;
	for (i = 0; i < a->n_sight; i++)
		if (!rewritten(&a->s[i], ao))
			s[n++] = a->s[i];
	for (i = 0; i < b->n_sight; i++)
		if (rewritten(&b->s[i], bo))
			s[n++] = b->s[i];
	qsort(s, n, sizeof(*s), cmp_sighting_ts);
	*out = s;
	*n_out = n;
	return true;
}

/*
 * Identical pings of several senders that cross one NAT together are told
 * apart past it by the order the NAT passed them on, which it need not
 * keep, nor pass them all on.  Their replies say who was who: a reply
 * back home at probe pr whose rewritten side saw no reply (or that has no
 * rewritten side: taken for lost past the NAT), while another open probe
 * to the same target with the same fingerprint saw its reply past the NAT
 * and none back home, means the two were swapped there.  Swapped back,
 * each loss is told where it happened.
 */
void identity_repair(struct engine *e, struct probe *pr)
{
	struct side a, b;
	struct probe *q;
	struct sighting *sa, *sb;
	uint16_t na, nb;

	if (!probe_side(e, pr, &a) || a.rep || !a.home_reply)
		return;
	q = e->buckets[probe_bucket(e, pr->family, pr->seq)];
	for (; q; q = q->hnext) {
		if (q == pr || q->family != pr->family || q->seq != pr->seq ||
		    q->len != pr->len || q->hash != pr->hash ||
		    q->hash_caplen != pr->hash_caplen ||
		    !probe_side(e, q, &b) || tuple_eq(&a.origin, &b.origin) ||
		    memcmp(a.origin.dst, b.origin.dst, 16) ||
		    (a.req && b.req != a.req) || !b.rep || b.home_reply)
			continue;
		if (!merge_sides(pr, &a.origin, q, &b.origin, &sa, &na))
			return;
		if (!merge_sides(q, &b.origin, pr, &a.origin, &sb, &nb)) {
			free(sa);
			return;
		}
		free(pr->s);
		free(q->s);
		pr->s = sa;
		pr->n_sight = pr->cap_sight = na;
		q->s = sb;
		q->n_sight = q->cap_sight = nb;
		recompute_masks(pr);
		recompute_masks(q);
		e->nat_swaps++;
		return;
	}
}
