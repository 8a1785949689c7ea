// SPDX-License-Identifier: GPL-2.0
/*
 * Linux cooked captures: SLL (16-byte header, tcpdump -i any on older
 * libpcap) and SLL2 (20 bytes, adds the interface index).
 */
#include <string.h>

#include "internal.h"

#define SLL_HLEN 16
#define SLL2_HLEN 20
#define ARPHRD_NETLINK 824

static void sll_payload(struct dissect_ctx *d, struct cursor *c)
{
	const struct sll_info *s = &d->p->sll;

	dissect_layer(d, LAYER_SLL);
	/*
	 * Values below 0x600 are Linux pseudo-protocols (802.2, 802.3, CAN,
	 * ...), and netlink captures carry netlink families: not ours.
	 */
	if (s->hatype == ARPHRD_NETLINK || s->protocol < 0x600)
		return;
	dissect_by_ethertype(d, c, s->protocol);
}

void dissect_sll(struct dissect_ctx *d, struct cursor *c)
{
	struct sll_info *s = &d->p->sll;
	uint16_t halen;

	if (!cur_has(c, SLL_HLEN)) {
		dissect_anom(d, c, ANOM_SLL_TRUNCATED);
		return;
	}
	memset(s, 0, sizeof(*s));
	s->version = 1;
	cur_be16(c, &s->pkttype);
	cur_be16(c, &s->hatype);
	cur_be16(c, &halen);
	s->addr_len = halen > 8 ? 8 : (uint8_t)halen;
	cur_bytes(c, s->addr, 8);
	cur_be16(c, &s->protocol);
	sll_payload(d, c);
}

void dissect_sll2(struct dissect_ctx *d, struct cursor *c)
{
	struct sll_info *s = &d->p->sll;
	uint8_t pkttype, halen;
	uint16_t reserved;

	if (!cur_has(c, SLL2_HLEN)) {
		dissect_anom(d, c, ANOM_SLL_TRUNCATED);
		return;
	}
	memset(s, 0, sizeof(*s));
	s->version = 2;
	cur_be16(c, &s->protocol);
	cur_be16(c, &reserved);
	cur_be32(c, &s->ifindex);
	cur_be16(c, &s->hatype);
	cur_u8(c, &pkttype);
	cur_u8(c, &halen);
	s->pkttype = pkttype;
	s->addr_len = halen > 8 ? 8 : halen;
	cur_bytes(c, s->addr, 8);
	sll_payload(d, c);
}
