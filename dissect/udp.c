// SPDX-License-Identifier: GPL-2.0
/*
 * UDP: ports and a length that must agree with the IP length; tunnels
 * (VXLAN, Geneve) by destination port.
 */
#include "internal.h"

#define UDP_HLEN 8

void dissect_udp(struct dissect_ctx *d, struct cursor *c)
{
	struct l4_info *l4 = &d->net->l4;
	struct cursor pl;
	uint16_t csum;

	if (!cur_has(c, UDP_HLEN)) {
		dissect_anom(d, c, ANOM_UDP_TRUNCATED);
		return;
	}
	cur_be16(c, &l4->sport);
	cur_be16(c, &l4->dport);
	cur_be16(c, &l4->udp_len);
	cur_be16(c, &csum);
	dissect_layer(d, LAYER_UDP);
	/* In a fragment the UDP length covers the reassembled datagram. */
	if (l4->udp_len < UDP_HLEN ||
	    (!d->l4_partial && l4->udp_len > d->l4_len)) {
		dissect_anom(d, c, ANOM_UDP_BAD_LENGTH);
		return;
	}
	/* A tunnel's payload ends where UDP says, not at the frame's end. */
	cur_narrow(c, l4->udp_len - UDP_HLEN, &pl);
	dissect_by_udp_port(d, &pl, l4->dport);
}
