// SPDX-License-Identifier: GPL-2.0
/*
 * The probe table: recognises one echo probe at every point by a fingerprint
 * NAT does not change (family, sequence, echo data length, FNV hash of the
 * echo data), never by addresses or ICMP identifier.  A reply echoes the
 * request's data, so it carries the same fingerprint: pairing is free.
 *
 * Probes live in a hash table only while their reply may still come; then
 * they are closed: folded into their flow (path learning, RTT), into an
 * outcome group (drop location), into the NAT and size statistics, and kept
 * in detail only while the keep budget lasts.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DUP_WINDOW_NS 1000000000ull	/* same request again later = new probe */
#define ANSWERED_GRACE_NS 200000000ull	/* close answered probes after this */
#define MAX_SIGHT 32

static uint32_t fp_bucket(const struct engine *e, int family, uint16_t seq,
			  uint32_t len)
{
	uint64_t h = (uint64_t)family * 0x9e3779b97f4a7c15ull;

	h ^= ((uint64_t)seq << 32) | len;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (uint32_t)h & (e->n_buckets - 1);
}

static bool probe_table_grow(struct engine *e)
{
	uint32_t n = e->n_buckets ? e->n_buckets * 2 : 1024, i;
	struct probe **nb = calloc(n, sizeof(*nb));
	struct probe **old = e->buckets;
	uint32_t old_n = e->n_buckets;

	if (!nb)
		return false;
	e->buckets = nb;
	e->n_buckets = n;
	for (i = 0; i < old_n; i++) {
		struct probe *pr = old[i], *next;

		for (; pr; pr = next) {
			uint32_t b = fp_bucket(e, pr->family, pr->seq, pr->len);

			next = pr->hnext;
			pr->hnext = nb[b];
			nb[b] = pr;
		}
	}
	free(old);
	return true;
}

/*
 * Finds the open probe with this fingerprint.  Hashes are comparable only
 * when they cover the same number of echo bytes; when the snap length cut
 * one of them, the newest probe with the same sequence and length is taken
 * and *partial says the match rests on less evidence.
 */
static struct probe *probe_lookup(struct engine *e, int family, uint16_t seq,
				  uint32_t len, uint64_t hash, uint32_t caplen,
				  bool *partial)
{
	struct probe *pr, *cand = NULL;

	*partial = false;
	if (!e->n_buckets)
		return NULL;
	pr = e->buckets[fp_bucket(e, family, seq, len)];
	for (; pr; pr = pr->hnext) {
		if (pr->family != family || pr->seq != seq || pr->len != len)
			continue;
		if (pr->hash_caplen == caplen) {
			if (pr->hash == hash)
				return pr;
			continue;
		}
		if (!cand)
			cand = pr;
	}
	if (cand)
		*partial = true;
	return cand;
}

static void unlink_live(struct engine *e, struct probe *pr)
{
	struct probe **pp = &e->buckets[fp_bucket(e, pr->family, pr->seq,
						   pr->len)];

	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == pr) {
			*pp = pr->hnext;
			break;
		}
	}
	if (pr->older)
		pr->older->newer = pr->newer;
	else
		e->oldest = pr->newer;
	if (pr->newer)
		pr->newer->older = pr->older;
	else
		e->newest = pr->older;
	pr->hnext = pr->older = pr->newer = NULL;
	e->n_live--;
}

static struct probe *probe_create(struct engine *e, int family, uint16_t seq,
				  uint32_t len, uint64_t hash, uint32_t caplen)
{
	struct probe *pr;
	uint32_t b;

	if (e->n_live >= e->n_buckets && !probe_table_grow(e))
		return NULL;
	pr = calloc(1, sizeof(*pr));
	if (!pr)
		return NULL;
	pr->id = ++e->next_probe_id;
	pr->family = (uint8_t)family;
	pr->seq = seq;
	pr->len = len;
	pr->hash = hash;
	pr->hash_caplen = caplen;
	pr->first_ts = e->now;
	b = fp_bucket(e, family, seq, len);
	pr->hnext = e->buckets[b];
	e->buckets[b] = pr;
	pr->older = e->newest;
	if (e->newest)
		e->newest->newer = pr;
	else
		e->oldest = pr;
	e->newest = pr;
	e->n_live++;
	return pr;
}

static void probe_destroy(struct probe *pr)
{
	if (!pr)
		return;
	free(pr->s);
	free(pr);
}

static struct sighting *find_sighting(struct probe *pr, uint16_t point,
				      uint8_t kind)
{
	uint16_t i;

	for (i = 0; i < pr->n_sight; i++)
		if (pr->s[i].point == point && pr->s[i].kind == kind)
			return &pr->s[i];
	return NULL;
}

static struct sighting *add_sighting(struct probe *pr)
{
	if (pr->n_sight == pr->cap_sight) {
		uint16_t ncap = pr->cap_sight ? pr->cap_sight * 2 : 4;
		struct sighting *n;

		if (pr->cap_sight >= MAX_SIGHT) {
			pr->flags |= PF_SIGHT_OVERFLOW;
			return NULL;
		}
		n = realloc(pr->s, ncap * sizeof(*n));
		if (!n) {
			pr->flags |= PF_SIGHT_OVERFLOW;
			return NULL;
		}
		pr->s = n;
		pr->cap_sight = ncap;
	}
	memset(&pr->s[pr->n_sight], 0, sizeof(pr->s[0]));
	return &pr->s[pr->n_sight++];
}

static void copy_addr(uint8_t dst[16], const struct ip_addr *a)
{
	memcpy(dst, a->a, 16);
}

static uint16_t packet_vlan(const struct packet *p, bool *has)
{
	*has = true;
	if (p->n_vlan)
		return p->vlan[0].vid;
	if (p->frame && (p->frame->flags & FRAME_F_HW_VLAN))
		return p->frame->hw_vlan_tci & 0x0fff;
	*has = false;
	return 0;
}

static void fill_sighting(struct sighting *s, const struct packet *p,
			  uint16_t point, uint8_t kind)
{
	bool has_vlan;

	s->ts_ns = p->frame->ts_ns;
	s->frame_no = p->frame->number;
	s->point = point;
	s->kind = kind;
	s->dir = p->frame->dir;
	copy_addr(s->src, &p->net.ip.src);
	copy_addr(s->dst, &p->net.ip.dst);
	s->ttl = s->min_ttl = p->net.ip.ttl;
	s->vlan = packet_vlan(p, &has_vlan);
	if (has_vlan)
		s->flags |= SF_VLAN;
	if (p->net.ip.hdr_csum == CSUM_BAD || p->net.icmp.csum == CSUM_BAD)
		s->flags |= SF_CSUM_BAD;
}

/* Another copy at a point that already saw this probe the same way. */
static void note_duplicate(struct probe *pr, struct sighting *s, uint8_t ttl)
{
	if (s->dups < 255)
		s->dups++;
	if (ttl < s->min_ttl) {
		s->min_ttl = ttl;
		pr->flags |= PF_LOOP;
	}
}

/*
 * True when a request at a point that already saw this probe's request is
 * a new probe reusing the fingerprint (wrapped sequence, constant payload)
 * rather than a duplicate copy.
 */
static bool is_new_probe(const struct engine *e, struct probe *pr,
			 const struct sighting *old)
{
	if (pr->rep_mask & (1ull << old->point))
		return true;
	return e->now - old->ts_ns > DUP_WINDOW_NS;
}

static void probe_close(struct engine *e, struct probe *pr, bool at_end);

void probe_feed(struct engine *e, const struct packet *p, uint16_t point)
{
	const struct icmp_info *ic = &p->net.icmp;
	int family = (p->layers & LAYER_ICMPV6) ? 6 : 4;
	bool is_req, partial, dropped;
	struct probe *pr;
	struct sighting *s;
	uint8_t kind;

	is_req = family == 4 ? ic->type == 8 : ic->type == 128;
	dropped = p->frame->flags & FRAME_F_KERNEL_DROP;
	kind = dropped ? SK_DROP : is_req ? SK_REQ : SK_REP;
	pr = probe_lookup(e, family, ic->echo_seq, ic->echo_len, ic->echo_hash,
			  ic->echo_caplen, &partial);
	if (pr && kind != SK_DROP) {
		s = find_sighting(pr, point, kind);
		if (s && kind == SK_REQ && is_new_probe(e, pr, s)) {
			probe_close(e, pr, false);
			pr = NULL;
		} else if (s) {
			note_duplicate(pr, s, p->net.ip.ttl);
			pr->last_ts = e->now;
			return;
		}
	}
	if (!pr) {
		pr = probe_create(e, family, ic->echo_seq, ic->echo_len,
				  ic->echo_hash, ic->echo_caplen);
		if (!pr)
			return;
	}
	if (partial || ic->echo_caplen < ic->echo_len) {
		pr->flags |= PF_PARTIAL_FP;
		if (point < ENGINE_MAX_POINTS)
			e->pstat[point].snapped_probes++;
	}
	pr->last_ts = e->now;
	s = add_sighting(pr);
	if (!s)
		return;
	fill_sighting(s, p, point, kind);
	s->echo_id = ic->echo_id;
	if (ic->echo_caplen < ic->echo_len)
		s->flags |= SF_SNAPPED;
	if (kind == SK_REQ) {
		pr->req_mask |= 1ull << point;
		e->pstat[point].probes_req++;
	} else if (kind == SK_REP) {
		pr->rep_mask |= 1ull << point;
		e->pstat[point].probes_rep++;
	} else {
		pr->drop_mask |= 1ull << point;
		if (!is_req)
			s->flags |= SF_DROP_REPLY;
		s->aux = (uint16_t)(engine_intern_reason(e, p->frame->comment,
							 p->frame->comment_len) + 1);
	}
}

/* An ICMP error quoting an echo request: a sighting of that probe. */
void probe_feed_error(struct engine *e, const struct packet *p, uint16_t point)
{
	const struct icmp_info *q = &p->quoted.icmp;
	int family = (p->quoted_layers & LAYER_ICMPV6) ? 6 : 4;
	bool partial;
	struct probe *pr;
	struct sighting *s;

	pr = probe_lookup(e, family, q->echo_seq, q->echo_len, q->echo_hash,
			  q->echo_caplen, &partial);
	if (!pr) {
		e->late_errors++;
		return;
	}
	s = find_sighting(pr, point, SK_ERR);
	if (s) {
		note_duplicate(pr, s, p->net.ip.ttl);
		return;
	}
	s = add_sighting(pr);
	if (!s)
		return;
	fill_sighting(s, p, point, SK_ERR);
	s->echo_id = (uint16_t)(p->net.icmp.type << 8 | p->net.icmp.code);
	s->aux = (uint16_t)(p->net.icmp.mtu > 0xffff ? 0xffff : p->net.icmp.mtu);
	pr->err_mask |= 1ull << point;
	pr->last_ts = e->now;
}

/* ---- closing a probe ------------------------------------------------- */

static const struct sighting *first_of(const struct probe *pr, uint8_t kind)
{
	uint16_t i;

	for (i = 0; i < pr->n_sight; i++)
		if (pr->s[i].kind == kind)
			return &pr->s[i];
	return NULL;
}

static uint16_t flow_for(struct engine *e, const struct probe *pr)
{
	const struct sighting *s = first_of(pr, SK_REQ);
	uint8_t src[16], dst[16];
	uint32_t i;
	struct flow *f;

	if (s) {
		memcpy(src, s->src, 16);
		memcpy(dst, s->dst, 16);
	} else if ((s = first_of(pr, SK_REP))) {
		/* an orphan reply travels the other way */
		memcpy(src, s->dst, 16);
		memcpy(dst, s->src, 16);
	} else {
		memset(src, 0, 16);
		memset(dst, 0, 16);
	}
	for (i = 0; i < e->n_flows; i++) {
		f = &e->flows[i];
		if (f->family == pr->family && !memcmp(f->src, src, 16) &&
		    !memcmp(f->dst, dst, 16))
			return (uint16_t)i;
	}
	if (e->n_flows == MAX_FLOWS) {
		/* the last slot collects the rest */
		e->flows_overflow++;
		return MAX_FLOWS - 1;
	}
	f = &e->flows[e->n_flows];
	f->family = pr->family;
	memcpy(f->src, src, 16);
	memcpy(f->dst, dst, 16);
	f->rtt_min_ms = 1e18;
	return (uint16_t)e->n_flows++;
}

static void learn_order(struct flow *f, const struct probe *pr)
{
	uint16_t i, j;

	for (i = 0; i < pr->n_sight; i++) {
		const struct sighting *a = &pr->s[i];

		if (a->kind != SK_REQ && a->kind != SK_REP)
			continue;
		for (j = i + 1; j < pr->n_sight; j++) {
			const struct sighting *b = &pr->s[j];

			/* equal times (coarse clocks) say nothing of order */
			if (b->kind != a->kind || b->point == a->point ||
			    b->ts_ns == a->ts_ns)
				continue;
			/* sightings are in time order: a came first */
			if (a->kind == SK_REQ)
				f->req_prec[a->point][b->point]++;
			else
				f->rep_prec[a->point][b->point]++;
		}
	}
}

static void learn_rtt(struct flow *f, const struct probe *pr)
{
	const struct sighting *rq = first_of(pr, SK_REQ), *rp;
	double ms;

	if (!rq)
		return;
	rp = find_sighting((struct probe *)pr, rq->point, SK_REP);
	if (!rp || rp->ts_ns < rq->ts_ns)
		return;
	ms = (double)(rp->ts_ns - rq->ts_ns) / 1e6;
	f->rtt_sum_ms += ms;
	f->rtt_n++;
	if (ms < f->rtt_min_ms)
		f->rtt_min_ms = ms;
	if (ms > f->rtt_max_ms)
		f->rtt_max_ms = ms;
}

static void note_nat(struct engine *e, uint16_t flow, const struct probe *pr,
		     const struct sighting *a, const struct sighting *b)
{
	struct nat_rewrite *n;
	uint32_t i;

	if (!memcmp(a->src, b->src, 16) && !memcmp(a->dst, b->dst, 16) &&
	    a->echo_id == b->echo_id)
		return;
	for (i = 0; i < e->n_nats; i++) {
		n = &e->nats[i];
		if (n->flow == flow && n->from == a->point && n->to == b->point &&
		    !memcmp(n->src1, b->src, 16) && !memcmp(n->dst1, b->dst, 16)) {
			n->count++;
			return;
		}
	}
	if (e->n_nats == MAX_NATS)
		return;
	n = &e->nats[e->n_nats++];
	n->flow = flow;
	n->from = a->point;
	n->to = b->point;
	n->family = pr->family;
	memcpy(n->src0, a->src, 16);
	memcpy(n->dst0, a->dst, 16);
	memcpy(n->src1, b->src, 16);
	memcpy(n->dst1, b->dst, 16);
	n->id0 = a->echo_id;
	n->id1 = b->echo_id;
	n->count = 1;
	n->frame_from = a->frame_no;
	n->frame_to = b->frame_no;
	n->ts = b->ts_ns;
}

/* Consecutive sightings of the same kind whose addresses or id differ. */
static void learn_nat(struct engine *e, uint16_t flow, const struct probe *pr)
{
	const struct sighting *last[2] = { NULL, NULL };
	uint16_t i;

	for (i = 0; i < pr->n_sight; i++) {
		const struct sighting *s = &pr->s[i];

		if (s->kind != SK_REQ && s->kind != SK_REP)
			continue;
		if (last[s->kind])
			note_nat(e, flow, pr, last[s->kind], s);
		last[s->kind] = s;
	}
}

static void learn_size(struct engine *e, const struct probe *pr)
{
	struct size_stat *st = NULL;
	uint32_t i;

	for (i = 0; i < e->n_sizes; i++)
		if (e->sizes[i].len == pr->len)
			st = &e->sizes[i];
	if (!st) {
		if (e->n_sizes == MAX_SIZES)
			return;
		st = &e->sizes[e->n_sizes++];
		st->len = pr->len;
		st->after = st->before = -1;
	}
	if (pr->outcome == PO_ANSWERED)
		st->answered++;
	else if (pr->outcome == PO_LOST_REQUEST || pr->outcome == PO_LOST_REPLY)
		st->lost++;
}

static const struct sighting *last_of(const struct probe *pr, uint8_t kind)
{
	const struct sighting *r = NULL;
	uint16_t i;

	for (i = 0; i < pr->n_sight; i++)
		if (pr->s[i].kind == kind)
			r = &pr->s[i];
	return r;
}

static void group_key(const struct probe *pr, struct group *k)
{
	const struct sighting *err = last_of(pr, SK_ERR);
	const struct sighting *drop = last_of(pr, SK_DROP);
	const struct sighting *lr = last_of(pr, SK_REQ);
	const struct sighting *lp = last_of(pr, SK_REP);
	const struct sighting *last = lp ? lp : lr;

	memset(k, 0, sizeof(*k));
	k->flow = pr->flow;
	k->outcome = pr->outcome;
	k->family = pr->family;
	k->req_mask = pr->req_mask;
	k->rep_mask = pr->rep_mask;
	k->err_mask = pr->err_mask;
	k->drop_reason = -1;
	if (err) {
		k->err = err->echo_id;
		memcpy(k->err_src, err->src, 16);
		k->err_mtu = err->aux;
	}
	if (drop)
		k->drop_reason = (int16_t)(drop->aux - 1);
	if (last) {
		k->csum_bad = last->flags & SF_CSUM_BAD;
		k->vlan_last = (last->flags & SF_VLAN) ? last->vlan + 1 : 0;
	}
	k->incomplete_fp = pr->flags & PF_PARTIAL_FP;
	k->forced = pr->flags & PF_FORCED;
}

static bool group_same(const struct group *a, const struct group *b)
{
	return a->flow == b->flow && a->outcome == b->outcome &&
	       a->req_mask == b->req_mask && a->rep_mask == b->rep_mask &&
	       a->err_mask == b->err_mask && a->err == b->err &&
	       !memcmp(a->err_src, b->err_src, 16) &&
	       a->drop_reason == b->drop_reason && a->csum_bad == b->csum_bad &&
	       a->vlan_last == b->vlan_last &&
	       a->incomplete_fp == b->incomplete_fp && a->forced == b->forced;
}

static void learn_group(struct engine *e, const struct probe *pr)
{
	const struct sighting *ex = first_of(pr, SK_REQ);
	struct group k, *g = NULL;
	uint32_t i;

	group_key(pr, &k);
	for (i = 0; i < e->n_groups; i++) {
		if (group_same(&e->groups[i], &k)) {
			g = &e->groups[i];
			break;
		}
	}
	if (!g) {
		if (e->n_groups == MAX_GROUPS) {
			e->groups_overflow++;
			return;
		}
		g = &e->groups[e->n_groups++];
		*g = k;
		g->min_len = g->max_len = pr->len;
		g->first_ts = pr->first_ts;
		g->after = g->before = -1;
	}
	g->count++;
	g->last_ts = pr->first_ts;
	if (pr->len < g->min_len)
		g->min_len = pr->len;
	if (pr->len > g->max_len)
		g->max_len = pr->len;
	if (!ex && pr->n_sight)
		ex = &pr->s[0];
	if (g->n_examples < GROUP_EXAMPLES && ex) {
		g->example_id[g->n_examples] = pr->id;
		g->example_frame[g->n_examples] = ex->frame_no;
		g->example_point[g->n_examples] = ex->point;
		g->example_ts[g->n_examples] = ex->ts_ns;
		g->n_examples++;
	}
}

static uint8_t outcome_of(const struct engine *e, const struct probe *pr,
			  bool at_end)
{
	const struct sighting *origin = first_of(pr, SK_REQ);

	if (!pr->req_mask)
		return PO_ORPHAN_REPLY;
	if (origin && (pr->rep_mask & (1ull << origin->point)))
		return PO_ANSWERED;
	if (at_end && !(pr->flags & PF_FORCED) &&
	    e->now - pr->first_ts < e->o.timeout_ns)
		return PO_UNFINISHED;
	return pr->rep_mask ? PO_LOST_REPLY : PO_LOST_REQUEST;
}

static bool keep_probe(struct engine *e, struct probe *pr)
{
	uint32_t budget = e->o.keep_probes;

	if (pr->outcome != PO_ANSWERED)
		budget *= 4;	/* failures are what the reader wants to see */
	if (e->n_kept >= budget) {
		e->kept_skipped++;
		return false;
	}
	if (e->n_kept == e->cap_kept) {
		uint32_t ncap = e->cap_kept ? e->cap_kept * 2 : 64;
		struct probe **n = realloc(e->kept, ncap * sizeof(*n));

		if (!n)
			return false;
		e->kept = n;
		e->cap_kept = ncap;
	}
	e->kept[e->n_kept++] = pr;
	return true;
}

static void probe_close(struct engine *e, struct probe *pr, bool at_end)
{
	struct flow *f;

	unlink_live(e, pr);
	pr->outcome = outcome_of(e, pr, at_end);
	pr->flow = flow_for(e, pr);
	f = &e->flows[pr->flow];
	f->probes++;
	f->outcome[pr->outcome]++;
	f->req_mask |= pr->req_mask;
	f->rep_mask |= pr->rep_mask;
	e->outcome[pr->outcome]++;
	learn_order(f, pr);
	learn_rtt(f, pr);
	learn_nat(e, pr->flow, pr);
	learn_size(e, pr);
	learn_group(e, pr);
	if (e->done_fn)
		e->done_fn(e->done_ctx, e, pr);
	if (!keep_probe(e, pr))
		probe_destroy(pr);
}

static bool closable(const struct engine *e, const struct probe *pr)
{
	const struct sighting *origin;

	if (e->now - pr->first_ts > e->o.timeout_ns)
		return true;
	if (!pr->rep_mask || e->now - pr->last_ts < ANSWERED_GRACE_NS)
		return false;
	origin = first_of(pr, SK_REQ);
	return origin && (pr->rep_mask & (1ull << origin->point));
}

void probe_expire(struct engine *e, bool all)
{
	while (e->oldest) {
		struct probe *pr = e->oldest;

		if (!all && !closable(e, pr)) {
			if (e->n_live <= e->o.max_live)
				break;
			pr->flags |= PF_FORCED;
			e->forced++;
		}
		probe_close(e, pr, all);
	}
}

void probe_table_free(struct engine *e)
{
	struct probe *pr, *next;
	uint32_t i;

	for (pr = e->oldest; pr; pr = next) {
		next = pr->newer;
		probe_destroy(pr);
	}
	e->oldest = e->newest = NULL;
	free(e->buckets);
	e->buckets = NULL;
	for (i = 0; i < e->n_kept; i++)
		probe_destroy(e->kept[i]);
	free(e->kept);
	e->kept = NULL;
	e->n_kept = 0;
}

int engine_intern_reason(struct engine *e, const char *s, size_t n)
{
	uint32_t i;
	char *copy;

	if (!s || !n)
		s = "unknown", n = 7;
	if (n > 120)
		n = 120;
	for (i = 0; i < e->n_reasons; i++)
		if (!strncmp(e->reasons[i], s, n) && !e->reasons[i][n])
			return (int)i;
	if (e->n_reasons == MAX_REASONS)
		return MAX_REASONS - 1;
	copy = malloc(n + 1);
	if (!copy)
		return 0;
	memcpy(copy, s, n);
	copy[n] = 0;
	e->reasons[e->n_reasons] = copy;
	return (int)e->n_reasons++;
}

const char *engine_reason(const struct engine *e, int idx)
{
	if (idx < 0 || (uint32_t)idx >= e->n_reasons)
		return "unknown";
	return e->reasons[idx];
}
