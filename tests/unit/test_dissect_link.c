// SPDX-License-Identifier: GPL-2.0
/* Link layers: Ethernet, VLAN tags (wire and hw-stripped), SLL, SLL2, raw
 * IP, BSD loopback (NULL/LOOP), unknown link types, and ARP. */
#include "check.h"
#include "dissect/names.h"
#include "test_dissect_samples.h"
#include "test_dissect_util.h"

static const uint8_t mac1[6] = { 0x52, 0x54, 0, 0, 0, 1 };
static const uint8_t mac2[6] = { 0x52, 0x54, 0, 0, 0, 2 };
static const uint8_t ip1[4] = { 10, 0, 0, 1 }, ip2[4] = { 10, 0, 0, 2 };

static void test_eth(void)
{
	struct packet p;

	DISSECT(&p, ping4_req);
	CHECK_EQ_INT(p.layers, LAYER_ETH | LAYER_IPV4 | LAYER_ICMP);
	CHECK(!memcmp(p.eth.src, mac1, 6));
	CHECK(!memcmp(p.eth.dst, mac2, 6));
	CHECK_EQ_INT(p.eth.ethertype, 0x0800);
	CHECK_EQ_INT(p.n_vlan, 0);
	CHECK_EQ_INT(p.n_anom, 0);
	CHECK_EQ_INT(p.quoted_layers, 0);
	CHECK(!p.snapped);
}

static void test_vlan(void)
{
	struct packet p;

	DISSECT(&p, vlan_ping4);
	CHECK_EQ_INT(p.layers, LAYER_ETH | LAYER_VLAN | LAYER_IPV4 | LAYER_ICMP);
	CHECK_EQ_INT(p.n_vlan, 1);
	CHECK_EQ_INT(p.vlan[0].tpid, 0x8100);
	CHECK_EQ_INT(p.vlan[0].vid, 100);
	CHECK_EQ_INT(p.vlan[0].pcp, 3);
	CHECK_EQ_INT(p.vlan[0].dei, 0);
	CHECK_EQ_INT(p.eth.ethertype, 0x0800);
	CHECK_EQ_INT(p.net.icmp.echo_seq, 1);

	DISSECT(&p, qinq_ping4);
	CHECK_EQ_INT(p.n_vlan, 2);
	CHECK_EQ_INT(p.vlan[0].tpid, 0x88a8);
	CHECK_EQ_INT(p.vlan[0].vid, 200);
	CHECK_EQ_INT(p.vlan[1].tpid, 0x8100);
	CHECK_EQ_INT(p.vlan[1].vid, 100);
	CHECK_EQ_INT(p.vlan[1].dei, 1);
	CHECK_EQ_INT(p.eth.ethertype, 0x0800);
	CHECK(p.layers & LAYER_ICMP);
	CHECK_EQ_INT(p.n_anom, 0);
}

static void test_vlan_too_many(void)
{
	unsigned char b[14 + 4 * 6 + 20];
	struct packet p;
	int i;

	memset(b, 0, sizeof(b));
	b[12] = 0x81;
	for (i = 0; i < 6; i++) {
		b[14 + 4 * i + 1] = (uint8_t)(i + 1);	/* vid */
		b[14 + 4 * i + 2] = 0x81;		/* next: another tag */
	}
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK_EQ_INT(p.n_vlan, MAX_VLAN_TAGS);
	CHECK(packet_has_anomaly(&p, ANOM_VLAN_TOO_MANY));
	CHECK_EQ_INT(p.vlan[3].vid, 4);
}

static void test_hw_vlan(void)
{
	struct frame f;
	struct packet p;

	memset(&f, 0, sizeof(f));
	f.data = ping4_req;
	f.caplen = f.wirelen = sizeof(ping4_req);
	f.linktype = LINKTYPE_ETHERNET;
	f.flags = FRAME_F_HW_VLAN;
	f.hw_vlan_tci = (5 << 13) | 1001;
	dissect_frame(&f, &p);
	CHECK_EQ_INT(p.n_vlan, 1);
	CHECK_EQ_INT(p.vlan[0].vid, 1001);
	CHECK_EQ_INT(p.vlan[0].pcp, 5);
	CHECK_EQ_INT(p.vlan[0].tpid, 0x8100);
	CHECK(p.layers & LAYER_VLAN);
	CHECK(p.layers & LAYER_ICMP);

	/* Stripped tag + one on the wire: the stripped one is outermost. */
	f.data = vlan_ping4;
	f.caplen = f.wirelen = sizeof(vlan_ping4);
	dissect_frame(&f, &p);
	CHECK_EQ_INT(p.n_vlan, 2);
	CHECK_EQ_INT(p.vlan[0].vid, 1001);
	CHECK_EQ_INT(p.vlan[1].vid, 100);
}

static void test_sll(void)
{
	struct packet p;

	DISSECT(&p, sll2_out);
	CHECK_EQ_INT(p.layers, LAYER_SLL | LAYER_IPV4 | LAYER_ICMP);
	CHECK_EQ_INT(p.sll.version, 2);
	CHECK_EQ_INT(p.sll.pkttype, 4);		/* PACKET_OUTGOING */
	CHECK_EQ_INT(p.sll.ifindex, 3);
	CHECK_EQ_INT(p.sll.hatype, 1);
	CHECK_EQ_INT(p.sll.protocol, 0x0800);
	CHECK_EQ_INT(p.sll.addr_len, 6);
	CHECK(!memcmp(p.sll.addr, mac1, 6));
	CHECK_EQ_INT(p.net.icmp.type, 8);

	DISSECT(&p, sll_in);
	CHECK_EQ_INT(p.layers, LAYER_SLL | LAYER_IPV4 | LAYER_ICMP);
	CHECK_EQ_INT(p.sll.version, 1);
	CHECK_EQ_INT(p.sll.pkttype, 0);		/* PACKET_HOST */
	CHECK_EQ_INT(p.sll.ifindex, 0);
	CHECK(!memcmp(p.sll.addr, mac2, 6));
	CHECK_EQ_INT(p.net.icmp.type, 0);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_GOOD);
}

static void test_raw(void)
{
	struct packet p;
	unsigned char junk[] = { 0x00, 1, 2, 3 };

	DISSECT(&p, raw_ping4);
	CHECK_EQ_INT(p.layers, LAYER_IPV4 | LAYER_ICMP);
	CHECK_EQ_INT(p.net.l3_offset, 0);
	DISSECT(&p, raw_ping6);
	CHECK_EQ_INT(p.layers, LAYER_IPV6 | LAYER_ICMPV6);
	dissect_bytes(&p, LINKTYPE_IPV4, raw_ping4, sizeof(raw_ping4),
		      sizeof(raw_ping4));
	CHECK_EQ_INT(p.layers, LAYER_IPV4 | LAYER_ICMP);
	dissect_bytes(&p, LINKTYPE_IPV6, raw_ping6, sizeof(raw_ping6),
		      sizeof(raw_ping6));
	CHECK_EQ_INT(p.layers, LAYER_IPV6 | LAYER_ICMPV6);
	/* LINKTYPE_IPV6 with IPv4 inside is a bad version, not a v4 packet. */
	dissect_bytes(&p, LINKTYPE_IPV6, raw_ping4, sizeof(raw_ping4),
		      sizeof(raw_ping4));
	CHECK_EQ_INT(p.layers, 0);
	CHECK(packet_has_anomaly(&p, ANOM_IPV6_BAD_VERSION));
	dissect_bytes(&p, LINKTYPE_RAW, junk, sizeof(junk), sizeof(junk));
	CHECK(packet_has_anomaly(&p, ANOM_IPV4_BAD_VERSION));
}

/* DLT_RAW as older writers stored it: 12 (most systems), 14 (OpenBSD). */
static void test_raw_dlt(void)
{
	struct packet p;

	dissect_bytes(&p, 12, raw_ping4, sizeof(raw_ping4), sizeof(raw_ping4));
	CHECK_EQ_INT(p.layers, LAYER_IPV4 | LAYER_ICMP);
	CHECK_EQ_INT(p.n_anom, 0);
	dissect_bytes(&p, 14, raw_ping6, sizeof(raw_ping6), sizeof(raw_ping6));
	CHECK_EQ_INT(p.layers, LAYER_IPV6 | LAYER_ICMPV6);
	CHECK_EQ_INT(p.net.icmp.type, 128);
	CHECK(dissect_linktype_known(12) && dissect_linktype_known(14));
}

/* b = the 4-byte family header then the datagram; returns the length. */
static uint32_t null_frame(unsigned char *b, const uint8_t hdr[4],
			   const unsigned char *dg, uint32_t n)
{
	memcpy(b, hdr, 4);
	memcpy(b + 4, dg, n);
	return n + 4;
}

static void test_null(void)
{
	static const uint8_t le_inet[4] = { 2, 0, 0, 0 };
	static const uint8_t be_inet[4] = { 0, 0, 0, 2 };
	static const uint8_t inet6[3][4] = {
		{ 24, 0, 0, 0 }, { 0, 0, 0, 28 }, { 30, 0, 0, 0 },
	};
	static const uint8_t other[4] = { 7, 0, 0, 0 };	/* AF_ISO */
	unsigned char b[4 + 256];
	struct packet p;
	uint32_t n;
	int i;

	/* little-endian writer (x86 macOS, FreeBSD...) */
	n = null_frame(b, le_inet, raw_ping4, sizeof(raw_ping4));
	dissect_bytes(&p, LINKTYPE_NULL, b, n, n);
	CHECK_EQ_INT(p.layers, LAYER_NULL | LAYER_IPV4 | LAYER_ICMP);
	CHECK_EQ_INT(p.null_family, 2);
	CHECK_EQ_INT(p.net.l3_offset, 4);
	CHECK_EQ_INT(p.net.icmp.type, 8);
	CHECK_EQ_INT(p.n_anom, 0);

	/* big-endian writer: the same family, read the other way round */
	n = null_frame(b, be_inet, raw_ping4, sizeof(raw_ping4));
	dissect_bytes(&p, LINKTYPE_NULL, b, n, n);
	CHECK_EQ_INT(p.layers, LAYER_NULL | LAYER_IPV4 | LAYER_ICMP);
	CHECK_EQ_INT(p.null_family, 2);

	/* AF_INET6 as NetBSD/OpenBSD (24), FreeBSD (28), macOS (30) */
	for (i = 0; i < 3; i++) {
		n = null_frame(b, inet6[i], raw_ping6, sizeof(raw_ping6));
		dissect_bytes(&p, LINKTYPE_NULL, b, n, n);
		CHECK_EQ_INT(p.layers, LAYER_NULL | LAYER_IPV6 | LAYER_ICMPV6);
		CHECK_EQ_INT(p.net.icmp.type, 128);
	}

	/* another family: the header only, no IP read into it */
	n = null_frame(b, other, raw_ping4, sizeof(raw_ping4));
	dissect_bytes(&p, LINKTYPE_NULL, b, n, n);
	CHECK_EQ_INT(p.layers, LAYER_NULL);
	CHECK_EQ_INT(p.null_family, 7);
	CHECK_EQ_INT(p.n_anom, 0);

	/* the family itself cut short */
	dissect_bytes(&p, LINKTYPE_NULL, le_inet, 3, 40);
	CHECK_EQ_INT(p.layers, 0);
	CHECK(packet_has_anomaly(&p, ANOM_NULL_TRUNCATED));
	CHECK(strcmp(anomaly_name(ANOM_NULL_TRUNCATED), "null.truncated") == 0);
}

static void test_loop(void)
{
	static const uint8_t be_inet[4] = { 0, 0, 0, 2 };
	static const uint8_t be_inet6[4] = { 0, 0, 0, 24 };
	static const uint8_t le_inet[4] = { 2, 0, 0, 0 };
	unsigned char b[4 + 256];
	struct packet p;
	uint32_t n;

	n = null_frame(b, be_inet, raw_ping4, sizeof(raw_ping4));
	dissect_bytes(&p, LINKTYPE_LOOP, b, n, n);
	CHECK_EQ_INT(p.layers, LAYER_NULL | LAYER_IPV4 | LAYER_ICMP);
	CHECK_EQ_INT(p.null_family, 2);
	n = null_frame(b, be_inet6, raw_ping6, sizeof(raw_ping6));
	dissect_bytes(&p, LINKTYPE_LOOP, b, n, n);
	CHECK_EQ_INT(p.layers, LAYER_NULL | LAYER_IPV6 | LAYER_ICMPV6);
	/* LOOP is network order by definition: no guessing */
	n = null_frame(b, le_inet, raw_ping4, sizeof(raw_ping4));
	dissect_bytes(&p, LINKTYPE_LOOP, b, n, n);
	CHECK_EQ_INT(p.layers, LAYER_NULL);
	CHECK_EQ_INT(p.null_family, 0x02000000);
	dissect_bytes(&p, LINKTYPE_LOOP, be_inet, 2, 2);
	CHECK(packet_has_anomaly(&p, ANOM_NULL_TRUNCATED));
}

static void test_unknown_linktype(void)
{
	struct packet p;

	dissect_bytes(&p, 147, ping4_req, sizeof(ping4_req), sizeof(ping4_req));
	CHECK_EQ_INT(p.layers, 0);
	CHECK_EQ_INT(p.n_anom, 1);
	CHECK(packet_has_anomaly(&p, ANOM_LINKTYPE_UNKNOWN));
	CHECK_EQ_INT(p.anom[0].offset, 0);

	/* Solaris ipnet: libpcap names it, we do not decode it */
	dissect_bytes(&p, 226, ping4_req, sizeof(ping4_req), sizeof(ping4_req));
	CHECK_EQ_INT(p.layers, 0);
	CHECK(packet_has_anomaly(&p, ANOM_LINKTYPE_UNKNOWN));
	CHECK(!dissect_linktype_known(226));
	CHECK(!dissect_linktype_known(147));
	CHECK(dissect_linktype_known(LINKTYPE_ETHERNET));
	CHECK(dissect_linktype_known(LINKTYPE_LINUX_SLL));
	CHECK(dissect_linktype_known(LINKTYPE_LINUX_SLL2));
	CHECK(dissect_linktype_known(LINKTYPE_RAW));
	CHECK(dissect_linktype_known(LINKTYPE_IPV4));
	CHECK(dissect_linktype_known(LINKTYPE_IPV6));
	CHECK(dissect_linktype_known(LINKTYPE_NULL));
	CHECK(dissect_linktype_known(LINKTYPE_LOOP));
}

static void test_arp(void)
{
	static const uint8_t zero[6];
	struct packet p;

	DISSECT(&p, arp_req);
	CHECK_EQ_INT(p.layers, LAYER_ETH | LAYER_ARP);
	CHECK_EQ_INT(p.arp.op, 1);
	CHECK(!memcmp(p.arp.sha, mac1, 6));
	CHECK(!memcmp(p.arp.spa, ip1, 4));
	CHECK(!memcmp(p.arp.tha, zero, 6));
	CHECK(!memcmp(p.arp.tpa, ip2, 4));
	CHECK(!p.arp.is_gratuitous);
	CHECK_EQ_INT(p.n_anom, 0);
	CHECK(!strcmp(arp_op_name(p.arp.op), "request"));

	DISSECT(&p, arp_rep);
	CHECK_EQ_INT(p.arp.op, 2);
	CHECK(!memcmp(p.arp.sha, mac2, 6));
	CHECK(!memcmp(p.arp.tha, mac1, 6));
	CHECK(!memcmp(p.arp.spa, ip2, 4));
	CHECK(!p.arp.is_gratuitous);

	DISSECT(&p, arp_grat);
	CHECK(p.arp.is_gratuitous);
	CHECK(!memcmp(p.arp.tpa, ip1, 4));
}

static void test_arp_unsupported(void)
{
	unsigned char b[sizeof(arp_req)];
	struct packet p;

	/* hlen 8 (e.g. an exotic link) must not be read at Ethernet offsets. */
	memcpy(b, arp_req, sizeof(b));
	b[18] = 8;
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, 22, 22);
	CHECK(p.layers & LAYER_ARP);
	CHECK_EQ_INT(p.arp.hlen, 8);
	CHECK(packet_has_anomaly(&p, ANOM_ARP_UNSUPPORTED));
	CHECK(!packet_has_anomaly(&p, ANOM_ARP_TRUNCATED));
	memcpy(b, arp_req, sizeof(b));
	b[16] = 0x86;	/* ptype IPv6-ish */
	b[17] = 0xdd;
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK(packet_has_anomaly(&p, ANOM_ARP_UNSUPPORTED));
}

/*
 * ATMARP (RFC 2225, hardware type 19) over Ethernet, as in tcpdump's
 * arp-oobr.pcap: its octets 4-5 are type/length of ATM numbers, which
 * here happen to read as hlen 6, plen 4.  It must stay unsupported with
 * zero addresses, never pass for an Ethernet ARP.
 */
static void test_atmarp(void)
{
	static const uint8_t zero[6];
	unsigned char b[14 + 28];
	struct packet p;

	memset(b, 0, sizeof(b));
	memset(b, 0xff, 6);			/* broadcast */
	memcpy(b + 6, mac1, 6);
	b[12] = 0x08, b[13] = 0x06;		/* ARP */
	b[14] = 0, b[15] = 19;			/* ar_hrd: ATM */
	b[16] = 0x08, b[17] = 0x00;		/* ar_pro: IPv4 */
	b[18] = 6, b[19] = 4;			/* ar_shtl, ar_sstl */
	b[20] = 0, b[21] = 1;			/* op: request */
	b[22] = 4;				/* ar_spln */
	b[25] = 4;				/* ar_tpln */
	memcpy(b + 26, ip1, 4);
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK_EQ_INT(p.layers, LAYER_ETH | LAYER_ARP);
	CHECK_EQ_INT(p.arp.htype, 19);
	CHECK_EQ_INT(p.arp.op, 1);
	CHECK(packet_has_anomaly(&p, ANOM_ARP_UNSUPPORTED));
	CHECK(!memcmp(p.arp.sha, zero, 6));
	CHECK(!memcmp(p.arp.spa, zero, 4));
	CHECK(!memcmp(p.arp.tpa, zero, 4));
	CHECK(!p.arp.is_gratuitous);
}

static void test_stale_fields(void)
{
	struct packet p;

	/* A reused packet: nothing of the previous frame may survive. */
	DISSECT(&p, timeexc);
	CHECK(p.layers & LAYER_QUOTED);
	dissect_bytes(&p, arp_req_lt, arp_req, sizeof(arp_req), sizeof(arp_req));
	CHECK_EQ_INT(p.quoted_layers, 0);
	CHECK_EQ_INT(p.net.icmp.type, 0);
	CHECK_EQ_INT(p.net.ip.version, 0);
}

static void test_names(void)
{
	CHECK(!strcmp(ether_type_name(0x86dd), "IPv6"));
	CHECK(!strcmp(ether_type_name(0x1234), ""));
	CHECK(!strcmp(ip_proto_name(58), "ICMPv6"));
	CHECK(!strcmp(anomaly_name(ANOM_IPV4_BAD_CHECKSUM), "ipv4.bad_checksum"));
	CHECK(!strcmp(anomaly_name(ANOM_COUNT), "unknown"));
	CHECK(!strcmp(csum_state_name(CSUM_UNVERIFIABLE), "unverifiable"));
	for (int k = 0; k < ANOM_COUNT; k++)
		CHECK(strcmp(anomaly_name(k), "unknown") != 0);
}

int main(void)
{
	test_eth();
	test_vlan();
	test_vlan_too_many();
	test_hw_vlan();
	test_sll();
	test_raw();
	test_raw_dlt();
	test_null();
	test_loop();
	test_unknown_linktype();
	test_arp();
	test_arp_unsupported();
	test_atmarp();
	test_stale_fields();
	test_names();
	return check_done();
}
