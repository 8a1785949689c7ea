// SPDX-License-Identifier: GPL-2.0
/*
 * ARP.  Only Ethernet/IPv4 addresses are decoded; anything else keeps its
 * fixed fields and is flagged unsupported, without reading address offsets
 * that hlen/plen say are not there (tcpdump CVE-2017-13011 class).
 */
#include <string.h>

#include "internal.h"

#define ARP_FIXED 8
#define ARPHRD_ETHER 1
#define ARPHRD_IEEE802 6

void dissect_arp(struct dissect_ctx *d, struct cursor *c)
{
	struct arp_info *a = &d->p->arp;

	if (!cur_has(c, ARP_FIXED)) {
		dissect_anom(d, c, ANOM_ARP_TRUNCATED);
		return;
	}
	memset(a, 0, sizeof(*a));
	cur_be16(c, &a->htype);
	cur_be16(c, &a->ptype);
	cur_u8(c, &a->hlen);
	cur_u8(c, &a->plen);
	cur_be16(c, &a->op);
	dissect_layer(d, LAYER_ARP);

	if ((a->htype != ARPHRD_ETHER && a->htype != ARPHRD_IEEE802) ||
	    a->ptype != 0x0800 || a->hlen != 6 || a->plen != 4) {
		dissect_anom(d, c, ANOM_ARP_UNSUPPORTED);
		return;
	}
	if (!cur_has(c, 2 * (6 + 4))) {
		dissect_anom(d, c, ANOM_ARP_TRUNCATED);
		/* Keep a->hlen etc.; addresses stay zero. */
		return;
	}
	cur_bytes(c, a->sha, 6);
	cur_bytes(c, a->spa, 4);
	cur_bytes(c, a->tha, 6);
	cur_bytes(c, a->tpa, 4);
	a->is_gratuitous = memcmp(a->spa, a->tpa, 4) == 0;
}
