// SPDX-License-Identifier: GPL-2.0
/*
 * TCP: ports, flags, sequence numbers, window.  An ICMP error quotes only
 * 8 bytes of it (ports and sequence number), which is complete there.
 */
#include "internal.h"

#define TCP_HLEN 20
#define TCP_QUOTED 8

void dissect_tcp(struct dissect_ctx *d, struct cursor *c)
{
	struct l4_info *l4 = &d->net->l4;
	struct cursor start = *c;
	const uint8_t *b;
	uint8_t off, flags;

	if (!cur_has(c, d->in_quote ? TCP_QUOTED : TCP_HLEN)) {
		dissect_anom(d, c, ANOM_TCP_TRUNCATED);
		return;
	}
	/* each part from one checked span, not field by field */
	b = cur_span(c, TCP_QUOTED);
	l4->sport = (uint16_t)(b[0] << 8 | b[1]);
	l4->dport = (uint16_t)(b[2] << 8 | b[3]);
	l4->tcp_seq = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 |
		      (uint32_t)b[6] << 8 | b[7];
	cur_skip(c, TCP_QUOTED);
	dissect_layer(d, LAYER_TCP);
	b = cur_span(c, TCP_HLEN - TCP_QUOTED);
	if (!b)
		return;		/* a quote: the rest is not there */
	l4->tcp_ack = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		      (uint32_t)b[2] << 8 | b[3];
	off = b[4];
	flags = b[5];
	l4->tcp_win = (uint16_t)(b[6] << 8 | b[7]);
	cur_skip(c, TCP_HLEN - TCP_QUOTED);
	l4->tcp_flags = flags;
	off = (off >> 4) * 4;
	if (off < TCP_HLEN || off > d->l4_len)
		dissect_anom(d, &start, ANOM_TCP_BAD_OFFSET);
}
