// SPDX-License-Identifier: GPL-2.0
/*
 * IP in IP: IPv4 inside (protocol 4: ipip over IPv4, ip4ip6 over IPv6)
 * and IPv6 inside (protocol 41: sit over IPv4, ip6ip6 over IPv6).  There
 * is no header of its own: the inner datagram follows the outer one, and
 * its version nibble must agree with the protocol number.
 */
#include "internal.h"

static void ip_in_ip(struct dissect_ctx *d, struct cursor *c, int inner,
		     enum tunnel_type over4, enum tunnel_type over6)
{
	const uint8_t *v;
	bool outer6 = d->net->ip.version == 6;

	if (!tunnel_may_open(d, c))
		return;
	v = cur_peek(c, 1);
	if (!v) {
		dissect_anom(d, c, ANOM_TUNNEL_TRUNCATED);
		return;
	}
	if ((v[0] >> 4) != inner) {
		dissect_anom(d, c, ANOM_TUNNEL_BAD_HEADER);
		return;
	}
	tunnel_open(d, outer6 ? over6 : over4);
	if (inner == 6)
		dissect_ipv6(d, c);
	else
		dissect_ipv4(d, c);
}

void dissect_ipip(struct dissect_ctx *d, struct cursor *c)
{
	ip_in_ip(d, c, 4, TUN_IPIP, TUN_IP4IP6);
}

void dissect_ip6_in_ip(struct dissect_ctx *d, struct cursor *c)
{
	ip_in_ip(d, c, 6, TUN_SIT, TUN_IP6IP6);
}
