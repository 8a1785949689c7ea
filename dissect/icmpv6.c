// SPDX-License-Identifier: GPL-2.0
/*
 * ICMPv6: checksum over the pseudo-header (final destination), echo,
 * neighbour discovery with its options, and errors quoting the packet.
 * ND options are bounded one by one; a zero length would loop forever in
 * a naive walker (tcpdump CVE-2017-13021/13022 class), so it stops here.
 */
#include "internal.h"

#define ICMP6_HLEN 8
#define ICMP6_DST_UNREACH 1
#define ICMP6_PACKET_TOO_BIG 2
#define ICMP6_TIME_EXCEEDED 3
#define ICMP6_PARAM_PROB 4
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define ND_ROUTER_SOLICIT 133
#define ND_ROUTER_ADVERT 134
#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT 136
#define ND_REDIRECT 137

#define ND_OPT_SLL 1
#define ND_OPT_TLL 2
#define ND_OPT_MTU 5
#define ND_MAX_OPTS 32

static void icmpv6_checksum(struct dissect_ctx *d, struct cursor *c,
			    struct icmp_info *ic)
{
	const struct l3_info *ip = &d->net->ip;
	uint32_t sum;

	sum = csum_pseudo_v6(ip->src.a, d->pseudo_dst, 58, d->l4_len);
	if (d->l4_partial || !csum_cursor(c, d->l4_len, &sum)) {
		ic->csum = CSUM_UNVERIFIABLE;
		return;
	}
	if (csum_fold(sum) == 0) {
		ic->csum = CSUM_GOOD;
		return;
	}
	ic->csum = CSUM_BAD;
	dissect_anom(d, c, ANOM_ICMPV6_BAD_CHECKSUM);
}

/*
 * Options run to the end of the message as the IP length claims: a length
 * beyond that is malformed, one beyond the captured bytes is truncation.
 */
static void nd_options(struct dissect_ctx *d, struct cursor *c,
		       struct icmp_info *ic)
{
	const uint8_t *b;
	struct cursor o;
	uint32_t claimed;
	uint8_t type, len;
	int n;

	for (n = 0; n < ND_MAX_OPTS; n++) {
		claimed = d->l4_len - cur_offset(c);
		if (claimed == 0)
			return;
		b = claimed < 2 ? NULL : cur_peek(c, 2);
		if (!b) {
			dissect_anom(d, c, claimed < 2 ? ANOM_ND_BAD_OPTION :
				     ANOM_ICMPV6_TRUNCATED);
			return;
		}
		len = b[1];
		if (len == 0 || len * 8u > claimed) {
			dissect_anom(d, c, ANOM_ND_BAD_OPTION);
			return;
		}
		if (!cur_narrow(c, len * 8u, &o)) {
			dissect_anom(d, &o, ANOM_ICMPV6_TRUNCATED);
			return;
		}
		cur_u8(&o, &type);
		cur_skip(&o, 1);
		switch (type) {
		case ND_OPT_SLL:
			ic->has_sll = cur_bytes(&o, ic->sll, 6);
			break;
		case ND_OPT_TLL:
			ic->has_tll = cur_bytes(&o, ic->tll, 6);
			break;
		case ND_OPT_MTU:
			cur_skip(&o, 2);
			cur_be32(&o, &ic->nd_mtu);
			break;
		default:
			break;
		}
	}
}

static void icmpv6_quote(struct dissect_ctx *d, struct cursor *c,
			 uint8_t words)
{
	struct cursor q;

	if (d->in_quote)
		return;
	/* RFC 4884: byte 4 of types 1 and 3 is the quote length in 8s. */
	if (words && words * 8u <= cur_wire_left(c))
		cur_narrow(c, words * 8u, &q);
	else
		cur_rest(c, &q);
	if (cur_wire_left(&q) < 40 + 8)
		dissect_anom(d, &q, ANOM_ICMP_QUOTE_TRUNCATED);
	dissect_quote(d, &q, 6);
}

static bool nd_target(struct cursor *c, struct icmp_info *ic)
{
	ic->nd_target.family = 6;
	return cur_bytes(c, ic->nd_target.a, 16);
}

/* Fixed part of an ND message after the 4-byte word at offset 4. */
static void icmpv6_nd(struct dissect_ctx *d, struct cursor *c,
		      struct icmp_info *ic, uint8_t b4)
{
	uint32_t need = 0;

	switch (ic->type) {
	case ND_ROUTER_ADVERT:
		need = 8;	/* reachable time, retrans timer */
		break;
	case ND_NEIGHBOR_SOLICIT:
	case ND_NEIGHBOR_ADVERT:
		need = 16;
		break;
	case ND_REDIRECT:
		need = 32;
		break;
	}
	if (!cur_has(c, need)) {
		dissect_anom(d, c, ANOM_ICMPV6_TRUNCATED);
		return;
	}
	if (ic->type == ND_NEIGHBOR_ADVERT)
		ic->nd_flags = b4 & 0xe0;
	if (ic->type == ND_ROUTER_ADVERT)
		cur_skip(c, 8);
	else if (ic->type != ND_ROUTER_SOLICIT)
		nd_target(c, ic);
	if (ic->type == ND_REDIRECT)
		cur_skip(c, 16);	/* destination address */
	nd_options(d, c, ic);
}

void dissect_icmpv6(struct dissect_ctx *d, struct cursor *c)
{
	struct icmp_info *ic = &d->net->icmp;
	uint8_t b4, b5;
	uint16_t w6;
	uint32_t w4;

	/* Its checksum needs an IPv6 pseudo-header: not over IPv4. */
	if (d->net->ip.version != 6)
		return;
	if (!cur_has(c, 4)) {
		dissect_anom(d, c, ANOM_ICMPV6_TRUNCATED);
		return;
	}
	icmpv6_checksum(d, c, ic);
	cur_u8(c, &ic->type);
	cur_u8(c, &ic->code);
	cur_be16(c, &ic->csum_value);
	dissect_layer(d, LAYER_ICMPV6);
	if (!cur_has(c, 4)) {
		dissect_anom(d, c, ANOM_ICMPV6_TRUNCATED);
		return;
	}

	switch (ic->type) {
	case ICMP6_ECHO_REQUEST:
	case ICMP6_ECHO_REPLY:
		cur_be16(c, &ic->echo_id);
		cur_be16(c, &ic->echo_seq);
		icmp_echo_data(d, c, ic);
		break;
	case ICMP6_PACKET_TOO_BIG:
		cur_be32(c, &ic->mtu);
		icmpv6_quote(d, c, 0);
		break;
	case ICMP6_PARAM_PROB:
		cur_be32(c, &w4);
		ic->pointer = w4 > 0xff ? 0xff : (uint8_t)w4;
		icmpv6_quote(d, c, 0);
		break;
	case ICMP6_DST_UNREACH:
	case ICMP6_TIME_EXCEEDED:
		cur_u8(c, &b4);
		cur_skip(c, 3);
		icmpv6_quote(d, c, b4);
		break;
	case ND_ROUTER_SOLICIT:
	case ND_ROUTER_ADVERT:
	case ND_NEIGHBOR_SOLICIT:
	case ND_NEIGHBOR_ADVERT:
	case ND_REDIRECT:
		cur_u8(c, &b4);
		cur_u8(c, &b5);
		cur_be16(c, &w6);
		if (ic->type == ND_ROUTER_ADVERT) {
			ic->ra_hop_limit = b4;
			ic->ra_lifetime = w6;
		}
		icmpv6_nd(d, c, ic, ic->type == ND_ROUTER_ADVERT ? b5 : b4);
		break;
	default:
		break;
	}
}
