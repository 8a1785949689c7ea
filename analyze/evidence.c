// SPDX-License-Identifier: GPL-2.0
/*
 * Evidence: the facts about a lost probe group that the cause table
 * (causes.def) tests, computed once per group from the engine's state
 * (ICMP errors, kernel reason, checksum, VLAN, sizes, NAT, the next point's
 * state, neighbours, TTL), with the values its sentences name.  Nothing
 * here decides a cause; cause.c does, from these facts alone.
 */
#include <stdio.h>
#include <string.h>

#include "common/drop_event.h"
#include "dissect/names.h"
#include "internal.h"

/* ---- ICMP error classes ---------------------------------------------- */

bool icmp_is_admin(int fam, uint16_t err)
{
	uint8_t t = err >> 8, c = err & 0xff;

	if (fam == 6)
		return t == 1 && (c == 1 || c == 5 || c == 6);
	return t == 3 && (c == 9 || c == 10 || c == 13);
}

bool icmp_is_noroute(int fam, uint16_t err)
{
	uint8_t t = err >> 8, c = err & 0xff;

	if (fam == 6)
		return t == 1 && (c == 0 || c == 3);
	return t == 3 && (c == 0 || c == 1 || c == 6 || c == 7);
}

bool icmp_is_toobig(int fam, uint16_t err)
{
	return fam == 6 ? (err >> 8) == 2 : err == (3 << 8 | 4);
}

bool icmp_is_ttl(int fam, uint16_t err)
{
	return fam == 6 ? err == (3 << 8) : err == (11 << 8);
}

static bool icmp_is_redirect(int fam, uint16_t err)
{
	return (err >> 8) == (fam == 6 ? 137 : 5);
}

void icmp_err_name(char *buf, size_t n, int fam, uint16_t err)
{
	const char *code = icmp_code_name(fam, err >> 8, err & 0xff);

	snprintf(buf, n, "%s%s%s", icmp_type_name(fam, err >> 8),
		 code[0] ? " / " : "", code);
}

static uint64_t icmp_fact(int fam, uint16_t err)
{
	if (!err)
		return 0;
	if (icmp_is_admin(fam, err))
		return CF_ICMP_ADMIN;
	if (icmp_is_noroute(fam, err))
		return CF_ICMP_NOROUTE;
	if (icmp_is_toobig(fam, err))
		return CF_ICMP_TOOBIG;
	if (icmp_is_ttl(fam, err))
		return CF_ICMP_TTL;
	return CF_ICMP_OTHER;
}

/* ---- engine queries -------------------------------------------------- */

uint32_t largest_answered(const struct engine *e, bool *found)
{
	uint32_t i, best = 0;

	*found = false;
	for (i = 0; i < e->n_sizes; i++) {
		if (e->sizes[i].answered && e->sizes[i].len >= best) {
			best = e->sizes[i].len;
			*found = true;
		}
	}
	return best;
}

const struct nat_rewrite *nat_of_flow(const struct engine *e, uint32_t flow)
{
	uint32_t i;

	for (i = 0; i < e->n_nats; i++)
		if (e->nats[i].flow == flow && e->nats[i].kind == SK_REQ)
			return &e->nats[i];
	return NULL;
}

const struct neigh *unresolved_near(const struct engine *e, uint64_t mask)
{
	uint32_t i;

	for (i = 0; i < e->n_neigh; i++) {
		const struct neigh *ne = &e->neigh[i];

		if (neigh_unresolved(ne) && (ne->req_mask & mask))
			return ne;
	}
	return NULL;
}

/* TTL fell between the first and the last request sighting: routed. */
static bool request_routed(const struct engine *e, const struct group *g)
{
	uint32_t i;
	uint16_t j;

	for (i = 0; i < e->n_kept; i++) {
		const struct probe *pr = e->kept[i];
		int lo = 256, hi = -1;

		if (pr->flow != g->flow || pr->req_mask != g->req_mask)
			continue;
		for (j = 0; j < pr->n_sight; j++) {
			if (pr->s[j].kind != SK_REQ)
				continue;
			if (pr->s[j].ttl < lo)
				lo = pr->s[j].ttl;
			if (pr->s[j].ttl > hi)
				hi = pr->s[j].ttl;
		}
		return hi > lo;
	}
	return false;
}

static bool point_is(const struct engine *e, int id, enum point_kind k)
{
	const struct point *pt = id >= 0 ? point_get_const(e->points, (uint32_t)id)
					 : NULL;

	return pt && pt->kind == k;
}

static bool point_lost_frames(const struct engine *e, int id)
{
	const struct point *pt = id >= 0 ? point_get_const(e->points, (uint32_t)id)
					 : NULL;

	return pt && pt->capture_drops_known && pt->capture_drops;
}

/* The next point (or one of the candidates) had frames we cannot decode. */
static bool undecodable_ahead(const struct engine *e, const struct group *g)
{
	uint64_t cand = g->before >= 0 ? 1ull << g->before : g->missing_mask;
	int i;

	for (i = 0; i < ENGINE_MAX_POINTS; i++)
		if ((cand & (1ull << i)) && e->pstat[i].undecodable)
			return true;
	return false;
}

/*
 * The kernel's drop device of a group as a place: the watched point that
 * is that device (>= 0), DROP_DEV_UNWATCHED when no point watched it, or
 * DROP_DEV_NONE when the drop names no device (or there is no drop).
 */
int drop_device_point(const struct engine *e, const struct group *g)
{
	const char *dev = engine_reason_device(e, g->drop_reason);
	const char *ns = engine_reason_netns(e, g->drop_reason);
	size_t i;

	if (g->drop_reason < 0 || !dev[0])
		return DROP_DEV_NONE;
	for (i = 0; i < e->points->count && i < ENGINE_MAX_POINTS; i++) {
		const struct point *p = &e->points->items[i];

		if (p->hook != HOOK_KFREE_SKB && !strcmp(p->ifname, dev) &&
		    !strcmp(p->netns, ns))
			return (int)i;
	}
	return DROP_DEV_UNWATCHED;
}

/* "up2" or "ns1/up2", as points are named. */
void drop_device_label(const struct engine *e, const struct group *g,
		       char *buf, size_t n)
{
	const char *ns = engine_reason_netns(e, g->drop_reason);

	snprintf(buf, n, "%.64s%s%.16s", ns, ns[0] ? "/" : "",
		 engine_reason_device(e, g->drop_reason));
}

/* ---- facts of a group ------------------------------------------------ */

static uint64_t location_facts(const struct engine *e, const struct group *g)
{
	uint64_t b = 0;

	/* a reply the kernel dropped: the target answered, the loss is on
	 * the way back even where no watched point saw the reply */
	if (g->reply_dir || (g->drop_reason >= 0 && g->drop_reply))
		b |= CF_REPLY_DIR;
	if (g->before >= 0)
		b |= CF_NEXT_KNOWN;
	else if (g->missing_mask)
		b |= CF_NEXT_CANDIDATES;
	if (g->before >= 0 && !e->pstat[g->before].frames)
		b |= CF_NEXT_NO_FRAMES;
	else if (g->before >= 0 && e->pstat[g->before].last_ts < g->first_ts)
		/* it carried traffic, then nothing at all: not a filter */
		b |= CF_NEXT_WENT_SILENT;
	if ((point_is(e, g->after, POINT_KIND_TAP) ||
	     point_is(e, g->after, POINT_KIND_VETH)) &&
	    (point_is(e, g->before, POINT_KIND_BRIDGE) ||
	     point_is(e, g->before, POINT_KIND_BRIDGE_PORT)))
		b |= CF_INTO_BRIDGE;
	return b;
}

static uint64_t honesty_facts(const struct engine *e, const struct group *g)
{
	uint64_t b = 0;

	if (g->forced)
		b |= CF_FORCED;
	if (g->not_watched)
		b |= CF_NEXT_UNWATCHED;
	if (g->not_watched && undecodable_ahead(e, g))
		b |= CF_NEXT_UNDECODABLE;
	if (point_lost_frames(e, g->before))
		b |= CF_NEXT_CAPTURE_LOST;
	if (point_lost_frames(e, g->after))
		b |= CF_LAST_CAPTURE_LOST;
	return b;
}

static void icmp_facts(const struct group *g, struct cause_facts *cf)
{
	char s[96];

	if (!g->err)
		return;
	/* a loop shows as TTL exceeded or redirects, nothing else */
	if (g->loop && !icmp_is_ttl(g->family, g->err) &&
	    !icmp_is_redirect(g->family, g->err))
		cf->bits &= ~(uint64_t)CF_LOOP;
	cf->bits |= icmp_fact(g->family, g->err);
	fmt_ip(s, sizeof(s), g->family, g->err_src);
	facts_set(cf, "reporter", "%s", s);
	icmp_err_name(s, sizeof(s), g->family, g->err);
	facts_set(cf, "icmp", "%s", s);
	if (g->err_mtu)
		facts_set(cf, "mtu", "%u", g->err_mtu);
}

static void size_facts(const struct engine *e, const struct group *g,
		       struct cause_facts *cf)
{
	bool found;
	uint32_t big = largest_answered(e, &found);

	if (!found || g->min_len <= big)
		return;
	cf->bits |= CF_SIZE_DEPENDENT;
	if (g->fragmentable)
		cf->bits |= CF_FRAGMENTED;
	facts_set(cf, "passes", "%u", big);
	facts_set(cf, "fails", "%u", g->min_len);
}

static void nat_facts(const struct engine *e, const struct group *g,
		      struct cause_facts *cf)
{
	const struct nat_rewrite *nat = nat_of_flow(e, g->flow);
	const struct sighting *lr;
	char s[64];

	if (nat) {
		if ((g->rep_mask & (1ull << nat->to)) &&
		    !(g->rep_mask & (1ull << nat->from)))
			cf->bits |= CF_REPLY_AT_NAT;
		return;
	}
	/*
	 * A private source routed on un-NATed gets no reply from a public
	 * target; to a private one (a routed lab, an enterprise network, an
	 * IPv6 ULA) a route back is the normal case, not a NAT.
	 */
	lr = group_last_request(e, g);
	if (lr && ip_is_private(g->family, lr->src) &&
	    !ip_is_private(g->family, lr->dst) && request_routed(e, g)) {
		cf->bits |= CF_PRIVATE_UNNATED;
		fmt_ip(s, sizeof(s), g->family, lr->src);
		facts_set(cf, "source", "%s", s);
	}
}

/*
 * The unresolved neighbour near the loss, the one the probes' own sender
 * asks for first: on a segment where several hosts fail to resolve, the
 * sender's own request is the one its probes wait for.
 */
static const struct neigh *unresolved_of_sender(const struct engine *e,
						const struct group *g,
						uint64_t near)
{
	const struct flow *f = &e->flows[g->flow];
	uint32_t i;

	for (i = 0; !g->reply_dir && i < e->n_neigh; i++) {
		const struct neigh *ne = &e->neigh[i];

		if (ne->family == f->family && neigh_unresolved(ne) &&
		    (ne->req_mask & near) &&
		    !memcmp(ne->asker_ip, f->src, f->family == 6 ? 16 : 4))
			return ne;
	}
	return unresolved_near(e, near);
}

/* The requests never reached a watched port of a bridge: where, and why. */
static void bridge_cut_facts(const struct engine *e, const struct neigh *ne,
			     struct cause_facts *cf)
{
	struct bridge_cut bc;
	struct cause_ref why;
	char text[256];

	if (!state_bridge_cut(e, ne->req_mask, ne->first_req_ts,
			      ne->last_req_ts, &bc))
		return;
	cause_assign(&why, bc.cause, "bridge", bc.bridge, "in_port",
		     bc.in_dev, "out_port", bc.out_dev, NULL);
	cause_render(&why, text, sizeof(text));
	cf->bits |= CF_NEIGH_BRIDGE_CUT;
	facts_set(cf, "out_port", "%s", bc.out_dev);
	facts_set(cf, "bridge_why", "%s", text);
}

/* The requests reached a device that answers no ARP (host state). */
static void arp_ignore_facts(const struct engine *e, const struct neigh *ne,
			     struct cause_facts *cf)
{
	struct arp_ignored ai;

	if (!state_arp_ignored(e, ne->req_mask, &ai))
		return;
	cf->bits |= CF_HS_ARP_IGNORE;
	facts_set(cf, "arp_device", "%s", ai.dev);
	facts_set(cf, "arp_netns", "%s", ai.netns);
	facts_set(cf, "arp_sysctl", "%s", ai.sysctl);
}

/*
 * The kernel dropped its requests (the drop records joined them, neigh.c):
 * its reason, and the netfilter rule or policy when the record names one.
 */
static void neigh_drop_facts(const struct engine *e, const struct neigh *ne,
			     struct cause_facts *cf)
{
	int idx = ne->req_drop - 1;
	struct drop_nft n;

	if (!ne->req_drop)
		return;
	cf->bits |= CF_NEIGH_REQ_DROPPED;
	facts_set(cf, "neigh_drops", "%u", ne->req_drops);
	facts_set(cf, "neigh_reason", "%s", engine_reason(e, idx));
	facts_set(cf, "neigh_function", "%s", engine_reason_function(e, idx));
	if (!engine_reason_nft(e, idx, &n))
		return;
	if (n.by == DROP_NFT_RULE)
		facts_set(cf, "neigh_nft", "rule %llu of %s %s %s (hook %s)%s%s",
			  (unsigned long long)n.handle, n.family, n.table,
			  n.chain, n.hook[0] ? n.hook : "?",
			  n.rule[0] ? ": " : "", n.rule);
	else
		facts_set(cf, "neigh_nft", "%s of %s %s %s (hook %s)",
			  drop_nft_by_name(n.by), n.family, n.table, n.chain,
			  n.hook[0] ? n.hook : "?");
}

static void neigh_facts(const struct engine *e, const struct group *g,
			struct cause_facts *cf)
{
	/* a probe no point saw died before the first one: any segment */
	uint64_t near = g->after < 0 ? ~0ull :
			(1ull << g->after) |
			(g->before >= 0 ? 1ull << g->before : 0);
	const struct neigh *ne = unresolved_of_sender(e, g, near);
	char s[64];

	if (!ne)
		return;
	cf->bits |= CF_NEIGH_UNRESOLVED;
	fmt_ip(s, sizeof(s), ne->family, ne->ip);
	facts_set(cf, "neighbour", "%s", s);
	neigh_drop_facts(e, ne, cf);
	bridge_cut_facts(e, ne, cf);
	if (ne->family == 4)
		arp_ignore_facts(e, ne, cf);
}

/*
 * A probe that died waiting for its neighbour (seen at no point, or the
 * kernel's NEIGH_* reason): its neighbour exchange's answer was lost, and
 * where.  The sender's own exchanges first, else any asked where the
 * probe was last seen (the host resolving the next hop).
 */
static void neigh_answer_facts(const struct engine *e, const struct group *g,
			       struct cause_facts *cf)
{
	const struct flow *f = &e->flows[g->flow];
	const struct exch_series *s;
	struct exch_fate fo;

	if (g->reply_dir)
		return;
	if (g->after >= 0 && (g->drop_reason < 0 ||
			      strncmp(engine_reason(e, g->drop_reason),
				      "NEIGH_", 6)))
		return;
	s = exch_lost(e, f->family, f->src, 0, &fo);
	if (!s && g->drop_reason >= 0)
		s = exch_lost(e, f->family, NULL,
			      g->after >= 0 ? 1ull << g->after : 0, &fo);
	if (!s)
		return;
	cf->bits |= CF_NEIGH_ANSWER_LOST;
	exch_fate_params(e, s, &fo, cf);
}

/*
 * The sender's MAC (as its address's claims name it) enters a bridge
 * through two ports: replies addressed to it go to either.
 */
static void mac_facts(const struct engine *e, const struct group *g,
		      struct cause_facts *cf)
{
	const struct flow *f = &e->flows[g->flow];
	const struct neigh *ne = neigh_find(e, f->family, f->src);
	const struct mac_seen *m;
	char s[24];
	uint8_t i;

	for (i = 0; ne && i < ne->n_claim; i++) {
		m = mac_conflict_of(e, ne->claim[i].mac);
		if (!m)
			continue;
		cf->bits |= CF_MAC_CONFLICT;
		fmt_mac(s, sizeof(s), m->mac);
		facts_set(cf, "mac", "%s", s);
		facts_set(cf, "mac_ports", "%.40s and %.40s",
			  point_label(e, m->port[0]), point_label(e, m->port[1]));
		return;
	}
}

/* ---- tunnels ---------------------------------------------------------- */

/*
 * The sighting at the group's last point, in its direction, of one of its
 * probes, when that sighting was inside a tunnel (an underlay point).
 */
static const struct sighting *encap_sighting(const struct engine *e,
					     const struct group *g,
					     const struct probe **prp)
{
	uint8_t kind = g->reply_dir ? SK_REP : SK_REQ;
	uint32_t i;
	uint16_t j;

	if (g->after < 0)
		return NULL;
	for (i = 0; i < e->n_kept; i++) {
		const struct probe *pr = e->kept[i];

		if (pr->flow != g->flow || pr->req_mask != g->req_mask ||
		    pr->outcome != g->outcome)
			continue;
		for (j = 0; j < pr->n_sight; j++) {
			const struct sighting *s = &pr->s[j];

			if (s->kind == kind && s->point == g->after &&
			    s->encap) {
				*prp = pr;
				return s;
			}
		}
		return NULL;
	}
	return NULL;
}

static const char *encap_name(const struct engine *e,
			      const struct sighting *s)
{
	if (s->encap == ENCAP_UNKNOWN || s->encap > e->n_encaps)
		return "unknown";
	return tunnel_type_name(e->encaps[s->encap - 1].type);
}

static bool same_netns(const struct engine *e, int a, int b)
{
	const struct point *pa = point_get_const(e->points, (uint32_t)a);
	const struct point *pb = point_get_const(e->points, (uint32_t)b);

	return pa && pb && !strcmp(pa->netns, pb->netns);
}

/* Whether a point saw any probe of the flow inside a tunnel. */
static bool point_saw_encap(const struct engine *e, uint32_t flow, int point)
{
	uint32_t i;
	uint16_t j;

	for (i = 0; i < e->n_kept; i++) {
		const struct probe *pr = e->kept[i];

		if (pr->flow != flow)
			continue;
		for (j = 0; j < pr->n_sight; j++)
			if (pr->s[j].point == point && pr->s[j].encap)
				return true;
	}
	return false;
}

/*
 * Lost right after a point where it travelled encapsulated: the outer
 * length and the tunnel's overhead (outer length less the inner IP
 * datagram: echo data + ICMP header + IP header) for the MTU row.
 */
/* The tunnel's id and endpoint, as sentences name them. */
static void encap_params(const struct engine *e, const struct sighting *s,
			 struct cause_facts *cf)
{
	const struct encap_seen *x;
	char a[64];

	if (s->encap == ENCAP_UNKNOWN || s->encap > e->n_encaps)
		return;
	x = &e->encaps[s->encap - 1];
	if (x->has_id)
		facts_set(cf, "encap_id", "%u", x->id);
	fmt_ip(a, sizeof(a), x->family, x->dst);
	facts_set(cf, "outer_dst", "%s", a);
}

/*
 * Where the wire says an inner address lives: the latest encapsulated
 * sighting (any flow, either way) whose inner source is that address names
 * its VTEP (the outer source) and the VNI/key that VTEP sends with.
 */
static const struct encap_seen *vtep_of(const struct engine *e, uint8_t type,
					int family, const uint8_t *addr)
{
	const struct encap_seen *best = NULL;
	uint64_t best_ts = 0;
	uint32_t i;
	uint16_t j;

	for (i = 0; i < e->n_kept; i++) {
		const struct probe *pr = e->kept[i];

		if (pr->family != family)
			continue;
		for (j = 0; j < pr->n_sight; j++) {
			const struct sighting *s = &pr->s[j];
			const struct encap_seen *x;

			if ((s->kind != SK_REQ && s->kind != SK_REP) ||
			    !s->encap || s->encap > e->n_encaps ||
			    memcmp(s->src, addr, 16))
				continue;
			x = &e->encaps[s->encap - 1];
			if (x->type != type || (best && s->ts_ns < best_ts))
				continue;
			best = x;
			best_ts = s->ts_ns;
		}
	}
	return best;
}

/*
 * The lost packet against the VTEP its inner destination sends from: to
 * another outer address (wrong remote, stale FDB entry), or to the right
 * one with another VNI/key (the receiver has no such tunnel).
 */
static void vtep_facts(const struct engine *e, const struct probe *pr,
		       const struct sighting *s, struct cause_facts *cf)
{
	const struct encap_seen *x, *home;
	const char *id_name;
	char a[64];

	if (s->encap == ENCAP_UNKNOWN || s->encap > e->n_encaps)
		return;
	x = &e->encaps[s->encap - 1];
	home = vtep_of(e, x->type, pr->family, s->dst);
	if (!home || home == x || home->family != x->family)
		return;
	fmt_ip(a, sizeof(a), pr->family, s->dst);
	facts_set(cf, "inner_dst", "%s", a);
	fmt_ip(a, sizeof(a), home->family, home->src);
	facts_set(cf, "expected_vtep", "%s", a);
	/* in a sentence the VNI is spelled in capitals */
	id_name = tunnel_id_name((enum tunnel_type)x->type);
	facts_set(cf, "id_name", "%s",
		  strcmp(id_name, "vni") ? id_name : "VNI");
	if (memcmp(home->src, x->dst, 16)) {
		cf->bits |= CF_TUNNEL_WRONG_VTEP;
		return;
	}
	if (home->has_id && x->has_id && home->id != x->id) {
		cf->bits |= CF_TUNNEL_ID_MISMATCH;
		facts_set(cf, "expected_id", "%u", home->id);
	}
}

static void encap_facts(const struct engine *e, const struct group *g,
			struct cause_facts *cf)
{
	const struct probe *pr = NULL;
	const struct sighting *s = encap_sighting(e, g, &pr);
	uint32_t inner;

	if (!s)
		return;
	cf->bits |= CF_TUNNEL_ENCAP;
	inner = pr->len + 8 + (pr->family == 6 ? 40 : 20);
	facts_set(cf, "encap", "%s", encap_name(e, s));
	facts_set(cf, "outer_len", "%u", s->outer_len);
	if (s->outer_len > inner)
		facts_set(cf, "overhead", "%u", s->outer_len - inner);
	encap_params(e, s, cf);
	vtep_facts(e, pr, s, cf);
	/*
	 * The next point is in the same namespace and never sees the
	 * flow encapsulated: it is the tunnel device, and the packet died
	 * between the host's NIC and its decapsulation.
	 */
	if (g->before >= 0 && same_netns(e, g->after, g->before) &&
	    !point_saw_encap(e, g->flow, g->before))
		cf->bits |= CF_TUNNEL_IN_HOST;
}

void encap_evidence(const struct engine *e, const struct group *g,
		    struct finding *f)
{
	const struct probe *pr = NULL;
	const struct sighting *s = encap_sighting(e, g, &pr);
	const struct encap_seen *x;
	char a[64];

	if (!s)
		return;
	finding_str(f, "encap", "%s", encap_name(e, s));
	if (s->encap == ENCAP_UNKNOWN || s->encap > e->n_encaps)
		return;
	x = &e->encaps[s->encap - 1];
	if (x->has_id)
		finding_num(f, "encap_id", x->id);
	fmt_ip(a, sizeof(a), x->family, x->src);
	finding_str(f, "outer_src", "%s", a);
	fmt_ip(a, sizeof(a), x->family, x->dst);
	finding_str(f, "outer_dst", "%s", a);
}

static void kernel_facts(const struct engine *e, const struct group *g,
			 struct cause_facts *cf)
{
	const char *meaning;

	if (g->drop_reason < 0)
		return;
	cf->bits |= CF_KERNEL_REASON;
	facts_set(cf, "kernel_reason", "%s", engine_reason(e, g->drop_reason));
	facts_set(cf, "kernel_function", "%s",
		  engine_reason_function(e, g->drop_reason));
	meaning = kernel_meaning(engine_reason(e, g->drop_reason),
				 engine_reason_function(e, g->drop_reason));
	if (meaning)
		facts_set(cf, "kernel_meaning", "%s", meaning);
}

/* The iptables names of an attribution (drop_event.h struct drop_nft.xt):
 * the tool that lists it, the rule as a command that would add it. */
static void xt_facts(const struct drop_nft *n, struct cause_facts *cf)
{
	bool v6 = !strcmp(n->family, "ip6");
	const char *tool = n->xt == DROP_XT_LEGACY ?
		(v6 ? "ip6tables-legacy" : "iptables-legacy") :
		(v6 ? "ip6tables" : "iptables");

	if (n->xt == DROP_XT_NFT && (n->by == DROP_NFT_RULE ||
				     n->by == DROP_NFT_POLICY))
		cf->bits |= CF_IPT;
	facts_set(cf, "ipt_tool", "%s", tool);
	facts_set(cf, "ipt_table", "%s", n->table);
	facts_set(cf, "ipt_chain", "%s", n->chain);
	if (n->by != DROP_NFT_RULE)
		return;
	facts_set(cf, "ipt_num", "%u", n->xt_num);
	/* as a command that adds it; without iptables-nft-save's line, the
	 * rule's place and its nft text */
	if (n->xt_rule[0])
		facts_set(cf, "ipt_rule", "%s -t %s %s", tool, n->table,
			  n->xt_rule);
	else
		facts_set(cf, "ipt_rule", "%s %s %s rule%s%s%s", tool,
			  n->table, n->chain, n->rule[0] ? " (nft: " : "",
			  n->rule, n->rule[0] ? ")" : "");
}

/* The netfilter attribution the drop event carried (drop_event.h). */
static void nft_facts(const struct engine *e, const struct group *g,
		      struct cause_facts *cf)
{
	struct drop_nft n;

	if (g->drop_reason < 0 || !engine_reason_nft(e, g->drop_reason, &n))
		return;
	/* an x_tables table is no nf_tables rule: its own facts */
	if (n.xt == DROP_XT_LEGACY)
		cf->bits |= n.by == DROP_NFT_RULE ? CF_XT_RULE :
			    n.by == DROP_NFT_POLICY ? CF_XT_POLICY :
						      CF_NFT_UNKNOWN;
	else
		cf->bits |= n.by == DROP_NFT_RULE ? CF_NFT_RULE :
			    n.by == DROP_NFT_POLICY ? CF_NFT_POLICY :
						      CF_NFT_UNKNOWN;
	if (n.xt != DROP_XT_NONE)
		xt_facts(&n, cf);
	facts_set(cf, "nf_family", "%s", n.family);
	facts_set(cf, "nf_table", "%s", n.table);
	facts_set(cf, "nf_chain", "%s", n.chain);
	facts_set(cf, "nf_hook", "%s", n.hook[0] ? n.hook : "?");
	facts_set(cf, "nf_verdict_by", "%s", drop_nft_by_name(n.by));
	if (n.by == DROP_NFT_RULE && n.xt != DROP_XT_LEGACY)
		facts_set(cf, "nf_handle", "%llu",
			  (unsigned long long)n.handle);
	facts_set(cf, "nf_rule", "%s", n.rule);
	if (n.basis == DROP_NFT_BASIS_RULESET)
		facts_set(cf, "nf_basis", "%s",
			  n.by == DROP_NFT_RULE ?
				  "the only drop rule at that hook" :
			  n.by == DROP_NFT_POLICY ?
				  "no drop rule at that hook" :
				  "from the ruleset");
	else if (n.basis == DROP_NFT_BASIS_COUNTERS)
		facts_set(cf, "nf_basis", "%s",
			  n.by == DROP_NFT_RULE ?
				  "the only candidate whose counter grew" :
				  "no candidate rule counted it");
}

void group_facts(const struct engine *e, const struct group *g,
		 struct cause_facts *cf)
{
	const struct flow *f = &e->flows[g->flow];
	char s[64];

	memset(cf, 0, sizeof(*cf));
	cf->bits = location_facts(e, g) | honesty_facts(e, g);
	if (g->loop)
		cf->bits |= CF_LOOP;
	if (g->csum_bad)
		cf->bits |= CF_CSUM_BAD;
	if (f->outcome[PO_ANSWERED])
		cf->bits |= CF_FLOW_ANSWERED;
	icmp_facts(g, cf);
	if (g->vlan_last) {
		cf->bits |= CF_VLAN_TAGGED;
		facts_set(cf, "vlan", "%u", g->vlan_last - 1);
	}
	size_facts(e, g, cf);
	nat_facts(e, g, cf);
	neigh_facts(e, g, cf);
	neigh_answer_facts(e, g, cf);
	mac_facts(e, g, cf);
	state_facts(e, g, cf);
	encap_facts(e, g, cf);
	kernel_facts(e, g, cf);
	nft_facts(e, g, cf);
	if (g->after >= 0)
		facts_set(cf, "after", "%s", point_label(e, g->after));
	if (g->before >= 0)
		facts_set(cf, "before", "%s", point_label(e, g->before));
	fmt_ip(s, sizeof(s), f->family, f->dst);
	facts_set(cf, "target", "%s", s);
}
