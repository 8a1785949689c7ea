// SPDX-License-Identifier: GPL-2.0
/*
 * Entry point and dispatch tables: by link type, by ethertype, by IP
 * protocol (tcpdump's printers[], Suricata's Decode*).  Every dissector has
 * the one signature of internal.h and reads only through its cursor.
 */
#include <stddef.h>
#include <string.h>

#include "internal.h"

struct link_entry {
	int linktype;
	dissect_fn fn;
};

static const struct link_entry link_table[] = {
	{ LINKTYPE_ETHERNET, dissect_eth },
	{ LINKTYPE_LINUX_SLL2, dissect_sll2 },
	{ LINKTYPE_LINUX_SLL, dissect_sll },
	{ LINKTYPE_RAW, dissect_raw_ip },
	{ LINKTYPE_IPV4, dissect_ipv4 },
	{ LINKTYPE_IPV6, dissect_ipv6 },
	{ LINKTYPE_NULL, dissect_null },
	{ LINKTYPE_LOOP, dissect_loop },
	/* DLT_RAW as older writers stored it (capture/point.h) */
	{ LINKTYPE_RAW_DLT12, dissect_raw_ip },
	{ LINKTYPE_RAW_DLT14, dissect_raw_ip },
};

struct ethertype_entry {
	uint16_t type;
	dissect_fn fn;
};

/* Most frequent first: the tables are scanned linearly. */
static const struct ethertype_entry ethertype_table[] = {
	{ 0x0800, dissect_ipv4 },
	{ 0x86dd, dissect_ipv6 },
	{ 0x0806, dissect_arp },
	{ 0x8100, dissect_vlan },	/* 802.1Q */
	{ 0x88a8, dissect_vlan },	/* 802.1ad */
	{ 0x9100, dissect_vlan },	/* legacy QinQ */
};

struct ip_proto_entry {
	uint8_t proto;
	dissect_fn fn;
};

static const struct ip_proto_entry ip_proto_table[] = {
	{ 1, dissect_icmp },
	{ 58, dissect_icmpv6 },
	{ 17, dissect_udp },
	{ 6, dissect_tcp },
	{ 47, dissect_gre },
	{ 4, dissect_ipip },
	{ 41, dissect_ip6_in_ip },
};

struct udp_port_entry {
	uint16_t port;
	dissect_fn fn;
};

/* Tunnels by UDP destination port (the source port is a flow hash). */
static const struct udp_port_entry udp_port_table[] = {
	{ 4789, dissect_vxlan },	/* IANA VXLAN */
	{ 8472, dissect_vxlan },	/* Linux's pre-IANA default */
	{ 6081, dissect_geneve },
	{ 4790, dissect_vxlan_gpe },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void dissect_by_ethertype(struct dissect_ctx *d, struct cursor *c,
			  uint16_t type)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ethertype_table); i++) {
		if (ethertype_table[i].type == type) {
			d->link_proto = type;
			ethertype_table[i].fn(d, c);
			return;
		}
	}
}

void dissect_by_ip_proto(struct dissect_ctx *d, struct cursor *c,
			 uint8_t proto)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ip_proto_table); i++) {
		if (ip_proto_table[i].proto == proto) {
			ip_proto_table[i].fn(d, c);
			return;
		}
	}
}

void dissect_by_udp_port(struct dissect_ctx *d, struct cursor *c,
			 uint16_t dport)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(udp_port_table); i++) {
		if (udp_port_table[i].port == dport) {
			udp_port_table[i].fn(d, c);
			return;
		}
	}
}

void dissect_anom(struct dissect_ctx *d, const struct cursor *c,
		  enum anomaly_kind k)
{
	struct packet *p = d->p;
	struct anomaly *a;
	uint32_t off;

	if (p->n_anom >= MAX_ANOMALIES) {
		p->anom_overflow = true;
		return;
	}
	/* Cursor bases always point into the frame: see dissect_frame. */
	off = dissect_frame_off(d, c);
	a = &p->anom[p->n_anom++];
	a->kind = (uint8_t)k;
	a->in_quote = d->in_quote;
	a->offset = off > UINT16_MAX ? UINT16_MAX : (uint16_t)off;
}

void dissect_quote(struct dissect_ctx *d, struct cursor *c, int family)
{
	struct dissect_ctx q;
	const uint8_t *v;

	if (d->in_quote)
		return;
	memset(&q, 0, sizeof(q));
	q.p = d->p;
	q.net = &d->p->quoted;
	q.layers = &d->p->quoted_layers;
	q.frame_base = d->frame_base;
	q.in_quote = true;
	memset(q.net, 0, sizeof(*q.net));

	/* The version nibble wins; an empty quote reports as the family. */
	v = cur_peek(c, 1);
	if (v ? (v[0] >> 4) == 6 : family == 6)
		dissect_ipv6(&q, c);
	else
		dissect_ipv4(&q, c);
	if (d->p->quoted_layers & (LAYER_IPV4 | LAYER_IPV6))
		dissect_layer(d, LAYER_QUOTED);
}

void dissect_raw_ip(struct dissect_ctx *d, struct cursor *c)
{
	const uint8_t *v = cur_peek(c, 1);

	if (!v) {
		dissect_anom(d, c, ANOM_IPV4_TRUNCATED);
		return;
	}
	if ((v[0] >> 4) == 6)
		dissect_ipv6(d, c);
	else
		dissect_ipv4(d, c);	/* reports a bad version if not 4 */
}

static void dissect_hw_vlan(struct packet *p, const struct frame *f)
{
	struct vlan_tag *t = &p->vlan[0];

	t->tpid = 0x8100;
	t->vid = f->hw_vlan_tci & 0x0fff;
	t->pcp = f->hw_vlan_tci >> 13;
	t->dei = (f->hw_vlan_tci >> 12) & 1;
	p->n_vlan = 1;
	p->layers |= LAYER_VLAN;
}

/*
 * The packet is not memset as a whole: everything up to the SLL header is
 * cleared (about 340 bytes); the SLL header and ARP parts are cleared by
 * their dissectors before they set their layer bit, the quoted
 * datagram when an ICMP error starts one, and anomaly slots past n_anom
 * are never read.  So no field read under its layer bit can survive from
 * an earlier frame.  This relies on those being the last members:
 */
#define PACKET_COLD offsetof(struct packet, sll)
_Static_assert(offsetof(struct packet, arp) > PACKET_COLD &&
	       offsetof(struct packet, quoted) > PACKET_COLD &&
	       offsetof(struct packet, anom) > PACKET_COLD,
	       "dissect_frame clears struct packet up to sll");

/*
 * Clears the first n bytes of p (n a multiple of 16) with 16-byte stores.
 * A memset of this constant size becomes `rep stos` with gcc's generic
 * tuning, whose start-up cost on some CPUs (AMD's among them) was most of
 * dissect_frame's time, once per frame; the empty asm keeps the compiler
 * from turning the loop back into that memset.
 */
typedef uint8_t clear16 __attribute__((vector_size(16), aligned(8), may_alias));

static inline void clear_head(void *p, size_t n)
{
	clear16 *v = p;
	size_t i;

	/*
	 * n is a constant: unrolled, this is one store per 16 bytes, without
	 * the loop's own compare and increment on each.
	 */
#pragma GCC unroll 64
	for (i = 0; i < n / 16; i++) {
		v[i] = (clear16){ 0 };
		__asm__ volatile("" ::: );
	}
}

#define PACKET_HEAD (PACKET_COLD & ~(size_t)15)
_Static_assert(_Alignof(struct packet) >= 8, "clear_head's stores");

void dissect_frame(const struct frame *f, struct packet *p)
{
	static const uint8_t empty[1];
	struct dissect_ctx d;
	struct cursor c;
	size_t i;

	clear_head(p, PACKET_HEAD);
	memset((uint8_t *)p + PACKET_HEAD, 0, PACKET_COLD - PACKET_HEAD);
	p->frame = f;
	p->snapped = f->caplen < f->wirelen;

	d.p = p;
	d.net = &p->net;
	d.layers = &p->layers;
	/* A NULL base would make cursor arithmetic undefined: use a stub. */
	d.frame_base = f->data ? f->data : empty;
	d.in_quote = false;
	d.depth = 0;
	d.link_proto = 0;
	d.l4_len = 0;
	d.l4_partial = false;
	cur_init(&c, d.frame_base, f->data ? f->caplen : 0, f->wirelen);

	if (f->flags & FRAME_F_HW_VLAN)
		dissect_hw_vlan(p, f);

	for (i = 0; i < ARRAY_SIZE(link_table); i++) {
		if (link_table[i].linktype == f->linktype) {
			link_table[i].fn(&d, &c);
			return;
		}
	}
	dissect_anom(&d, &c, ANOM_LINKTYPE_UNKNOWN);
}

bool dissect_linktype_known(int linktype)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(link_table); i++)
		if (link_table[i].linktype == linktype)
			return true;
	return false;
}

bool packet_has_anomaly(const struct packet *p, enum anomaly_kind k)
{
	uint8_t i;

	for (i = 0; i < p->n_anom && i < MAX_ANOMALIES; i++)
		if (p->anom[i].kind == k)
			return true;
	return false;
}
