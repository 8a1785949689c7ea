// SPDX-License-Identifier: GPL-2.0
/*
 * The probe table: recognises one echo probe at every point by a fingerprint
 * NAT does not change (family, sequence, echo data length, FNV hash of the
 * echo data) and a tuple (addresses, ICMP id) that must agree with one
 * consistent mapping between the points (identity.c).  A reply echoes the
 * request's data, so it carries the same fingerprint: pairing is free.
 *
 * Probes live in a hash table only while their reply may still come; then
 * they are closed: folded into their flow (path learning, RTT), into an
 * outcome group (drop location), into the NAT and size statistics, and kept
 * in detail only while the keep budget lasts.
 */
#include <stdlib.h>
#include <string.h>

#include "common/drop_event.h"
#include "internal.h"

#define DUP_WINDOW_NS 1000000000ull	/* same request again later = new probe */
#define ANSWERED_GRACE_NS 50000000ull	/* close answered probes after this */
#define MAX_SIGHT 32

static void chain_insert(struct probe **head, struct probe *pr)
{
	pr->hnext = *head;
	if (*head)
		(*head)->hpprev = &pr->hnext;
	*head = pr;
	pr->hpprev = head;
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
			uint32_t b = probe_bucket(e, pr->family, pr->seq);

			next = pr->hnext;
			chain_insert(&nb[b], pr);
		}
	}
	free(old);
	return true;
}

static void list_unlink(struct probe **oldest, struct probe **newest,
			struct probe *pr)
{
	if (pr->older)
		pr->older->newer = pr->newer;
	else
		*oldest = pr->newer;
	if (pr->newer)
		pr->newer->older = pr->older;
	else
		*newest = pr->older;
	pr->older = pr->newer = NULL;
}

static void list_append(struct probe **oldest, struct probe **newest,
			struct probe *pr)
{
	pr->newer = NULL;
	pr->older = *newest;
	if (*newest)
		(*newest)->newer = pr;
	else
		*oldest = pr;
	*newest = pr;
}

static void unlink_live(struct engine *e, struct probe *pr)
{
	*pr->hpprev = pr->hnext;
	if (pr->hnext)
		pr->hnext->hpprev = pr->hpprev;
	if (pr->answered_list)
		list_unlink(&e->ans_oldest, &e->ans_newest, pr);
	else
		list_unlink(&e->oldest, &e->newest, pr);
	pr->hnext = NULL;
	pr->hpprev = NULL;
	pr->answered_list = false;
	e->n_live--;
}

/*
 * Closed probes are recycled with their sighting arrays: a long capture
 * opens and closes millions, and malloc would be a good part of the cost.
 */
#define FREE_PROBES_MAX 4096

static struct probe *probe_alloc(struct engine *e)
{
	struct probe *pr = e->free_probes;
	struct sighting *s;
	uint16_t cap;

	if (!pr)
		return calloc(1, sizeof(*pr));
	e->free_probes = pr->hnext;
	e->n_free--;
	s = pr->s;
	cap = pr->cap_sight;
	memset(pr, 0, sizeof(*pr));
	pr->s = s;
	pr->cap_sight = cap;
	return pr;
}

static void probe_recycle(struct engine *e, struct probe *pr)
{
	if (e->n_free >= FREE_PROBES_MAX) {
		free(pr->s);
		free(pr);
		return;
	}
	pr->hnext = e->free_probes;
	e->free_probes = pr;
	e->n_free++;
}

static struct probe *probe_create(struct engine *e, int family, uint16_t seq,
				  uint32_t len, uint64_t hash, uint32_t caplen)
{
	struct probe *pr;
	uint32_t b;

	if (e->n_live >= e->n_buckets && !probe_table_grow(e))
		return NULL;
	pr = probe_alloc(e);
	if (!pr)
		return NULL;
	pr->id = ++e->next_probe_id;
	pr->family = (uint8_t)family;
	pr->seq = seq;
	pr->len = len;
	pr->hash = hash;
	pr->hash_caplen = caplen;
	pr->first_ts = e->now;
	b = probe_bucket(e, family, seq);
	chain_insert(&e->buckets[b], pr);
	list_append(&e->oldest, &e->newest, pr);
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
	/*
	 * Fragmentable: IPv4 without DF, which routers fragment; or a datagram
	 * seen in fragments (IPv6: its source fragmented it): an MTU on the
	 * way does not drop it whole.
	 */
	if (((p->layers & LAYER_ICMP) && !p->net.ip.df) ||
	    (p->frame && (p->frame->flags & FRAME_F_REASSEMBLED)))
		s->flags |= SF_FRAGMENTABLE;
}

/* The encapsulation's index + 1 in the engine's table, added if new. */
static uint8_t encap_index(struct engine *e, const struct tunnel_info *t)
{
	struct encap_seen *x;
	uint8_t i, fam = t->src.family;

	for (i = 0; i < e->n_encaps; i++) {
		x = &e->encaps[i];
		if (x->type == t->type && x->has_id == t->has_id &&
		    x->id == t->id && x->family == fam &&
		    !memcmp(x->src, t->src.a, 16) &&
		    !memcmp(x->dst, t->dst.a, 16))
			return (uint8_t)(i + 1);
	}
	if (e->n_encaps >= ENCAP_MAX)
		return ENCAP_UNKNOWN;
	x = &e->encaps[e->n_encaps++];
	x->type = t->type;
	x->has_id = t->has_id;
	x->id = t->id;
	x->family = fam;
	memcpy(x->src, t->src.a, 16);
	memcpy(x->dst, t->dst.a, 16);
	return e->n_encaps;
}

/*
 * A probe seen inside a tunnel (on the underlay), or quoted inside one by
 * an underlay's ICMP error: which tunnel, and how long the outer packet
 * was, for the report and the MTU evidence.
 */
static void note_encap(struct engine *e, struct sighting *s,
		       const struct packet *p)
{
	if (!((p->layers | p->quoted_layers) & LAYER_TUNNEL))
		return;
	s->encap = encap_index(e, &p->tun);
	s->outer_len = p->tun.outer_len;
	if (p->tun.outer_df)
		s->flags |= SF_OUTER_DF;
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
static void note_answered(struct engine *e, struct probe *pr);

/*
 * A kernel drop's reason and function, from the typed event the frame
 * carries (frame.drop: built by the live path, decoded from the saved
 * comment by the file reader), so the verdict does not depend on where the
 * frame came from.  A drop record of another tool (no event) keeps its
 * comment whole as the reason, with no function.
 */
int probe_drop_reason(struct engine *e, const struct frame *f)
{
	const struct drop_event *ev = f->drop;
	char func[DROP_SYMBOL_MAX];

	if (ev) {
		drop_event_function(ev, func, sizeof(func));
		if (!strcmp(func, "?"))
			func[0] = '\0';
		return engine_intern_drop_nft(e, ev->reason_name, func, ev->dev,
					      ev->dev_netns, &ev->nft);
	}
	return engine_intern_reason(e, f->comment, f->comment_len);
}

bool probe_feed(struct engine *e, const struct packet *p, uint16_t point)
{
	const struct icmp_info *ic = &p->net.icmp;
	int family = (p->layers & LAYER_ICMPV6) ? 6 : 4;
	bool is_req, partial, dropped, data_differs;
	struct identity_key k;
	struct probe *pr;
	struct sighting *s;
	uint8_t kind;

	is_req = family == 4 ? ic->type == 8 : ic->type == 128;
	dropped = p->frame->flags & FRAME_F_KERNEL_DROP;
	kind = dropped ? SK_DROP : is_req ? SK_REQ : SK_REP;
	k.ic = ic;
	k.family = (uint8_t)family;
	k.kind = kind;
	k.point = point;
	k.first_fragment = p->net.ip.is_fragment;
	tuple_of_packet(&k.t, p, kind, is_req);
	pr = identity_find(e, &k, &partial, &data_differs);
	/* a dropped fragment of no probe we know stays an other drop */
	if (!pr && k.first_fragment)
		return false;
	if (data_differs && !(pr->flags & PF_DATA_DIFFERS)) {
		pr->flags |= PF_DATA_DIFFERS;
		e->data_differs++;
	}
	if (pr && kind != SK_DROP) {
		s = find_sighting(pr, point, kind);
		if (s && kind == SK_REQ && is_new_probe(e, pr, s)) {
			probe_close(e, pr, false);
			pr = NULL;
		} else if (s) {
			note_duplicate(pr, s, p->net.ip.ttl);
			pr->last_ts = e->now;
			return true;
		}
	}
	if (!pr) {
		pr = probe_create(e, family, ic->echo_seq, ic->echo_len,
				  ic->echo_hash, ic->echo_caplen);
		if (!pr)
			return true;
	}
	if (!k.first_fragment &&
	    (partial || ic->echo_caplen < ic->echo_len)) {
		pr->flags |= PF_PARTIAL_FP;
		if (point < ENGINE_MAX_POINTS)
			e->pstat[point].snapped_probes++;
	}
	pr->last_ts = e->now;
	s = add_sighting(pr);
	if (!s)
		return true;
	fill_sighting(s, p, point, kind);
	note_encap(e, s, p);
	s->echo_id = ic->echo_id;
	if (ic->echo_caplen < ic->echo_len)
		s->flags |= SF_SNAPPED;
	if (kind == SK_REQ) {
		pr->req_mask |= 1ull << point;
		e->pstat[point].probes_req++;
	} else if (kind == SK_REP) {
		pr->rep_mask |= 1ull << point;
		e->pstat[point].probes_rep++;
		identity_repair(e, pr);
		note_answered(e, pr);
	} else {
		pr->drop_mask |= 1ull << point;
		if (!is_req)
			s->flags |= SF_DROP_REPLY;
		s->aux = (uint16_t)(probe_drop_reason(e, p->frame) + 1);
	}
	return true;
}

static struct sighting *find_error(struct probe *pr, uint16_t point,
				   uint8_t type, uint8_t code)
{
	uint16_t i, key = (uint16_t)(type << 8 | code);

	for (i = 0; i < pr->n_sight; i++)
		if (pr->s[i].point == point && pr->s[i].kind == SK_ERR &&
		    pr->s[i].echo_id == key)
			return &pr->s[i];
	return NULL;
}

/* An ICMP error quoting an echo request: a sighting of that probe. */
void probe_feed_error(struct engine *e, const struct packet *p, uint16_t point)
{
	int family = (p->quoted_layers & LAYER_ICMPV6) ? 6 : 4;
	bool partial, data_differs;
	struct identity_key k;
	struct probe *pr;
	struct sighting *s;

	k.ic = &p->quoted.icmp;
	k.family = (uint8_t)family;
	k.kind = SK_ERR;
	k.point = point;
	/* an error about a fragment quotes its first one, if any */
	k.first_fragment = p->quoted.ip.is_fragment;
	tuple_of_packet(&k.t, p, SK_ERR, true);
	pr = identity_find(e, &k, &partial, &data_differs);
	if (!pr) {
		e->late_errors++;
		return;
	}
	s = find_error(pr, point, p->net.icmp.type, p->net.icmp.code);
	if (s) {
		note_duplicate(pr, s, p->net.ip.ttl);
		return;
	}
	s = add_sighting(pr);
	if (!s)
		return;
	fill_sighting(s, p, point, SK_ERR);
	note_encap(e, s, p);
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

/*
 * The flow index's hash: all 16 bytes of each address (flows compare all
 * 16, IPv4 in the first 4 and zeros after), a word at a time with
 * independent multiplies rather than a byte-serial FNV chain.  Only where
 * a flow sits in the index depends on it, never which flow it is.
 */
static uint32_t flow_hash(int family, const uint8_t *src, const uint8_t *dst)
{
	uint64_t a0, a1, b0, b1, h;

	memcpy(&a0, src, 8);
	memcpy(&a1, src + 8, 8);
	memcpy(&b0, dst, 8);
	memcpy(&b1, dst + 8, 8);
	h = (a0 * 0x9e3779b97f4a7c15ull) ^ (a1 * 0xc2b2ae3d27d4eb4full) ^
	    (b0 * 0x165667b19e3779f9ull) ^ (b1 * 0xd6e8feb86659fd93ull) ^
	    (uint64_t)family;
	h ^= h >> 32;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 29;
	return (uint32_t)h;
}

static bool flow_index_grow(struct engine *e)
{
	uint32_t n = e->flow_index_size ? e->flow_index_size * 2 : 64, i;
	int32_t *idx = malloc(n * sizeof(*idx));

	if (!idx)
		return false;
	memset(idx, 0xff, n * sizeof(*idx));
	for (i = 0; i < e->n_flows; i++) {
		const struct flow *f = &e->flows[i];
		uint32_t h = flow_hash(f->family, f->src, f->dst) & (n - 1);

		while (idx[h] >= 0)
			h = (h + 1) & (n - 1);
		idx[h] = (int32_t)i;
	}
	free(e->flow_index);
	e->flow_index = idx;
	e->flow_index_size = n;
	return true;
}

static bool flows_grow(struct engine *e)
{
	uint32_t ncap = e->cap_flows ? e->cap_flows * 2 : 16;
	struct flow *n;

	if (ncap > FLOWS_LIMIT)
		ncap = FLOWS_LIMIT;
	if (ncap <= e->cap_flows)
		return false;
	n = realloc(e->flows, ncap * sizeof(*n));
	if (!n)
		return false;
	e->flows = n;
	e->cap_flows = ncap;
	return true;
}

/*
 * The flow of a closed probe: sender and target as its first request
 * sighting carries them.  FLOW_NONE once FLOWS_LIMIT flows exist (or
 * memory ran out): counted, reported, never folded into another flow.
 */
static uint32_t flow_for(struct engine *e, const struct probe *pr)
{
	const struct sighting *s = first_of(pr, SK_REQ);
	uint8_t src[16], dst[16];
	struct flow *f;
	uint32_t h, mask;

	if (s) {
		memcpy(src, s->src, 16);
		memcpy(dst, s->dst, 16);
	} else if ((s = first_of(pr, SK_REP))) {
		/* an orphan reply travels the other way */
		memcpy(src, s->dst, 16);
		memcpy(dst, s->src, 16);
	} else if ((s = first_of(pr, SK_DROP))) {
		struct tuple t;

		if (!tuple_of_sighting(&t, s))	/* cannot be: a drop */
			memset(&t, 0, sizeof(t));
		memcpy(src, t.src, 16);
		memcpy(dst, t.dst, 16);
	} else {
		memset(src, 0, 16);
		memset(dst, 0, 16);
	}
	mask = e->flow_index_size - 1;
	h = e->flow_index_size ? flow_hash(pr->family, src, dst) & mask : 0;
	for (; e->flow_index_size; h = (h + 1) & mask) {
		int32_t idx = e->flow_index[h];

		if (idx < 0)
			break;
		f = &e->flows[idx];
		if (f->family == pr->family && !memcmp(f->src, src, 16) &&
		    !memcmp(f->dst, dst, 16))
			return (uint32_t)idx;
	}
	if (e->n_flows == e->cap_flows && !flows_grow(e))
		return FLOW_NONE;
	if (2 * (e->n_flows + 1) > e->flow_index_size) {
		if (!flow_index_grow(e))
			return FLOW_NONE;
		mask = e->flow_index_size - 1;
		h = flow_hash(pr->family, src, dst) & mask;
		while (e->flow_index[h] >= 0)
			h = (h + 1) & mask;
	}
	e->flow_index[h] = (int32_t)e->n_flows;
	f = &e->flows[e->n_flows];
	memset(f, 0, sizeof(*f));
	f->family = pr->family;
	memcpy(f->src, src, 16);
	memcpy(f->dst, dst, 16);
	f->rtt_min_ms = 1e18;
	f->last_group = -1;
	f->first_group = -1;
	return e->n_flows++;
}

/* The flow's slot of point, or -1; add makes one while there is room. */
static int flow_slot(struct flow *f, uint16_t point, bool add)
{
	uint8_t i;

	for (i = 0; i < f->n_slots; i++)
		if (f->slot_point[i] == point)
			return i;
	if (!add || point >= ENGINE_MAX_POINTS)
		return -1;
	if (f->n_slots == FLOW_SLOTS) {
		f->slots_full = true;
		return -1;
	}
	f->slot_point[f->n_slots] = (uint8_t)point;
	return f->n_slots++;
}

uint32_t flow_prec(const struct flow *f, bool reply, int a, int b)
{
	int sa = -1, sb = -1;
	uint8_t i;

	for (i = 0; i < f->n_slots; i++) {
		if (f->slot_point[i] == a)
			sa = i;
		if (f->slot_point[i] == b)
			sb = i;
	}
	if (sa < 0 || sb < 0)
		return 0;
	return reply ? f->rep_prec[sa][sb] : f->req_prec[sa][sb];
}

/* Halving every count keeps which of two orders won. */
static void prec_add(uint16_t prec[FLOW_SLOTS][FLOW_SLOTS], int a, int b)
{
	int i, j;

	if (prec[a][b] == UINT16_MAX)
		for (i = 0; i < FLOW_SLOTS; i++)
			for (j = 0; j < FLOW_SLOTS; j++)
				prec[i][j] /= 2;
	prec[a][b]++;
}

static void learn_order(struct flow *f, const struct probe *pr)
{
	uint16_t i, j;
	int sa, sb;

	for (i = 0; i < pr->n_sight; i++) {
		const struct sighting *a = &pr->s[i];

		if (a->kind != SK_REQ && a->kind != SK_REP)
			continue;
		sa = flow_slot(f, a->point, true);
		for (j = i + 1; sa >= 0 && j < pr->n_sight; j++) {
			const struct sighting *b = &pr->s[j];

			/* equal times (coarse clocks) say nothing of order */
			if (b->kind != a->kind || b->point == a->point ||
			    b->ts_ns == a->ts_ns)
				continue;
			sb = flow_slot(f, b->point, true);
			if (sb < 0)
				continue;
			/* sightings are in time order: a came first */
			prec_add(a->kind == SK_REQ ? f->req_prec : f->rep_prec,
				 sa, sb);
		}
	}
}

static void learn_rtt(struct engine *e, struct flow *f, const struct probe *pr)
{
	const struct sighting *rq = first_of(pr, SK_REQ), *rp;
	double ms;

	if (!rq)
		return;
	rp = find_sighting((struct probe *)pr, rq->point, SK_REP);
	if (!rp || rp->ts_ns < rq->ts_ns)
		return;
	if (rp->ts_ns - rq->ts_ns > f->rtt_max_ns)
		f->rtt_max_ns = rp->ts_ns - rq->ts_ns;
	ms = (double)(rp->ts_ns - rq->ts_ns) / 1e6;
	f->rtt_sum_ms += ms;
	f->rtt_n++;
	if (ms < f->rtt_min_ms)
		f->rtt_min_ms = ms;
	if (ms > f->rtt_max_ms)
		f->rtt_max_ms = ms;
}

static void copy_tuple(uint8_t *src, uint8_t *dst, uint16_t *id,
		       const struct sighting *s)
{
	memcpy(src, s->src, 16);
	memcpy(dst, s->dst, 16);
	*id = s->echo_id;
}

static bool tuple_is(const uint8_t *src, const uint8_t *dst, uint16_t id,
		     const struct sighting *s)
{
	return !memcmp(src, s->src, 16) && !memcmp(dst, s->dst, 16) &&
	       id == s->echo_id;
}

/*
 * A probe seen with tuple a at the points of mask_a and with tuple b at
 * b->point.  Which side is "before" is left to nat_resolve(), along the
 * learnt path: equal timestamps cannot tell.
 */
static void note_nat(struct engine *e, uint32_t flow, const struct probe *pr,
		     const struct sighting *a, uint64_t mask_a,
		     const struct sighting *b)
{
	struct nat_rewrite *n;
	uint32_t i;

	for (i = 0; i < e->n_nats; i++) {
		n = &e->nats[i];
		if (n->flow != flow || n->kind != a->kind)
			continue;
		if (tuple_is(n->src0, n->dst0, n->id0, a) &&
		    tuple_is(n->src1, n->dst1, n->id1, b)) {
			n->mask0 |= mask_a;
			n->mask1 |= 1ull << b->point;
		} else if (tuple_is(n->src1, n->dst1, n->id1, a) &&
			   tuple_is(n->src0, n->dst0, n->id0, b)) {
			n->mask1 |= mask_a;
			n->mask0 |= 1ull << b->point;
		} else {
			continue;
		}
		n->count++;
		return;
	}
	if (e->n_nats == MAX_NATS) {
		e->nats_overflow++;
		return;
	}
	n = &e->nats[e->n_nats++];
	memset(n, 0, sizeof(*n));
	n->flow = flow;
	n->kind = a->kind;
	n->family = pr->family;
	copy_tuple(n->src0, n->dst0, &n->id0, a);
	copy_tuple(n->src1, n->dst1, &n->id1, b);
	n->mask0 = mask_a;
	n->mask1 = 1ull << b->point;
	n->count = 1;
	n->frame_from = a->frame_no;
	n->frame_to = b->frame_no;
	n->ts = b->ts_ns;
}

/*
 * Sightings whose addresses or id differ from the first of their kind
 * (its tuple, identity.c's, oriented alike).  Most probes cross no NAT:
 * the second pass runs only when a sighting differed.
 */
static void learn_nat(struct engine *e, uint32_t flow, const struct probe *pr)
{
	uint8_t kind;
	uint16_t i;

	for (kind = SK_REQ; kind <= SK_REP; kind++) {
		const struct sighting *first = first_of(pr, kind);
		uint64_t same = 0;
		struct tuple ft;
		bool differs = false;

		/* (first is a request or a reply: it has a tuple) */
		if (!first || !tuple_of_sighting(&ft, first))
			continue;
		for (i = 0; i < pr->n_sight; i++) {
			if (pr->s[i].kind != kind)
				continue;
			if (sighting_has_tuple(&pr->s[i], &ft))
				same |= 1ull << pr->s[i].point;
			else
				differs = true;
		}
		for (i = 0; differs && i < pr->n_sight; i++) {
			const struct sighting *s = &pr->s[i];

			if (s->kind == kind && !sighting_has_tuple(s, &ft))
				note_nat(e, flow, pr, first, same, s);
		}
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
		if (e->n_sizes == MAX_SIZES) {
			e->sizes_overflow++;
			return;
		}
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

/*
 * How much an ICMP error explains a loss: a redirect or a source quench
 * says little, a rejection or a missing route says it all.
 */
static int error_weight(uint8_t family, uint16_t err)
{
	uint8_t t = err >> 8;

	if (family == 6)
		return t == 1 ? 4 : t == 3 ? 3 : t == 2 ? 3 : 1;
	return t == 3 ? 4 : t == 11 ? 3 : t == 12 ? 2 : 1;
}

static const struct sighting *main_error(const struct probe *pr)
{
	const struct sighting *best = NULL;
	uint16_t i;

	for (i = 0; i < pr->n_sight; i++) {
		const struct sighting *s = &pr->s[i];

		if (s->kind != SK_ERR)
			continue;
		if (!best || error_weight(pr->family, s->echo_id) >
			     error_weight(pr->family, best->echo_id))
			best = s;
	}
	return best;
}

/*
 * Kernel drop reasons that, for an echo reply already home, do not mean it
 * was lost: ping_rcv frees the copy no ping socket wanted after every raw
 * socket (iputils ping without ping sockets, dropspot's own pinger) took
 * its own.  Data, not a branch: a reason found to mean the same is a line.
 */
static const char *const after_delivery_reasons[] = {
	"NO_SOCKET",
};

bool engine_reason_after_delivery(const struct engine *e, int reason)
{
	const char *name = engine_reason(e, reason);
	size_t i;

	for (i = 0; i < sizeof(after_delivery_reasons) /
			sizeof(after_delivery_reasons[0]); i++)
		if (!strcmp(name, after_delivery_reasons[i]))
			return true;
	return false;
}

/*
 * The kernel drop that speaks for a lost probe: the last one, unless it is
 * of a reason that happens only after delivery and another one is there.
 */
static const struct sighting *loss_drop(const struct engine *e,
					const struct probe *pr)
{
	const struct sighting *r = NULL, *any = NULL;
	uint16_t i;

	for (i = 0; i < pr->n_sight; i++) {
		const struct sighting *s = &pr->s[i];

		if (s->kind != SK_DROP)
			continue;
		any = s;
		if (s->aux && !engine_reason_after_delivery(e, s->aux - 1))
			r = s;
	}
	return r ? r : any;
}

static void group_key(const struct engine *e, const struct probe *pr,
		      struct group *k)
{
	const struct sighting *err = main_error(pr);
	const struct sighting *drop = loss_drop(e, pr);
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
	if (drop) {
		k->drop_reason = (int16_t)(drop->aux - 1);
		k->drop_reply = drop->flags & SF_DROP_REPLY;
	}
	k->delivery = pr->flags & PF_DELIVERY_DROP;
	if (last) {
		k->csum_bad = last->flags & SF_CSUM_BAD;
		k->vlan_last = (last->flags & SF_VLAN) ? last->vlan + 1 : 0;
	}
	k->incomplete_fp = pr->flags & PF_PARTIAL_FP;
	k->forced = pr->flags & PF_FORCED;
	k->loop = pr->flags & PF_LOOP;
}

static bool group_same(const struct group *a, const struct group *b)
{
	return a->flow == b->flow && a->outcome == b->outcome &&
	       a->req_mask == b->req_mask && a->rep_mask == b->rep_mask &&
	       a->err_mask == b->err_mask && a->err == b->err &&
	       !memcmp(a->err_src, b->err_src, 16) &&
	       a->drop_reason == b->drop_reason &&
	       a->drop_reply == b->drop_reply && a->csum_bad == b->csum_bad &&
	       a->vlan_last == b->vlan_last &&
	       a->incomplete_fp == b->incomplete_fp && a->forced == b->forced &&
	       a->loop == b->loop && a->delivery == b->delivery;
}

static bool groups_grow(struct engine *e)
{
	uint32_t ncap = e->cap_groups ? e->cap_groups * 2 : 16;
	struct group *n;

	if (ncap > GROUPS_LIMIT)
		return false;
	n = realloc(e->groups, ncap * sizeof(*n));
	if (!n)
		return false;
	e->groups = n;
	e->cap_groups = ncap;
	return true;
}

static void learn_group(struct engine *e, const struct probe *pr)
{
	const struct sighting *ex = first_of(pr, SK_REQ);
	struct group k, *g = NULL;
	uint32_t i;
	int32_t j;

	group_key(e, pr, &k);
	/* probes of a flow mostly share one fate: try its last group first */
	i = (uint32_t)e->flows[pr->flow].last_group;
	if (e->flows[pr->flow].last_group >= 0 && group_same(&e->groups[i], &k))
		g = &e->groups[i];
	for (j = e->flows[pr->flow].first_group; !g && j >= 0;
	     j = e->groups[j].next_in_flow)
		if (group_same(&e->groups[j], &k))
			g = &e->groups[j];
	if (!g) {
		if (e->n_groups == e->cap_groups && !groups_grow(e)) {
			e->groups_overflow++;
			return;
		}
		g = &e->groups[e->n_groups++];
		*g = k;
		g->next_in_flow = e->flows[pr->flow].first_group;
		e->flows[pr->flow].first_group = (int32_t)(e->n_groups - 1);
		i = e->n_groups - 1;
		g->min_len = g->max_len = pr->len;
		g->first_ts = pr->first_ts;
		g->after = g->before = -1;
	}
	e->flows[pr->flow].last_group = (int32_t)(g - e->groups);
	g->count++;
	if (pr->flags & PF_ENDED) {
		uint64_t gap = e->now - pr->first_ts;

		if (!g->ended++ || gap < g->ended_gap_ns)
			g->ended_gap_ns = gap;
	}
	/* probes held for their identity close out of order (identity.c) */
	if (pr->first_ts < g->first_ts)
		g->first_ts = pr->first_ts;
	if (pr->first_ts > g->last_ts)
		g->last_ts = pr->first_ts;
	if (pr->len < g->min_len)
		g->min_len = pr->len;
	if (pr->len > g->max_len)
		g->max_len = pr->len;
	if (ex && (ex->flags & SF_FRAGMENTABLE))
		g->fragmentable = true;
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

static bool reply_seen_near(const struct engine *e, const struct probe *pr,
			    uint16_t point)
{
	uint16_t i;

	for (i = 0; i < pr->n_sight; i++)
		if (pr->s[i].kind == SK_REP &&
		    same_place(e, pr->s[i].point, point))
			return true;
	return false;
}

/*
 * Answered when the reply came back to where the request was first seen.
 * Coarse clocks may stamp several points with that same first time: the
 * reply must then have reached all of them.
 */
static bool reply_back_home(const struct engine *e, const struct probe *pr)
{
	const struct sighting *origin = first_of(pr, SK_REQ);
	uint16_t i;

	if (!origin)
		return false;
	for (i = 0; i < pr->n_sight; i++) {
		const struct sighting *s = &pr->s[i];

		if (s->kind != SK_REQ || s->ts_ns != origin->ts_ns)
			continue;
		if (!reply_seen_near(e, pr, s->point))
			return false;
	}
	return true;
}

/*
 * "Answered" means delivered: a reply that came home and was then dropped
 * by the kernel (the sender's input firewall, rp_filter...) never reached
 * the ping.  A drop before the reply came home is another copy's fate.
 */
static bool reply_dropped_at_home(const struct engine *e,
				  const struct probe *pr)
{
	const struct sighting *origin;
	uint64_t home_ts = 0;
	uint16_t i;

	/* no kernel drop at all (most probes): nothing to scan for */
	if (!pr->drop_mask)
		return false;
	origin = first_of(pr, SK_REQ);
	if (!origin)
		return false;
	for (i = 0; i < pr->n_sight; i++)
		if (pr->s[i].kind == SK_REP &&
		    same_place(e, pr->s[i].point, origin->point) &&
		    pr->s[i].ts_ns > home_ts)
			home_ts = pr->s[i].ts_ns;
	for (i = 0; i < pr->n_sight; i++) {
		const struct sighting *s = &pr->s[i];

		if (s->kind == SK_DROP && (s->flags & SF_DROP_REPLY) &&
		    s->ts_ns >= home_ts && s->aux &&
		    !engine_reason_after_delivery(e, s->aux - 1))
			return true;
	}
	return false;
}

/*
 * How long before the end of the evidence a request may have been sent and
 * still be waiting honestly: its flow's slowest round trip, or the timeout
 * when the flow has none to go by.
 */
static uint64_t unfinished_window(const struct engine *e, uint32_t flow)
{
	uint64_t w = e->o.timeout_ns;

	if (flow != FLOW_NONE && e->flows[flow].rtt_n &&
	    e->flows[flow].rtt_max_ns < w)
		w = e->flows[flow].rtt_max_ns;
	return w;
}

/*
 * trace's own probes, sent from a socket whose replies were recorded (the
 * "socket" point): what that socket received is what ping counts, the
 * ground truth of "answered", whatever became of other copies.
 */
static bool socket_truth(struct engine *e)
{
	return e->o.own_prefix_len && engine_socket_point(e) >= 0;
}

static bool socket_received(struct engine *e, const struct probe *pr)
{
	return socket_truth(e) && (pr->rep_mask & (1ull << e->socket_point));
}

static uint8_t outcome_of(struct engine *e, struct probe *pr, bool at_end)
{
	uint64_t waited = e->now - pr->first_ts;

	/*
	 * Seen by the kernel only (dropped before any watched point, e.g. in
	 * the guest's own stack when its neighbour does not resolve): a probe
	 * that was sent and lost, not a reply without a request.
	 */
	if (!pr->req_mask && !pr->rep_mask && pr->drop_mask)
		return PO_LOST_REQUEST;
	if (!pr->req_mask)
		return PO_ORPHAN_REPLY;
	if (socket_received(e, pr))
		return PO_ANSWERED;
	if (reply_back_home(e, pr)) {
		/* home, and the socket did not get it: dropped on the way */
		if (!socket_truth(e) && !reply_dropped_at_home(e, pr))
			return PO_ANSWERED;
		pr->flags |= PF_DELIVERY_DROP;
		return PO_LOST_REPLY;
	}
	/*
	 * An ICMP error, a kernel drop record or a loop (the TTL runs out
	 * going round) ends the wait for sure.
	 */
	if (at_end && !(pr->flags & (PF_FORCED | PF_LOOP)) && !pr->err_mask &&
	    !pr->drop_mask && waited < e->o.timeout_ns) {
		/*
		 * A reply already seen needed only the hops between watched
		 * points of one host to come home: not there, it is lost.
		 */
		if (!pr->rep_mask && waited < unfinished_window(e, pr->flow))
			return PO_UNFINISHED;
		pr->flags |= PF_ENDED;
	}
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

/* The probe passed a point again with a lower TTL: it goes round. */
static void note_loop(struct engine *e, const struct probe *pr)
{
	uint16_t i;

	if (e->loops++)
		return;
	for (i = 0; i < pr->n_sight; i++) {
		const struct sighting *s = &pr->s[i];

		if (s->min_ttl < s->ttl) {
			e->loop_probe = pr->id;
			e->loop_point = s->point;
			e->loop_frame = s->frame_no;
			e->loop_ts = s->ts_ns;
			e->loop_ttl_first = s->ttl;
			e->loop_ttl_min = s->min_ttl;
			e->loop_dups = s->dups;
			return;
		}
	}
}

static void probe_close(struct engine *e, struct probe *pr, bool at_end)
{
	struct flow *f;

	unlink_live(e, pr);
	pr->flow = flow_for(e, pr);
	pr->outcome = outcome_of(e, pr, at_end);
	e->outcome[pr->outcome]++;
	identity_learn(e, pr);
	if (pr->flow == FLOW_NONE) {
		/* beyond the flow limit: in the totals, nowhere else */
		e->flows_overflow[pr->outcome]++;
		if (e->done_fn)
			e->done_fn(e->done_ctx, e, pr);
		if (e->lis && e->lis->probe)
			e->lis->probe(e->lis_ctx, e, pr);
		probe_recycle(e, pr);
		return;
	}
	f = &e->flows[pr->flow];
	f->probes++;
	f->outcome[pr->outcome]++;
	f->req_mask |= pr->req_mask;
	f->rep_mask |= pr->rep_mask;
	if (pr->flags & PF_LOOP)
		note_loop(e, pr);
	learn_order(f, pr);
	learn_rtt(e, f, pr);
	latency_learn(e, pr->flow, pr);
	learn_nat(e, pr->flow, pr);
	learn_size(e, pr);
	/* groups exist to locate losses: answered probes need none */
	if (pr->outcome == PO_LOST_REQUEST || pr->outcome == PO_LOST_REPLY ||
	    pr->outcome == PO_UNFINISHED)
		learn_group(e, pr);
	if (e->done_fn)
		e->done_fn(e->done_ctx, e, pr);
	if (e->lis && e->lis->probe)
		e->lis->probe(e->lis_ctx, e, pr);
	if (!keep_probe(e, pr))
		probe_recycle(e, pr);
}

static bool closable(struct engine *e, const struct probe *pr)
{
	if (e->now - pr->first_ts > e->o.timeout_ns)
		return true;
	if (!(pr->rep_mask | pr->err_mask) ||
	    e->now - pr->last_ts < ANSWERED_GRACE_NS)
		return false;
	/* an ICMP error ends the probe as surely as a reply */
	return pr->err_mask || reply_back_home(e, pr) || socket_received(e, pr);
}

/*
 * Past its reply window, a probe whose sightings past a NAT are still a
 * guess between identical pings of several senders waits one more window,
 * at the back of the line: a later probe of its conversation, answered,
 * tells whose they were (identity.c).
 */
static bool held_for_identity(struct engine *e, const struct probe *pr)
{
	return e->now - pr->first_ts <= 2 * e->o.timeout_ns &&
	       e->n_live <= e->o.max_live && identity_unsettled(e, pr);
}

/* Moves a probe whose reply came home to the answered FIFO. */
static void note_answered(struct engine *e, struct probe *pr)
{
	if (pr->answered_list ||
	    !(reply_back_home(e, pr) || socket_received(e, pr)))
		return;
	list_unlink(&e->oldest, &e->newest, pr);
	list_append(&e->ans_oldest, &e->ans_newest, pr);
	pr->answered_list = true;
}

/*
 * Nothing to close now: the two loops of probe_expire() would stop at
 * their first probe.  Asked for every frame, it is most often true, and
 * cheaper than the loops (closable()'s quick refusals, no side effects).
 */
static bool expire_idle(const struct engine *e)
{
	const struct probe *a = e->ans_oldest, *o = e->oldest;

	if (e->n_live > e->o.max_live)
		return false;
	if (a && e->now - a->last_ts >= ANSWERED_GRACE_NS)
		return false;
	return !o || (e->now - o->first_ts <= e->o.timeout_ns &&
		      (!(o->rep_mask | o->err_mask) ||
		       e->now - o->last_ts < ANSWERED_GRACE_NS));
}

/* Out of line: the idle test in probe_expire() then costs no frame. */
static __attribute__((noinline)) void expire_run(struct engine *e, bool all)
{
	struct probe *held = NULL;

	while (e->ans_oldest) {
		struct probe *pr = e->ans_oldest;

		if (!all && e->now - pr->last_ts < ANSWERED_GRACE_NS &&
		    e->n_live <= e->o.max_live)
			break;
		probe_close(e, pr, all);
	}
	while (e->oldest && e->oldest != held) {
		struct probe *pr = e->oldest;

		if (!all && !closable(e, pr)) {
			if (e->n_live <= e->o.max_live)
				break;
			pr->flags |= PF_FORCED;
			e->forced++;
		} else if (!all && held_for_identity(e, pr)) {
			list_unlink(&e->oldest, &e->newest, pr);
			list_append(&e->oldest, &e->newest, pr);
			if (!held)
				held = pr;
			continue;
		}
		probe_close(e, pr, all);
	}
}

void probe_expire(struct engine *e, bool all)
{
	if (!all && expire_idle(e))
		return;
	expire_run(e, all);
}

void engine_advance(struct engine *e, uint64_t now_ns)
{
	if (e->finished || now_ns <= e->now)
		return;
	e->now = now_ns;
	probe_expire(e, false);
}

void probe_table_free(struct engine *e)
{
	struct probe *pr, *next;
	uint32_t i;

	for (pr = e->oldest; pr; pr = next) {
		next = pr->newer;
		probe_destroy(pr);
	}
	for (pr = e->ans_oldest; pr; pr = next) {
		next = pr->newer;
		probe_destroy(pr);
	}
	e->oldest = e->newest = e->ans_oldest = e->ans_newest = NULL;
	for (pr = e->free_probes; pr; pr = next) {
		next = pr->hnext;
		probe_destroy(pr);
	}
	e->free_probes = NULL;
	e->n_free = 0;
	free(e->buckets);
	e->buckets = NULL;
	for (i = 0; i < e->n_kept; i++)
		probe_destroy(e->kept[i]);
	free(e->kept);
	e->kept = NULL;
	e->n_kept = 0;
}

/*
 * Reasons are interned as "REASON\0FUNCTION\0" so engine_reason() keeps
 * returning the reason alone and drops of one reason in two functions stay
 * apart.
 */
static bool reasons_grow(struct engine *e)
{
	uint32_t ncap = e->cap_reasons ? e->cap_reasons * 2 : 16;
	char **r;
	uint64_t *c;

	if (ncap > REASONS_LIMIT)
		return false;
	r = realloc(e->reasons, ncap * sizeof(*r));
	if (!r)
		return false;
	e->reasons = r;
	c = realloc(e->other_drops, ncap * sizeof(*c));
	if (!c)
		return false;
	memset(c + e->cap_reasons, 0, (ncap - e->cap_reasons) * sizeof(*c));
	e->other_drops = c;
	e->cap_reasons = ncap;
	return true;
}

/*
 * A kernel drop's identity: reason, function, the device (name and
 * netns) it was dropped on, and its netfilter attribution, kept as
 * "reason\0func\0dev\0netns\0nft\0".  Two drops that differ in any of
 * them are different fates.
 */
#define DROP_FIELDS 5
#define DROP_FIELD_MAX 120
#define DROP_FIELD_NFT 4
#define DROP_NFT_FIELD_MAX 704

static size_t field_len(const char *s, size_t n)
{
	return n > DROP_FIELD_MAX ? DROP_FIELD_MAX : n;
}

static bool same_drop_key(const char *r, const char *const *f,
			  const size_t *len)
{
	int k;

	for (k = 0; k < DROP_FIELDS; k++) {
		if (strncmp(r, f[k], len[k]) || r[len[k]])
			return false;
		r += len[k] + 1;
	}
	return true;
}

/* Interned reason index, or -1 when no slot could hold it (counted). */
static int intern_drop(struct engine *e, const char *const *f,
		       const size_t *len)
{
	size_t total = 0, off = 0;
	uint32_t i;
	char *copy;
	int k;

	for (i = 0; i < e->n_reasons; i++)
		if (same_drop_key(e->reasons[i], f, len))
			return (int)i;
	if (e->n_reasons == e->cap_reasons && !reasons_grow(e)) {
		e->reasons_overflow++;
		return -1;
	}
	for (k = 0; k < DROP_FIELDS; k++)
		total += len[k] + 1;
	copy = malloc(total);
	if (!copy) {
		e->reasons_overflow++;
		return -1;
	}
	for (k = 0; k < DROP_FIELDS; k++) {
		memcpy(copy + off, f[k], len[k]);
		copy[off + len[k]] = 0;
		off += len[k] + 1;
	}
	e->reasons[e->n_reasons] = copy;
	return (int)e->n_reasons++;
}

static int intern_fields(struct engine *e, const char *s, size_t n,
			 const char *func, const char *dev, const char *netns,
			 const char *nft)
{
	const char *f[DROP_FIELDS] = { s, func ? func : "", dev ? dev : "",
				       netns ? netns : "", nft ? nft : "" };
	size_t len[DROP_FIELDS];
	int k;

	if (!s || !n) {
		f[0] = "unknown";
		n = 7;
	}
	len[0] = field_len(f[0], n);
	for (k = 1; k < DROP_FIELDS; k++)
		len[k] = field_len(f[k], strlen(f[k]));
	len[DROP_FIELD_NFT] = strnlen(f[DROP_FIELD_NFT], DROP_NFT_FIELD_MAX);
	return intern_drop(e, f, len);
}

int engine_intern_reason(struct engine *e, const char *s, size_t n)
{
	return intern_fields(e, s, n, "", "", "", "");
}

int engine_intern_drop(struct engine *e, const char *reason, const char *func)
{
	return intern_fields(e, reason, strlen(reason), func, "", "", "");
}

int engine_intern_drop_at(struct engine *e, const char *reason,
			  const char *func, const char *dev, const char *netns)
{
	return intern_fields(e, reason, strlen(reason), func, dev, netns, "");
}

/* The attribution as one field: by, family, table, chain, hook, handle,
 * basis, xt (iptables view: "", "nft", "legacy"), xt_num, xt_rule, rule,
 * separated by US (0x1f; the comment parser leaves no
 * control byte in them).  "" = none. */
#define NFT_SEP '\x1f'

static size_t nft_put(char *buf, size_t len, size_t o, const char *v,
		      bool sep)
{
	size_t n = strlen(v);

	if (o >= len)
		return o;
	if (sep && o + 1 < len)
		buf[o++] = NFT_SEP;
	if (n > len - 1 - o)
		n = len - 1 - o;
	memcpy(buf + o, v, n);
	buf[o + n] = '\0';
	return o + n;
}

static void nft_field(const struct drop_nft *n, char *buf, size_t len)
{
	char num[24], *p = num + sizeof(num) - 1;
	unsigned long long h = n->handle;
	size_t o;

	buf[0] = '\0';
	if (n->by == DROP_NFT_NONE)
		return;
	*p = '\0';
	do {
		*--p = (char)('0' + h % 10);
		h /= 10;
	} while (h);
	o = nft_put(buf, len, 0, drop_nft_by_name(n->by), false);
	o = nft_put(buf, len, o, n->family, true);
	o = nft_put(buf, len, o, n->table, true);
	o = nft_put(buf, len, o, n->chain, true);
	o = nft_put(buf, len, o, n->hook, true);
	o = nft_put(buf, len, o, p, true);
	o = nft_put(buf, len, o, drop_nft_basis_name(n->basis), true);
	o = nft_put(buf, len, o, n->xt == DROP_XT_NFT ? "nft" :
				 n->xt == DROP_XT_LEGACY ? "legacy" : "", true);
	h = n->xt_num;
	p = num + sizeof(num) - 1;
	do {
		*--p = (char)('0' + h % 10);
		h /= 10;
	} while (h);
	o = nft_put(buf, len, o, p, true);
	o = nft_put(buf, len, o, n->xt_rule, true);
	nft_put(buf, len, o, n->rule, true);
}

int engine_intern_drop_nft(struct engine *e, const char *reason,
			   const char *func, const char *dev,
			   const char *netns, const struct drop_nft *nft)
{
	char f[DROP_NFT_FIELD_MAX + 1];

	nft_field(nft, f, sizeof(f));
	return intern_fields(e, reason, strlen(reason), func, dev, netns, f);
}

/* Field k (0 reason, 1 function, 2 device, 3 its netns) of a drop. */
static const char *drop_field(const struct engine *e, int idx, int k)
{
	const char *r;

	if (idx < 0 || (uint32_t)idx >= e->n_reasons)
		return "";
	for (r = e->reasons[idx]; k > 0; k--)
		r += strlen(r) + 1;
	return r;
}

const char *engine_reason_function(const struct engine *e, int idx)
{
	return drop_field(e, idx, 1);
}

const char *engine_reason_device(const struct engine *e, int idx)
{
	return drop_field(e, idx, 2);
}

const char *engine_reason_netns(const struct engine *e, int idx)
{
	return drop_field(e, idx, 3);
}

/* Field i of the attribution, into buf. */
static void nft_part(const char *r, int i, char *buf, size_t len)
{
	const char *end;
	size_t n;

	for (; i > 0 && r; i--) {
		r = strchr(r, NFT_SEP);
		if (r)
			r++;
	}
	if (!r) {
		buf[0] = '\0';
		return;
	}
	end = strchr(r, NFT_SEP);
	n = end ? (size_t)(end - r) : strlen(r);
	if (n >= len)
		n = len - 1;
	memcpy(buf, r, n);
	buf[n] = '\0';
}

bool engine_reason_nft(const struct engine *e, int idx, struct drop_nft *out)
{
	const char *r = drop_field(e, idx, DROP_FIELD_NFT);
	char by[12], handle[24], basis[12];

	memset(out, 0, sizeof(*out));
	if (!r[0])
		return false;
	nft_part(r, 0, by, sizeof(by));
	out->by = !strcmp(by, "rule") ? DROP_NFT_RULE :
		  !strcmp(by, "policy") ? DROP_NFT_POLICY : DROP_NFT_UNKNOWN;
	nft_part(r, 1, out->family, sizeof(out->family));
	nft_part(r, 2, out->table, sizeof(out->table));
	nft_part(r, 3, out->chain, sizeof(out->chain));
	nft_part(r, 4, out->hook, sizeof(out->hook));
	nft_part(r, 5, handle, sizeof(handle));
	out->handle = strtoull(handle, NULL, 10);
	nft_part(r, 6, basis, sizeof(basis));
	out->basis = (uint8_t)drop_nft_basis_of(basis);
	nft_part(r, 7, basis, sizeof(basis));
	out->xt = !strcmp(basis, "nft") ? DROP_XT_NFT :
		  !strcmp(basis, "legacy") ? DROP_XT_LEGACY : DROP_XT_NONE;
	nft_part(r, 8, handle, sizeof(handle));
	out->xt_num = (uint32_t)strtoul(handle, NULL, 10);
	nft_part(r, 9, out->xt_rule, sizeof(out->xt_rule));
	nft_part(r, 10, out->rule, sizeof(out->rule));
	return true;
}

const char *engine_reason(const struct engine *e, int idx)
{
	if (idx < 0 || (uint32_t)idx >= e->n_reasons)
		return "unknown";
	return e->reasons[idx];
}
