// SPDX-License-Identifier: GPL-2.0
/*
 * Neighbour layer: ARP and IPv6 neighbour discovery.  For every address it
 * counts who asked for it, where, how often, and whether anyone answered;
 * it records which MACs claim it (replies, announcements, the sender fields
 * of requests), which reveals IP conflicts, and gratuitous announcements.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define NEIGH_MIN_REQUESTS 2	/* one unanswered request may be in flight */

/* Where an address sits in neigh_index (never which entry it is). */
static uint32_t ip_hash(int family, const uint8_t *ip)
{
	return hash_fold(ip_hash64(family, ip, 0));
}

const struct neigh *neigh_find(const struct engine *e, int family,
			       const uint8_t *ip)
{
	uint32_t mask = 2 * MAX_NEIGH - 1, h = ip_hash(family, ip) & mask;

	for (;; h = (h + 1) & mask) {
		int32_t idx = e->neigh_index[h];
		const struct neigh *ne;

		if (idx < 0)
			return NULL;
		ne = &e->neigh[idx];
		if (ne->family == family && ip_eq(family, ne->ip, ip))
			return ne;
	}
}

static struct neigh *neigh_get(struct engine *e, int family, const uint8_t *ip)
{
	uint32_t mask = 2 * MAX_NEIGH - 1, h = ip_hash(family, ip) & mask;
	int n = family == 6 ? 16 : 4;
	struct neigh *ne;

	for (;; h = (h + 1) & mask) {
		int32_t idx = e->neigh_index[h];

		if (idx < 0)
			break;
		ne = &e->neigh[idx];
		if (ne->family == family && ip_eq(family, ne->ip, ip))
			return ne;
	}
	if (e->n_neigh == MAX_NEIGH) {
		e->neigh_overflow++;
		return NULL;
	}
	e->neigh_index[h] = (int32_t)e->n_neigh;
	ne = &e->neigh[e->n_neigh++];
	ne->family = (uint8_t)family;
	memcpy(ne->ip, ip, (size_t)n);
	return ne;
}

static bool is_zero(const uint8_t *a, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (a[i])
			return false;
	return true;
}

static void claim(struct engine *e, int family, const uint8_t *ip,
		  const uint8_t mac[6], uint16_t point, const struct packet *p)
{
	struct neigh *ne;
	uint8_t i;

	if (is_zero(ip, family == 6 ? 16 : 4) || is_zero(mac, 6))
		return;
	ne = neigh_get(e, family, ip);
	if (!ne)
		return;
	/*
	 * Where the owner of ip speaks first is where it lives: its claims
	 * then travel away from it.  Points stamped with that same first
	 * time (coarse clocks) are all candidates.
	 */
	if (!ne->claim_mask || p->frame->ts_ns < ne->claim_ts) {
		ne->claim_ts = p->frame->ts_ns;
		ne->claim_mask = 1ull << point;
	} else if (p->frame->ts_ns == ne->claim_ts) {
		ne->claim_mask |= 1ull << point;
	}
	for (i = 0; i < ne->n_claim; i++) {
		if (!memcmp(ne->claim[i].mac, mac, 6)) {
			ne->claim[i].count++;
			ne->claim[i].mask |= 1ull << point;
			return;
		}
	}
	if (ne->n_claim == NEIGH_MACS)
		return;
	memcpy(ne->claim[i].mac, mac, 6);
	ne->claim[i].point = point;
	ne->claim[i].mask = 1ull << point;
	ne->claim[i].frame_no = p->frame->number;
	ne->claim[i].ts = p->frame->ts_ns;
	ne->claim[i].count = 1;
	ne->n_claim++;
}

uint32_t neigh_streak(const struct neigh *ne)
{
	uint32_t best = 0;
	size_t i;

	for (i = 0; i < ENGINE_MAX_POINTS; i++)
		if (ne->since_reply[i] > best)
			best = ne->since_reply[i];
	return best;
}

bool neigh_unresolved(const struct neigh *ne)
{
	return neigh_streak(ne) >= NEIGH_MIN_REQUESTS;
}

/* The tag of the unanswered requests, where they were first seen tagged. */
static void note_request_vlan(struct neigh *ne, uint16_t point,
			      const struct packet *p)
{
	if (ne->req_vlan)
		return;
	if (p->n_vlan)
		ne->req_vlan = (uint16_t)(p->vlan[0].vid + 1);
	else if (p->frame->flags & FRAME_F_HW_VLAN)
		ne->req_vlan = (uint16_t)((p->frame->hw_vlan_tci & 0x0fff) + 1);
	else
		return;
	ne->req_vlan_point = point;
}

static void asked(struct engine *e, int family, const uint8_t *target,
		  const uint8_t *asker_ip, const uint8_t asker_mac[6],
		  uint16_t point, const struct packet *p)
{
	struct neigh *ne = neigh_get(e, family, target);

	if (!ne)
		return;
	if (!ne->req_mask) {
		ne->first_req_ts = p->frame->ts_ns;
		ne->first_req_frame = p->frame->number;
		ne->first_req_point = point;
		memcpy(ne->asker_ip, asker_ip, family == 6 ? 16 : 4);
		memcpy(ne->asker_mac, asker_mac, 6);
		ne->askers = 1;
	} else if (memcmp(ne->asker_mac, asker_mac, 6) && ne->askers < 2) {
		ne->askers++;
	}
	ne->req_mask |= 1ull << point;
	if (++ne->req_per_point[point] > ne->requests)
		ne->requests = ne->req_per_point[point];
	if (!ne->since_mask) {		/* neigh_streak() == 0, without the scan */
		ne->req_vlan = 0;
		ne->streak_first_ts = p->frame->ts_ns;
		ne->streak_first_frame = p->frame->number;
		ne->streak_first_point = point;
	}
	ne->since_reply[point]++;
	ne->since_mask |= 1ull << point;
	ne->last_req_ts = p->frame->ts_ns;
	note_request_vlan(ne, point, p);
}

static void answered(struct engine *e, int family, const uint8_t *ip)
{
	struct neigh *ne = neigh_get(e, family, ip);

	if (!ne)
		return;
	ne->replies++;
	memset(ne->since_reply, 0, sizeof(ne->since_reply));
	ne->since_mask = 0;
}

static void gratuitous(struct engine *e, int family, const uint8_t *ip,
		       const uint8_t mac[6], uint16_t point,
		       const struct packet *p)
{
	struct neigh *ne = neigh_get(e, family, ip);

	if (!ne)
		return;
	if (!ne->gratuitous++) {
		memcpy(ne->grat_mac, mac, 6);
		ne->grat_frame = p->frame->number;
		ne->grat_ts = p->frame->ts_ns;
		ne->grat_point = point;
	}
}

static void arp_feed(struct engine *e, const struct packet *p, uint16_t point)
{
	const struct arp_info *a = &p->arp;

	if (a->hlen != 6 || a->plen != 4)
		return;
	if (a->op == 1) {
		if (is_zero(a->spa, 4))
			return;	/* ARP probe (duplicate address detection) */
		claim(e, 4, a->spa, a->sha, point, p);
		if (a->is_gratuitous) {
			gratuitous(e, 4, a->spa, a->sha, point, p);
		} else {
			asked(e, 4, a->tpa, a->spa, a->sha, point, p);
			exch_request(e, p, point, 4, a->spa, a->sha, a->tpa);
		}
	} else if (a->op == 2) {
		claim(e, 4, a->spa, a->sha, point, p);
		answered(e, 4, a->spa);
		if (a->is_gratuitous)
			gratuitous(e, 4, a->spa, a->sha, point, p);
		else
			exch_answer(e, p, point, 4, a->tpa, a->tha, a->spa,
				    a->sha, false);
	}
}

static void nd_feed(struct engine *e, const struct packet *p, uint16_t point)
{
	const struct icmp_info *ic = &p->net.icmp;
	const uint8_t *mac;

	if (ic->type == 135) {
		if (is_zero(p->net.ip.src.a, 16))
			return;	/* duplicate address detection */
		mac = ic->has_sll ? ic->sll : p->eth.src;
		claim(e, 6, p->net.ip.src.a, mac, point, p);
		asked(e, 6, ic->nd_target.a, p->net.ip.src.a, mac, point, p);
		exch_request(e, p, point, 6, p->net.ip.src.a, mac,
			     ic->nd_target.a);
	} else if (ic->type == 136) {
		mac = ic->has_tll ? ic->tll : p->eth.src;
		claim(e, 6, ic->nd_target.a, mac, point, p);
		answered(e, 6, ic->nd_target.a);
		if (!(ic->nd_flags & 0x40))	/* unsolicited */
			gratuitous(e, 6, ic->nd_target.a, mac, point, p);
		else
			exch_answer(e, p, point, 6, p->net.ip.dst.a,
				    (p->layers & LAYER_ETH) ? p->eth.dst : NULL,
				    ic->nd_target.a, mac, false);
	}
}

/*
 * A kernel drop record of ARP or ND: an answer joins its exchange, which
 * then names the kernel's reason.  The record starts at the network
 * header (no Ethernet addresses): an ND answer is matched without the
 * asker's MAC.
 */
/*
 * A request the kernel dropped (a firewall's arp or bridge family rule...):
 * its target's entry keeps the first reason, so "nobody answers" can say
 * that the request never got to anyone who could.
 */
static bool request_dropped(struct engine *e, const struct packet *p,
			    int family, const uint8_t *target)
{
	const struct neigh *found = neigh_find(e, family, target);
	struct neigh *ne;

	/* joined to requests a point saw; a request seen nowhere stays
	 * an other drop */
	if (!found)
		return false;
	ne = &e->neigh[found - e->neigh];
	if (!ne->req_drop)
		ne->req_drop = (int16_t)(probe_drop_reason(e, p->frame) + 1);
	ne->req_drops++;
	return true;
}

bool neigh_feed_drop(struct engine *e, const struct packet *p)
{
	const struct icmp_info *ic = &p->net.icmp;
	const struct arp_info *a = &p->arp;
	uint16_t point = (uint16_t)p->frame->point;

	if (p->layers & LAYER_ARP) {
		if (packet_has_anomaly(p, ANOM_ARP_UNSUPPORTED) ||
		    packet_has_anomaly(p, ANOM_ARP_TRUNCATED) ||
		    a->hlen != 6 || a->plen != 4 || a->is_gratuitous)
			return false;
		if (a->op == 1)
			return !is_zero(a->spa, 4) &&
			       request_dropped(e, p, 4, a->tpa);
		if (a->op != 2)
			return false;
		return exch_answer(e, p, point, 4, a->tpa, a->tha, a->spa,
				   a->sha, true);
	}
	if ((p->layers & LAYER_ICMPV6) && !(p->layers & LAYER_QUOTED) &&
	    ic->type == 135 && !is_zero(p->net.ip.src.a, 16))
		return request_dropped(e, p, 6, ic->nd_target.a);
	if ((p->layers & LAYER_ICMPV6) && !(p->layers & LAYER_QUOTED) &&
	    ic->type == 136 && (ic->nd_flags & 0x40))
		return exch_answer(e, p, point, 6, p->net.ip.dst.a, NULL,
				   ic->nd_target.a,
				   ic->has_tll ? ic->tll : NULL, true);
	return false;
}

void neigh_free(struct engine *e)
{
	exch_free(e);
	macs_free(e);
}

void neigh_feed(struct engine *e, const struct packet *p, uint16_t point)
{
	/*
	 * ARP of other hardware (ATMARP...) or whose addresses were not
	 * captured: the dissector left its addresses zero, and read as
	 * Ethernet ARP they would be requests for or replies from 0.0.0.0.
	 */
	if ((p->layers & LAYER_ARP) &&
	    (packet_has_anomaly(p, ANOM_ARP_UNSUPPORTED) ||
	     packet_has_anomaly(p, ANOM_ARP_TRUNCATED)))
		return;
	if (p->layers & LAYER_ARP)
		arp_feed(e, p, point);
	else if ((p->layers & LAYER_ICMPV6) && !(p->layers & LAYER_QUOTED))
		nd_feed(e, p, point);
}

/* ---- findings -------------------------------------------------------- */

static void points_list(const struct engine *e, uint64_t mask, char *buf,
			size_t n)
{
	size_t len = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < ENGINE_MAX_POINTS && len < n; i++) {
		if (!(mask & (1ull << i)))
			continue;
		len += (size_t)snprintf(buf + len, n - len, "%s%s",
					len ? ", " : "", point_label(e, i));
	}
}

static int busiest_point(const struct neigh *ne)
{
	int i, best = -1;

	for (i = 0; i < ENGINE_MAX_POINTS; i++)
		if (ne->req_per_point[i] &&
		    (best < 0 || ne->req_per_point[i] > ne->req_per_point[best]))
			best = i;
	return best;
}

static void unanswered_finding(struct engine *e, const struct neigh *ne)
{
	char ip[64], asker[64], mac[24], where[256];
	struct bridge_cut bc;
	struct finding *f;
	int fam = ne->family;
	bool cut;

	fmt_ip(ip, sizeof(ip), fam, ne->ip);
	fmt_ip(asker, sizeof(asker), fam, ne->asker_ip);
	fmt_mac(mac, sizeof(mac), ne->asker_mac);
	points_list(e, ne->req_mask, where, sizeof(where));
	f = finding_add(e, fam == 6 ? FK_ND_UNANSWERED : FK_ARP_UNANSWERED,
			SEV_WARNING);
	if (!f)
		return;
	snprintf(f->summary, sizeof(f->summary),
		 /* addresses are at most 45 characters (INET6_ADDRSTRLEN) */
		 "neighbour resolution for %.46s fails: %.46s asked %llu times "
		 "(%s)%s, seen at %.150s; nobody answers for %.46s",
		 ip, asker, (unsigned long long)neigh_streak(ne),
		 fam == 6 ? "neighbour solicitation" : "ARP request",
		 ne->replies ? " since its last answer" : "", where, ip);
	/*
	 * A watched port of the bridge it crossed never saw it: nobody there
	 * could answer.  Located between the two, not "nobody owns it".
	 */
	cut = state_bridge_cut(e, ne->req_mask, ne->first_req_ts,
			       ne->last_req_ts, &bc);
	if (cut) {
		size_t len = strlen(f->summary);

		snprintf(f->summary + len, sizeof(f->summary) - len,
			 "; the requests never reach %s",
			 point_label(e, bc.out_point));
		finding_assign_cause(f, bc.cause, "bridge", bc.bridge,
				     "in_port", bc.in_dev, "out_port",
				     bc.out_dev, NULL);
	} else {
		finding_assign_cause(f, CAUSE_NEIGHBOUR_ABSENT, "address", ip,
				     NULL);
	}
	f->after = cut ? bc.in_point : busiest_point(ne);
	if (cut)
		f->before = bc.out_point;
	f->count = neigh_streak(ne);
	finding_str(f, "target", "%s", ip);
	finding_str(f, "asker_ip", "%s", asker);
	finding_str(f, "asker_mac", "%s", mac);
	finding_num(f, "requests", neigh_streak(ne));
	finding_num(f, "answered_before", ne->replies);
	finding_num(f, "askers", ne->askers);
	finding_evidence(f, ne->streak_first_point, ne->streak_first_ts,
			 ne->streak_first_frame, 0, "first unanswered request for %s",
			 ip);
}

/*
 * Two MACs claim the address where one point saw both: the same segment.
 * A host with two links that asks on one with its other link's address
 * (Linux's default arp_announce) claims it on segments that never meet;
 * with nothing to say they do, that is no conflict.
 */
static bool claims_share_segment(const struct neigh *ne)
{
	uint8_t i, j;

	for (i = 0; i < ne->n_claim; i++)
		for (j = i + 1; j < ne->n_claim; j++)
			if (ne->claim[i].mask & ne->claim[j].mask)
				return true;
	return false;
}

static void conflict_finding(struct engine *e, const struct neigh *ne)
{
	char ip[64], macs[128], m[24];
	struct finding *f;
	size_t len = 0;
	uint8_t i;

	fmt_ip(ip, sizeof(ip), ne->family, ne->ip);
	macs[0] = 0;
	for (i = 0; i < ne->n_claim; i++) {
		fmt_mac(m, sizeof(m), ne->claim[i].mac);
		len += (size_t)snprintf(macs + len, sizeof(macs) - len, "%s%s",
					i ? (i + 1 == ne->n_claim ? " and " : ", ")
					  : "", m);
		if (len >= sizeof(macs))
			break;
	}
	f = finding_add(e, FK_IP_CONFLICT, SEV_ERROR);
	if (!f)
		return;
	snprintf(f->summary, sizeof(f->summary),
		 "IP conflict: address %s claimed by MAC %s", ip, macs);
	finding_assign_cause(f, CAUSE_IP_CONFLICT, "address", ip, NULL);
	f->after = ne->claim[1].point;
	f->count = ne->n_claim;
	finding_str(f, "address", "%s", ip);
	for (i = 0; i < ne->n_claim; i++) {
		fmt_mac(m, sizeof(m), ne->claim[i].mac);
		finding_str(f, "mac", "%s", m);
		finding_evidence(f, ne->claim[i].point, ne->claim[i].ts,
				 ne->claim[i].frame_no, 0, "%s is-at %s", ip, m);
	}
}

static void gratuitous_finding(struct engine *e, const struct neigh *ne)
{
	char ip[64], mac[24];
	struct finding *f;

	fmt_ip(ip, sizeof(ip), ne->family, ne->ip);
	fmt_mac(mac, sizeof(mac), ne->grat_mac);
	f = finding_add(e, FK_GRATUITOUS_ARP, SEV_INFO);
	if (!f)
		return;
	snprintf(f->summary, sizeof(f->summary),
		 "gratuitous %s for %s from %s (%llu times)",
		 ne->family == 6 ? "neighbour advertisement" : "ARP", ip, mac,
		 (unsigned long long)ne->gratuitous);
	f->after = ne->grat_point;
	f->count = ne->gratuitous;
	finding_str(f, "address", "%s", ip);
	finding_str(f, "mac", "%s", mac);
	finding_evidence(f, ne->grat_point, ne->grat_ts, ne->grat_frame, 0,
			 "announcement of %s", ip);
}

void neigh_findings(struct engine *e)
{
	uint32_t i;

	for (i = 0; i < e->n_neigh; i++) {
		const struct neigh *ne = &e->neigh[i];

		if (claims_share_segment(ne))
			conflict_finding(e, ne);
		if (neigh_unresolved(ne))
			unanswered_finding(e, ne);
		if (ne->gratuitous)
			gratuitous_finding(e, ne);
	}
	exch_findings(e);
	macs_findings(e);
}
