// SPDX-License-Identifier: GPL-2.0
/* Ethernet II.  802.3 length frames (type <= 1500, LLC) end here. */
#include <string.h>

#include "internal.h"

#define ETH_HLEN 14

void dissect_eth(struct dissect_ctx *d, struct cursor *c)
{
	struct eth_info *e = &d->p->eth;
	const uint8_t *b = cur_span(c, ETH_HLEN);

	if (!b) {
		dissect_anom(d, c, ANOM_ETH_TRUNCATED);
		return;
	}
	/* one bounds check for the whole header, on every frame */
	memcpy(e->dst, b, 6);
	memcpy(e->src, b + 6, 6);
	e->ethertype = (uint16_t)(b[12] << 8 | b[13]);
	cur_skip(c, ETH_HLEN);
	dissect_layer(d, LAYER_ETH);
	dissect_by_ethertype(d, c, e->ethertype);
}
