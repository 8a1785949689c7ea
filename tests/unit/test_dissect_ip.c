// SPDX-License-Identifier: GPL-2.0
/* IPv4 and IPv6: fields, options, extension headers, fragments, lengths,
 * header checksum, UDP and TCP on top. */
#include "check.h"
#include "test_dissect_samples.h"
#include "test_dissect_util.h"

/* Recomputes the IPv4 header checksum of a modified sample. */
static void fix_ip_csum(unsigned char *h)
{
	uint32_t sum = 0;
	int i, len = (h[0] & 0x0f) * 4;

	h[10] = h[11] = 0;
	for (i = 0; i < len; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	h[10] = (uint8_t)(~sum >> 8);
	h[11] = (uint8_t)~sum;
}

static void test_ipv4_fields(void)
{
	static const uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 0, 0, 2 };
	struct packet p;

	DISSECT(&p, ping4_req);
	CHECK_EQ_INT(p.net.ip.version, 4);
	CHECK_EQ_INT(p.net.ip.proto, 1);
	CHECK_EQ_INT(p.net.ip.ttl, 64);
	CHECK_EQ_INT(p.net.ip.hdr_len, 20);
	CHECK_EQ_INT(p.net.ip.total_len, 76);
	CHECK_EQ_INT(p.net.ip.ip_id, 0x1234);
	CHECK(p.net.ip.df);
	CHECK(!p.net.ip.mf);
	CHECK(!p.net.ip.is_fragment);
	CHECK_EQ_INT(p.net.ip.hdr_csum, CSUM_GOOD);
	CHECK_EQ_INT(p.net.ip.hdr_csum_value, 0x147b);
	CHECK_EQ_INT(p.net.ip.src.family, 4);
	CHECK(!memcmp(p.net.ip.src.a, a, 4));
	CHECK(!memcmp(p.net.ip.dst.a, b, 4));
	CHECK_EQ_INT(p.net.l3_offset, 14);
	CHECK_EQ_INT(p.net.caplen, 76);
}

static void test_ipv4_options(void)
{
	struct packet p;
	unsigned char b[sizeof(ipv4_opts_udp)];

	DISSECT(&p, ipv4_opts_udp);
	CHECK_EQ_INT(p.layers, LAYER_ETH | LAYER_IPV4 | LAYER_UDP);
	CHECK_EQ_INT(p.net.ip.hdr_len, 24);
	CHECK_EQ_INT(p.net.ip.opt_len, 4);
	CHECK(p.net.ip.has_router_alert);
	CHECK_EQ_INT(p.net.ip.hdr_csum, CSUM_GOOD);
	CHECK_EQ_INT(p.net.l4.sport, 5000);
	CHECK_EQ_INT(p.net.l4.dport, 5001);
	CHECK_EQ_INT(p.net.l4.udp_len, 13);
	CHECK_EQ_INT(p.n_anom, 0);

	/* Option length running past the header. */
	memcpy(b, ipv4_opts_udp, sizeof(b));
	b[35] = 8;
	fix_ip_csum(b + 14);
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK(packet_has_anomaly(&p, ANOM_IPV4_BAD_OPTION));
	CHECK(!p.net.ip.has_router_alert);
	/* Option length 0 and 1 are malformed too (would not advance). */
	b[35] = 1;
	fix_ip_csum(b + 14);
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK(packet_has_anomaly(&p, ANOM_IPV4_BAD_OPTION));
	/* NOPs and EOL are fine. */
	b[34] = 1; b[35] = 1; b[36] = 0; b[37] = 0;
	fix_ip_csum(b + 14);
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK_EQ_INT(p.n_anom, 0);
	CHECK(p.layers & LAYER_UDP);
}

static void test_ipv4_bad(void)
{
	struct packet p;
	unsigned char b[sizeof(ping4_req)];

	DISSECT(&p, ipv4_bad_csum);
	CHECK_EQ_INT(p.net.ip.hdr_csum, CSUM_BAD);
	CHECK(packet_has_anomaly(&p, ANOM_IPV4_BAD_CHECKSUM));
	CHECK_EQ_INT(p.anom[0].offset, 14);
	CHECK_EQ_INT(p.anom[0].in_quote, 0);
	CHECK(p.layers & LAYER_ICMP);		/* still dissected */

	memcpy(b, ping4_req, sizeof(b));
	b[14] = 0x44;		/* IHL 4 */
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK(packet_has_anomaly(&p, ANOM_IPV4_BAD_IHL));
	CHECK(!(p.layers & LAYER_ICMP));

	memcpy(b, ping4_req, sizeof(b));
	b[16] = 0; b[17] = 19;	/* total length < header */
	fix_ip_csum(b + 14);
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK(packet_has_anomaly(&p, ANOM_IPV4_BAD_TOTAL_LEN));
	CHECK(!(p.layers & LAYER_ICMP));

	memcpy(b, ping4_req, sizeof(b));
	b[14] = 0x65;
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK(packet_has_anomaly(&p, ANOM_IPV4_BAD_VERSION));

	/* Total length shorter than the frame: Ethernet padding, fine; the
	 * ICMP message is bounded by the IP length (checksum now wrong). */
	memcpy(b, ping4_req, sizeof(b));
	b[17] = 60;
	fix_ip_csum(b + 14);
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK_EQ_INT(p.net.icmp.echo_len, 32);
	CHECK_EQ_INT(p.net.icmp.echo_caplen, 32);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_BAD);
	CHECK_EQ_INT(p.net.caplen, 60);
}

static void test_ipv4_fragments(void)
{
	struct packet p;
	unsigned char b[sizeof(ping4_req)];

	/* First fragment: ICMP header dissected, checksum not verifiable. */
	memcpy(b, ping4_req, sizeof(b));
	b[20] = 0x20; b[21] = 0;	/* MF */
	fix_ip_csum(b + 14);
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK(p.net.ip.mf);
	CHECK(p.net.ip.is_fragment);
	CHECK(p.layers & LAYER_ICMP);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_UNVERIFIABLE);
	CHECK_EQ_INT(p.n_anom, 0);

	/* Later fragment: no L4 header there. */
	b[20] = 0x00; b[21] = 0xb9;	/* offset 185*8 = 1480 */
	fix_ip_csum(b + 14);
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK_EQ_INT(p.net.ip.frag_off, 1480);
	CHECK(p.net.ip.is_fragment);
	CHECK(!(p.layers & LAYER_ICMP));
	CHECK_EQ_INT(p.n_anom, 0);
}

static void test_ipv6(void)
{
	static const uint8_t src[16] = { 0xfd, [15] = 1 };
	struct packet p;

	DISSECT(&p, ping6_req);
	CHECK_EQ_INT(p.layers, LAYER_ETH | LAYER_IPV6 | LAYER_ICMPV6);
	CHECK_EQ_INT(p.net.ip.version, 6);
	CHECK_EQ_INT(p.net.ip.proto, 58);
	CHECK_EQ_INT(p.net.ip.ttl, 64);
	CHECK_EQ_INT(p.net.ip.hdr_len, 40);
	CHECK_EQ_INT(p.net.ip.total_len, 96);
	CHECK_EQ_INT(p.net.ip.src.family, 6);
	CHECK(!memcmp(p.net.ip.src.a, src, 16));
	CHECK_EQ_INT(p.net.ip.hdr_csum, CSUM_NONE);
	CHECK_EQ_INT(p.n_anom, 0);
}

static void test_ipv6_ext(void)
{
	struct packet p;
	unsigned char b[sizeof(ipv6_hbh_frag)];

	DISSECT(&p, ipv6_hbh_frag);
	CHECK_EQ_INT(p.layers, LAYER_ETH | LAYER_IPV6 | LAYER_ICMPV6);
	CHECK_EQ_INT(p.net.ip.n_ext, 2);
	CHECK_EQ_INT(p.net.ip.hdr_len, 56);
	CHECK_EQ_INT(p.net.ip.proto, 58);
	CHECK(p.net.ip.has_router_alert);
	CHECK(p.net.ip.is_fragment);
	CHECK(p.net.ip.mf);
	CHECK_EQ_INT(p.net.ip.frag_off, 0);
	CHECK_EQ_INT(p.net.ip.frag_id, 0xdeadbeef);
	CHECK_EQ_INT(p.net.icmp.type, 128);
	CHECK_EQ_INT(p.net.icmp.echo_seq, 5);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_UNVERIFIABLE);
	CHECK_EQ_INT(p.n_anom, 0);

	/* Non-first fragment: stop after the fragment header. */
	memcpy(b, ipv6_hbh_frag, sizeof(b));
	b[64] = 0x05; b[65] = 0xa9;	/* offset 181*8, M */
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK_EQ_INT(p.net.ip.frag_off, 1448);
	CHECK(!(p.layers & LAYER_ICMPV6));

	/* Hop-by-hop option overrunning its header. */
	memcpy(b, ipv6_hbh_frag, sizeof(b));
	b[57] = 9;
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK(packet_has_anomaly(&p, ANOM_IPV6_BAD_EXT));
	CHECK(!(p.layers & LAYER_ICMPV6));

	/* Extension header longer than the payload length. */
	memcpy(b, ipv6_hbh_frag, sizeof(b));
	b[55] = 20;
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK(packet_has_anomaly(&p, ANOM_IPV6_BAD_EXT));

	/* Hop-by-hop after another header is not allowed. */
	memcpy(b, ipv6_hbh_frag, sizeof(b));
	b[62] = 0;
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK(packet_has_anomaly(&p, ANOM_IPV6_BAD_EXT));

	/* Zero payload length with a next header: jumbogram/bogus. */
	memcpy(b, ipv6_hbh_frag, sizeof(b));
	b[18] = 0; b[19] = 0;
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK(packet_has_anomaly(&p, ANOM_IPV6_BAD_EXT));
	CHECK(!(p.layers & LAYER_ICMPV6));
}

static void test_ipv6_routing(void)
{
	struct packet p;

	/* The checksum only verifies with the final destination. */
	DISSECT(&p, ipv6_rh2);
	CHECK_EQ_INT(p.net.ip.n_ext, 1);
	CHECK_EQ_INT(p.net.ip.hdr_len, 64);
	CHECK_EQ_INT(p.net.icmp.echo_seq, 11);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_GOOD);
	CHECK_EQ_INT(p.net.ip.dst.a[15], 2);	/* header dst unchanged */
	DISSECT(&p, ipv6_srh);
	CHECK_EQ_INT(p.net.icmp.echo_seq, 12);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_GOOD);
	DISSECT(&p, ipv6_dst_ah);
	CHECK_EQ_INT(p.net.ip.n_ext, 2);
	CHECK_EQ_INT(p.net.ip.hdr_len, 40 + 8 + 24);
	CHECK_EQ_INT(p.net.icmp.echo_seq, 13);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_GOOD);
	CHECK_EQ_INT(p.n_anom, 0);
}

static void test_ipv6_too_many_ext(void)
{
	unsigned char b[14 + 40 + 10 * 8 + 8];
	struct packet p;
	int i;

	memset(b, 0, sizeof(b));
	b[12] = 0x86; b[13] = 0xdd;
	b[14] = 0x60;
	b[18] = 0; b[19] = 10 * 8 + 8;
	b[20] = 60;			/* destination options */
	for (i = 0; i < 10; i++)
		b[54 + 8 * i] = 60;	/* next: destination options again */
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK(packet_has_anomaly(&p, ANOM_IPV6_TOO_MANY_EXT));
	CHECK_EQ_INT(p.net.ip.n_ext, 8);
}

static void test_udp_tcp(void)
{
	struct packet p;
	unsigned char b[sizeof(tcp_syn)];

	DISSECT(&p, udp4);
	CHECK_EQ_INT(p.layers, LAYER_ETH | LAYER_IPV4 | LAYER_UDP);
	CHECK_EQ_INT(p.net.l4.sport, 40000);
	CHECK_EQ_INT(p.net.l4.dport, 53);
	CHECK_EQ_INT(p.net.l4.udp_len, 20);
	CHECK_EQ_INT(p.n_anom, 0);

	DISSECT(&p, tcp_syn);
	CHECK_EQ_INT(p.layers, LAYER_ETH | LAYER_IPV4 | LAYER_TCP);
	CHECK_EQ_INT(p.net.l4.sport, 45678);
	CHECK_EQ_INT(p.net.l4.dport, 80);
	CHECK_EQ_INT(p.net.l4.tcp_flags, 0x02);
	CHECK_EQ_INT(p.net.l4.tcp_seq, 0x11223344);
	CHECK_EQ_INT(p.net.l4.tcp_win, 64240);
	CHECK_EQ_INT(p.n_anom, 0);

	memcpy(b, tcp_syn, sizeof(b));
	b[46] = 0x40;		/* data offset 4 */
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK(packet_has_anomaly(&p, ANOM_TCP_BAD_OFFSET));
	b[46] = 0xf0;		/* 60 bytes > the 40 there are */
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK(packet_has_anomaly(&p, ANOM_TCP_BAD_OFFSET));
}

static void test_proto_mismatch(void)
{
	struct packet p;
	unsigned char b[sizeof(ipv6_hbh_frag)];

	/* ICMPv4 carried by IPv6 is not dissected as ICMP (no false bad
	 * checksum from a pseudo-header that does not exist). */
	memcpy(b, ping6_req, sizeof(ping6_req));
	b[20] = 1;
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(ping6_req),
		      sizeof(ping6_req));
	CHECK_EQ_INT(p.layers, LAYER_ETH | LAYER_IPV6);
	CHECK_EQ_INT(p.n_anom, 0);
}

static void test_udp_bad_length(void)
{
	struct packet p;
	unsigned char b[sizeof(udp4)];

	memcpy(b, udp4, sizeof(b));
	b[39] = 7;
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK(packet_has_anomaly(&p, ANOM_UDP_BAD_LENGTH));
	b[39] = 21;
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK(packet_has_anomaly(&p, ANOM_UDP_BAD_LENGTH));
	b[39] = 20;
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK_EQ_INT(p.n_anom, 0);
}

static void test_snapped(void)
{
	struct packet p;

	/* Snapped inside the echo data: headers fine, checksum unknown. */
	dissect_bytes(&p, LINKTYPE_ETHERNET, ping4_req, 64, sizeof(ping4_req));
	CHECK(p.snapped);
	CHECK_EQ_INT(p.n_anom, 0);
	CHECK_EQ_INT(p.net.ip.hdr_csum, CSUM_GOOD);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_UNVERIFIABLE);
	CHECK_EQ_INT(p.net.icmp.echo_len, 48);
	CHECK_EQ_INT(p.net.icmp.echo_caplen, 64 - 42);
	CHECK_EQ_INT(p.net.caplen, 64 - 14);

	/* The same bytes really short on the wire: a length lie. */
	dissect_bytes(&p, LINKTYPE_ETHERNET, ping4_req, 64, 64);
	CHECK(!p.snapped);
	CHECK(packet_has_anomaly(&p, ANOM_IPV4_LEN_EXCEEDS_WIRE));
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_UNVERIFIABLE);
}

int main(void)
{
	test_ipv4_fields();
	test_ipv4_options();
	test_ipv4_bad();
	test_ipv4_fragments();
	test_ipv6();
	test_ipv6_ext();
	test_ipv6_routing();
	test_ipv6_too_many_ext();
	test_udp_tcp();
	test_udp_bad_length();
	test_proto_mismatch();
	test_snapped();
	return check_done();
}
