// SPDX-License-Identifier: GPL-2.0
/*
 * 802.1Q / 802.1ad / 0x9100 tags, stacked.  Reached through the ethertype
 * table, so each tag recurses once more; MAX_VLAN_TAGS bounds the depth.
 */
#include "internal.h"

void dissect_vlan(struct dissect_ctx *d, struct cursor *c)
{
	struct packet *p = d->p;
	struct vlan_tag *t;
	const uint8_t *b;
	uint16_t tci, type;

	if (p->n_vlan >= MAX_VLAN_TAGS) {
		dissect_anom(d, c, ANOM_VLAN_TOO_MANY);
		return;
	}
	b = cur_span(c, 4);
	if (!b) {
		dissect_anom(d, c, ANOM_VLAN_TRUNCATED);
		return;
	}
	tci = (uint16_t)(b[0] << 8 | b[1]);
	type = (uint16_t)(b[2] << 8 | b[3]);
	cur_skip(c, 4);
	t = &p->vlan[p->n_vlan++];
	t->tpid = d->link_proto;
	t->vid = tci & 0x0fff;
	t->pcp = tci >> 13;
	t->dei = (tci >> 12) & 1;
	dissect_layer(d, LAYER_VLAN);
	/* eth.ethertype is the innermost type; SLL keeps its own protocol. */
	if (p->layers & LAYER_ETH)
		p->eth.ethertype = type;
	dissect_by_ethertype(d, c, type);
}
