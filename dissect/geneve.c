// SPDX-License-Identifier: GPL-2.0
/*
 * Geneve (RFC 8926) on UDP 6081: 8 bytes, then up to 252 bytes of options
 * (the header says how many 4-byte words), then the frame its protocol
 * type names.  Options are walked inside their own sub-cursor, each one
 * length checked; a walk that would overrun the option area is an anomaly.
 */
#include "internal.h"

#define GENEVE_HLEN 8
#define GENEVE_OPT_HLEN 4
/* 63 words of options, every option at least one word: at most 63. */
#define GENEVE_MAX_OPTS 63

/* True when every option fits exactly inside the option area. */
static bool geneve_options_ok(struct cursor *o)
{
	uint8_t b[GENEVE_OPT_HLEN];
	uint32_t len;
	int n;

	for (n = 0; n < GENEVE_MAX_OPTS && cur_left(o) > 0; n++) {
		if (!cur_bytes(o, b, GENEVE_OPT_HLEN))
			return false;
		len = (b[3] & 0x1fu) * 4;
		if (!cur_skip(o, len))
			return false;
	}
	return cur_left(o) == 0;
}

void dissect_geneve(struct dissect_ctx *d, struct cursor *c)
{
	uint8_t b[GENEVE_HLEN];
	struct cursor opt;
	uint32_t opt_len, vni;
	uint16_t proto;

	if (!tunnel_may_open(d, c))
		return;
	if (!cur_has(c, GENEVE_HLEN)) {
		dissect_anom(d, c, ANOM_TUNNEL_TRUNCATED);
		return;
	}
	cur_bytes(c, b, GENEVE_HLEN);
	if (b[0] >> 6) {	/* version 0 is the only one */
		dissect_anom(d, c, ANOM_TUNNEL_BAD_HEADER);
		return;
	}
	opt_len = (b[0] & 0x3fu) * 4;
	proto = (uint16_t)(b[2] << 8 | b[3]);
	vni = (uint32_t)b[4] << 16 | (uint32_t)b[5] << 8 | b[6];
	if (!cur_narrow(c, opt_len, &opt)) {
		dissect_anom(d, c, ANOM_TUNNEL_TRUNCATED);
		return;
	}
	if (!geneve_options_ok(&opt)) {
		dissect_anom(d, &opt, ANOM_TUNNEL_BAD_HEADER);
		return;
	}
	tunnel_open(d, TUN_GENEVE);
	tunnel_set_id(d, vni);
	tunnel_inner_proto(d, c, proto);
}
