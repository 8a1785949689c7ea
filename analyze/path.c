// SPDX-License-Identifier: GPL-2.0
/*
 * Path learning and the drop-point locator.
 *
 * Each flow learns the order of its points from the first-seen times of
 * its probes: point i comes before j when more probes were seen at i first.
 * Replies learn their own order; points that saw requests but never a
 * reply are appended in reverse request order, since a reply normally
 * retraces the request's way back.  `--path` overrides the learning.
 *
 * A failed probe is then located with one rule for every cause: the last
 * point along its path where it was seen, and the next point where it should
 * have appeared (requests first; if the request was answered, the reply).
 */
#include <string.h>

#include "internal.h"

int path_index(const uint8_t *path, uint8_t len, int point)
{
	uint8_t i;

	for (i = 0; i < len; i++)
		if (path[i] == point)
			return i;
	return -1;
}

/*
 * Orders the points of mask by how many others they precede (a majority
 * ranking: robust to the odd reordered sighting).  The opposite direction's
 * precedence counts too: a reply seen at b before a means a comes before b
 * on the way out.  Only the flow's slots were counted; a point beyond them
 * (slots_full) ranks last.
 */
static uint8_t order_points(const struct flow *f, bool reply, uint64_t mask,
			    uint8_t *out)
{
	const uint16_t (*fw)[FLOW_SLOTS] = reply ? f->rep_prec : f->req_prec;
	const uint16_t (*bw)[FLOW_SLOTS] = reply ? f->req_prec : f->rep_prec;
	int score[ENGINE_MAX_POINTS] = { 0 };
	uint8_t n = 0, i, j;
	int a, b;

	for (a = 0; a < f->n_slots; a++) {
		if (!(mask & (1ull << f->slot_point[a])))
			continue;
		for (b = 0; b < f->n_slots; b++)
			if (b != a && (mask & (1ull << f->slot_point[b])) &&
			    fw[a][b] + bw[b][a] > fw[b][a] + bw[a][b])
				score[f->slot_point[a]]++;
	}
	for (a = 0; a < ENGINE_MAX_POINTS; a++)
		if (mask & (1ull << a))
			out[n++] = (uint8_t)a;
	/* insertion sort: higher score first, then lower id */
	for (i = 1; i < n; i++) {
		uint8_t v = out[i];

		for (j = i; j > 0 && score[out[j - 1]] < score[v]; j--)
			out[j] = out[j - 1];
		out[j] = v;
	}
	return n;
}

static void build_flow(struct engine *e, struct flow *f)
{
	uint8_t i;
	int k;

	if (e->path_user_len) {
		f->req_len = 0;
		for (i = 0; i < e->path_user_len; i++)
			f->req_path[f->req_len++] = (uint8_t)e->path_user[i];
		f->rep_len = 0;
		for (k = f->req_len - 1; k >= 0; k--)
			f->rep_path[f->rep_len++] = f->req_path[k];
		f->rep_seen_len = f->rep_len;	/* the user's word */
		return;
	}
	/* the other direction's order, reversed, is evidence too */
	f->req_len = order_points(f, false, f->req_mask, f->req_path);
	f->rep_len = order_points(f, true, f->rep_mask, f->rep_path);
	f->rep_seen_len = f->rep_len;
	for (k = f->req_len - 1; k >= 0; k--)
		if (!(f->rep_mask & (1ull << f->req_path[k])))
			f->rep_path[f->rep_len++] = f->req_path[k];
}

void path_build(struct engine *e)
{
	uint32_t i;

	for (i = 0; i < e->n_flows; i++)
		build_flow(e, &e->flows[i]);
	nat_resolve(e);
}

/*
 * Points that captured anything at all (a silent point is still watched).
 * The kernel drop point is no place on a path: a probe never "should have
 * appeared" there.
 */
static uint64_t watched_mask(const struct engine *e)
{
	uint64_t m = 0;
	size_t i;

	for (i = 0; i < e->points->count && i < ENGINE_MAX_POINTS; i++)
		if (point_on_wire(&e->points->items[i]))
			m |= 1ull << i;
	return m;
}

/* Furthest point of path that mask contains; -1 when none. */
static int furthest(const uint8_t *path, uint8_t len, uint64_t mask)
{
	int i;

	for (i = len - 1; i >= 0; i--)
		if (mask & (1ull << path[i]))
			return i;
	return -1;
}

/* The next point after index idx that mask does not contain. */
static int next_missing(const uint8_t *path, uint8_t len, int idx,
			uint64_t mask)
{
	int i;

	for (i = idx + 1; i < len; i++)
		if (!(mask & (1ull << path[i])))
			return path[i];
	return -1;
}

/*
 * The first point of the group's missing ones that another flow's path
 * places right after `after`, if any flow knows.
 */
static int order_from_other_flows(const struct engine *e, int after,
				  uint64_t missing)
{
	uint32_t i;

	for (i = 0; i < e->n_flows; i++) {
		const struct flow *f = &e->flows[i];
		int idx = path_index(f->req_path, f->req_len, after);
		int j;

		if (idx < 0)
			continue;
		for (j = idx + 1; j < f->req_len; j++)
			if (missing & (1ull << f->req_path[j]))
				return f->req_path[j];
	}
	return -1;
}

static bool outside_coverage(const struct engine *e, const struct group *g,
			     int point)
{
	const struct flow *f = &e->flows[g->flow];
	const struct point_stat *ps;
	const struct point *pt;
	uint64_t cand = point >= 0 ? 1ull << point : g->missing_mask;
	int i;

	/*
	 * A point whose frames could not be decoded was not watched: its
	 * silence proves nothing.  When the next point is one of several
	 * (missing_mask), one such among them is enough.
	 */
	for (i = 0; i < ENGINE_MAX_POINTS; i++)
		if ((cand & (1ull << i)) && e->pstat[i].undecodable)
			return true;
	/* nor one a live capture could not attach to (point.blind) */
	for (i = 0; i < ENGINE_MAX_POINTS && (size_t)i < e->points->count; i++)
		if ((cand & (1ull << i)) && e->points->items[i].blind)
			return true;
	/*
	 * nor one whose interface was gone while the group's probes went
	 * by (deleted, re-created later), or whose watch window had ended
	 */
	for (i = 0; i < ENGINE_MAX_POINTS && (size_t)i < e->points->count; i++)
		if ((cand & (1ull << i)) &&
		    point_unwatched_during(&e->points->items[i], g->first_ts,
					   g->last_ts))
			return true;

	/* only a point that saw this flow at other times can have missed it */
	if (point < 0 || !((f->req_mask | f->rep_mask) & (1ull << point)))
		return false;
	ps = &e->pstat[point];
	if (!ps->frames)
		return false;	/* silent all along: that is evidence */
	/*
	 * Only a capture that started late is a gap: a point that fell
	 * silent before the end may be the very device that went down.  When
	 * the capture says when watching began (pcapng ISB, live), that is
	 * the start; else its first frame.
	 */
	pt = point_get_const(e->points, (uint32_t)point);
	if (pt && pt->watch_start_ns)
		return g->first_ts < pt->watch_start_ns;
	return g->last_ts + 1000000ull < ps->first_ts;
}

/* The last request sighting of a kept probe of the group, if any. */
const struct sighting *group_last_request(const struct engine *e,
					  const struct group *g)
{
	const struct sighting *r = NULL;
	uint32_t i;
	uint16_t j;

	for (i = 0; i < e->n_kept; i++) {
		const struct probe *pr = e->kept[i];

		if (pr->flow != g->flow || pr->req_mask != g->req_mask ||
		    pr->outcome != g->outcome)
			continue;
		for (j = 0; j < pr->n_sight; j++)
			if (pr->s[j].kind == SK_REQ)
				r = &pr->s[j];
		return r;
	}
	return NULL;
}

/*
 * True when the request's last point is where its destination lives (the
 * owner of the address spoke there first): the next stop is the target
 * itself, not one of the points the flow never reached.
 */
static bool reached_owner(const struct engine *e, const struct group *g)
{
	const struct sighting *s = group_last_request(e, g);
	const struct neigh *ne;

	if (!s)
		return false;
	ne = neigh_find(e, g->family, s->dst);
	return ne && (ne->claim_mask & (1ull << g->after));
}

static void locate_request(struct engine *e, struct group *g,
			   const struct flow *f)
{
	int idx = furthest(f->req_path, f->req_len, g->req_mask);
	uint64_t others;

	g->reply_dir = false;
	if (idx < 0)
		return;
	g->after = f->req_path[idx];
	g->before = next_missing(f->req_path, f->req_len, idx, g->req_mask);
	if (g->before >= 0 || f->outcome[PO_ANSWERED])
		return;
	/*
	 * The request reached the end of what this flow ever reached and no
	 * probe of the flow was answered: the watched points it never
	 * reached are where it should have gone next.
	 */
	others = watched_mask(e) & ~f->req_mask & ~f->rep_mask;
	if (reached_owner(e, g)) {
		g->at_owner = true;
		return;
	}
	if (!others)
		return;
	g->missing_mask = others;
	g->before = order_from_other_flows(e, g->after, others);
	if (g->before < 0 && !(others & (others - 1)))
		g->before = __builtin_ctzll(others);
}

/* Points of the reply path that only the reversed request path put there. */
static uint64_t guessed_reply_points(const struct flow *f)
{
	uint64_t m = 0;
	int k;

	for (k = f->rep_seen_len; k < f->rep_len; k++)
		m |= 1ull << f->rep_path[k];
	return m;
}

static void locate_reply(struct group *g, const struct flow *f)
{
	int idx = furthest(f->rep_path, f->rep_len, g->rep_mask);
	uint64_t guessed = guessed_reply_points(f);

	g->reply_dir = true;
	if (idx < 0)
		return;
	g->after = f->rep_path[idx];
	g->before = next_missing(f->rep_path, f->rep_len, idx, g->rep_mask);
	/*
	 * Replies seen only where requests never pass (an asymmetric return
	 * path) say nothing of where they would rejoin the way the requests
	 * took: the points they may reach next are candidates, not an order.
	 */
	if (g->before >= 0 && (guessed & (1ull << g->before)) &&
	    !(f->rep_mask & f->req_mask)) {
		g->before = -1;
		g->missing_mask = guessed & ~g->rep_mask;
	}
}

void path_locate(struct engine *e)
{
	uint32_t i;

	for (i = 0; i < e->n_groups; i++) {
		struct group *g = &e->groups[i];
		const struct flow *f = &e->flows[g->flow];

		g->after = g->before = -1;
		/* an unfinished probe is placed like a lost one: where it was */
		if (g->outcome == PO_LOST_REQUEST ||
		    (g->outcome == PO_UNFINISHED && !g->rep_mask))
			locate_request(e, g, f);
		else if (g->outcome == PO_LOST_REPLY ||
			 g->outcome == PO_UNFINISHED)
			locate_reply(g, f);
		else
			continue;
		g->not_watched = outside_coverage(e, g, g->before);
	}
}

static void swap_sides(struct nat_rewrite *n)
{
	uint8_t t[16];
	uint64_t m;
	uint16_t id;

	memcpy(t, n->src0, 16);
	memcpy(n->src0, n->src1, 16);
	memcpy(n->src1, t, 16);
	memcpy(t, n->dst0, 16);
	memcpy(n->dst0, n->dst1, 16);
	memcpy(n->dst1, t, 16);
	id = n->id0;
	n->id0 = n->id1;
	n->id1 = id;
	m = n->mask0;
	n->mask0 = n->mask1;
	n->mask1 = m;
	m = n->frame_from;
	n->frame_from = n->frame_to;
	n->frame_to = m;
}

static int first_in(const uint8_t *path, uint8_t len, uint64_t mask)
{
	int i;

	for (i = 0; i < len; i++)
		if (mask & (1ull << path[i]))
			return i;
	return -1;
}

/* Orients each rewrite along its flow's path: tuple 0 before, 1 after. */
void nat_resolve(struct engine *e)
{
	uint32_t i;

	for (i = 0; i < e->n_nats; i++) {
		struct nat_rewrite *n = &e->nats[i];
		const struct flow *f = &e->flows[n->flow];
		const uint8_t *path = n->kind == SK_REQ ? f->req_path : f->rep_path;
		uint8_t len = n->kind == SK_REQ ? f->req_len : f->rep_len;
		int a = furthest(path, len, n->mask0);
		int b = first_in(path, len, n->mask1);

		if (a >= 0 && b >= 0 && b < a) {
			swap_sides(n);
			a = furthest(path, len, n->mask0);
			b = first_in(path, len, n->mask1);
		}
		n->from = a >= 0 ? path[a] : __builtin_ctzll(n->mask0);
		n->to = b >= 0 ? path[b] : __builtin_ctzll(n->mask1);
	}
}
