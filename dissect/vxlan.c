// SPDX-License-Identifier: GPL-2.0
/*
 * VXLAN (RFC 7348) on UDP 4789 and Linux's old default 8472, and
 * VXLAN-GPE on 4790: an 8-byte header carrying the 24-bit VNI, then an
 * Ethernet frame (GPE: the frame its next-protocol byte names).
 */
#include "internal.h"

#define VXLAN_HLEN 8
#define VXLAN_F_VNI 0x08	/* I: the VNI is valid (must be set) */
#define GPE_F_VER 0x30
#define GPE_F_NP 0x04		/* P: next protocol present */

enum gpe_np {
	GPE_NP_IPV4 = 1,
	GPE_NP_IPV6 = 2,
	GPE_NP_ETH = 3,
};

/* Reads the header; false (with an anomaly) when it cannot be followed. */
static bool vxlan_header(struct dissect_ctx *d, struct cursor *c,
			 uint8_t *flags, uint8_t *np, uint32_t *vni)
{
	uint8_t b[VXLAN_HLEN];

	if (!cur_has(c, VXLAN_HLEN)) {
		dissect_anom(d, c, ANOM_TUNNEL_TRUNCATED);
		return false;
	}
	cur_bytes(c, b, VXLAN_HLEN);
	*flags = b[0];
	*np = b[3];
	*vni = (uint32_t)b[4] << 16 | (uint32_t)b[5] << 8 | b[6];
	return true;
}

void dissect_vxlan(struct dissect_ctx *d, struct cursor *c)
{
	uint8_t flags, np;
	uint32_t vni;

	if (!tunnel_may_open(d, c) || !vxlan_header(d, c, &flags, &np, &vni))
		return;
	/* Without the I flag the VNI means nothing: not a VXLAN frame. */
	if (!(flags & VXLAN_F_VNI)) {
		dissect_anom(d, c, ANOM_TUNNEL_BAD_HEADER);
		return;
	}
	tunnel_open(d, TUN_VXLAN);
	tunnel_set_id(d, vni);
	tunnel_inner_eth(d, c);
}

void dissect_vxlan_gpe(struct dissect_ctx *d, struct cursor *c)
{
	uint8_t flags, np;
	uint32_t vni;

	if (!tunnel_may_open(d, c) || !vxlan_header(d, c, &flags, &np, &vni))
		return;
	if (flags & GPE_F_VER) {
		dissect_anom(d, c, ANOM_TUNNEL_BAD_HEADER);
		return;
	}
	tunnel_open(d, TUN_VXLAN_GPE);
	if (flags & VXLAN_F_VNI)
		tunnel_set_id(d, vni);
	if (!(flags & GPE_F_NP) || np == GPE_NP_ETH)
		tunnel_inner_eth(d, c);
	else if (np == GPE_NP_IPV4)
		dissect_by_ethertype(d, c, 0x0800);
	else if (np == GPE_NP_IPV6)
		dissect_by_ethertype(d, c, 0x86dd);
}
