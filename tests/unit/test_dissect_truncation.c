// SPDX-License-Identifier: GPL-2.0
/*
 * Every sample packet dissected at every truncation length, two ways:
 * snapped (caplen = i, wirelen = full) and really short on the wire
 * (caplen = wirelen = i).  Asserts (under ASan in the sanitizer build): no
 * crash, the typed truncation anomaly of the header that was cut, length
 * anomalies when length fields exceed the wire, and checksums that are
 * never called good or bad when a byte they cover is missing.
 */
#include "check.h"
#include "test_dissect_samples.h"
#include "test_dissect_util.h"

enum { CK_NONE, CK_IP, CK_L4, CK_QIP, CK_QL4 };
#define NEVER 0xffff	/* checksum end that is never reached */

struct cut {
	uint16_t from, to;	/* caplen in [from, to) cuts this header */
	uint8_t kind;
	uint8_t in_quote;
};

struct csum_chk {
	uint8_t which;
	uint16_t end;		/* bytes needed to verify */
	uint8_t full;		/* state once they are all there */
};

struct sample {
	const char *name;
	int linktype;
	const unsigned char *b;
	uint32_t len;
	struct cut cuts[6];
	struct csum_chk ck[4];
	uint16_t ip_fixed_end;	/* end of the fixed IP header */
	uint16_t ip_end;	/* end of the IP datagram per its length */
	uint8_t exceed_kind;
};

#define S(n) #n, n##_lt, n, sizeof(n)
#define ETH { 0, 14, ANOM_ETH_TRUNCATED, 0 }
#define V4(a, b) { a, b, ANOM_IPV4_TRUNCATED, 0 }
#define V6(a, b) { a, b, ANOM_IPV6_TRUNCATED, 0 }
#define IC(a) { a, a + 8, ANOM_ICMP_TRUNCATED, 0 }
#define IC6(a, b) { a, b, ANOM_ICMPV6_TRUNCATED, 0 }
#define G CSUM_GOOD
#define B CSUM_BAD
#define U CSUM_UNVERIFIABLE
#define EX4 ANOM_IPV4_LEN_EXCEEDS_WIRE
#define EX6 ANOM_IPV6_LEN_EXCEEDS_WIRE

static const struct sample samples[] = {
	{ S(ping4_req), { ETH, V4(14, 34), IC(34) },
	  { { CK_IP, 34, G }, { CK_L4, 90, G } }, 34, 90, EX4 },
	{ S(ping4_rep), { ETH, V4(14, 34), IC(34) },
	  { { CK_IP, 34, G }, { CK_L4, 90, G } }, 34, 90, EX4 },
	{ S(ping6_req), { ETH, V6(14, 54), IC6(54, 62) },
	  { { CK_L4, 110, G } }, 54, 110, EX6 },
	{ S(ping6_rep), { ETH, V6(14, 54), IC6(54, 62) },
	  { { CK_L4, 110, G } }, 54, 110, EX6 },
	{ S(arp_req), { ETH, { 14, 42, ANOM_ARP_TRUNCATED, 0 } }, { { 0 } },
	  0, 0, 0 },
	{ S(arp_rep), { ETH, { 14, 42, ANOM_ARP_TRUNCATED, 0 } }, { { 0 } },
	  0, 0, 0 },
	{ S(arp_grat), { ETH, { 14, 42, ANOM_ARP_TRUNCATED, 0 } }, { { 0 } },
	  0, 0, 0 },
	{ S(vlan_ping4), { ETH, { 14, 18, ANOM_VLAN_TRUNCATED, 0 },
	  V4(18, 38), IC(38) },
	  { { CK_IP, 38, G }, { CK_L4, 94, G } }, 38, 94, EX4 },
	{ S(qinq_ping4), { ETH, { 14, 22, ANOM_VLAN_TRUNCATED, 0 },
	  V4(22, 42), IC(42) },
	  { { CK_IP, 42, G }, { CK_L4, 98, G } }, 42, 98, EX4 },
	{ S(sll2_out), { { 0, 20, ANOM_SLL_TRUNCATED, 0 }, V4(20, 40), IC(40) },
	  { { CK_IP, 40, G }, { CK_L4, 96, G } }, 40, 96, EX4 },
	{ S(sll_in), { { 0, 16, ANOM_SLL_TRUNCATED, 0 }, V4(16, 36), IC(36) },
	  { { CK_IP, 36, G }, { CK_L4, 92, G } }, 36, 92, EX4 },
	{ S(fragneeded), { ETH, V4(14, 34), IC(34),
	  { 42, 62, ANOM_IPV4_TRUNCATED, 1 },
	  { 62, 70, ANOM_ICMP_TRUNCATED, 1 } },
	  { { CK_IP, 34, G }, { CK_L4, 102, G }, { CK_QIP, 62, G },
	    { CK_QL4, NEVER, U } }, 34, 102, EX4 },
	{ S(timeexc), { ETH, V4(14, 34), IC(34),
	  { 42, 62, ANOM_IPV4_TRUNCATED, 1 },
	  { 62, 70, ANOM_ICMP_TRUNCATED, 1 } },
	  { { CK_IP, 34, G }, { CK_L4, 118, G }, { CK_QIP, 62, G },
	    { CK_QL4, 118, G } }, 34, 118, EX4 },
	{ S(redirect4), { ETH, V4(14, 34), IC(34),
	  { 42, 62, ANOM_IPV4_TRUNCATED, 1 },
	  { 62, 70, ANOM_UDP_TRUNCATED, 1 } },
	  { { CK_IP, 34, G }, { CK_L4, 70, G }, { CK_QIP, 62, G } },
	  34, 70, EX4 },
	{ S(ipv4_opts_udp), { ETH, V4(14, 38),
	  { 38, 46, ANOM_UDP_TRUNCATED, 0 } },
	  { { CK_IP, 38, G } }, 34, 51, EX4 },
	{ S(ipv4_bad_csum), { ETH, V4(14, 34), IC(34) },
	  { { CK_IP, 34, B }, { CK_L4, 90, G } }, 34, 90, EX4 },
	{ S(icmp_bad_csum), { ETH, V4(14, 34), IC(34) },
	  { { CK_IP, 34, G }, { CK_L4, 90, B } }, 34, 90, EX4 },
	{ S(icmpv6_bad_csum), { ETH, V6(14, 54), IC6(54, 62) },
	  { { CK_L4, 110, B } }, 54, 110, EX6 },
	{ S(udp4), { ETH, V4(14, 34), { 34, 42, ANOM_UDP_TRUNCATED, 0 } },
	  { { CK_IP, 34, G } }, 34, 54, EX4 },
	{ S(tcp_syn), { ETH, V4(14, 34), { 34, 54, ANOM_TCP_TRUNCATED, 0 } },
	  { { CK_IP, 34, G } }, 34, 74, EX4 },
	{ S(nd_ns), { ETH, V6(14, 54), IC6(54, 86) },
	  { { CK_L4, 86, G } }, 54, 86, EX6 },
	{ S(nd_na), { ETH, V6(14, 54), IC6(54, 86) },
	  { { CK_L4, 86, G } }, 54, 86, EX6 },
	{ S(nd_ra), { ETH, V6(14, 54), IC6(54, 86) },
	  { { CK_L4, 86, G } }, 54, 86, EX6 },
	{ S(nd_redirect), { ETH, V6(14, 54), IC6(54, 102) },
	  { { CK_L4, 102, G } }, 54, 102, EX6 },
	{ S(ptb6), { ETH, V6(14, 54), IC6(54, 62),
	  { 62, 102, ANOM_IPV6_TRUNCATED, 1 },
	  { 102, 110, ANOM_ICMPV6_TRUNCATED, 1 } },
	  { { CK_L4, 174, G }, { CK_QL4, NEVER, U } }, 54, 174, EX6 },
	{ S(timeexc6), { ETH, V6(14, 54), IC6(54, 62),
	  { 62, 102, ANOM_IPV6_TRUNCATED, 1 },
	  { 102, 110, ANOM_ICMPV6_TRUNCATED, 1 } },
	  { { CK_L4, 158, G }, { CK_QL4, 158, G } }, 54, 158, EX6 },
	{ S(ipv6_hbh_frag), { ETH, V6(14, 70), IC6(70, 78) },
	  { { CK_L4, NEVER, U } }, 54, 126, EX6 },
	{ S(ipv6_rh2), { ETH, V6(14, 78), IC6(78, 86) },
	  { { CK_L4, 134, G } }, 54, 134, EX6 },
	{ S(ipv6_srh), { ETH, V6(14, 94), IC6(94, 102) },
	  { { CK_L4, 150, G } }, 54, 150, EX6 },
	{ S(ipv6_dst_ah), { ETH, V6(14, 86), IC6(86, 94) },
	  { { CK_L4, 142, G } }, 54, 142, EX6 },
	{ S(raw_ping4), { V4(0, 20), IC(20) },
	  { { CK_IP, 20, G }, { CK_L4, 76, G } }, 20, 76, EX4 },
	{ S(raw_ping6), { V6(1, 40), IC6(40, 48) },
	  { { CK_L4, 96, G } }, 40, 96, EX6 },
};

static enum csum_state csum_of(const struct packet *p, int which)
{
	switch (which) {
	case CK_IP:
		return p->net.ip.hdr_csum;
	case CK_L4:
		return p->net.icmp.csum;
	case CK_QIP:
		return (p->layers & LAYER_QUOTED) ? p->quoted.ip.hdr_csum :
		       CSUM_NONE;
	case CK_QL4:
		return (p->layers & LAYER_QUOTED) ? p->quoted.icmp.csum :
		       CSUM_NONE;
	}
	return CSUM_NONE;
}

static int in_list(const struct packet *full, uint8_t kind)
{
	return packet_has_anomaly(full, kind);
}

static void check_one(const struct sample *s, const struct packet *full,
		      uint32_t i, int wire_short)
{
	struct packet p;
	uint32_t wire = wire_short ? i : s->len;
	uint32_t max_cut = 0;
	const struct cut *c;
	const struct csum_chk *k;
	enum csum_state st;
	int ok, j;

	dissect_bytes(&p, s->linktype, s->b, i, wire);
	CHECK(p.n_anom <= MAX_ANOMALIES);
	CHECK_EQ_INT(p.snapped, i < wire);

	for (c = s->cuts; c < s->cuts + 6 && c->kind; c++) {
		if (c->to > max_cut)
			max_cut = c->to;
		if (i < c->from || i >= c->to)
			continue;
		ok = anom_in_quote(&p, c->kind, c->in_quote);
		if (!ok)
			fprintf(stderr, "%s len %u%s: missing %s%s\n", s->name,
				i, wire_short ? " (wire)" : "",
				anomaly_name(c->kind),
				c->in_quote ? " in quote" : "");
		CHECK(ok);
	}
	for (k = s->ck; k < s->ck + 4 && k->which; k++) {
		st = csum_of(&p, k->which);
		if (i < k->end)
			ok = st != CSUM_GOOD && st != CSUM_BAD;
		else
			ok = st == k->full;
		if (!ok)
			fprintf(stderr, "%s len %u%s: checksum %d is %s\n",
				s->name, i, wire_short ? " (wire)" : "",
				k->which, csum_state_name(st));
		CHECK(ok);
	}
	if (wire_short && s->exceed_kind && i >= s->ip_fixed_end &&
	    i < s->ip_end)
		CHECK(packet_has_anomaly(&p, s->exceed_kind));
	/* Once every header is there, nothing but the full packet's own. */
	if (!wire_short && i >= max_cut) {
		for (j = 0; j < p.n_anom; j++) {
			ok = in_list(full, p.anom[j].kind);
			if (!ok)
				fprintf(stderr, "%s len %u: unexpected %s\n",
					s->name, i,
					anomaly_name(p.anom[j].kind));
			CHECK(ok);
		}
	}
}

int main(void)
{
	size_t n;
	uint32_t i;

	for (n = 0; n < sizeof(samples) / sizeof(samples[0]); n++) {
		const struct sample *s = &samples[n];
		struct packet full;

		dissect_bytes(&full, s->linktype, s->b, s->len, s->len);
		CHECK(!full.snapped);
		for (i = 0; i <= s->len; i++) {
			check_one(s, &full, i, 0);
			check_one(s, &full, i, 1);
		}
	}
	return check_done();
}
