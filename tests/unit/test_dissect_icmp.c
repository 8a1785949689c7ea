// SPDX-License-Identifier: GPL-2.0
/* ICMP and ICMPv6: echo, errors with their quoted datagram, neighbour
 * discovery with options, checksums; and the names reports print. */
#include "check.h"
#include "dissect/names.h"
#include "test_dissect_samples.h"
#include "test_dissect_util.h"

/*
 * The dissector's echo fingerprint (dissect/checksum.c, an internal 64-bit
 * hash): what is checked here is which bytes it covers.
 */
uint64_t dissect_echo_hash(const uint8_t *b, uint32_t n);

static uint64_t ehash(const unsigned char *b, size_t n)
{
	return dissect_echo_hash(b, (uint32_t)n);
}

/* RFC 1071 checksum of n bytes, stored at offset at. */
static void fix_csum(unsigned char *m, size_t n, size_t at)
{
	uint32_t sum = 0;
	size_t i;

	m[at] = m[at + 1] = 0;
	for (i = 0; i < n; i++)
		sum += i & 1 ? m[i] : (uint32_t)m[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	m[at] = (uint8_t)(~sum >> 8);
	m[at + 1] = (uint8_t)~sum;
}

static void test_echo4(void)
{
	struct packet p, q;

	DISSECT(&p, ping4_req);
	CHECK_EQ_INT(p.net.icmp.type, 8);
	CHECK_EQ_INT(p.net.icmp.code, 0);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_GOOD);
	CHECK_EQ_INT(p.net.icmp.csum_value, 0x6c48);
	CHECK_EQ_INT(p.net.icmp.echo_id, 0x4242);
	CHECK_EQ_INT(p.net.icmp.echo_seq, 1);
	CHECK_EQ_INT(p.net.icmp.echo_len, 48);
	CHECK_EQ_INT(p.net.icmp.echo_caplen, 48);
	CHECK(p.net.icmp.echo_hash == ehash(ping4_req + 42, 48));

	/* The reply carries the same data: same fingerprint, other id. */
	DISSECT(&q, ping4_rep);
	CHECK_EQ_INT(q.net.icmp.type, 0);
	CHECK_EQ_INT(q.net.icmp.csum, CSUM_GOOD);
	CHECK_EQ_INT(q.net.icmp.echo_id, 0x1235);
	CHECK(q.net.icmp.echo_hash == p.net.icmp.echo_hash);

	DISSECT(&p, icmp_bad_csum);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_BAD);
	CHECK(packet_has_anomaly(&p, ANOM_ICMP_BAD_CHECKSUM));
	CHECK_EQ_INT(p.anom[0].offset, 34);
	CHECK_EQ_INT(p.net.ip.hdr_csum, CSUM_GOOD);
}

static void test_fragneeded(void)
{
	static const uint8_t dst[4] = { 10, 0, 0, 9 };
	struct packet p;
	char buf[96];

	DISSECT(&p, fragneeded);
	CHECK_EQ_INT(p.layers, LAYER_ETH | LAYER_IPV4 | LAYER_ICMP | LAYER_QUOTED);
	CHECK_EQ_INT(p.net.icmp.type, 3);
	CHECK_EQ_INT(p.net.icmp.code, 4);
	CHECK_EQ_INT(p.net.icmp.mtu, 1400);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_GOOD);
	CHECK_EQ_INT(p.quoted_layers, LAYER_IPV4 | LAYER_ICMP);
	CHECK_EQ_INT(p.quoted.ip.total_len, 1500);
	CHECK(p.quoted.ip.df);
	CHECK(!memcmp(p.quoted.ip.dst.a, dst, 4));
	CHECK_EQ_INT(p.quoted.ip.hdr_csum, CSUM_GOOD);
	CHECK_EQ_INT(p.quoted.l3_offset, 42);
	CHECK_EQ_INT(p.quoted.caplen, 60);
	CHECK_EQ_INT(p.quoted.icmp.type, 8);
	CHECK_EQ_INT(p.quoted.icmp.echo_id, 0x4242);
	CHECK_EQ_INT(p.quoted.icmp.echo_seq, 7);
	CHECK_EQ_INT(p.quoted.icmp.echo_len, 1472);
	CHECK_EQ_INT(p.quoted.icmp.echo_caplen, 32);
	CHECK_EQ_INT(p.quoted.icmp.csum, CSUM_UNVERIFIABLE);
	/* The quote's length is not a lie: no anomaly at all. */
	CHECK_EQ_INT(p.n_anom, 0);
	CHECK(!strcmp(icmp_describe(buf, sizeof(buf), 4, 3, 4, p.net.icmp.mtu),
		      "dest unreachable (frag needed, mtu 1400)"));
}

static void test_timeexc(void)
{
	static const uint8_t dst[4] = { 8, 8, 8, 8 };
	struct packet p, req;

	DISSECT(&p, timeexc);
	CHECK_EQ_INT(p.net.icmp.type, 11);
	CHECK_EQ_INT(p.net.ip.tos, 0xc0);
	CHECK(p.layers & LAYER_QUOTED);
	CHECK_EQ_INT(p.quoted_layers, LAYER_IPV4 | LAYER_ICMP);
	CHECK_EQ_INT(p.quoted.ip.ttl, 1);
	CHECK(!memcmp(p.quoted.ip.dst.a, dst, 4));
	CHECK_EQ_INT(p.quoted.icmp.echo_seq, 3);
	CHECK_EQ_INT(p.quoted.icmp.csum, CSUM_GOOD);	/* fully quoted */
	CHECK_EQ_INT(p.quoted.icmp.echo_caplen, 48);
	/* The quoted echo has the original's fingerprint. */
	DISSECT(&req, ping4_req);
	CHECK(p.quoted.icmp.echo_hash == req.net.icmp.echo_hash);
	CHECK_EQ_INT(p.n_anom, 0);
	CHECK(!strcmp(icmp_code_name(4, 11, 0), "ttl exceeded in transit"));
}

static void test_quote_anomalies(void)
{
	unsigned char b[sizeof(timeexc)];
	struct packet p;

	/* Bad checksum inside the quote is flagged as being in the quote. */
	memcpy(b, timeexc, sizeof(b));
	b[70] ^= 0xff;		/* quoted echo data */
	fix_csum(b + 34, sizeof(b) - 34, 2);	/* outer ICMP stays right */
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_GOOD);
	CHECK_EQ_INT(p.quoted.icmp.csum, CSUM_BAD);
	CHECK(anom_in_quote(&p, ANOM_ICMP_BAD_CHECKSUM, 1));
	CHECK(!anom_in_quote(&p, ANOM_ICMP_BAD_CHECKSUM, 0));

	/* A quote of only 20 bytes (wire-complete) is too short. */
	dissect_bytes(&p, LINKTYPE_ETHERNET, fragneeded, 62, 62);
	CHECK(packet_has_anomaly(&p, ANOM_ICMP_QUOTE_TRUNCATED));
	CHECK(packet_has_anomaly(&p, ANOM_IPV4_LEN_EXCEEDS_WIRE));
	CHECK_EQ_INT(p.quoted_layers, LAYER_IPV4);
}

static void test_redirect4(void)
{
	static const uint8_t gw[4] = { 10, 0, 0, 253 };
	struct packet p;

	DISSECT(&p, redirect4);
	CHECK_EQ_INT(p.net.icmp.type, 5);
	CHECK_EQ_INT(p.net.icmp.code, 1);
	CHECK_EQ_INT(p.net.icmp.gateway.family, 4);
	CHECK(!memcmp(p.net.icmp.gateway.a, gw, 4));
	CHECK_EQ_INT(p.quoted_layers, LAYER_IPV4 | LAYER_UDP);
	CHECK_EQ_INT(p.quoted.l4.sport, 40000);
	CHECK_EQ_INT(p.quoted.l4.dport, 53);
	CHECK_EQ_INT(p.n_anom, 0);
}

static void test_echo6(void)
{
	struct packet p, q;

	DISSECT(&p, ping6_req);
	CHECK_EQ_INT(p.net.icmp.type, 128);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_GOOD);
	CHECK_EQ_INT(p.net.icmp.echo_id, 0x4242);
	CHECK_EQ_INT(p.net.icmp.echo_seq, 1);
	CHECK_EQ_INT(p.net.icmp.echo_len, 48);
	CHECK(p.net.icmp.echo_hash == ehash(ping6_req + 62, 48));
	DISSECT(&q, ping6_rep);
	CHECK_EQ_INT(q.net.icmp.type, 129);
	CHECK_EQ_INT(q.net.icmp.csum, CSUM_GOOD);
	CHECK(q.net.icmp.echo_hash == p.net.icmp.echo_hash);

	DISSECT(&p, icmpv6_bad_csum);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_BAD);
	CHECK(packet_has_anomaly(&p, ANOM_ICMPV6_BAD_CHECKSUM));
}

static void test_nd(void)
{
	static const uint8_t mac1[6] = { 0x52, 0x54, 0, 0, 0, 1 };
	static const uint8_t mac2[6] = { 0x52, 0x54, 0, 0, 0, 2 };
	static const uint8_t mac3[6] = { 0x52, 0x54, 0, 0, 0, 3 };
	static const uint8_t tgt[16] = { 0xfd, [15] = 2 };
	struct packet p;

	DISSECT(&p, nd_ns);
	CHECK_EQ_INT(p.net.icmp.type, 135);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_GOOD);
	CHECK_EQ_INT(p.net.ip.ttl, 255);
	CHECK_EQ_INT(p.net.icmp.nd_target.family, 6);
	CHECK(!memcmp(p.net.icmp.nd_target.a, tgt, 16));
	CHECK(p.net.icmp.has_sll);
	CHECK(!p.net.icmp.has_tll);
	CHECK(!memcmp(p.net.icmp.sll, mac1, 6));
	CHECK_EQ_INT(p.n_anom, 0);

	DISSECT(&p, nd_na);
	CHECK_EQ_INT(p.net.icmp.type, 136);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_GOOD);
	CHECK_EQ_INT(p.net.icmp.nd_flags, 0x60);
	CHECK(!memcmp(p.net.icmp.nd_target.a, tgt, 16));
	CHECK(p.net.icmp.has_tll);
	CHECK(!memcmp(p.net.icmp.tll, mac2, 6));

	DISSECT(&p, nd_ra);
	CHECK_EQ_INT(p.net.icmp.type, 134);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_GOOD);
	CHECK_EQ_INT(p.net.icmp.ra_hop_limit, 64);
	CHECK_EQ_INT(p.net.icmp.ra_lifetime, 1800);
	CHECK(p.net.icmp.has_sll);
	CHECK_EQ_INT(p.net.icmp.nd_mtu, 1400);
	CHECK_EQ_INT(p.n_anom, 0);

	DISSECT(&p, nd_redirect);
	CHECK_EQ_INT(p.net.icmp.type, 137);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_GOOD);
	CHECK_EQ_INT(p.net.icmp.nd_target.a[0], 0xfe);
	CHECK_EQ_INT(p.net.icmp.nd_target.a[15], 3);
	CHECK(p.net.icmp.has_tll);
	CHECK(!memcmp(p.net.icmp.tll, mac3, 6));
	CHECK(!strcmp(icmp_type_name(6, 137), "redirect"));
}

static void test_nd_bad_options(void)
{
	unsigned char b[sizeof(nd_ns)];
	struct packet p;

	memcpy(b, nd_ns, sizeof(b));
	b[79] = 0;		/* zero-length option: must stop, not spin */
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK(packet_has_anomaly(&p, ANOM_ND_BAD_OPTION));
	CHECK(!p.net.icmp.has_sll);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_BAD);	/* we changed a byte */

	memcpy(b, nd_ns, sizeof(b));
	b[79] = 2;		/* 16 bytes, only 8 in the message */
	dissect_bytes(&p, LINKTYPE_ETHERNET, b, sizeof(b), sizeof(b));
	CHECK(packet_has_anomaly(&p, ANOM_ND_BAD_OPTION));
	CHECK(!p.net.icmp.has_sll);
}

static void test_ptb6(void)
{
	struct packet p;
	char buf[64];

	DISSECT(&p, ptb6);
	CHECK_EQ_INT(p.net.icmp.type, 2);
	CHECK_EQ_INT(p.net.icmp.mtu, 1280);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_GOOD);
	CHECK_EQ_INT(p.quoted_layers, LAYER_IPV6 | LAYER_ICMPV6);
	CHECK_EQ_INT(p.quoted.ip.total_len, 40 + 8 + 48 + 1400);
	CHECK_EQ_INT(p.quoted.icmp.echo_seq, 9);
	CHECK_EQ_INT(p.quoted.icmp.csum, CSUM_UNVERIFIABLE);
	CHECK_EQ_INT(p.quoted.l3_offset, 62);
	CHECK_EQ_INT(p.n_anom, 0);
	CHECK(!strcmp(icmp_describe(buf, sizeof(buf), 6, 2, 0, 1280),
		      "packet too big (mtu 1280)"));
}

static void test_timeexc6(void)
{
	struct packet p, req;

	DISSECT(&p, timeexc6);
	CHECK_EQ_INT(p.net.icmp.type, 3);
	CHECK_EQ_INT(p.net.icmp.csum, CSUM_GOOD);
	CHECK_EQ_INT(p.quoted_layers, LAYER_IPV6 | LAYER_ICMPV6);
	CHECK_EQ_INT(p.quoted.icmp.csum, CSUM_GOOD);
	CHECK_EQ_INT(p.quoted.icmp.echo_seq, 1);
	DISSECT(&req, ping6_req);
	CHECK(p.quoted.icmp.echo_hash == req.net.icmp.echo_hash);
	CHECK_EQ_INT(p.n_anom, 0);
}

static void test_names(void)
{
	char buf[64];

	CHECK(!strcmp(icmp_type_name(4, 8), "echo request"));
	CHECK(!strcmp(icmp_type_name(6, 129), "echo reply"));
	CHECK(!strcmp(icmp_code_name(4, 3, 13), "admin prohibited"));
	CHECK(!strcmp(icmp_code_name(4, 3, 200), ""));
	CHECK(!strcmp(icmp_code_name(6, 1, 1), "admin prohibited"));
	CHECK(icmp_is_error(4, 11));
	CHECK(!icmp_is_error(4, 8));
	CHECK(icmp_is_error(6, 2));
	CHECK(!icmp_is_error(6, 135));
	CHECK(!strcmp(icmp_describe(buf, sizeof(buf), 4, 8, 0, 0),
		      "echo request"));
	CHECK(!strcmp(icmp_describe(buf, sizeof(buf), 4, 3, 3, 0),
		      "dest unreachable (port unreachable)"));
	CHECK(!strcmp(icmp_describe(buf, 6, 4, 8, 0, 0), "echo "));
}

int main(void)
{
	test_echo4();
	test_fragneeded();
	test_timeexc();
	test_quote_anomalies();
	test_redirect4();
	test_echo6();
	test_nd();
	test_nd_bad_options();
	test_ptb6();
	test_timeexc6();
	test_names();
	return check_done();
}
