/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IP headers the kernel programs read their filter fields from, as
 * plain byte layouts (vmlinux.h's iphdr has bitfields and unions that the
 * programs do not need).  Kernel side only.
 */
#ifndef DROPSPOT_BPF_NET_HEADERS_H
#define DROPSPOT_BPF_NET_HEADERS_H

struct ip4h {
	__u8 vihl, tos;
	__be16 tot_len, id, frag;
	__u8 ttl, proto;
	__be16 csum;
	__u8 saddr[4], daddr[4];
};

struct ip6h {
	__be32 vtcfl;
	__be16 plen;
	__u8 nexthdr, hlim;
	__u8 saddr[16], daddr[16];
};

#endif /* DROPSPOT_BPF_NET_HEADERS_H */
