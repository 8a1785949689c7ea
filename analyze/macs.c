// SPDX-License-Identifier: GPL-2.0
/*
 * Layer-2 identity: where each source MAC enters a bridge.  A bridge
 * learns a MAC on the port it last came in through; a MAC that comes in
 * through two ports within MAC_WINDOW_NS (two guests cloned with the same
 * MAC, a loop bringing frames back in) makes the bridge send the frames
 * addressed to it, replies included, to one port or the other.
 *
 * Which points are ports of one bridge: the capture does not record a
 * port's master, so the points of one netns whose kind is a bridge port,
 * a tap or a veth count as the ports of one bridge, and only frames the
 * point received (direction "in") count as entering it.  A frame whose
 * direction is not known says nothing: no guess.  Two hooks of one live
 * interface are one port.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static struct mac_table *mtable(struct engine *e)
{
	uint32_t i;

	if (!e->macs) {
		e->macs = calloc(1, sizeof(*e->macs));
		if (!e->macs)
			return NULL;
		for (i = 0; i < MAC_BUCKETS; i++)
			e->macs->bucket[i] = -1;
		for (i = 0; i < ENGINE_MAX_POINTS; i++)
			e->macs->domain[i] = -2;
	}
	return e->macs;
}

static bool is_port_kind(enum point_kind k)
{
	return k == POINT_KIND_BRIDGE_PORT || k == POINT_KIND_TAP ||
	       k == POINT_KIND_VETH;
}

/*
 * Two points are ports of one bridge: the same master, where the capture
 * recorded it (live, or a file dropspot wrote); else, with nothing better,
 * port-like points of one netns.
 */
static bool same_bridge(const struct point *a, const struct point *b)
{
	if (strcmp(a->netns, b->netns))
		return false;
	if (a->master_known || b->master_known)
		return a->master[0] && !strcmp(a->master, b->master);
	return is_port_kind(a->kind) && is_port_kind(b->kind);
}

/* The bridge a point is a port of: its first port point; -1 none. */
static int domain_of(struct engine *e, struct mac_table *t, uint16_t point)
{
	const struct point *pt, *o;
	size_t i;

	if (t->domain[point] != -2)
		return t->domain[point];
	t->domain[point] = -1;
	pt = point_get_const(e->points, point);
	if (!pt || pt->hook == HOOK_KFREE_SKB ||
	    (pt->master_known ? !pt->master[0] : !is_port_kind(pt->kind)))
		return -1;
	for (i = 0; i < e->points->count && i < ENGINE_MAX_POINTS; i++) {
		o = &e->points->items[i];
		if (o->hook != HOOK_KFREE_SKB && same_bridge(o, pt)) {
			t->domain[point] = (int16_t)i;
			break;
		}
	}
	return t->domain[point];
}

static uint32_t mac_hash(const uint8_t *m, int domain)
{
	uint32_t h = 2166136261u ^ (uint32_t)domain;
	int i;

	for (i = 0; i < 6; i++)
		h = (h ^ m[i]) * 16777619u;
	return h & (MAC_BUCKETS - 1);
}

static bool one_port(const struct engine *e, uint16_t a, uint16_t b)
{
	const struct point *pa, *pb;

	if (same_place(e, a, b))
		return true;
	pa = point_get_const(e->points, a);
	pb = point_get_const(e->points, b);
	/* one interface watched twice (two files of one tcpdump...) */
	return pa && pb && pa->ifname[0] && !strcmp(pa->ifname, pb->ifname) &&
	       !strcmp(pa->netns, pb->netns);
}

void macs_feed(struct engine *e, const struct packet *p, uint16_t point)
{
	const uint8_t *m = p->eth.src;
	static const uint8_t zero[6];
	struct mac_table *t;
	struct mac_seen *s;
	uint64_t ts = p->frame->ts_ns;
	uint32_t h;
	int32_t i;
	int d, k;

	if (!(p->layers & LAYER_ETH) || p->frame->dir != DIR_IN ||
	    (m[0] & 1) || !memcmp(m, zero, 6) || point >= ENGINE_MAX_POINTS)
		return;
	t = mtable(e);
	if (!t)
		return;
	d = domain_of(e, t, point);
	if (d < 0)
		return;
	h = mac_hash(m, d);
	for (i = t->bucket[h]; i >= 0; i = t->m[i].hnext)
		if (t->m[i].domain == d && !memcmp(t->m[i].mac, m, 6))
			break;
	if (i < 0) {
		if (t->n == MACS_LIMIT) {
			t->overflow++;
			return;
		}
		i = (int32_t)t->n++;
		s = &t->m[i];
		memset(s, 0, sizeof(*s));
		memcpy(s->mac, m, 6);
		s->domain = (uint16_t)d;
		s->hnext = t->bucket[h];
		t->bucket[h] = i;
	}
	s = &t->m[i];
	for (k = 0; k < s->n_port; k++)
		if (one_port(e, s->port[k], point))
			break;
	if (k == s->n_port) {
		if (s->n_port == 2)
			return;	/* a third port: the first two say it */
		s->port[k] = point;
		s->first_ts[k] = ts;
		s->frame[k] = p->frame->number;
		s->last_ts[k] = 0;
		s->n_port++;
	}
	/* came in through the other port a moment ago */
	if (s->n_port == 2 && s->last_ts[!k] &&
	    ts < s->last_ts[!k] + MAC_WINDOW_NS &&
	    s->last_ts[!k] < ts + MAC_WINDOW_NS) {
		if (!s->conflict) {
			s->conflict_ts = ts;
			if (t->n_conflict < MAC_CONFLICTS)
				t->conflict[t->n_conflict++] = (uint32_t)i;
		}
		s->conflict = true;
		s->flips += s->last_ts[k] <= s->last_ts[!k];
	}
	if (ts > s->last_ts[k])
		s->last_ts[k] = ts;
}

const struct mac_seen *mac_conflict_of(const struct engine *e,
				       const uint8_t mac[6])
{
	uint32_t i;

	const struct mac_seen *s;

	if (!e->macs)
		return NULL;
	for (i = 0; i < e->macs->n_conflict; i++) {
		s = &e->macs->m[e->macs->conflict[i]];
		if (!memcmp(s->mac, mac, 6))
			return s;
	}
	return NULL;
}

void macs_findings(struct engine *e)
{
	char mac[24], ports[160];
	struct finding *f;
	uint32_t i;

	if (!e->macs)
		return;
	for (i = 0; i < e->macs->n; i++) {
		const struct mac_seen *s = &e->macs->m[i];
		const char *a, *b;

		if (!s->conflict)
			continue;
		f = finding_add(e, FK_MAC_CONFLICT, SEV_ERROR);
		if (!f)
			return;
		fmt_mac(mac, sizeof(mac), s->mac);
		a = point_label(e, s->port[0]);
		b = point_label(e, s->port[1]);
		snprintf(ports, sizeof(ports), "%.70s and %.70s", a, b);
		finding_assign_cause(f, CAUSE_MAC_CONFLICT, "mac", mac,
				     "mac_ports", ports, NULL);
		snprintf(f->summary, sizeof(f->summary),
			 "MAC conflict: %s comes into the bridge through %s "
			 "(%llu switch(es) of port within %llu s)", mac, ports,
			 (unsigned long long)s->flips,
			 MAC_WINDOW_NS / 1000000000ull);
		f->count = s->flips + 1;
		finding_str(f, "mac", "%s", mac);
		finding_str(f, "port_a", "%s", a);
		finding_str(f, "port_b", "%s", b);
		finding_num(f, "first_ts_a", s->first_ts[0]);
		finding_num(f, "first_ts_b", s->first_ts[1]);
		finding_evidence(f, s->port[0], s->first_ts[0], s->frame[0], 0,
				 "%s first comes in", mac);
		finding_evidence(f, s->port[1], s->first_ts[1], s->frame[1], 0,
				 "%s first comes in", mac);
	}
}

void macs_free(struct engine *e)
{
	free(e->macs);
	e->macs = NULL;
}
