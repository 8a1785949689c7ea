// SPDX-License-Identifier: GPL-2.0
/*
 * IPv4.  The datagram is bounded by its total length, the header by IHL*4;
 * options are walked only inside a fully captured header, each one length
 * checked.  Non-first fragments carry no L4 header and are not followed.
 */
#include <string.h>

#include "internal.h"

#define IPV4_MIN_HLEN 20
#define IPOPT_EOL 0
#define IPOPT_NOP 1
#define IPOPT_RA 148		/* router alert */

/* Options occupy at most 40 bytes; every turn consumes at least one. */
static void ipv4_options(struct dissect_ctx *d, struct cursor *o,
			 struct l3_info *ip)
{
	uint8_t type, len;
	int n;

	for (n = 0; n < 40 && cur_left(o) > 0; n++) {
		cur_u8(o, &type);
		if (type == IPOPT_EOL)
			return;
		if (type == IPOPT_NOP)
			continue;
		if (!cur_u8(o, &len) || len < 2 || len - 2u > cur_left(o)) {
			dissect_anom(d, o, ANOM_IPV4_BAD_OPTION);
			return;
		}
		if (type == IPOPT_RA)
			ip->has_router_alert = true;
		cur_skip(o, len - 2u);
	}
}

/*
 * True when the 20 bytes at b (a header without options) sum to 0xffff in
 * ones' complement, i.e. csum_fold() of their sum is 0: five native 32-bit
 * words, their carries folded back in.  Byte order does not matter for
 * this one value (RFC 1071 2(B)): every frame's IPv4 header goes through
 * here, without the general loop.
 */
static bool csum20_ok(const uint8_t *b)
{
	uint64_t acc = 0;
	uint32_t w;
	int i;

#pragma GCC unroll 5
	for (i = 0; i < 20; i += 4) {
		memcpy(&w, b + i, 4);
		acc += w;
	}
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return acc == 0xffff;
}

static void ipv4_checksum(struct dissect_ctx *d, struct cursor *hdr,
			  struct l3_info *ip)
{
	const uint8_t *b = ip->hdr_len == 20 ? cur_span(hdr, 20) : NULL;
	uint32_t sum = 0;

	if (b) {
		if (csum20_ok(b)) {
			ip->hdr_csum = CSUM_GOOD;
			return;
		}
		/* the general path below says it the same way */
	}
	if (!csum_cursor(hdr, ip->hdr_len, &sum)) {
		ip->hdr_csum = CSUM_UNVERIFIABLE;
		return;
	}
	if (csum_fold(sum) == 0) {
		ip->hdr_csum = CSUM_GOOD;
		return;
	}
	ip->hdr_csum = CSUM_BAD;
	dissect_anom(d, hdr, ANOM_IPV4_BAD_CHECKSUM);
}

void dissect_ipv4(struct dissect_ctx *d, struct cursor *c)
{
	struct net_info *net = d->net;
	struct l3_info *ip = &net->ip;
	struct cursor dg, hdr, pl;
	const uint8_t *b;
	uint8_t ver_ihl, proto;
	uint16_t frag;

	b = cur_span(c, 1);
	if (!b) {
		dissect_anom(d, c, ANOM_IPV4_TRUNCATED);
		return;
	}
	ver_ihl = b[0];
	if (ver_ihl >> 4 != 4) {
		dissect_anom(d, c, ANOM_IPV4_BAD_VERSION);
		return;
	}
	/*
	 * The fixed header is read from one checked span rather than field
	 * by field through the cursor: one bounds check instead of eleven,
	 * on every IPv4 frame.
	 */
	b = cur_span(c, IPV4_MIN_HLEN);
	if (!b) {
		dissect_anom(d, c, ANOM_IPV4_TRUNCATED);
		return;
	}
	net->l3_offset = dissect_frame_off(d, c);
	ip->version = 4;
	ip->hdr_len = (ver_ihl & 0x0f) * 4;
	ip->tos = b[1];
	ip->total_len = (uint16_t)(b[2] << 8 | b[3]);
	ip->ip_id = (uint16_t)(b[4] << 8 | b[5]);
	frag = (uint16_t)(b[6] << 8 | b[7]);
	ip->ttl = b[8];
	proto = b[9];
	ip->hdr_csum_value = (uint16_t)(b[10] << 8 | b[11]);
	ip->src.family = 4;
	ip->dst.family = 4;
	memcpy(ip->src.a, b + 12, 4);
	memcpy(ip->dst.a, b + 16, 4);
	ip->proto = proto;
	ip->df = frag & 0x4000;
	ip->mf = frag & 0x2000;
	ip->frag_off = (uint16_t)((frag & 0x1fff) * 8);
	ip->is_fragment = ip->mf || ip->frag_off;
	dissect_layer(d, LAYER_IPV4);

	if (ip->hdr_len < IPV4_MIN_HLEN) {
		dissect_anom(d, c, ANOM_IPV4_BAD_IHL);
		return;
	}
	if (ip->total_len < ip->hdr_len) {
		dissect_anom(d, c, ANOM_IPV4_BAD_TOTAL_LEN);
		return;
	}
	/* A quote is normally shorter than the datagram it quotes. */
	if (!d->in_quote && ip->total_len > cur_wire_left(c))
		dissect_anom(d, c, ANOM_IPV4_LEN_EXCEEDS_WIRE);

	cur_narrow(c, ip->total_len, &dg);
	net->caplen = dg.cap;
	if (!cur_narrow(&dg, ip->hdr_len, &hdr)) {
		ip->hdr_csum = CSUM_UNVERIFIABLE;
		dissect_anom(d, &hdr, ANOM_IPV4_TRUNCATED);
		return;
	}
	ipv4_checksum(d, &hdr, ip);
	ip->opt_len = (uint8_t)(ip->hdr_len - IPV4_MIN_HLEN);
	if (ip->opt_len) {
		cur_skip(&hdr, IPV4_MIN_HLEN);
		ipv4_options(d, &hdr, ip);
	}
	if (ip->frag_off)
		return;

	cur_rest(&dg, &pl);
	d->l4_len = ip->total_len - ip->hdr_len;
	d->l4_partial = ip->mf;
	dissect_by_ip_proto(d, &pl, proto);
}
