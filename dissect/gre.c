// SPDX-License-Identifier: GPL-2.0
/*
 * GRE (RFC 2784, key and sequence from RFC 2890) version 0: IP inside
 * (gre), Ethernet inside (gretap, 0x6558), or mirrored Ethernet behind an
 * ERSPAN type I/II/III header.  Version 1 (PPTP) is not a tunnel we follow.
 */
#include "internal.h"

#define GRE_F_CSUM 0x8000
#define GRE_F_ROUTING 0x4000
#define GRE_F_KEY 0x2000
#define GRE_F_SEQ 0x1000
#define GRE_VERSION 0x0007
/* Every other bit is reserved and must be zero (RFC 2784 2.3). */
#define GRE_F_RESERVED 0x0ff8

#define ETH_P_TEB 0x6558	/* transparent Ethernet bridging */
#define ETH_P_ERSPAN 0x88be	/* type I (no header) and II */
#define ETH_P_ERSPAN3 0x22eb

#define ERSPAN2_HLEN 8
#define ERSPAN3_HLEN 12
#define ERSPAN3_SUBHDR 8	/* platform-specific, when O is set */

static enum tunnel_type gre_type(uint16_t proto)
{
	switch (proto) {
	case 0x0800:
	case 0x86dd:
		return TUN_GRE;
	case ETH_P_TEB:
		return TUN_GRETAP;
	case ETH_P_ERSPAN:
	case ETH_P_ERSPAN3:
		return TUN_ERSPAN;
	}
	return TUN_NONE;	/* GRE of something else: left as it is */
}

/*
 * The ERSPAN header before the mirrored frame: type I has none (no
 * sequence number), II is 8 bytes, III 12 plus an optional subheader.
 * False (with an anomaly) when it cannot be read.
 */
static bool erspan_header(struct dissect_ctx *d, struct cursor *c,
			  uint16_t proto, bool has_seq, uint32_t *session)
{
	uint8_t b[ERSPAN3_HLEN];
	bool v3 = proto == ETH_P_ERSPAN3;

	*session = 0;
	if (!v3 && !has_seq)
		return true;
	if (!cur_bytes(c, b, v3 ? ERSPAN3_HLEN : ERSPAN2_HLEN)) {
		dissect_anom(d, c, ANOM_TUNNEL_TRUNCATED);
		return false;
	}
	if ((b[0] >> 4) != (v3 ? 2 : 1)) {
		dissect_anom(d, c, ANOM_TUNNEL_BAD_HEADER);
		return false;
	}
	if (v3 && (b[11] & 1) && !cur_skip(c, ERSPAN3_SUBHDR)) {
		dissect_anom(d, c, ANOM_TUNNEL_TRUNCATED);
		return false;
	}
	*session = (uint32_t)(b[2] & 0x03) << 8 | b[3];
	return true;
}

/* Optional fields in their fixed order; false if not all captured. */
static bool gre_fields(struct cursor *c, uint16_t flags, uint32_t *key,
		       uint32_t *seq)
{
	/* checksum and reserved1: not verified, only skipped */
	if ((flags & GRE_F_CSUM) && !cur_skip(c, 4))
		return false;
	if ((flags & GRE_F_KEY) && !cur_be32(c, key))
		return false;
	if ((flags & GRE_F_SEQ) && !cur_be32(c, seq))
		return false;
	return true;
}

void dissect_gre(struct dissect_ctx *d, struct cursor *c)
{
	uint32_t key = 0, seq = 0, session = 0;
	enum tunnel_type type;
	uint16_t flags, proto;

	if (!tunnel_may_open(d, c))
		return;
	if (!cur_be16(c, &flags) || !cur_be16(c, &proto)) {
		dissect_anom(d, c, ANOM_TUNNEL_TRUNCATED);
		return;
	}
	if (flags & GRE_VERSION)
		return;
	if (flags & (GRE_F_ROUTING | GRE_F_RESERVED)) {
		dissect_anom(d, c, ANOM_TUNNEL_BAD_HEADER);
		return;
	}
	if (!gre_fields(c, flags, &key, &seq)) {
		dissect_anom(d, c, ANOM_TUNNEL_TRUNCATED);
		return;
	}
	type = gre_type(proto);
	if (type == TUN_NONE)
		return;
	if (type == TUN_ERSPAN &&
	    !erspan_header(d, c, proto, flags & GRE_F_SEQ, &session))
		return;
	tunnel_open(d, type);
	if (type == TUN_ERSPAN)
		tunnel_set_id(d, session);
	else if (flags & GRE_F_KEY)
		tunnel_set_id(d, key);
	if ((flags & GRE_F_SEQ) && d->depth == 1) {
		d->p->tun.seq = seq;
		d->p->tun.has_seq = true;
	}
	if (type == TUN_GRE)
		dissect_by_ethertype(d, c, proto);
	else
		tunnel_inner_eth(d, c);
}
