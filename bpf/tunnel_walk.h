/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tunnel walk both kernel programs filter with (issue 16): the payload of
 * an outer datagram, at off, of IP protocol proto, is a VXLAN (UDP 4789,
 * 8472; GPE 4790), Geneve (6081), GRE, IPIP or SIT/IP6IP6 tunnel whose inner
 * frame is ARP, or ICMP/ICMPv6 right after its IP header (behind one
 * hop-by-hop header for MLD).  Only the headers' fixed offsets are followed,
 * one level deep, with no loop to bound: an unrelated packet costs one or
 * two reads.  Inner VLAN tags and longer extension chains are not looked at.
 *
 * The includer reads the bytes its own way: it defines struct tun_src and
 *   static __always_inline int tun_read(const struct tun_src *s, __u32 off,
 *                                       void *to, __u32 len);
 * (0 when all len bytes at off were read) before including this file.
 * Everything inlines, so a constant in the source (capture's source kind)
 * stays a constant for the verifier.
 */
#ifndef DROPSPOT_BPF_TUNNEL_WALK_H
#define DROPSPOT_BPF_TUNNEL_WALK_H

#include "net_headers.h"

#define TW_ETH_P_IP 0x0800
#define TW_ETH_P_ARP 0x0806
#define TW_ETH_P_IPV6 0x86dd
#define TW_ETH_P_TEB 0x6558		/* Ethernet inside GRE / Geneve */
#define TW_PROTO_ICMP 1
#define TW_PROTO_IPIP 4
#define TW_PROTO_UDP 17
#define TW_PROTO_IPV6 41
#define TW_PROTO_GRE 47
#define TW_PROTO_ICMPV6 58

/* The frame inside, at off, of ethertype proto (TEB: Ethernet first). */
static __always_inline bool tun_inner_wanted(const struct tun_src *s,
					     __u32 off, __u16 proto)
{
	union {
		__u8 eth[14];
		struct ip4h ip4;
		struct ip6h ip6;
		__u8 ext[2];
	} h;

	if (proto == TW_ETH_P_TEB) {
		if (tun_read(s, off, h.eth, sizeof(h.eth)))
			return false;
		proto = ((__u16)h.eth[12] << 8) | h.eth[13];
		off += sizeof(h.eth);
	}
	if (proto == TW_ETH_P_ARP)
		return true;
	if (proto == TW_ETH_P_IP)
		return !tun_read(s, off, &h.ip4, sizeof(h.ip4)) &&
		       h.ip4.proto == TW_PROTO_ICMP;
	if (proto != TW_ETH_P_IPV6 || tun_read(s, off, &h.ip6, sizeof(h.ip6)))
		return false;
	if (h.ip6.nexthdr == TW_PROTO_ICMPV6)
		return true;
	return h.ip6.nexthdr == 0 &&
	       !tun_read(s, off + sizeof(h.ip6), h.ext, sizeof(h.ext)) &&
	       h.ext[0] == TW_PROTO_ICMPV6;
}

/* The outer datagram's payload at off, of IP protocol proto. */
static __always_inline bool tun_wanted(const struct tun_src *s, __u32 off,
				       __u8 proto)
{
	__u8 h[8];
	__u16 inner;

	if (proto == TW_PROTO_IPIP) {
		inner = TW_ETH_P_IP;
	} else if (proto == TW_PROTO_IPV6) {
		inner = TW_ETH_P_IPV6;
	} else if (proto == TW_PROTO_GRE) {
		if (tun_read(s, off, h, 4) || (h[1] & 0x07))
			return false;	/* GRE version 1 (PPTP) */
		inner = ((__u16)h[2] << 8) | h[3];
		/* checksum, key, sequence: four bytes each when present */
		off += 4 + ((h[0] & 0x80) ? 4 : 0) + ((h[0] & 0x20) ? 4 : 0) +
		       ((h[0] & 0x10) ? 4 : 0);
	} else if (proto == TW_PROTO_UDP) {
		if (tun_read(s, off, h, sizeof(h)))
			return false;
		inner = ((__u16)h[2] << 8) | h[3];
		off += sizeof(h);
		if (inner == 4789 || inner == 8472) {
			inner = TW_ETH_P_TEB;
			off += 8;
		} else if (inner == 4790) {
			/* VXLAN-GPE: P flag and next protocol (1 IPv4,
			 * 2 IPv6, 3 Ethernet), else Ethernet as VXLAN */
			if (tun_read(s, off, h, 4))
				return false;
			inner = !(h[0] & 0x04) || h[3] == 3 ? TW_ETH_P_TEB :
				h[3] == 1 ? TW_ETH_P_IP :
				h[3] == 2 ? TW_ETH_P_IPV6 : 0;
			off += 8;
		} else if (inner == 6081) {
			if (tun_read(s, off, h, 4))
				return false;
			inner = ((__u16)h[2] << 8) | h[3];
			off += 8 + (h[0] & 0x3f) * 4;
		} else {
			return false;
		}
	} else {
		return false;
	}
	return tun_inner_wanted(s, off, inner);
}

#endif /* DROPSPOT_BPF_TUNNEL_WALK_H */
