// SPDX-License-Identifier: GPL-2.0
/*
 * Tunnel dissectors on crafted frames: VXLAN (4789, 8472, GPE), Geneve
 * with options, GRE (key, sequence, checksum field, gretap, ERSPAN),
 * IPIP, SIT, IP6IP6, IP4IP6.  The inner datagram must take net's place
 * with good checksums, the outer headers must land in p->tun, hostile or
 * cut headers must be anomalies, nesting stops at MAX_TUNNEL_DEPTH, and
 * every frame is dissected again at every truncation length (under ASan in
 * the sanitizer build).
 */
#include "check.h"
#include "test_dissect_util.h"

#include "common/point.h"

#define LT_ETH LINKTYPE_ETHERNET

struct buf {
	uint8_t b[2048];
	uint32_t len;
};

static const uint8_t mac_o1[6] = { 2, 0, 0, 0, 0, 1 }, mac_o2[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t mac_i1[6] = { 2, 0, 0, 0, 1, 1 }, mac_i2[6] = { 2, 0, 0, 0, 1, 2 };
static const uint8_t vtep1[4] = { 192, 0, 2, 1 }, vtep2[4] = { 192, 0, 2, 2 };
static const uint8_t in1[4] = { 10, 42, 0, 1 }, in2[4] = { 10, 42, 0, 2 };
static const uint8_t v6a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

/* Prepends n bytes to x: headers are built from the inside out. */
static uint8_t *prepend(struct buf *x, uint32_t n)
{
	memmove(x->b + n, x->b, x->len);
	memset(x->b, 0, n);
	x->len += n;
	return x->b;
}

/* An ICMP (v4) or ICMPv6 echo request with 32 bytes of data, no IP. */
static void echo(struct buf *x, int family, uint16_t seq)
{
	uint32_t i;

	x->len = 8 + 32;
	memset(x->b, 0, x->len);
	x->b[0] = family == 4 ? 8 : 128;
	put16(x->b + 4, 0x1234);
	put16(x->b + 6, seq);
	for (i = 8; i < x->len; i++)
		x->b[i] = (uint8_t)i;
	if (family == 4)
		put16(x->b + 2, fold(sum16(x->b, x->len, 0)));
}

static void ipv4(struct buf *x, uint8_t proto, const uint8_t s[4],
		 const uint8_t d[4], bool df)
{
	uint8_t *p = prepend(x, 20);

	p[0] = 0x45;
	put16(p + 2, x->len);
	if (df)
		p[6] = 0x40;
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, s, 4);
	memcpy(p + 16, d, 4);
	put16(p + 10, fold(sum16(p, 20, 0)));
}

static void ipv6(struct buf *x, uint8_t nh, const uint8_t s[16],
		 const uint8_t d[16])
{
	uint32_t plen = x->len, sum;
	uint8_t *p = prepend(x, 40);

	p[0] = 0x60;
	put16(p + 4, plen);
	p[6] = nh;
	p[7] = 64;
	memcpy(p + 8, s, 16);
	memcpy(p + 24, d, 16);
	if (nh == 58) {		/* ICMPv6 checksum over the pseudo header */
		sum = sum16(p + 8, 32, 0) + plen + 58;
		put16(p + 42, fold(sum16(p + 40, plen, sum)));
	}
}

static void eth(struct buf *x, uint16_t type, const uint8_t s[6],
		const uint8_t d[6])
{
	uint8_t *p = prepend(x, 14);

	memcpy(p, d, 6);
	memcpy(p + 6, s, 6);
	put16(p + 12, type);
}

static void udp(struct buf *x, uint16_t dport)
{
	uint8_t *p = prepend(x, 8);

	put16(p, 54321);
	put16(p + 2, dport);
	put16(p + 4, x->len);
}

static void vxlan(struct buf *x, uint8_t flags, uint32_t vni, uint8_t np)
{
	uint8_t *p = prepend(x, 8);

	p[0] = flags;
	p[3] = np;
	p[4] = (uint8_t)(vni >> 16);
	p[5] = (uint8_t)(vni >> 8);
	p[6] = (uint8_t)vni;
}

/* Geneve with opt_words of options made of options of len words each. */
static void geneve(struct buf *x, uint32_t vni, uint16_t proto,
		   uint8_t opt_words, uint8_t opt_len_field)
{
	uint8_t *p = prepend(x, 8 + opt_words * 4u);
	uint32_t o;

	p[0] = opt_words & 0x3f;
	put16(p + 2, proto);
	p[4] = (uint8_t)(vni >> 16);
	p[5] = (uint8_t)(vni >> 8);
	p[6] = (uint8_t)vni;
	for (o = 8; o + 4 <= 8 + opt_words * 4u; o += 4 + (opt_len_field & 0x1f) * 4u) {
		put16(p + o, 0x0102);
		p[o + 2] = 0x80;
		p[o + 3] = opt_len_field;
	}
}

static void gre(struct buf *x, uint16_t flags, uint16_t proto,
		uint32_t key, uint32_t seq)
{
	uint32_t n = 4 + ((flags & 0x8000) ? 4 : 0) + ((flags & 0x2000) ? 4 : 0) +
		     ((flags & 0x1000) ? 4 : 0);
	uint8_t *p = prepend(x, n), *q = p + 4;

	put16(p, flags);
	put16(p + 2, proto);
	if (flags & 0x8000)
		q += 4;
	if (flags & 0x2000) {
		put16(q, key >> 16);
		put16(q + 2, key & 0xffff);
		q += 4;
	}
	if (flags & 0x1000) {
		put16(q, seq >> 16);
		put16(q + 2, seq & 0xffff);
	}
}

/* An inner IPv4 ping as an Ethernet frame (VXLAN, Geneve, gretap). */
static void inner_eth_ping4(struct buf *x, uint16_t seq)
{
	echo(x, 4, seq);
	ipv4(x, 1, in1, in2, true);
	eth(x, 0x0800, mac_i1, mac_i2);
}

static void outer_udp4(struct buf *x, uint16_t dport)
{
	udp(x, dport);
	ipv4(x, 17, vtep1, vtep2, false);
	eth(x, 0x0800, mac_o1, mac_o2);
}

static void dis(struct packet *p, const struct buf *x)
{
	dissect_bytes(p, LT_ETH, x->b, x->len, x->len);
}

/* The inner ping4 is what net holds; the outer is in tun. */
static void check_inner4(const struct packet *p, uint16_t seq)
{
	CHECK(p->layers & LAYER_TUNNEL);
	CHECK(p->layers & LAYER_IPV4);
	CHECK(p->layers & LAYER_ICMP);
	CHECK(!(p->layers & LAYER_UDP));
	CHECK(!memcmp(p->net.ip.src.a, in1, 4));
	CHECK(!memcmp(p->net.ip.dst.a, in2, 4));
	CHECK_EQ_INT(p->net.icmp.type, 8);
	CHECK_EQ_INT(p->net.icmp.echo_seq, seq);
	CHECK_EQ_INT(p->net.icmp.echo_len, 32);
	CHECK_EQ_INT(p->net.icmp.csum, CSUM_GOOD);
	CHECK_EQ_INT(p->net.ip.hdr_csum, CSUM_GOOD);
	CHECK_EQ_INT(p->n_anom, 0);
}

static void check_outer4(const struct packet *p, uint8_t type,
			 uint32_t outer_len)
{
	CHECK_EQ_INT(p->tun.type, type);
	CHECK_EQ_INT(p->tun.depth, 1);
	CHECK(!memcmp(p->tun.src.a, vtep1, 4));
	CHECK(!memcmp(p->tun.dst.a, vtep2, 4));
	CHECK_EQ_INT(p->tun.src.family, 4);
	CHECK_EQ_INT(p->tun.outer_len, outer_len);
	CHECK_EQ_INT(p->tun.outer_l3_offset, 14);
	CHECK(!memcmp(p->eth.src, mac_o1, 6));	/* the underlay's MACs */
}

static void test_vxlan(void)
{
	static const uint16_t ports[] = { 4789, 8472 };
	struct packet p;
	struct buf x;
	size_t i;

	for (i = 0; i < 2; i++) {
		inner_eth_ping4(&x, 7);
		vxlan(&x, 0x08, 42, 0);
		outer_udp4(&x, ports[i]);
		dis(&p, &x);
		check_inner4(&p, 7);
		check_outer4(&p, TUN_VXLAN, 20 + 8 + 8 + 14 + 20 + 40);
		CHECK(p.tun.has_id);
		CHECK_EQ_INT(p.tun.id, 42);
		CHECK_EQ_INT(p.tun.dport, ports[i]);
		CHECK_EQ_INT(p.tun.outer_proto, 17);
		CHECK(p.tun.has_inner_eth);
		CHECK(!memcmp(p.tun.inner_src, mac_i1, 6));
		CHECK(p.tun.outer_layers & LAYER_UDP);
		/* 50 bytes of VXLAN over IPv4 between the two IP headers */
		CHECK_EQ_INT(p.net.l3_offset - p.tun.outer_l3_offset, 50);
		CHECK(!strcmp(tunnel_type_name(p.tun.type), "vxlan"));
	}
	/* No I flag: not VXLAN, stays a UDP datagram with an anomaly. */
	inner_eth_ping4(&x, 7);
	vxlan(&x, 0x00, 42, 0);
	outer_udp4(&x, 4789);
	dis(&p, &x);
	CHECK(!(p.layers & LAYER_TUNNEL));
	CHECK(p.layers & LAYER_UDP);
	CHECK(packet_has_anomaly(&p, ANOM_TUNNEL_BAD_HEADER));
	/* GPE naming IPv4 directly */
	echo(&x, 4, 9);
	ipv4(&x, 1, in1, in2, false);
	vxlan(&x, 0x0c, 77, 1);
	outer_udp4(&x, 4790);
	dis(&p, &x);
	check_inner4(&p, 9);
	CHECK_EQ_INT(p.tun.type, TUN_VXLAN_GPE);
	CHECK_EQ_INT(p.tun.id, 77);
	CHECK(!p.tun.has_inner_eth);
	/* An inner VLAN tag is the overlay's, not a tag on the underlay. */
	echo(&x, 4, 8);
	ipv4(&x, 1, in1, in2, true);
	prepend(&x, 4);
	put16(x.b, 100);
	put16(x.b + 2, 0x0800);
	eth(&x, 0x8100, mac_i1, mac_i2);
	vxlan(&x, 0x08, 42, 0);
	outer_udp4(&x, 4789);
	dis(&p, &x);
	check_inner4(&p, 8);
	CHECK_EQ_INT(p.n_vlan, 0);
	CHECK(p.tun.has_inner_vlan);
	CHECK_EQ_INT(p.tun.inner_vlan, 100);
	CHECK_EQ_INT(p.eth.ethertype, 0x0800);
	/* ... and too many of them are an anomaly, not a crash */
	echo(&x, 4, 8);
	ipv4(&x, 1, in1, in2, true);
	for (i = 0; i < MAX_VLAN_TAGS + 1; i++) {
		prepend(&x, 4);
		put16(x.b, 100 + i);
		put16(x.b + 2, i ? 0x8100 : 0x0800);
	}
	eth(&x, 0x8100, mac_i1, mac_i2);
	vxlan(&x, 0x08, 42, 0);
	outer_udp4(&x, 4789);
	dis(&p, &x);
	CHECK(!(p.layers & LAYER_ICMP));
	CHECK(packet_has_anomaly(&p, ANOM_VLAN_TOO_MANY));
	CHECK_EQ_INT(p.n_vlan, 0);
	/* Other UDP ports are left alone. */
	inner_eth_ping4(&x, 7);
	vxlan(&x, 0x08, 42, 0);
	outer_udp4(&x, 4788);
	dis(&p, &x);
	CHECK(!(p.layers & LAYER_TUNNEL));
	CHECK(!(p.layers & LAYER_ICMP));
	CHECK_EQ_INT(p.n_anom, 0);
}

static void test_geneve(void)
{
	struct packet p;
	struct buf x;

	/* two options of one word of data each (2 + 2 words) */
	inner_eth_ping4(&x, 3);
	geneve(&x, 0xabcdef, 0x6558, 4, 1);
	outer_udp4(&x, 6081);
	dis(&p, &x);
	check_inner4(&p, 3);
	CHECK_EQ_INT(p.tun.type, TUN_GENEVE);
	CHECK_EQ_INT(p.tun.id, 0xabcdef);
	CHECK_EQ_INT(p.net.l3_offset - p.tun.outer_l3_offset, 50 + 16);
	/* IPv4 directly, no options */
	echo(&x, 4, 4);
	ipv4(&x, 1, in1, in2, false);
	geneve(&x, 5, 0x0800, 0, 0);
	outer_udp4(&x, 6081);
	dis(&p, &x);
	check_inner4(&p, 4);
	/* an option claiming more than the option area: hostile */
	inner_eth_ping4(&x, 3);
	geneve(&x, 5, 0x6558, 2, 7);
	outer_udp4(&x, 6081);
	dis(&p, &x);
	CHECK(!(p.layers & LAYER_TUNNEL));
	CHECK(packet_has_anomaly(&p, ANOM_TUNNEL_BAD_HEADER));
	/* version 1 does not exist */
	inner_eth_ping4(&x, 3);
	geneve(&x, 5, 0x6558, 0, 0);
	x.b[0] |= 0x40;
	outer_udp4(&x, 6081);
	dis(&p, &x);
	CHECK(!(p.layers & LAYER_TUNNEL));
}

static void test_gre(void)
{
	struct packet p;
	struct buf x;

	/* key + sequence, IPv4 inside */
	echo(&x, 4, 11);
	ipv4(&x, 1, in1, in2, false);
	gre(&x, 0x3000, 0x0800, 0x01020304, 99);
	ipv4(&x, 47, vtep1, vtep2, true);
	eth(&x, 0x0800, mac_o1, mac_o2);
	dis(&p, &x);
	check_inner4(&p, 11);
	check_outer4(&p, TUN_GRE, 20 + 12 + 20 + 40);
	CHECK(p.tun.has_id && p.tun.id == 0x01020304);
	CHECK(p.tun.has_seq && p.tun.seq == 99);
	CHECK(p.tun.outer_df);
	CHECK_EQ_INT(p.tun.outer_proto, 47);
	/* checksum field, Ethernet inside (gretap) */
	inner_eth_ping4(&x, 12);
	gre(&x, 0x8000, 0x6558, 0, 0);
	ipv4(&x, 47, vtep1, vtep2, false);
	eth(&x, 0x0800, mac_o1, mac_o2);
	dis(&p, &x);
	check_inner4(&p, 12);
	CHECK_EQ_INT(p.tun.type, TUN_GRETAP);
	CHECK(!p.tun.has_id);
	/* ERSPAN type II: 8-byte header, session 0x155 */
	inner_eth_ping4(&x, 13);
	prepend(&x, 8);
	x.b[0] = 0x10;
	x.b[2] = 0x01;
	x.b[3] = 0x55;
	gre(&x, 0x1000, 0x88be, 0, 5);
	ipv4(&x, 47, vtep1, vtep2, false);
	eth(&x, 0x0800, mac_o1, mac_o2);
	dis(&p, &x);
	check_inner4(&p, 13);
	CHECK_EQ_INT(p.tun.type, TUN_ERSPAN);
	CHECK_EQ_INT(p.tun.id, 0x155);
	/* routing bit: hostile */
	inner_eth_ping4(&x, 12);
	gre(&x, 0x4000, 0x6558, 0, 0);
	ipv4(&x, 47, vtep1, vtep2, false);
	eth(&x, 0x0800, mac_o1, mac_o2);
	dis(&p, &x);
	CHECK(!(p.layers & LAYER_TUNNEL));
	CHECK(packet_has_anomaly(&p, ANOM_TUNNEL_BAD_HEADER));
	/* version 1 (PPTP): not followed, not an anomaly */
	inner_eth_ping4(&x, 12);
	gre(&x, 0x0001, 0x880b, 0, 0);
	ipv4(&x, 47, vtep1, vtep2, false);
	eth(&x, 0x0800, mac_o1, mac_o2);
	dis(&p, &x);
	CHECK(!(p.layers & LAYER_TUNNEL));
	CHECK_EQ_INT(p.n_anom, 0);
}

static void test_ipip(void)
{
	struct packet p;
	struct buf x;

	echo(&x, 4, 21);
	ipv4(&x, 1, in1, in2, false);
	ipv4(&x, 4, vtep1, vtep2, false);
	eth(&x, 0x0800, mac_o1, mac_o2);
	dis(&p, &x);
	check_inner4(&p, 21);
	check_outer4(&p, TUN_IPIP, 20 + 20 + 40);
	CHECK(!p.tun.has_id);
	/* SIT: IPv6 ping in IPv4 */
	echo(&x, 6, 22);
	ipv6(&x, 58, v6a, v6b);
	ipv4(&x, 41, vtep1, vtep2, false);
	eth(&x, 0x0800, mac_o1, mac_o2);
	dis(&p, &x);
	CHECK_EQ_INT(p.tun.type, TUN_SIT);
	CHECK(p.layers & LAYER_ICMPV6);
	CHECK(!(p.layers & LAYER_IPV4));
	CHECK_EQ_INT(p.net.icmp.echo_seq, 22);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_GOOD);
	CHECK_EQ_INT(p.n_anom, 0);
	/* IP6IP6 */
	echo(&x, 6, 23);
	ipv6(&x, 58, v6a, v6b);
	ipv6(&x, 41, v6b, v6a);
	eth(&x, 0x86dd, mac_o1, mac_o2);
	dis(&p, &x);
	CHECK_EQ_INT(p.tun.type, TUN_IP6IP6);
	CHECK_EQ_INT(p.tun.src.family, 6);
	CHECK(!memcmp(p.tun.src.a, v6b, 16));
	CHECK_EQ_INT(p.tun.outer_len, 40 + 40 + 40);
	CHECK(!memcmp(p.net.ip.src.a, v6a, 16));
	CHECK_EQ_INT(p.net.icmp.echo_seq, 23);
	CHECK_EQ_INT(p.n_anom, 0);
	/* IPv4 in IPv6 */
	echo(&x, 4, 24);
	ipv4(&x, 1, in1, in2, false);
	ipv6(&x, 4, v6b, v6a);
	eth(&x, 0x86dd, mac_o1, mac_o2);
	dis(&p, &x);
	CHECK_EQ_INT(p.tun.type, TUN_IP4IP6);
	check_inner4(&p, 24);
	/* the version nibble must agree with the protocol */
	echo(&x, 4, 25);
	ipv4(&x, 1, in1, in2, false);
	ipv4(&x, 41, vtep1, vtep2, false);
	eth(&x, 0x0800, mac_o1, mac_o2);
	dis(&p, &x);
	CHECK(!(p.layers & LAYER_TUNNEL));
	CHECK(packet_has_anomaly(&p, ANOM_TUNNEL_BAD_HEADER));
}

/* VXLAN in VXLAN in VXLAN: two are opened, the third is an anomaly. */
static void test_nesting(void)
{
	struct packet p;
	struct buf x;

	inner_eth_ping4(&x, 31);
	vxlan(&x, 0x08, 2, 0);
	udp(&x, 4789);
	ipv4(&x, 17, in2, in1, false);
	eth(&x, 0x0800, mac_i2, mac_i1);
	vxlan(&x, 0x08, 1, 0);
	outer_udp4(&x, 4789);
	dis(&p, &x);
	check_inner4(&p, 31);
	CHECK_EQ_INT(p.tun.depth, 2);
	CHECK_EQ_INT(p.tun.id, 1);	/* the outermost one */
	CHECK(!memcmp(p.tun.src.a, vtep1, 4));

	vxlan(&x, 0x08, 0, 0);
	outer_udp4(&x, 4789);
	dis(&p, &x);
	CHECK_EQ_INT(p.tun.depth, 2);
	CHECK(packet_has_anomaly(&p, ANOM_TUNNEL_TOO_DEEP));
	CHECK(!(p.layers & LAYER_ICMP));

	/* IPIP nested deeper than the cap: bounded, no recursion blow-up */
	echo(&x, 4, 32);
	ipv4(&x, 1, in1, in2, false);
	for (int i = 0; i < 20; i++)
		ipv4(&x, 4, vtep1, vtep2, false);
	eth(&x, 0x0800, mac_o1, mac_o2);
	dis(&p, &x);
	CHECK_EQ_INT(p.tun.depth, MAX_TUNNEL_DEPTH);
	CHECK(packet_has_anomaly(&p, ANOM_TUNNEL_TOO_DEEP));
}

/* x becomes an ICMP frag-needed from a router quoting qlen bytes of q. */
static void frag_needed(struct buf *x, const struct buf *q, uint32_t qlen)
{
	static const uint8_t router[4] = { 192, 0, 2, 254 };

	memcpy(x->b + 8, q->b, qlen);
	memset(x->b, 0, 8);
	x->b[0] = 3;
	x->b[1] = 4;
	put16(x->b + 6, 1400);
	x->len = 8 + qlen;
	put16(x->b + 2, fold(sum16(x->b, x->len, 0)));
	ipv4(x, 1, router, vtep1, false);
	eth(x, 0x0800, mac_o2, mac_o1);
}

/*
 * An underlay router's error quoting an encapsulated probe: the quote's
 * tunnel is opened, so quoted holds the probe; a quote inside a tunnelled
 * packet is not (p->tun is the packet's own).
 */
static void test_quotes(void)
{
	struct packet p;
	struct buf x, q;

	echo(&q, 4, 41);
	ipv4(&q, 1, in1, in2, true);
	eth(&q, 0x0800, mac_i1, mac_i2);
	vxlan(&q, 0x08, 42, 0);
	udp(&q, 4789);
	ipv4(&q, 17, vtep1, vtep2, true);
	frag_needed(&x, &q, q.len - 16);	/* quotes are often cut */
	dis(&p, &x);
	CHECK(!(p.layers & LAYER_TUNNEL));
	CHECK(p.layers & LAYER_ICMP);
	CHECK(p.layers & LAYER_QUOTED);
	CHECK_EQ_INT(p.net.icmp.type, 3);
	CHECK_EQ_INT(p.net.icmp.mtu, 1400);
	CHECK(p.quoted_layers & LAYER_TUNNEL);
	CHECK(p.quoted_layers & LAYER_ICMP);
	CHECK(!(p.quoted_layers & LAYER_UDP));
	CHECK(p.tun.in_quote);
	CHECK_EQ_INT(p.tun.type, TUN_VXLAN);
	CHECK_EQ_INT(p.tun.id, 42);
	CHECK(!memcmp(p.tun.dst.a, vtep2, 4));
	CHECK_EQ_INT(p.tun.outer_len, q.len);
	CHECK(!memcmp(p.quoted.ip.src.a, in1, 4));
	CHECK_EQ_INT(p.quoted.icmp.type, 8);
	CHECK_EQ_INT(p.quoted.icmp.echo_seq, 41);
	CHECK_EQ_INT(p.quoted.icmp.echo_len, 32);
	CHECK_EQ_INT(p.quoted.icmp.echo_caplen, 16);
	CHECK(!memcmp(p.net.ip.dst.a, vtep1, 4));	/* the error's own */

	/* IPIP quoted, cut right after the inner header's first word */
	echo(&q, 4, 42);
	ipv4(&q, 1, in1, in2, true);
	ipv4(&q, 4, vtep1, vtep2, true);
	frag_needed(&x, &q, 20 + 4);
	dis(&p, &x);
	CHECK(p.quoted_layers & LAYER_TUNNEL);
	CHECK_EQ_INT(p.tun.type, TUN_IPIP);
	CHECK(!(p.quoted_layers & LAYER_ICMP));
	CHECK(anom_in_quote(&p, ANOM_IPV4_TRUNCATED, 1));

	/* the error itself in VXLAN: its quote's tunnel is not opened */
	echo(&q, 4, 43);
	ipv4(&q, 1, in1, in2, true);
	ipv4(&q, 4, vtep1, vtep2, true);
	frag_needed(&x, &q, q.len);
	vxlan(&x, 0x08, 7, 0);
	outer_udp4(&x, 4789);
	dis(&p, &x);
	CHECK(p.layers & LAYER_TUNNEL);
	CHECK(!(p.quoted_layers & LAYER_TUNNEL));
	CHECK(!p.tun.in_quote);
	CHECK_EQ_INT(p.tun.id, 7);
	CHECK_EQ_INT(p.quoted.ip.proto, 4);
}

/* Outer fragments are not opened. */
static void test_not_followed(void)
{
	struct packet p;
	struct buf x;

	/* first fragment of a VXLAN datagram: reassembly comes first */
	inner_eth_ping4(&x, 42);
	vxlan(&x, 0x08, 42, 0);
	udp(&x, 4789);
	ipv4(&x, 17, vtep1, vtep2, false);
	x.b[6] = 0x20;	/* MF */
	x.b[10] = x.b[11] = 0;
	put16(x.b + 10, fold(sum16(x.b, 20, 0)));
	eth(&x, 0x0800, mac_o1, mac_o2);
	dis(&p, &x);
	CHECK(!(p.layers & LAYER_TUNNEL));
	CHECK(p.layers & LAYER_UDP);
	CHECK(p.net.ip.is_fragment);
}

static bool any_anom(const struct packet *p)
{
	return p->n_anom > 0;
}

/*
 * Every truncation, snapped and short on the wire: never a crash, never a
 * verdict on a checksum it could not see, and a short frame is never
 * clean.
 */
static void truncate_all(const struct buf *x, uint32_t tun_hdr_from,
			 uint32_t tun_hdr_to)
{
	struct packet p;
	uint32_t i;

	for (i = 0; i < x->len; i++) {
		dissect_bytes(&p, LT_ETH, x->b, i, x->len);
		if (p.layers & (LAYER_ICMP | LAYER_ICMPV6))
			CHECK(p.net.icmp.csum != CSUM_GOOD &&
			      p.net.icmp.csum != CSUM_BAD);
		if (i >= tun_hdr_from && i < tun_hdr_to)
			CHECK(packet_has_anomaly(&p, ANOM_TUNNEL_TRUNCATED));
		CHECK(p.tun.depth <= MAX_TUNNEL_DEPTH);
		dissect_bytes(&p, LT_ETH, x->b, i, i);
		CHECK(any_anom(&p) || i < 14);
	}
}

static void test_truncation(void)
{
	struct buf x, q;

	inner_eth_ping4(&x, 1);
	vxlan(&x, 0x08, 42, 0);
	outer_udp4(&x, 4789);
	truncate_all(&x, 42, 50);
	echo(&x, 4, 1);
	ipv4(&x, 1, in1, in2, true);
	prepend(&x, 4);
	put16(x.b, 7);
	put16(x.b + 2, 0x0800);
	eth(&x, 0x88a8, mac_i1, mac_i2);
	vxlan(&x, 0x08, 42, 0);
	outer_udp4(&x, 8472);
	truncate_all(&x, 42, 50);
	inner_eth_ping4(&x, 1);
	geneve(&x, 1, 0x6558, 4, 1);
	outer_udp4(&x, 6081);
	truncate_all(&x, 42, 50 + 16);
	echo(&x, 4, 1);
	ipv4(&x, 1, in1, in2, false);
	gre(&x, 0xb000, 0x0800, 1, 2);
	ipv4(&x, 47, vtep1, vtep2, false);
	eth(&x, 0x0800, mac_o1, mac_o2);
	truncate_all(&x, 34, 34 + 16);
	echo(&x, 6, 1);
	ipv6(&x, 58, v6a, v6b);
	ipv4(&x, 41, vtep1, vtep2, false);
	eth(&x, 0x0800, mac_o1, mac_o2);
	truncate_all(&x, 34, 35);
	echo(&x, 6, 1);
	ipv6(&x, 58, v6a, v6b);
	ipv6(&x, 41, v6b, v6a);
	eth(&x, 0x86dd, mac_o1, mac_o2);
	truncate_all(&x, 54, 55);
	/* an underlay error quoting a VXLAN packet: the quote's tunnel */
	inner_eth_ping4(&q, 1);
	vxlan(&q, 0x08, 42, 0);
	udp(&q, 4789);
	ipv4(&q, 17, vtep1, vtep2, true);
	frag_needed(&x, &q, q.len);
	truncate_all(&x, 14 + 20 + 8 + 28, 14 + 20 + 8 + 36);
}

int main(void)
{
	test_vxlan();
	test_geneve();
	test_gre();
	test_ipip();
	test_nesting();
	test_quotes();
	test_not_followed();
	test_truncation();
	return check_done();
}
