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
	uint8_t off, flags;

	if (!cur_has(c, d->in_quote ? TCP_QUOTED : TCP_HLEN)) {
		dissect_anom(d, c, ANOM_TCP_TRUNCATED);
		return;
	}
	cur_be16(c, &l4->sport);
	cur_be16(c, &l4->dport);
	cur_be32(c, &l4->tcp_seq);
	dissect_layer(d, LAYER_TCP);
	if (!cur_has(c, TCP_HLEN - TCP_QUOTED))
		return;		/* a quote: the rest is not there */
	cur_be32(c, &l4->tcp_ack);
	cur_u8(c, &off);
	cur_u8(c, &flags);
	cur_be16(c, &l4->tcp_win);
	l4->tcp_flags = flags;
	off = (off >> 4) * 4;
	if (off < TCP_HLEN || off > d->l4_len)
		dissect_anom(d, &start, ANOM_TCP_BAD_OFFSET);
}
