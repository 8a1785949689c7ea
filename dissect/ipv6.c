// SPDX-License-Identifier: GPL-2.0
/*
 * IPv6 and its extension headers.  The payload is bounded by the payload
 * length; each extension header gets its own narrowed cursor and must fit
 * in what the payload length claims (tcpdump CVE-2017-13725/13041 class:
 * never trust a length before checking it against its container).
 */
#include <string.h>

#include "internal.h"

#define IPV6_HLEN 40
#define IPV6_MAX_EXT 8

enum {
	NH_HOPOPTS = 0,
	NH_ROUTING = 43,
	NH_FRAGMENT = 44,
	NH_AH = 51,
	NH_NONE = 59,
	NH_DSTOPTS = 60,
};

#define IP6OPT_PAD1 0
#define IP6OPT_ROUTER_ALERT 5

static bool is_ext(uint8_t nh)
{
	return nh == NH_HOPOPTS || nh == NH_ROUTING || nh == NH_FRAGMENT ||
	       nh == NH_AH || nh == NH_DSTOPTS;
}

/* Hop-by-hop / destination options: TLVs after the 2-byte ext header. */
static bool ipv6_options(struct dissect_ctx *d, struct cursor *o,
			 struct l3_info *ip)
{
	uint8_t type, len;
	int n;

	cur_skip(o, 2);
	for (n = 0; n < 64 && cur_left(o) > 0; n++) {
		cur_u8(o, &type);
		if (type == IP6OPT_PAD1)
			continue;
		if (!cur_u8(o, &len) || len > cur_left(o)) {
			dissect_anom(d, o, ANOM_IPV6_BAD_EXT);
			return false;
		}
		if (type == IP6OPT_ROUTER_ALERT)
			ip->has_router_alert = true;
		cur_skip(o, len);
	}
	return true;
}

/*
 * With segments left, the upper-layer checksum uses the final destination
 * (RFC 8200 8.1): the last address of a type 0/2 header, segment 0 of an
 * SRH (type 4).
 */
static void ipv6_routing(struct dissect_ctx *d, struct cursor *r)
{
	uint8_t hlen, type, segs_left;
	uint32_t n_addr, at;

	cur_skip(r, 1);
	cur_u8(r, &hlen);
	cur_u8(r, &type);
	cur_u8(r, &segs_left);
	if (!segs_left || hlen < 2)
		return;
	n_addr = hlen / 2u;
	if (type == 0 || type == 2)
		at = (n_addr - 1) * 16;
	else if (type == 4)
		at = 0;
	else
		return;
	cur_skip(r, 4 + at);
	cur_bytes(r, d->pseudo_dst, 16);
	if (r->is_short)
		memcpy(d->pseudo_dst, d->net->ip.dst.a, 16);
}

/* Fragment header: returns false when this is not the first fragment. */
static bool ipv6_fragment(struct cursor *f, struct l3_info *ip)
{
	uint16_t offlg;

	cur_skip(f, 2);
	cur_be16(f, &offlg);
	cur_be32(f, &ip->frag_id);
	ip->frag_off = offlg & 0xfff8;
	ip->mf = offlg & 1;
	ip->is_fragment = true;
	return ip->frag_off == 0;
}

void dissect_ipv6(struct dissect_ctx *d, struct cursor *c)
{
	struct net_info *net = d->net;
	struct l3_info *ip = &net->ip;
	struct cursor pl, ext;
	uint32_t vtf, claimed, len;
	uint16_t plen;
	uint8_t nh, next, hlen;
	const uint8_t *b;

	b = cur_span(c, 1);
	if (!b) {
		dissect_anom(d, c, ANOM_IPV6_TRUNCATED);
		return;
	}
	if (b[0] >> 4 != 6) {
		dissect_anom(d, c, ANOM_IPV6_BAD_VERSION);
		return;
	}
	if (!cur_has(c, IPV6_HLEN)) {
		dissect_anom(d, c, ANOM_IPV6_TRUNCATED);
		return;
	}
	net->l3_offset = dissect_frame_off(d, c);
	/* the fixed header from one checked span, not field by field */
	b = cur_span(c, IPV6_HLEN);
	vtf = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	      (uint32_t)b[2] << 8 | b[3];
	plen = (uint16_t)(b[4] << 8 | b[5]);
	nh = b[6];
	ip->ttl = b[7];
	ip->src.family = 6;
	ip->dst.family = 6;
	memcpy(ip->src.a, b + 8, 16);
	memcpy(ip->dst.a, b + 24, 16);
	memcpy(d->pseudo_dst, ip->dst.a, 16);
	ip->version = 6;
	ip->tos = (uint8_t)(vtf >> 20);
	ip->flow_label = vtf & 0xfffff;
	ip->hdr_len = IPV6_HLEN;
	/* 40 + 65535 does not fit the field: saturate. */
	ip->total_len = plen > 0xffff - IPV6_HLEN ? 0xffff :
		(uint16_t)(IPV6_HLEN + plen);
	ip->proto = nh;
	dissect_layer(d, LAYER_IPV6);

	cur_skip(c, IPV6_HLEN);
	if (plen == 0 && nh != NH_NONE) {
		/* A jumbogram, or a lie: either way nothing we can bound. */
		dissect_anom(d, c, ANOM_IPV6_BAD_EXT);
		return;
	}
	if (!d->in_quote && plen > cur_wire_left(c))
		dissect_anom(d, c, ANOM_IPV6_LEN_EXCEEDS_WIRE);
	cur_narrow(c, plen, &pl);
	net->caplen = IPV6_HLEN + pl.cap;

	while (is_ext(nh)) {
		if (ip->n_ext >= IPV6_MAX_EXT) {
			dissect_anom(d, &pl, ANOM_IPV6_TOO_MANY_EXT);
			return;
		}
		claimed = plen - cur_offset(&pl);
		if (claimed < 8 || (nh == NH_HOPOPTS && ip->n_ext)) {
			dissect_anom(d, &pl, ANOM_IPV6_BAD_EXT);
			return;
		}
		b = cur_peek(&pl, 2);
		if (!b) {
			dissect_anom(d, &pl, ANOM_IPV6_TRUNCATED);
			return;
		}
		next = b[0];
		hlen = b[1];
		if (nh == NH_FRAGMENT)
			len = 8;
		else if (nh == NH_AH)
			len = (hlen + 2u) * 4;
		else
			len = (hlen + 1u) * 8;
		if (len > claimed) {
			dissect_anom(d, &pl, ANOM_IPV6_BAD_EXT);
			return;
		}
		if (!cur_narrow(&pl, len, &ext)) {
			dissect_anom(d, &ext, ANOM_IPV6_TRUNCATED);
			return;
		}
		ip->n_ext++;
		ip->hdr_len += len;
		ip->proto = next;
		if ((nh == NH_HOPOPTS || nh == NH_DSTOPTS) &&
		    !ipv6_options(d, &ext, ip))
			return;
		if (nh == NH_ROUTING)
			ipv6_routing(d, &ext);
		if (nh == NH_FRAGMENT && !ipv6_fragment(&ext, ip))
			return;		/* no L4 header in later fragments */
		nh = next;
	}
	if (nh == NH_NONE)
		return;
	d->l4_len = plen - cur_offset(&pl);
	d->l4_partial = ip->is_fragment && ip->mf;
	cur_rest(&pl, &ext);
	dissect_by_ip_proto(d, &ext, nh);
}
