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
 * place, then the one that got further (seen at more places), then the one
 * that passed first (NAT keeps the order of what crosses it).
 *
 * Past a NAT that rewrites every id, identical pings of several senders
 * are told apart by that guess only until their replies come back: the NAT
 * translates each reply to its own sender, so the first reply home claims
 * the reply that crossed the NAT in the time the requests took over it
 * (first come, first served when that says nothing), and the two probes'
 * sightings past the NAT are swapped back if the guess was wrong
 * (identity_repair()).  Only such a crossing teaches a binding; a new one
 * gives back what the conversation's open probes had lent a twin
 * (reassign_bound()), and a lost probe whose sightings past the NAT are
 * still a guess is held one more reply window for it (identity_unsettled()).
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

bool tuple_eq(const struct tuple *a, const struct tuple *b)
{
	return a->id == b->id && addr16_eq(a->src, b->src) &&
	       addr16_eq(a->dst, b->dst);
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
	struct tuple a;
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
			if (sighting_has_tuple(y, &a))
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

static bool same_addrs(const struct tuple *a, const struct tuple *b)
{
	return !memcmp(a->src, b->src, 16) && !memcmp(a->dst, b->dst, 16);
}

/*
 * A NAT keeps one mapping per conversation: a new binding of t to other
 * proves wrong any binding of t to another id with other's addresses
 * (learnt from replies that crossed the NAT too close together to tell).
 */
static void bind_forget_rivals(struct engine *e, int family,
			       const struct tuple *t, const struct tuple *other)
{
	uint32_t h;
	int32_t i;
	int side;

	if (!e->n_bind_buckets)
		return;
	h = tuple_hash(t) & (e->n_bind_buckets - 1);
	for (side = 0; side < 2; side++) {
		for (i = e->bind_bucket[side][h]; i >= 0;
		     i = e->binds[i].next[side]) {
			struct nat_bind *b = &e->binds[i];
			const struct tuple *mine = side ? &b->b : &b->a;
			const struct tuple *theirs = side ? &b->a : &b->b;

			if (b->family == family && tuple_eq(mine, t) &&
			    same_addrs(theirs, other) && theirs->id != other->id)
				b->last_ts = 0;
		}
	}
}

/* True when the binding is new. */
static bool bind_add(struct engine *e, int family, const struct tuple *a,
		     const struct tuple *b, uint64_t ts)
{
	struct nat_bind *nb = bind_find(e, family, a, b);
	uint32_t ha, hb;

	if (!nb)
		nb = bind_find(e, family, b, a);
	if (nb) {
		if (ts > nb->last_ts)
			nb->last_ts = ts;
		return false;
	}
	bind_forget_rivals(e, family, a, b);
	bind_forget_rivals(e, family, b, a);
	if (e->n_binds == e->cap_binds && !bind_grow(e)) {
		e->binds_dropped++;
		return false;
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
	return true;
}

static void probe_tuples(const struct probe *pr, struct tuple_set *ts)
{
	uint16_t i;
	int j;

	ts->n = 0;
	for (i = 0; i < pr->n_sight; i++) {
		const struct sighting *s = &pr->s[i];

		if (s->kind == SK_ERR)
			continue;	/* no tuple of its own */
		for (j = 0; j < ts->n; j++)
			if (sighting_has_tuple(s, &ts->t[j]))
				break;
		if (j == ts->n && ts->n < MAX_PROBE_TUPLES)
			tuple_of_sighting(&ts->t[ts->n++], s);
	}
}

static inline bool probe_origin(const struct probe *pr, struct tuple *origin);
static bool crossed_back(const struct probe *pr, const struct tuple *origin);
static void reassign_bound(struct engine *e, int family,
			   const struct tuple *origin, const struct tuple *t);

/*
 * What a closed probe teaches: which pairs of points pass tuples through,
 * and, when it was answered with its tuple changed between points, the
 * binding (every pair of its tuples is one conversation from now on).
 * Only a reply seen on both sides of the rewrite proves a binding: the
 * NAT translated it back to this sender.  Requests alone were paired by a
 * guess (identical pings crossing together), and a wrong binding would
 * mislead every later probe of both conversations.
 */
void identity_learn(struct engine *e, const struct probe *pr)
{
	struct tuple_set ts;
	struct tuple o;
	int i, j;

	learn_pairs(e, pr);
	if (pr->outcome != PO_ANSWERED || !probe_origin(pr, &o) ||
	    !crossed_back(pr, &o))
		return;
	probe_tuples(pr, &ts);
	for (i = 0; i < ts.n; i++)
		for (j = i + 1; j < ts.n; j++)
			if (bind_add(e, pr->family, &ts.t[i], &ts.t[j],
				     pr->last_ts) && tuple_eq(&ts.t[i], &o))
				reassign_bound(e, pr->family, &o, &ts.t[j]);
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
bool same_place_other(const struct engine *e, uint16_t a, uint16_t b)
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

/* One of the probe's tuples is bound to a tuple it does not have. */
static bool bound_elsewhere(const struct engine *e, int family,
			    const struct tuple_set *ts)
{
	int i;

	for (i = 0; i < ts->n; i++)
		if (bind_each(e, family, &ts->t[i], outside_set, ts))
			return true;
	return false;
}

static int tuple_score(const struct engine *e, const struct probe *pr,
		       const struct tuple *t, uint16_t point, uint8_t kind)
{
	const struct sighting *here;
	struct tuple_set ts;
	uint16_t n;
	int i, score;

	/*
	 * The probe's tuples are those of its first MAX_PROBE_TUPLES distinct
	 * ones (probe_tuples()): any of its first MAX_PROBE_TUPLES sightings
	 * is among them, so a match there is SCORE_SAME without building the
	 * set, and with no more sightings than that, no match is final.
	 */
	n = pr->n_sight < MAX_PROBE_TUPLES ? pr->n_sight : MAX_PROBE_TUPLES;
	for (i = 0; i < n; i++)
		if (sighting_has_tuple(&pr->s[i], t))
			return SCORE_SAME;
	ts.n = -1;
	if (pr->n_sight > MAX_PROBE_TUPLES) {
		probe_tuples(pr, &ts);
		for (i = 0; i < ts.n; i++)
			if (tuple_eq(&ts.t[i], t))
				return SCORE_SAME;
	}
	/* a request (or reply) seen here already, with another tuple */
	if (kind == SK_REQ || kind == SK_REP) {
		here = at_place(e, pr, point, kind);
		if (here && here->kind != SK_ERR && !sighting_has_tuple(here, t))
			return SCORE_NONE;
	}
	if (ts.n < 0)
		probe_tuples(pr, &ts);
	for (i = 0; i < ts.n; i++)
		if (bind_each(e, pr->family, t, is_tuple, &ts.t[i]))
			return SCORE_BOUND;
	score = guess_score(e, pr, t, point);
	/*
	 * Bound to another conversation: its own probe, when open, scores
	 * SCORE_BOUND and wins.  When it is not there, the binding was
	 * learnt from an ambiguous crossing (identical probes answered in
	 * an order the NAT did not keep) or went stale: a last resort.
	 * The same when the probe's conversation is bound to another tuple
	 * past the NAT: a NAT keeps one mapping per conversation, so this
	 * is a twin's sighting, whose conversation has no binding yet.
	 */
	if (score && (bind_each(e, pr->family, t, outside_set, &ts) ||
		      bound_elsewhere(e, pr->family, &ts)))
		return SCORE_FOREIGN + score - SCORE_GUESS;
	return score;
}

static bool fp_matches(const struct probe *pr, const struct icmp_info *ic,
		       bool first_fragment, bool *partial)
{
	*partial = false;
	/*
	 * A first fragment holds the echo header and the start of the data:
	 * its probe is at least that long, and only sequence and flow can
	 * tell it (the drop record keeps too few bytes for the hash).
	 */
	if (first_fragment) {
		*partial = true;
		return pr->len >= ic->echo_len;
	}
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

/*
 * The probe's latest sighting of kind (NULL when none), and at how many
 * places it was seen so.
 */
static const struct sighting *latest(const struct engine *e,
				     const struct probe *pr, uint8_t kind,
				     int *places)
{
	const struct sighting *l = NULL;
	uint16_t i, j;

	*places = 0;
	for (i = 0; i < pr->n_sight; i++) {
		const struct sighting *s = &pr->s[i];

		if (s->kind != kind)
			continue;
		if (!l || s->ts_ns > l->ts_ns)
			l = s;
		for (j = 0; j < i; j++)
			if (pr->s[j].kind == kind &&
			    same_place(e, pr->s[j].point, s->point))
				break;
		*places += j == i;
	}
	return l;
}

/*
 * Between two candidates that fit a sighting equally well, the one that
 * got further: a ping seen here crossed the places before it, so a
 * candidate seen at fewer places (its copy lost on the way, as its twin's
 * was not, or not there yet) is the weaker.  Then the one that passed its
 * last place first (NAT and links keep the order of what crosses them),
 * then the older.
 */
static bool further(const struct engine *e, const struct probe *a,
		    const struct probe *b, uint8_t kind)
{
	const struct sighting *la, *lb;
	int pa, pb;

	if (kind == SK_REQ || kind == SK_REP) {
		la = latest(e, a, kind, &pa);
		lb = latest(e, b, kind, &pb);
		if (pa != pb)
			return pa > pb;
		if (la && lb && la->ts_ns != lb->ts_ns)
			return la->ts_ns < lb->ts_ns;
	}
	return a->id < b->id;
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
		    !fp_matches(pr, k->ic, k->first_fragment, &part))
			continue;
		score = tuple_score(e, pr, &k->t, k->point, k->kind);
		if (score == SCORE_NONE)
			continue;
		open = k->kind == SK_ERR || k->kind == SK_DROP ||
		       !at_place(e, pr, k->point, k->kind);
		if (score < best_score)
			continue;
		if (score == best_score &&
		    (open < best_open ||
		     (open == best_open && !further(e, pr, best, k->kind))))
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
	return s->kind != SK_ERR && !sighting_has_tuple(s, origin);
}

/* The tuple of the probe's first request: the conversation it belongs to. */
static inline bool probe_origin(const struct probe *pr, struct tuple *origin)
{
	uint16_t i;

	for (i = 0; i < pr->n_sight; i++)
		if (pr->s[i].kind == SK_REQ)
			return tuple_of_sighting(origin, &pr->s[i]);
	return false;
}

/*
 * The probe's latest reply past the rewrite, at place (any place when
 * place is NO_PLACE; NULL when none), and how many replies it has this
 * side of the NAT (with the origin's tuple).
 */
#define NO_PLACE 0xffff

static const struct sighting *crossing_reply(const struct engine *e,
					     const struct probe *pr,
					     const struct tuple *origin,
					     uint16_t place, int *n_home)
{
	const struct sighting *best = NULL;
	uint16_t i;

	*n_home = 0;
	for (i = 0; i < pr->n_sight; i++) {
		const struct sighting *s = &pr->s[i];

		if (s->kind != SK_REP)
			continue;
		if (!rewritten(s, origin))
			(*n_home)++;
		else if ((place == NO_PLACE || same_place(e, s->point, place)) &&
			 (!best || s->ts_ns > best->ts_ns))
			best = s;
	}
	return best;
}

static bool has_rewritten(const struct probe *pr, const struct tuple *origin)
{
	uint16_t i;

	for (i = 0; i < pr->n_sight; i++)
		if (rewritten(&pr->s[i], origin))
			return true;
	return false;
}

/* A reply seen past the rewrite and one this side of it. */
static bool crossed_back(const struct probe *pr, const struct tuple *origin)
{
	int n_home;

	return crossing_reply(NULL, pr, origin, NO_PLACE, &n_home) && n_home;
}

/*
 * The fingerprint half of twins(), which needs no origin tuple: the bucket
 * walks test it before they look for a candidate's first request.
 */
static bool same_fingerprint(const struct probe *a, const struct probe *b)
{
	return a != b && a->family == b->family && a->seq == b->seq &&
	       a->len == b->len && a->hash == b->hash &&
	       a->hash_caplen == b->hash_caplen;
}

/* Same fingerprint, the same target: the probes a NAT can mix up. */
static bool twins(const struct probe *a, const struct tuple *ao,
		  const struct probe *b, const struct tuple *bo)
{
	return a != b && a->family == b->family && a->seq == b->seq &&
	       a->len == b->len && a->hash == b->hash &&
	       a->hash_caplen == b->hash_caplen && !tuple_eq(ao, bo) &&
	       !memcmp(ao->dst, bo->dst, 16);
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

/* Gives each of two twins the other's sightings past the NAT. */
static void swap_sides(struct engine *e, struct probe *a,
		       const struct tuple *ao, struct probe *b,
		       const struct tuple *bo)
{
	struct sighting *sa, *sb;
	uint16_t na, nb;

	if (!merge_sides(a, ao, b, bo, &sa, &na))
		return;
	if (!merge_sides(b, bo, a, ao, &sb, &nb)) {
		free(sa);
		return;
	}
	free(a->s);
	free(b->s);
	a->s = sa;
	a->n_sight = a->cap_sight = na;
	b->s = sb;
	b->n_sight = b->cap_sight = nb;
	recompute_masks(a);
	recompute_masks(b);
	e->nat_swaps++;
}

/*
 * How well a reply seen past the NAT with tuple t fits the conversation
 * origin, as tuple_score() weighs a sighting: bound to it, bound to
 * another, or a rewrite one NAT can make (the id kept counts).
 */
static int crossing_score(const struct engine *e, int family,
			  const struct tuple *origin, const struct tuple *t,
			  bool id_tells)
{
	struct tuple_set ts = { .n = 1 };

	ts.t[0] = *origin;
	if (bind_each(e, family, t, is_tuple, origin))
		return SCORE_BOUND;
	if (bind_each(e, family, t, outside_set, &ts))
		return SCORE_FOREIGN;
	return SCORE_GUESS + (id_tells && t->id == origin->id);
}

/* At how many places the probe's reply was seen past the NAT. */
static int reply_places(const struct engine *e, const struct probe *pr,
			const struct tuple *origin)
{
	uint16_t i, j;
	int n = 0;

	for (i = 0; i < pr->n_sight; i++) {
		const struct sighting *s = &pr->s[i];

		if (s->kind != SK_REP || !rewritten(s, origin))
			continue;
		for (j = 0; j < i; j++)
			if (pr->s[j].kind == SK_REP &&
			    rewritten(&pr->s[j], origin) &&
			    same_place(e, pr->s[j].point, s->point))
				break;
		n += j == i;
	}
	return n;
}

/*
 * q is a twin of pr whose reply was seen past the NAT (*c, its latest)
 * after pr was sent, and not yet this side of it.
 */
static bool unclaimed_twin(const struct engine *e, const struct probe *pr,
			   const struct tuple *o, const struct probe *q,
			   struct tuple *qo, const struct sighting **c)
{
	int n_home;

	if (!same_fingerprint(pr, q) || !probe_origin(q, qo) ||
	    !twins(pr, o, q, qo))
		return false;
	*c = crossing_reply(e, q, qo, NO_PLACE, &n_home);
	/* a reply that crossed before pr was sent is not pr's */
	return *c && !n_home && (*c)->ts_ns >= pr->first_ts;
}

/* A twin's reply past the NAT, weighed as the one pr's reply crossed with. */
struct crossing {
	struct probe *q;
	const struct sighting *c;
	int score;
	uint64_t misfit;	/* ns from the delay learnt over this NAT */
	uint64_t delay;		/* that delay, 0 unknown */
};

#define DELAY_SLACK_NS 20000ull	/* scheduling noise of one host */

/* One misfit fits the delay and the other is far off it. */
static bool far_apart(uint64_t x, uint64_t y, uint64_t delay)
{
	uint64_t lo = x < y ? x : y, hi = x < y ? y : x;

	return lo <= delay / 4 + DELAY_SLACK_NS / 2 &&
	       hi - lo > delay / 2 + DELAY_SLACK_NS;
}

static uint32_t *delay_of(struct engine *e, uint16_t from, uint16_t to)
{
	if (from >= ENGINE_MAX_POINTS || to >= ENGINE_MAX_POINTS)
		return NULL;
	return &e->pair_delay[from][to];
}

/*
 * The time a reply takes from the last point past the NAT to the first
 * this side, learnt where no twin could be mixed up with it: a NAT
 * translates in a near constant time, so it tells which of several
 * replies crossing together (some lost on the way) came home.
 */
static void learn_delay(struct engine *e, const struct sighting *from,
			const struct sighting *to)
{
	uint32_t *d;
	uint64_t v;

	if (!from || to->ts_ns < from->ts_ns ||
	    !(d = delay_of(e, from->point, to->point)))
		return;
	v = to->ts_ns - from->ts_ns;
	if (v > UINT32_MAX)
		return;
	/* a moving average: the timing of one host drifts */
	*d = *d ? (uint32_t)((*d * 7ull + v) / 8) : (uint32_t)(v ? v : 1);
}

/* How long q's request took from the place of in to place (0: unknown). */
static uint64_t request_crossing(const struct engine *e, const struct probe *q,
				 uint16_t from, uint16_t place)
{
	const struct sighting *in = NULL, *out = NULL;
	struct tuple o;
	uint16_t i;

	if (!probe_origin(q, &o))
		return 0;
	for (i = 0; i < q->n_sight; i++) {
		const struct sighting *s = &q->s[i];

		if (s->kind != SK_REQ)
			continue;
		if (!rewritten(s, &o) && same_place(e, s->point, from))
			in = s;
		else if (rewritten(s, &o) && same_place(e, s->point, place))
			out = s;
	}
	return in && out && out->ts_ns > in->ts_ns ? out->ts_ns - in->ts_ns : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * How long a reply takes over the NAT from place to the point of last:
 * as learnt, else as the requests of pr and its twins took the other way
 * (a NAT translates both ways in about the same time; their median, as
 * some of them may be paired wrongly yet), else 0 (unknown).
 */
static uint64_t crossing_delay(struct engine *e, struct probe *pr,
			       uint16_t place, const struct sighting *last)
{
	const uint32_t *d = delay_of(e, place, last->point);
	uint64_t v[8];
	struct probe *q;
	int n = 0;

	if (d && *d)
		return *d;
	v[0] = request_crossing(e, pr, last->point, place);
	n = v[0] != 0;
	for (q = e->buckets[probe_bucket(e, pr->family, pr->seq)];
	     q && n < 8; q = q->hnext) {
		if (q == pr || q->family != pr->family || q->seq != pr->seq ||
		    q->len != pr->len || q->hash != pr->hash)
			continue;
		v[n] = request_crossing(e, q, last->point, place);
		n += v[n] != 0;
	}
	if (!n)
		return 0;
	qsort(v, (size_t)n, sizeof(v[0]), cmp_u64);
	return v[n / 2];
}

/* q's reply past the NAT at place, as the one home (pr's, at last). */
static bool crossing_rate(struct engine *e, const struct probe *pr,
			  const struct tuple *o, const struct sighting *last,
			  struct probe *q, const struct tuple *qo,
			  uint16_t place, bool id_tells, uint64_t delay,
			  struct crossing *x)
{
	struct tuple t;
	uint64_t took;
	int n_home;

	x->q = q;
	x->c = crossing_reply(e, q, qo, place, &n_home);
	x->score = SCORE_NONE;
	x->misfit = 0;
	if (!x->c || !tuple_of_sighting(&t, x->c))
		return false;
	x->score = crossing_score(e, pr->family, o, &t, id_tells);
	x->delay = delay;
	if (delay) {
		took = last->ts_ns > x->c->ts_ns ? last->ts_ns - x->c->ts_ns : 0;
		x->misfit = took > delay ? took - delay : delay - took;
	}
	return true;
}

/*
 * The better fit: a binding, the id kept; then the delay this NAT takes;
 * then the one that crossed first (a NAT passes on in order).
 */
static bool crossing_better(const struct crossing *a, const struct crossing *b)
{
	if (!b->c)
		return true;
	/*
	 * A reply that crossed in the NAT's time against one that did not by
	 * far: stronger than a binding, which may have been learnt from
	 * replies that crossed too close together to tell.
	 */
	if (a->delay && far_apart(a->misfit, b->misfit, a->delay))
		return a->misfit < b->misfit;
	if (a->score != b->score)
		return a->score > b->score;
	if (a->misfit != b->misfit)
		return a->misfit < b->misfit;
	return cmp_sighting_ts(a->c, b->c) < 0;
}

/*
 * Identical pings of several senders that cross one NAT together are told
 * apart past it, before any binding is known, by the order the NAT passed
 * them on, which it need not keep, nor pass them all on.  Their replies
 * say who was who: the NAT translates each reply back to its own sender,
 * first come first served.  So when the first reply of probe pr comes
 * back through the NAT (this side of the rewrite), the reply it crossed
 * with is, among the twins' replies seen past the NAT and not yet claimed
 * by a reply this side, the one that fits its tuple best (a binding, the
 * id the NAT kept), then the one that crossed first.  When that is a
 * twin's, the two were swapped past the NAT: swapped back, each loss is
 * told where it happened, and the binding learnt when pr closes is right.
 */
void identity_repair(struct engine *e, struct probe *pr)
{
	const struct sighting *last, *c;
	struct crossing best, cand;
	struct probe *q;
	struct tuple o, qo;
	int n_home, n_cand = 0, places, most;
	uint64_t delay;
	uint16_t place;
	bool id_tells = true;

	if (!pr->n_sight || !probe_origin(pr, &o))
		return;
	last = &pr->s[pr->n_sight - 1];
	if (last->kind != SK_REP || rewritten(last, &o))
		return;
	c = crossing_reply(e, pr, &o, NO_PLACE, &n_home);
	if (n_home != 1)
		return;		/* claimed when its first reply came */
	/*
	 * The place the reply just crossed from, the last one past the NAT
	 * on its way: where the reply seen at the most places past the NAT
	 * was last seen (the one that came home was seen at all of them;
	 * pr's own may be a twin's still on its way).
	 */
	most = c ? reply_places(e, pr, &o) : 0;
	place = c ? c->point : NO_PLACE;
	for (q = e->buckets[probe_bucket(e, pr->family, pr->seq)]; q;
	     q = q->hnext) {
		if (!same_fingerprint(pr, q) ||
		    !unclaimed_twin(e, pr, &o, q, &qo, &c))
			continue;
		n_cand++;
		/* twins of one id: the id the NAT kept tells nobody apart */
		if (qo.id == o.id)
			id_tells = false;
		places = reply_places(e, q, &qo);
		if (places > most) {
			most = places;
			place = c->point;
		}
	}
	if (place == NO_PLACE)
		return;
	memset(&best, 0, sizeof(best));
	delay = crossing_delay(e, pr, place, last);
	crossing_rate(e, pr, &o, last, pr, &o, place, id_tells, delay, &best);
	if (!n_cand) {
		learn_delay(e, best.c, last);
		return;
	}
	for (q = e->buckets[probe_bucket(e, pr->family, pr->seq)]; q;
	     q = q->hnext) {
		if (!same_fingerprint(pr, q) ||
		    !unclaimed_twin(e, pr, &o, q, &qo, &c) ||
		    !crossing_rate(e, pr, &o, last, q, &qo, place, id_tells,
				   delay, &cand))
			continue;
		if (crossing_better(&cand, &best))
			best = cand;
	}
	if (best.q != pr && probe_origin(best.q, &qo))
		swap_sides(e, pr, &o, best.q, &qo);
}

/*
 * A binding learnt (origin <-> t): a live probe of another conversation
 * that holds sightings with t took them, before the binding was known,
 * from its twin of conversation origin.  Swapped back, the losses of the
 * first probes of a conversation are told where they happened too.  Runs
 * once per new binding, over the live probes.
 */
static void reassign_bound(struct engine *e, int family,
			   const struct tuple *origin, const struct tuple *t)
{
	struct probe *lists[2] = { e->oldest, e->ans_oldest };
	struct probe *q, *p;
	struct tuple qo, po, u;
	uint16_t i;
	int l;

	for (l = 0; l < 2; l++) {
		for (q = lists[l]; q; q = q->newer) {
			const struct sighting *held = NULL;

			if (q->family != family || !probe_origin(q, &qo) ||
			    tuple_eq(&qo, origin))
				continue;
			for (i = 0; i < q->n_sight && !held; i++)
				if (tuple_of_sighting(&u, &q->s[i]) &&
				    tuple_eq(&u, t))
					held = &q->s[i];
			if (!held)
				continue;
			/* its twin, sent before what q holds was seen */
			p = e->buckets[probe_bucket(e, family, q->seq)];
			for (; p; p = p->hnext)
				if (same_fingerprint(q, p) &&
				    probe_origin(p, &po) &&
				    tuple_eq(&po, origin) &&
				    twins(q, &qo, p, &po) &&
				    p->first_ts <= held->ts_ns)
					break;
			if (p)
				swap_sides(e, p, &po, q, &qo);
		}
	}
}

/*
 * A probe past its reply window whose sightings past a NAT are still a
 * guess: a live twin (another sender's identical ping to the same target)
 * may hold what is its own, or it what is the twin's, as long as its
 * conversation has no binding yet or it holds a tuple bound to another.
 * The reply of a later probe of either conversation will tell
 * (reassign_bound()), if the probe is still open then.
 */
bool identity_unsettled(struct engine *e, const struct probe *pr)
{
	struct tuple_set ts = { .n = 1 };
	struct tuple qo, u;
	struct probe *q;
	bool nat, twin = false;
	uint16_t i;

	if (!probe_origin(pr, &ts.t[0]))
		return false;
	nat = has_rewritten(pr, &ts.t[0]);
	for (q = e->buckets[probe_bucket(e, pr->family, pr->seq)]; q && !twin;
	     q = q->hnext)
		twin = same_fingerprint(pr, q) && probe_origin(q, &qo) &&
		       twins(pr, &ts.t[0], q, &qo) &&
		       (nat || has_rewritten(q, &qo));
	if (!twin)
		return false;
	if (!bind_each(e, pr->family, &ts.t[0], outside_set, &ts))
		return true;
	for (i = 0; i < pr->n_sight; i++)
		if (rewritten(&pr->s[i], &ts.t[0]) &&
		    tuple_of_sighting(&u, &pr->s[i]) &&
		    !bind_each(e, pr->family, &u, is_tuple, &ts.t[0]))
			return true;
	return false;
}
