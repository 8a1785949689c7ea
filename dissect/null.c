// SPDX-License-Identifier: GPL-2.0
/*
 * BSD loopback encapsulation: a 4-byte address family, then the datagram.
 * LINKTYPE_NULL stores the family in the byte order of the host that wrote
 * the file, LINKTYPE_LOOP (OpenBSD) in network byte order.
 *
 * AF_INET is 2 everywhere; AF_INET6 is not: 24 on NetBSD, OpenBSD and
 * BSD/OS, 28 on FreeBSD and DragonFly, 30 on macOS (tcpdump's
 * BSD_AFNUM_INET6_*).  Other families (ISO, AppleTalk, IPX...) end the
 * dissection, as an unknown ethertype does.
 */
#include "internal.h"

#define NULL_HLEN 4
#define BSD_AF_INET 2
#define BSD_AF_INET6_BSD 24
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN 30

static void null_payload(struct dissect_ctx *d, struct cursor *c,
			 uint32_t family)
{
	d->p->null_family = family;
	dissect_layer(d, LAYER_NULL);
	switch (family) {
	case BSD_AF_INET:
		dissect_ipv4(d, c);
		break;
	case BSD_AF_INET6_BSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		dissect_ipv6(d, c);
		break;
	}
}

void dissect_null(struct dissect_ctx *d, struct cursor *c)
{
	uint32_t family;

	if (!cur_has(c, NULL_HLEN)) {
		dissect_anom(d, c, ANOM_NULL_TRUNCATED);
		return;
	}
	/*
	 * The writer's byte order is not recorded, but every family fits in
	 * 16 bits: read little-endian, and a value with high bits set was
	 * written big-endian (tcpdump and Wireshark decide the same way).
	 */
	cur_le32(c, &family);
	if (family & 0xffff0000u)
		family = __builtin_bswap32(family);
	null_payload(d, c, family);
}

void dissect_loop(struct dissect_ctx *d, struct cursor *c)
{
	uint32_t family;

	if (!cur_has(c, NULL_HLEN)) {
		dissect_anom(d, c, ANOM_NULL_TRUNCATED);
		return;
	}
	cur_be32(c, &family);
	null_payload(d, c, family);
}
