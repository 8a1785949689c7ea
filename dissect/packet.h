/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A packet is a frame after dissection: decoded fields of every layer that
 * was present, checksum states, and typed anomalies.  Dissection never fails:
 * whatever could not be decoded becomes an anomaly (DESIGN.md practice 7).
 *
 * Fields of a layer are meaningful only when its bit is set in `layers`
 * (sll, arp and quoted are not even defined otherwise).
 * Nothing here points into the frame's bytes except `frame` itself, so a
 * packet may outlive the frame buffer (the engine keeps copies).
 */
#ifndef DROPSPOT_PACKET_H
#define DROPSPOT_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "common/point.h"

enum layer_bit {
	LAYER_ETH = 1u << 0,
	LAYER_VLAN = 1u << 1,
	LAYER_SLL = 1u << 2,
	LAYER_ARP = 1u << 3,
	LAYER_IPV4 = 1u << 4,
	LAYER_IPV6 = 1u << 5,
	LAYER_ICMP = 1u << 6,
	LAYER_ICMPV6 = 1u << 7,
	LAYER_UDP = 1u << 8,
	LAYER_TCP = 1u << 9,
	LAYER_QUOTED = 1u << 10,	/* net.icmp quotes a datagram: see quoted */
	LAYER_NULL = 1u << 11,		/* BSD loopback header: see null_family */
	LAYER_TUNNEL = 1u << 12,	/* net is a tunnel's inner one: see tun */
};

enum csum_state {
	CSUM_NONE = 0,		/* not applicable / not computed */
	CSUM_GOOD,
	CSUM_BAD,
	CSUM_UNVERIFIABLE,	/* bytes it covers were not all captured */
};

const char *csum_state_name(enum csum_state s);	/* "-", "good", ... */

struct ip_addr {
	uint8_t family;		/* 4 or 6, 0 = none */
	uint8_t a[16];		/* IPv4 in the first 4 bytes */
};

#define MAX_VLAN_TAGS 4

struct vlan_tag {
	uint16_t tpid;		/* 0x8100 (802.1Q) or 0x88a8 (802.1ad) ... */
	uint16_t vid;
	uint8_t pcp;
	uint8_t dei;
};

struct eth_info {
	uint8_t dst[6];
	uint8_t src[6];
	uint16_t ethertype;	/* innermost, after VLAN tags */
};

/* Linux cooked capture v1/v2 header. */
struct sll_info {
	uint8_t version;	/* 1 or 2 */
	uint16_t pkttype;	/* PACKET_HOST, PACKET_OUTGOING, ... */
	uint16_t hatype;
	uint16_t protocol;
	uint32_t ifindex;	/* SLL2 only */
	uint8_t addr_len;
	uint8_t addr[8];
};

struct arp_info {
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	uint16_t op;		/* 1 request, 2 reply, ... */
	uint8_t sha[6], tha[6];	/* valid when hlen == 6 */
	uint8_t spa[4], tpa[4];	/* valid when plen == 4 */
	bool is_gratuitous;	/* spa == tpa */
};

struct l3_info {
	uint8_t version;	/* 4 or 6 */
	uint8_t proto;		/* upper protocol after any extension headers */
	uint8_t ttl;		/* TTL / hop limit */
	uint8_t tos;		/* TOS / traffic class */
	uint16_t hdr_len;	/* IPv4 IHL*4; IPv6 40 + extension headers */
	uint16_t total_len;	/* as the header claims (IPv6: 40 + payload) */
	uint16_t ip_id;		/* IPv4 identification */
	uint16_t frag_off;	/* fragment offset in bytes */
	uint32_t frag_id;	/* IPv6 fragment header identification */
	uint32_t flow_label;
	bool df, mf;
	bool is_fragment;	/* mf or frag_off != 0 (or IPv6 fragment hdr) */
	uint8_t n_ext;		/* IPv6 extension headers walked */
	uint8_t opt_len;	/* IPv4 options bytes */
	bool has_router_alert;
	enum csum_state hdr_csum;	/* IPv4 header checksum */
	uint16_t hdr_csum_value;	/* as found in the header */
	struct ip_addr src, dst;
};

struct l4_info {
	uint16_t sport, dport;
	uint16_t udp_len;
	uint8_t tcp_flags;	/* FIN=0x01 SYN=0x02 RST=0x04 PSH=0x08 ACK=0x10 URG=0x20 ECE CWR */
	uint32_t tcp_seq, tcp_ack;
	uint16_t tcp_win;
};

/* ICMP and ICMPv6 share this; type/code values are per family. */
struct icmp_info {
	uint8_t type, code;
	enum csum_state csum;
	uint16_t csum_value;
	/* echo request / reply */
	uint16_t echo_id, echo_seq;
	uint32_t echo_len;		/* echo data bytes per the IP length */
	uint32_t echo_caplen;		/* echo data bytes actually captured */
	uint64_t echo_hash;		/* FNV-1a 64 of the captured echo data */
	/* errors */
	uint32_t mtu;			/* frag-needed next-hop MTU / packet too big */
	uint8_t pointer;		/* parameter problem */
	struct ip_addr gateway;		/* ICMPv4 redirect gateway */
	/* neighbour discovery (and ICMPv6 redirect target) */
	struct ip_addr nd_target;
	uint8_t nd_flags;		/* NA: R=0x80 S=0x40 O=0x20 */
	bool has_sll, has_tll;
	uint8_t sll[6], tll[6];		/* source/target link-layer options */
	uint8_t ra_hop_limit;
	uint16_t ra_lifetime;
	uint32_t nd_mtu;		/* RA MTU option */
};

/* One IP datagram: what the outer packet carried, or what an error quoted. */
struct net_info {
	struct l3_info ip;
	struct l4_info l4;
	struct icmp_info icmp;
	uint32_t l3_offset;		/* offset of the IP header in the frame */
	uint32_t caplen;		/* bytes of the datagram captured */
};

/*
 * Encapsulations the dissectors open.  Names (tunnel_type_name) are stable:
 * they appear in JSON ("vxlan", "geneve", "gre", ...).
 */
enum tunnel_type {
	TUN_NONE = 0,
	TUN_VXLAN,		/* UDP 4789 / 8472, Ethernet inside */
	TUN_VXLAN_GPE,		/* UDP 4790, next protocol named */
	TUN_GENEVE,		/* UDP 6081 */
	TUN_GRE,		/* IP 47, IP inside */
	TUN_GRETAP,		/* IP 47, Ethernet inside (0x6558) */
	TUN_ERSPAN,		/* IP 47, mirrored Ethernet (type II/III) */
	TUN_IPIP,		/* IPv4 in IPv4 (proto 4) */
	TUN_SIT,		/* IPv6 in IPv4 (proto 41) */
	TUN_IP6IP6,		/* IPv6 in IPv6 (proto 41) */
	TUN_IP4IP6,		/* IPv4 in IPv6 (proto 4) */
	TUN_COUNT
};

const char *tunnel_type_name(enum tunnel_type t);	/* "vxlan", ... */
/* What the tunnel's id is called: "vni", "key" (GRE) or "session" (ERSPAN). */
const char *tunnel_id_name(enum tunnel_type t);

/* Tunnels inside tunnels are followed this deep; deeper is an anomaly. */
#define MAX_TUNNEL_DEPTH 2

/*
 * The outermost encapsulation of a tunnelled packet (LAYER_TUNNEL): the
 * underlay's addresses (the VTEPs) and lengths.  net then holds the inner
 * datagram, the one that identifies a probe on either side of the tunnel.
 * For an underlay's ICMP error quoting an encapsulated packet, the same
 * holds of the quote: LAYER_TUNNEL in quoted_layers, quoted the inner
 * datagram, in_quote set.
 */
struct tunnel_info {
	uint8_t type;		/* enum tunnel_type, outermost */
	uint8_t depth;		/* tunnels opened, <= MAX_TUNNEL_DEPTH */
	bool has_id, has_seq;
	bool has_inner_eth;	/* inner_src/inner_dst valid */
	bool has_inner_vlan;	/* inner_vlan valid */
	bool outer_df;
	bool in_quote;		/* the quoted datagram's tunnel
				 * (LAYER_TUNNEL in quoted_layers) */
	uint8_t outer_ttl;
	uint8_t outer_proto;	/* 17, 47, 4 or 41 */
	uint16_t outer_len;	/* outer IP length (v6: 40 + payload) */
	uint16_t sport, dport;	/* outer UDP ports, 0 for IP protocols */
	uint32_t id;		/* VNI, GRE key or ERSPAN session */
	uint32_t seq;		/* GRE sequence number */
	uint32_t outer_l3_offset;	/* outer IP header in the frame */
	uint32_t outer_layers;	/* LAYER_* of the outer headers */
	struct ip_addr src, dst;	/* outer source / destination */
	uint8_t inner_src[6], inner_dst[6];	/* inner Ethernet */
	uint16_t inner_vlan;	/* first inner VLAN id (not in p->vlan) */
};

/*
 * Anomaly kinds.  Names (anomaly_name) are stable: they appear in JSON and in
 * tests.  "truncated" means the bytes a header needs were not captured; when
 * the frame was cut by the snap length (caplen < wirelen) the packet also has
 * `snapped` set, so the engine can tell a capture limit from a broken packet.
 */
enum anomaly_kind {
	ANOM_NONE = 0,
	ANOM_LINKTYPE_UNKNOWN,
	ANOM_ETH_TRUNCATED,
	ANOM_VLAN_TRUNCATED,
	ANOM_VLAN_TOO_MANY,
	ANOM_SLL_TRUNCATED,
	ANOM_ARP_TRUNCATED,
	ANOM_ARP_UNSUPPORTED,		/* hlen/plen/htype/ptype not Ethernet+IPv4 */
	ANOM_IPV4_TRUNCATED,
	ANOM_IPV4_BAD_VERSION,
	ANOM_IPV4_BAD_IHL,
	ANOM_IPV4_BAD_TOTAL_LEN,	/* total length < header length */
	ANOM_IPV4_LEN_EXCEEDS_WIRE,	/* total length > bytes on the wire */
	ANOM_IPV4_BAD_OPTION,
	ANOM_IPV4_BAD_CHECKSUM,
	ANOM_IPV6_TRUNCATED,
	ANOM_IPV6_BAD_VERSION,
	ANOM_IPV6_LEN_EXCEEDS_WIRE,
	ANOM_IPV6_TOO_MANY_EXT,
	ANOM_IPV6_BAD_EXT,
	ANOM_ICMP_TRUNCATED,
	ANOM_ICMP_BAD_CHECKSUM,
	ANOM_ICMP_QUOTE_TRUNCATED,	/* quoted datagram shorter than needed */
	ANOM_ICMPV6_TRUNCATED,
	ANOM_ICMPV6_BAD_CHECKSUM,
	ANOM_ND_BAD_OPTION,		/* zero-length or overrunning option */
	ANOM_UDP_TRUNCATED,
	ANOM_UDP_BAD_LENGTH,
	ANOM_TCP_TRUNCATED,
	ANOM_TCP_BAD_OFFSET,
	ANOM_TRAILING_GARBAGE,		/* reserved: bytes past the IP length */
	ANOM_NULL_TRUNCATED,		/* BSD loopback family not captured */
	/* IP reassembly (ipfrag.c) */
	ANOM_IP_FRAG_OVERLAP,		/* bytes disagree, or any v6 overlap */
	ANOM_IP_FRAG_TOO_BIG,		/* datagram beyond 65535 bytes */
	ANOM_IP_FRAG_BAD_LEN,		/* unaligned, empty, ends disagree */
	ANOM_IP_FRAG_TOO_MANY,		/* more fragments than allowed */
	ANOM_IP_FRAG_INCOMPLETE,	/* ended with fragments missing */
	/* tunnels (vxlan.c, geneve.c, gre.c, ipip.c) */
	ANOM_TUNNEL_TRUNCATED,		/* its header not captured */
	ANOM_TUNNEL_BAD_HEADER,		/* reserved bits, option overrun */
	ANOM_TUNNEL_TOO_DEEP,		/* past MAX_TUNNEL_DEPTH */
	ANOM_COUNT
};

const char *anomaly_name(enum anomaly_kind k);	/* e.g. "ipv4.bad_checksum" */

#define MAX_ANOMALIES 16

struct anomaly {
	uint8_t kind;		/* enum anomaly_kind */
	uint8_t in_quote;	/* found inside an ICMP error's quoted datagram */
	uint16_t offset;	/* byte offset in the frame, saturating */
};

struct packet {
	const struct frame *frame;	/* NULL once the frame buffer is gone */
	uint32_t layers;		/* LAYER_* of the outer packet */
	uint32_t quoted_layers;		/* LAYER_* of the quoted datagram */
	bool snapped;			/* frame caplen < wirelen */
	uint8_t n_vlan;
	uint8_t n_anom;
	bool anom_overflow;		/* more anomalies than fit */
	struct vlan_tag vlan[MAX_VLAN_TAGS];	/* outermost first */
	struct eth_info eth;
	uint32_t null_family;		/* BSD loopback address family (AF_*) */
	struct tunnel_info tun;		/* valid with LAYER_TUNNEL */
	struct net_info net;		/* the IP datagram (tunnel: inner) */
	/*
	 * From here on, members are cleared by the dissector that fills
	 * them, when it starts (dissect_frame clears only what is above):
	 * they are defined only with their layer bit, which is how they are
	 * read.
	 */
	struct sll_info sll;		/* valid with LAYER_SLL */
	struct arp_info arp;		/* valid with LAYER_ARP */
	struct net_info quoted;		/* datagram quoted by an ICMP error */
	struct anomaly anom[MAX_ANOMALIES];
};

/* Decodes f into *p.  Never fails; p is fully overwritten. */
void dissect_frame(const struct frame *f, struct packet *p);

/*
 * True when dissect_frame decodes frames of this link type (LINKTYPE_*);
 * frames of any other type carry only ANOM_LINKTYPE_UNKNOWN.
 */
bool dissect_linktype_known(int linktype);

bool packet_has_anomaly(const struct packet *p, enum anomaly_kind k);

#endif /* DROPSPOT_PACKET_H */
