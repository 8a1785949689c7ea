// SPDX-License-Identifier: GPL-2.0
/*
 * What every tunnel dissector shares: whether to follow an encapsulation,
 * keeping the outer headers, and the inner frame's first layer.
 *
 * The inner datagram takes net's place, so the engine identifies a probe
 * by the same fields on the overlay device and on the underlay NIC; the
 * outermost encapsulation is kept in p->tun.  Nesting is capped at
 * MAX_TUNNEL_DEPTH: each level is a dissector call through the dispatch
 * tables, so the cap also bounds the recursion on hostile input.  In the
 * datagram an ICMP error quotes, one tunnel is opened: the quoted inner
 * datagram takes quoted's place and p->tun describes the quoted outer.
 */
#include <string.h>

#include "internal.h"

#define ETH_HLEN 14

static const char *const tunnel_names[TUN_COUNT] = {
	[TUN_NONE] = "none",
	[TUN_VXLAN] = "vxlan",
	[TUN_VXLAN_GPE] = "vxlan-gpe",
	[TUN_GENEVE] = "geneve",
	[TUN_GRE] = "gre",
	[TUN_GRETAP] = "gretap",
	[TUN_ERSPAN] = "erspan",
	[TUN_IPIP] = "ipip",
	[TUN_SIT] = "sit",
	[TUN_IP6IP6] = "ip6ip6",
	[TUN_IP4IP6] = "ip4ip6",
};

const char *tunnel_type_name(enum tunnel_type t)
{
	if ((unsigned int)t >= TUN_COUNT || !tunnel_names[t])
		return "unknown";
	return tunnel_names[t];
}

const char *tunnel_id_name(enum tunnel_type t)
{
	switch (t) {
	case TUN_GRE:
	case TUN_GRETAP:
		return "key";
	case TUN_ERSPAN:
		return "session";
	default:
		return "vni";
	}
}

#define NET_LAYERS (LAYER_IPV4 | LAYER_IPV6 | LAYER_UDP | LAYER_TCP | \
		    LAYER_ICMP | LAYER_ICMPV6)

/* The outermost tunnel's underlay view, before net is reused. */
static void tunnel_keep_outer(struct dissect_ctx *d, enum tunnel_type type)
{
	struct tunnel_info *t = &d->p->tun;
	const struct net_info *n = d->net;

	t->type = (uint8_t)type;
	t->outer_df = n->ip.df;
	t->outer_ttl = n->ip.ttl;
	t->outer_proto = n->ip.proto;
	t->outer_len = n->ip.total_len;
	if (*d->layers & LAYER_UDP) {
		t->sport = n->l4.sport;
		t->dport = n->l4.dport;
	}
	t->outer_l3_offset = n->l3_offset;
	t->outer_layers = *d->layers & NET_LAYERS;
	t->src = n->ip.src;
	t->dst = n->ip.dst;
}

bool tunnel_may_open(struct dissect_ctx *d, const struct cursor *c)
{
	/*
	 * An outer fragment is only part of the inner datagram: reading it
	 * would give a cut probe.  (ipfrag.c reassembles ICMP only, so a
	 * probe on an underlay that fragments is not followed yet.)
	 */
	if (d->l4_partial)
		return false;
	/*
	 * An underlay router's ICMP error quotes the encapsulated probe: one
	 * tunnel is opened in the quote, so the error can be matched to the
	 * probe inside, unless the error itself travels in a tunnel (p->tun
	 * is taken).
	 */
	if (d->in_quote && (d->depth || d->p->tun.depth))
		return false;
	if (d->depth >= MAX_TUNNEL_DEPTH) {
		dissect_anom(d, c, ANOM_TUNNEL_TOO_DEEP);
		return false;
	}
	return true;
}

void tunnel_open(struct dissect_ctx *d, enum tunnel_type type)
{
	if (d->depth == 0) {
		tunnel_keep_outer(d, type);
		d->p->tun.in_quote = d->in_quote;
	}
	d->depth++;
	d->p->tun.depth = d->depth;
	memset(d->net, 0, sizeof(*d->net));
	*d->layers = (*d->layers & ~(uint32_t)NET_LAYERS) | LAYER_TUNNEL;
	d->l4_len = 0;
	d->l4_partial = false;
}

void tunnel_set_id(struct dissect_ctx *d, uint32_t id)
{
	if (d->depth != 1)
		return;
	d->p->tun.id = id;
	d->p->tun.has_id = true;
}

static bool is_vlan_tpid(uint16_t type)
{
	return type == 0x8100 || type == 0x88a8 || type == 0x9100;
}

/*
 * VLAN tags of the inner frame: skipped here rather than dissected into
 * p->vlan, which describes the frame on the wire at this point (a tag
 * inside a tunnel is no tag on the underlay).  The first one's id is kept.
 * False, with an anomaly, when the tags are cut or too many.
 */
static bool inner_vlans(struct dissect_ctx *d, struct cursor *c,
			uint16_t *type)
{
	struct tunnel_info *t = &d->p->tun;
	uint16_t tci;
	int n;

	for (n = 0; is_vlan_tpid(*type); n++) {
		if (n == MAX_VLAN_TAGS) {
			dissect_anom(d, c, ANOM_VLAN_TOO_MANY);
			return false;
		}
		if (!cur_has(c, 4)) {
			dissect_anom(d, c, ANOM_VLAN_TRUNCATED);
			return false;
		}
		cur_be16(c, &tci);
		cur_be16(c, type);
		if (n == 0 && d->depth == 1) {
			t->inner_vlan = tci & 0x0fff;
			t->has_inner_vlan = true;
		}
	}
	return true;
}

/*
 * The inner Ethernet header goes to tun, not to p->eth: p->eth stays the
 * frame's own link layer at this point (the underlay's MACs).
 */
void tunnel_inner_eth(struct dissect_ctx *d, struct cursor *c)
{
	struct tunnel_info *t = &d->p->tun;
	uint8_t dst[6], src[6];
	uint16_t type;

	if (!cur_has(c, ETH_HLEN)) {
		dissect_anom(d, c, ANOM_ETH_TRUNCATED);
		return;
	}
	cur_bytes(c, dst, 6);
	cur_bytes(c, src, 6);
	cur_be16(c, &type);
	if (d->depth == 1) {
		memcpy(t->inner_dst, dst, 6);
		memcpy(t->inner_src, src, 6);
		t->has_inner_eth = true;
	}
	if (inner_vlans(d, c, &type))
		dissect_by_ethertype(d, c, type);
}

void tunnel_inner_proto(struct dissect_ctx *d, struct cursor *c,
			uint16_t proto)
{
	if (proto == 0x6558)	/* transparent Ethernet bridging */
		tunnel_inner_eth(d, c);
	else if (proto == 0x0800 || proto == 0x86dd)
		dissect_by_ethertype(d, c, proto);
}
