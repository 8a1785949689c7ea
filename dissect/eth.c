// SPDX-License-Identifier: GPL-2.0
/* Ethernet II.  802.3 length frames (type <= 1500, LLC) end here. */
#include "internal.h"

#define ETH_HLEN 14

void dissect_eth(struct dissect_ctx *d, struct cursor *c)
{
	struct eth_info *e = &d->p->eth;

	if (!cur_has(c, ETH_HLEN)) {
		dissect_anom(d, c, ANOM_ETH_TRUNCATED);
		return;
	}
	cur_bytes(c, e->dst, 6);
	cur_bytes(c, e->src, 6);
	cur_be16(c, &e->ethertype);
	dissect_layer(d, LAYER_ETH);
	dissect_by_ethertype(d, c, e->ethertype);
}
