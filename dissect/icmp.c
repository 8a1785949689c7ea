// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP.  The checksum covers the whole message as the IP length claims, so
 * it is checked only when every byte was captured and the datagram is not
 * a fragment.  Errors quote the offending datagram: it is dissected into
 * p->quoted inside the quote's own bound (tcpdump CVE-2017-13012 class),
 * one level deep only.
 */
#include "internal.h"

#define ICMP_HLEN 8
#define ICMP_ECHOREPLY 0
#define ICMP_UNREACH 3
#define ICMP_SOURCEQUENCH 4
#define ICMP_REDIRECT 5
#define ICMP_ECHO 8
#define ICMP_TIMXCEED 11
#define ICMP_PARAMPROB 12
#define ICMP_UNREACH_NEEDFRAG 4

static void icmp_checksum(struct dissect_ctx *d, struct cursor *c,
			  struct icmp_info *ic)
{
	uint32_t sum = 0;

	if (d->l4_partial || !csum_cursor(c, d->l4_len, &sum)) {
		ic->csum = CSUM_UNVERIFIABLE;
		return;
	}
	if (csum_fold(sum) == 0) {
		ic->csum = CSUM_GOOD;
		return;
	}
	ic->csum = CSUM_BAD;
	dissect_anom(d, c, ANOM_ICMP_BAD_CHECKSUM);
}

/* Echo data: its length per the IP header, and a hash of what we have. */
void icmp_echo_data(struct dissect_ctx *d, struct cursor *c,
		    struct icmp_info *ic)
{
	uint32_t n = cur_left(c);
	const uint8_t *b;

	ic->echo_len = d->l4_len > ICMP_HLEN ? d->l4_len - ICMP_HLEN : 0;
	if (n > ic->echo_len)
		n = ic->echo_len;
	b = cur_peek(c, n);
	ic->echo_caplen = b ? n : 0;
	ic->echo_hash = dissect_echo_hash(b, ic->echo_caplen);
}

/*
 * The quote runs to the end of the message, or (RFC 4884) for as many
 * 32-bit words as byte 5 says when an extension structure follows.
 */
static void icmp_quote(struct dissect_ctx *d, struct cursor *c,
		       uint8_t words)
{
	struct cursor q;
	const uint8_t *b;
	uint32_t need = 20 + 8;

	if (d->in_quote)
		return;
	if (words && words * 4u <= cur_wire_left(c))
		cur_narrow(c, words * 4u, &q);
	else
		cur_rest(c, &q);
	b = cur_peek(&q, 1);
	if (b && (b[0] & 0x0f) > 5)
		need = (b[0] & 0x0fu) * 4 + 8;
	/* RFC 792/1812: at least the IP header and 8 bytes of payload. */
	if (cur_wire_left(&q) < need)
		dissect_anom(d, &q, ANOM_ICMP_QUOTE_TRUNCATED);
	dissect_quote(d, &q, 4);
}

void dissect_icmp(struct dissect_ctx *d, struct cursor *c)
{
	struct icmp_info *ic = &d->net->icmp;
	const uint8_t *b;
	uint8_t b4, b5;
	uint16_t w6;

	/* ICMPv4 inside IPv6 means nothing; don't invent a checksum state. */
	if (d->net->ip.version != 4)
		return;
	if (!cur_has(c, 4)) {
		dissect_anom(d, c, ANOM_ICMP_TRUNCATED);
		return;
	}
	icmp_checksum(d, c, ic);
	/* the fixed words from checked spans, not field by field */
	b = cur_span(c, 4);
	ic->type = b[0];
	ic->code = b[1];
	ic->csum_value = (uint16_t)(b[2] << 8 | b[3]);
	cur_skip(c, 4);
	dissect_layer(d, LAYER_ICMP);
	if (!cur_has(c, 4)) {
		dissect_anom(d, c, ANOM_ICMP_TRUNCATED);
		return;
	}

	switch (ic->type) {
	case ICMP_ECHO:
	case ICMP_ECHOREPLY:
		b = cur_span(c, 4);
		ic->echo_id = (uint16_t)(b[0] << 8 | b[1]);
		ic->echo_seq = (uint16_t)(b[2] << 8 | b[3]);
		cur_skip(c, 4);
		icmp_echo_data(d, c, ic);
		break;
	case ICMP_UNREACH:
	case ICMP_TIMXCEED:
	case ICMP_PARAMPROB:
		cur_u8(c, &b4);
		cur_u8(c, &b5);
		cur_be16(c, &w6);
		if (ic->type == ICMP_UNREACH && ic->code == ICMP_UNREACH_NEEDFRAG)
			ic->mtu = w6;
		if (ic->type == ICMP_PARAMPROB)
			ic->pointer = b4;
		icmp_quote(d, c, b5);
		break;
	case ICMP_REDIRECT:
		ic->gateway.family = 4;
		cur_bytes(c, ic->gateway.a, 4);
		icmp_quote(d, c, 0);
		break;
	case ICMP_SOURCEQUENCH:
		cur_skip(c, 4);
		icmp_quote(d, c, 0);
		break;
	default:
		break;
	}
}
