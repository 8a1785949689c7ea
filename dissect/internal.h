/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private plumbing of the dissectors: the one dissector signature, the
 * context every dissector receives, the dispatch entry points and the
 * checksum helpers.  Nothing outside dissect/ includes this.
 */
#ifndef DROPSPOT_DISSECT_INTERNAL_H
#define DROPSPOT_DISSECT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/cursor.h"
#include "packet.h"

/*
 * Where a dissector writes.  The outer packet and the datagram quoted by an
 * ICMP error go through the same dissectors; only the target differs, so a
 * quote can never overwrite the outer datagram's fields.
 */
struct dissect_ctx {
	struct packet *p;
	struct net_info *net;		/* p->net or p->quoted */
	uint32_t *layers;		/* &p->layers or &p->quoted_layers */
	const uint8_t *frame_base;	/* cursor bases are inside this frame */
	bool in_quote;
	uint8_t depth;			/* tunnels opened around us */
	uint16_t link_proto;		/* ethertype / tpid that chose us */
	/* Set by IPv4/IPv6 for the upper layer: */
	uint32_t l4_len;		/* upper-layer length the IP header claims */
	bool l4_partial;		/* a fragment: L4 checksum not verifiable */
	uint8_t pseudo_dst[16];		/* IPv6 final destination (routing hdr) */
};

typedef void (*dissect_fn)(struct dissect_ctx *d, struct cursor *c);

/* Link layers. */
void dissect_eth(struct dissect_ctx *d, struct cursor *c);
void dissect_vlan(struct dissect_ctx *d, struct cursor *c);
void dissect_sll(struct dissect_ctx *d, struct cursor *c);
void dissect_sll2(struct dissect_ctx *d, struct cursor *c);
void dissect_raw_ip(struct dissect_ctx *d, struct cursor *c);
void dissect_null(struct dissect_ctx *d, struct cursor *c);
void dissect_loop(struct dissect_ctx *d, struct cursor *c);
void dissect_arp(struct dissect_ctx *d, struct cursor *c);
/* Network and upper layers. */
void dissect_ipv4(struct dissect_ctx *d, struct cursor *c);
void dissect_ipv6(struct dissect_ctx *d, struct cursor *c);
void dissect_icmp(struct dissect_ctx *d, struct cursor *c);
void dissect_icmpv6(struct dissect_ctx *d, struct cursor *c);
void dissect_udp(struct dissect_ctx *d, struct cursor *c);
void dissect_tcp(struct dissect_ctx *d, struct cursor *c);

/* Tunnels: UDP-borne (by port) and IP-borne (by protocol). */
void dissect_vxlan(struct dissect_ctx *d, struct cursor *c);
void dissect_vxlan_gpe(struct dissect_ctx *d, struct cursor *c);
void dissect_geneve(struct dissect_ctx *d, struct cursor *c);
void dissect_gre(struct dissect_ctx *d, struct cursor *c);
void dissect_ipip(struct dissect_ctx *d, struct cursor *c);
void dissect_ip6_in_ip(struct dissect_ctx *d, struct cursor *c);

/*
 * Common tunnel plumbing (tunnel.c).  tunnel_may_open says whether the
 * payload at c is followed at all (not inside an ICMP quote, not in a
 * fragment, not past MAX_TUNNEL_DEPTH: an anomaly).  Once the tunnel's
 * own header is read, tunnel_open moves the outer headers into p->tun
 * (outermost tunnel only) and clears net for the inner datagram.
 */
bool tunnel_may_open(struct dissect_ctx *d, const struct cursor *c);
void tunnel_open(struct dissect_ctx *d, enum tunnel_type type);
/* The id (VNI, key) of the tunnel just opened, if it is the outermost. */
void tunnel_set_id(struct dissect_ctx *d, uint32_t id);
/* Inner Ethernet frame (VXLAN, Geneve, gretap, ERSPAN). */
void tunnel_inner_eth(struct dissect_ctx *d, struct cursor *c);
/* Inner payload by ethertype-like protocol (Geneve, GRE, GPE). */
void tunnel_inner_proto(struct dissect_ctx *d, struct cursor *c,
			uint16_t proto);

/* Echo data of ICMP/ICMPv6 (icmp.c): length, captured length, hash. */
void icmp_echo_data(struct dissect_ctx *d, struct cursor *c,
		    struct icmp_info *ic);

/* Dispatch tables (dissect.c).  Unknown values simply end the dissection. */
void dissect_by_ethertype(struct dissect_ctx *d, struct cursor *c,
			  uint16_t type);
void dissect_by_ip_proto(struct dissect_ctx *d, struct cursor *c,
			 uint8_t proto);
void dissect_by_udp_port(struct dissect_ctx *d, struct cursor *c,
			 uint16_t dport);
/*
 * Dissects the datagram an ICMP/ICMPv6 error quotes into p->quoted.  Only
 * from the outer packet: a quote inside a quote is not followed.
 */
void dissect_quote(struct dissect_ctx *d, struct cursor *c, int family);

/* Records an anomaly at the cursor's current position in the frame. */
void dissect_anom(struct dissect_ctx *d, const struct cursor *c,
		  enum anomaly_kind k);

/* Offset of the cursor's read position in the frame. */
static inline uint32_t dissect_frame_off(const struct dissect_ctx *d,
					 const struct cursor *c)
{
	return (uint32_t)(c->base - d->frame_base) + c->off;
}

static inline void dissect_layer(struct dissect_ctx *d, uint32_t bit)
{
	*d->layers |= bit;
}

/* Internet checksum (checksum.c).  Sums are 32-bit, folded at the end. */
uint32_t csum_add_bytes(const uint8_t *b, uint32_t n, uint32_t sum);
uint16_t csum_fold(uint32_t sum);
/*
 * Sums the next n captured bytes of c without moving it; false (and the
 * sum unchanged) if they were not all captured.
 */
bool csum_cursor(const struct cursor *c, uint32_t n, uint32_t *sum);
uint32_t csum_pseudo_v4(const struct l3_info *ip, uint8_t proto,
			uint32_t len);
uint32_t csum_pseudo_v6(const uint8_t src[16], const uint8_t dst[16],
			uint8_t nh, uint32_t len);

/*
 * The echo payload fingerprint (checksum.c): echo_hash64, a word-at-a-time
 * 64-bit hash, or the reference FNV-1a 64 when DROPSPOT_REFERENCE_HASH=1
 * (equality tests).  The value is internal: compared, never written out.
 * b may be NULL when n is 0.
 */
uint64_t dissect_echo_hash(const uint8_t *b, uint32_t n);
uint64_t echo_hash64(const uint8_t *b, uint32_t n);
uint64_t fnv1a64(const uint8_t *b, uint32_t n);

/*
 * The next n captured bytes of c, bounds-checked once, without moving c
 * (nor marking it short): NULL if they were not all captured.
 */
static inline const uint8_t *cur_span(const struct cursor *c, uint32_t n)
{
	return cur_has(c, n) ? c->base + c->off : NULL;
}

#endif /* DROPSPOT_DISSECT_INTERNAL_H */
