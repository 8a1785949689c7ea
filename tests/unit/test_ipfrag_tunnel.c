// SPDX-License-Identifier: GPL-2.0
/*
 * Fragment reassembly across tunnels (dissect/ipfrag.c, issue 16):
 *
 *   inner: the overlay fragments the ping, each fragment crosses the
 *          underlay in its own VXLAN packet; the reassembled frame keeps
 *          the first fragment's outer headers, whose IP and UDP lengths
 *          must grow with the inner datagram, so it dissects as the one
 *          encapsulated packet it stands for (outer length, no anomaly).
 *   outer: the underlay fragments the encapsulated packet (VXLAN, IPIP,
 *          over IPv4 and IPv6); the outer datagram is reassembled first,
 *          then the tunnel is opened on the whole.  A first fragment that
 *          is no tunnel (UDP 53) is not followed and drops what its later
 *          fragments started.
 *   both:  an inner fragment whose VXLAN packet the underlay fragments
 *          again: the engine reassembles the outer level, then feeds the
 *          inner fragment once more, and the probe is whole.
 *
 * Every result is compared with the same packet built unfragmented and
 * dissected; every fragment is also fed cut at each length (ASan build).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "test_dissect_util.h"

#include "analyze/engine.h"
#include "common/point.h"
#include "dissect/ipfrag.h"
#include "dissect/packet.h"

#define T0 1000000000ull

static const uint8_t vtep1[16] = { 192, 0, 2, 1 }, vtep2[16] = { 192, 0, 2, 2 };
static const uint8_t v6a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const uint8_t in1[4] = { 10, 42, 0, 1 }, in2[4] = { 10, 42, 0, 2 };

/* An ICMP echo request of data_len bytes into m; returns its length. */
static uint32_t icmp_echo(uint8_t *m, uint16_t seq, uint32_t data_len)
{
	uint32_t i;

	memset(m, 0, 8);
	m[0] = 8;
	put16(m + 4, 0x1234);
	put16(m + 6, seq);
	for (i = 0; i < data_len; i++)
		m[8 + i] = (uint8_t)(i * 7 + seq);
	put16(m + 2, fold(sum16(m, 8 + data_len, 0)));
	return 8 + data_len;
}

static uint32_t eth(uint8_t *b, uint16_t type)
{
	static const uint8_t d[6] = { 2, 0, 0, 0, 0, 2 }, s[6] = { 2, 0, 0, 0, 0, 1 };

	memcpy(b, d, 6);
	memcpy(b + 6, s, 6);
	put16(b + 12, type);
	return 14;
}

/* An IPv4 header: total = 20 + payload, frag = flags | offset / 8. */
static uint32_t ip4(uint8_t *b, uint8_t proto, uint32_t payload, uint16_t id,
		    uint16_t frag, const uint8_t *src, const uint8_t *dst)
{
	memset(b, 0, 20);
	b[0] = 0x45;
	put16(b + 2, 20 + payload);
	put16(b + 4, id);
	put16(b + 6, frag);
	b[8] = 64;
	b[9] = proto;
	memcpy(b + 12, src, 4);
	memcpy(b + 16, dst, 4);
	put16(b + 10, fold(sum16(b, 20, 0)));
	return 20;
}

static uint32_t ip6(uint8_t *b, uint8_t nh, uint32_t payload)
{
	memset(b, 0, 40);
	b[0] = 0x60;
	put16(b + 4, payload);
	b[6] = nh;
	b[7] = 64;
	memcpy(b + 8, v6a, 16);
	memcpy(b + 24, v6b, 16);
	return 40;
}

/* UDP 4789 + VXLAN VNI 42 before n bytes of inner frame. */
static uint32_t udp_vxlan(uint8_t *b, uint32_t inner)
{
	memset(b, 0, 16);
	put16(b, 40000);
	put16(b + 2, 4789);
	put16(b + 4, 16 + inner);
	b[8] = 0x08;
	b[14] = 42;	/* VNI 42 in bytes 12..14 */
	return 16;
}

/* The outer frame (Ethernet, IPv4 or IPv6, UDP, VXLAN) around inner. */
static uint32_t vxlan_frame(uint8_t *b, int ofam, const uint8_t *inner,
			    uint32_t n)
{
	uint32_t o = eth(b, ofam == 4 ? 0x0800 : 0x86dd);

	if (ofam == 4)
		o += ip4(b + o, 17, 16 + n, 7, 0, vtep1, vtep2);
	else
		o += ip6(b + o, 17, 16 + n);
	o += udp_vxlan(b + o, n);
	memcpy(b + o, inner, n);
	return o + n;
}

/* The inner frame: Ethernet + IPv4 fragment [off, off + len) of msg. */
static uint32_t inner_frag(uint8_t *b, const uint8_t *msg, uint32_t off,
			   uint32_t len, bool mf, bool whole)
{
	uint32_t o = eth(b, 0x0800);

	o += ip4(b + o, 1, len, 99,
		 whole ? 0 : (uint16_t)((mf ? 0x2000 : 0) | off / 8), in1, in2);
	memcpy(b + o, msg + off, len);
	return o + len;
}

static void dissect(const uint8_t *b, uint32_t n, uint32_t caplen,
		    uint64_t number, struct frame *f, struct packet *p)
{
	memset(f, 0, sizeof(*f));
	f->data = b;
	f->caplen = caplen;
	f->wirelen = n;
	f->ts_ns = T0 + number;
	f->number = number;
	f->linktype = LINKTYPE_ETHERNET;
	dissect_frame(f, p);
}

struct rig {
	struct ipfrag_table *t;
	uint64_t number;
	struct packet out;	/* the last result, dissected */
	uint8_t *keep;
	uint32_t out_len;
};

/* Feeds one frame (a heap copy of caplen bytes); 1 = out holds a result. */
static int feed(struct rig *r, const uint8_t *b, uint32_t n, uint32_t caplen)
{
	static struct packet p;
	struct frame f, o;
	uint8_t *copy = malloc(caplen ? caplen : 1);
	int ret;

	memcpy(copy, b, caplen);
	dissect(copy, n, caplen, ++r->number, &f, &p);
	ret = ipfrag_feed(r->t, &p, f.ts_ns, &o);
	if (ret == 1) {
		free(r->keep);
		r->keep = malloc(o.caplen);
		memcpy(r->keep, o.data, o.caplen);
		r->out_len = o.caplen;
		o.data = r->keep;
		dissect_frame(&o, &r->out);
	}
	free(copy);
	return ret;
}

static void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	r->t = ipfrag_new(NULL);
}

static void rig_free(struct rig *r)
{
	ipfrag_free(r->t);
	free(r->keep);
}

/* The result dissects as the unfragmented frame w does. */
static void check_same(const struct rig *r, const uint8_t *w, uint32_t wn,
		       enum tunnel_type type, bool has_id)
{
	static struct packet pw;
	struct frame f;
	const struct packet *p = &r->out;

	dissect(w, wn, wn, 1, &f, &pw);
	CHECK(pw.layers & LAYER_TUNNEL);	/* the reference itself */
	CHECK_EQ_INT(r->out_len, wn);
	CHECK(p->layers & LAYER_TUNNEL);
	CHECK(p->layers & LAYER_ICMP);
	CHECK_EQ_INT(p->tun.type, type);
	CHECK_EQ_INT(p->tun.has_id, has_id);
	if (has_id)
		CHECK_EQ_INT(p->tun.id, 42);
	CHECK_EQ_INT(p->tun.outer_len, pw.tun.outer_len);
	CHECK(!p->net.ip.is_fragment);
	CHECK_EQ_INT(p->net.ip.total_len, pw.net.ip.total_len);
	CHECK_EQ_INT(p->net.icmp.echo_seq, pw.net.icmp.echo_seq);
	CHECK_EQ_INT(p->net.icmp.echo_len, pw.net.icmp.echo_len);
	CHECK_EQ_INT(p->net.icmp.echo_caplen, pw.net.icmp.echo_len);
	CHECK(p->net.icmp.echo_hash == pw.net.icmp.echo_hash);
	CHECK_EQ_INT(p->net.icmp.csum, CSUM_GOOD);
	CHECK_EQ_INT(p->net.ip.hdr_csum, CSUM_GOOD);
	CHECK_EQ_INT(p->n_anom, pw.n_anom);
}

static uint8_t msg[4000], inner[4100], frame[4300], whole[4300];

/*
 * The overlay fragments a 3000-byte ping (1480 + 1480 + 48 bytes of
 * ICMP), each fragment in its own VXLAN packet over ofam; fed in order
 * or last fragment first.
 */
static void test_inner(int ofam, bool reverse)
{
	static const uint32_t offs[3] = { 0, 1480, 2960 };
	struct rig r;
	uint32_t len = icmp_echo(msg, 5, 3000), n, wn, i, k;

	rig_init(&r);
	for (k = 0; k < 3; k++) {
		i = reverse ? 2 - k : k;
		n = inner_frag(inner, msg, offs[i],
			       i < 2 ? 1480 : len - offs[i], i < 2, false);
		n = vxlan_frame(frame, ofam, inner, n);
		CHECK_EQ_INT(feed(&r, frame, n, n), k == 2);
	}
	n = inner_frag(inner, msg, 0, len, false, true);
	wn = vxlan_frame(whole, ofam, inner, n);
	check_same(&r, whole, wn, TUN_VXLAN, true);
	/* outer_len: every header of the unfragmented packet counted */
	CHECK_EQ_INT(r.out.tun.outer_len,
		     (ofam == 4 ? 20 : 40) + 16 + 14 + 20 + len);
	CHECK_EQ_INT(ipfrag_stats(r.t)->open, 0);
	rig_free(&r);
}

/*
 * The underlay fragments a VXLAN (or IPIP) packet: its IP payload P
 * (UDP + VXLAN + inner frame, or the inner IPv4 datagram) cut at 1232.
 */
static uint32_t outer_frag(uint8_t *b, int ofam, uint8_t proto,
			   const uint8_t *pl, uint32_t off, uint32_t len,
			   bool mf, uint32_t id)
{
	uint32_t o = eth(b, ofam == 4 ? 0x0800 : 0x86dd);

	if (ofam == 4) {
		o += ip4(b + o, proto, len, (uint16_t)id,
			 (uint16_t)((mf ? 0x2000 : 0) | off / 8), vtep1, vtep2);
	} else {
		o += ip6(b + o, 44, 8 + len);
		memset(b + o, 0, 8);
		b[o] = proto;
		put16(b + o + 2, off | (mf ? 1 : 0));
		put16(b + o + 6, id);
		o += 8;
	}
	memcpy(b + o, pl + off, len);
	return o + len;
}

static void test_outer(int ofam, uint8_t proto, bool reverse)
{
	static uint8_t pl[4200];
	struct rig r;
	uint32_t len = icmp_echo(msg, 6, 1900), n, pn, wn, o;

	rig_init(&r);
	/* the payload as the unfragmented packet carries it */
	n = inner_frag(inner, msg, 0, len, false, true);
	if (proto == 17) {
		pn = udp_vxlan(pl, n);
		memcpy(pl + pn, inner, n);
		pn += n;
		wn = vxlan_frame(whole, ofam, inner, n);
	} else {
		/* IPIP: the inner IPv4 datagram, no Ethernet */
		pn = n - 14;
		memcpy(pl, inner + 14, pn);
		wn = eth(whole, ofam == 4 ? 0x0800 : 0x86dd);
		if (ofam == 4)
			wn += ip4(whole + wn, 4, pn, 7, 0, vtep1, vtep2);
		else
			wn += ip6(whole + wn, 4, pn);
		memcpy(whole + wn, pl, pn);
		wn += pn;
	}
	o = reverse ? 1232 : 0;
	n = outer_frag(frame, ofam, proto, pl, o, reverse ? pn - 1232 : 1232,
		       !reverse, 0x77);
	CHECK_EQ_INT(feed(&r, frame, n, n), 0);
	o = reverse ? 0 : 1232;
	n = outer_frag(frame, ofam, proto, pl, o, reverse ? 1232 : pn - 1232,
		       reverse, 0x77);
	CHECK_EQ_INT(feed(&r, frame, n, n), 1);
	check_same(&r, whole, wn, proto == 17 ? TUN_VXLAN :
		   ofam == 4 ? TUN_IPIP : TUN_IP4IP6, proto == 17);
	CHECK(!memcmp(r.keep + 14 + (ofam == 4 ? 20 : 40),
		      whole + 14 + (ofam == 4 ? 20 : 40),
		      wn - 14 - (ofam == 4 ? 20 : 40)));
	CHECK_EQ_INT(ipfrag_stats(r.t)->open, 0);
	rig_free(&r);
}

/* UDP that is no tunnel: its first fragment ends what the rest began. */
static void test_not_a_tunnel(void)
{
	static uint8_t pl[3000];
	struct rig r;
	uint32_t n;

	rig_init(&r);
	memset(pl, 0xab, sizeof(pl));
	put16(pl, 5353);
	put16(pl + 2, 53);
	put16(pl + 4, 2000);
	n = outer_frag(frame, 4, 17, pl, 1232, 768, false, 0x55);
	CHECK_EQ_INT(feed(&r, frame, n, n), 0);
	CHECK_EQ_INT(ipfrag_stats(r.t)->open, 1);
	n = outer_frag(frame, 4, 17, pl, 0, 1232, true, 0x55);
	CHECK_EQ_INT(feed(&r, frame, n, n), 0);
	CHECK_EQ_INT(ipfrag_stats(r.t)->open, 0);
	/* TCP fragments are not ours at all */
	n = outer_frag(frame, 4, 6, pl, 0, 1232, true, 0x56);
	CHECK_EQ_INT(feed(&r, frame, n, n), 0);
	CHECK_EQ_INT(ipfrag_stats(r.t)->open, 0);
	rig_free(&r);
}

/*
 * Every fragment of both kinds cut at every length, then the rest fed
 * whole: no crash, no overread (ASan), and a cut first fragment never
 * yields a result claiming bytes it has not got.
 */
static void test_cut(void)
{
	static uint8_t pl[4200];
	uint32_t len = icmp_echo(msg, 7, 1900), n, pn, c;
	struct rig r;

	n = inner_frag(inner, msg, 0, len, false, true);
	pn = udp_vxlan(pl, n);
	memcpy(pl + pn, inner, n);
	pn += n;
	for (c = 0; c <= 1300; c += 7) {
		rig_init(&r);
		n = outer_frag(frame, 4, 17, pl, 0, 1232, true, 0x99);
		feed(&r, frame, n, c < n ? c : n);
		n = outer_frag(frame, 4, 17, pl, 1232, pn - 1232, false, 0x99);
		if (feed(&r, frame, n, n) == 1)
			CHECK(r.out_len <= 14 + 20 + pn);
		rig_free(&r);
	}
	for (c = 0; c <= 1600; c += 11) {
		rig_init(&r);
		n = inner_frag(inner, msg, 0, 1480, true, false);
		n = vxlan_frame(frame, 4, inner, n);
		feed(&r, frame, n, c < n ? c : n);
		n = inner_frag(inner, msg, 1480, len - 1480, false, false);
		n = vxlan_frame(frame, 4, inner, n);
		if (feed(&r, frame, n, n) == 1)
			CHECK(r.out_len <= 14 + 20 + 16 + 14 + 20 + len);
		rig_free(&r);
	}
}

/* Frames through an engine of one Ethernet point: their probes, counted. */
static uint64_t engine_probes(uint8_t (*frames)[4300], const uint32_t *len,
			      int n)
{
	static struct packet p;
	struct point_table pts;
	struct engine_opts eo;
	struct engine_totals t;
	struct engine *e;
	struct point pt;
	struct frame f;
	int i;

	point_table_init(&pts);
	memset(&pt, 0, sizeof(pt));
	snprintf(pt.name, sizeof(pt.name), "va");
	pt.linktype = LINKTYPE_ETHERNET;
	CHECK_EQ_INT(point_table_add(&pts, &pt), 0);
	engine_opts_default(&eo);
	e = engine_new(&pts, &eo);
	CHECK(e != NULL);
	if (!e) {
		point_table_free(&pts);
		return 0;
	}
	for (i = 0; i < n; i++) {
		dissect(frames[i], len[i], len[i], (uint64_t)i + 1, &f, &p);
		engine_feed(e, &p);
	}
	engine_finish(e);
	engine_totals(e, &t);
	engine_free(e);
	point_table_free(&pts);
	return t.probes;
}

/*
 * A 3000-byte ping fragmented by the overlay (1480 + 1480 + 48), and the
 * VXLAN packet of its middle fragment fragmented again by the underlay.
 */
static void test_both_levels(void)
{
	static uint8_t pl[4200], frames[4][4300];
	uint32_t len = icmp_echo(msg, 7, 3000), lens[4], n, pn;

	n = inner_frag(inner, msg, 0, 1480, true, false);
	lens[0] = vxlan_frame(frames[0], 4, inner, n);
	n = inner_frag(inner, msg, 1480, 1480, true, false);
	pn = udp_vxlan(pl, n);
	memcpy(pl + pn, inner, n);
	pn += n;
	lens[1] = outer_frag(frames[1], 4, 17, pl, 0, 1232, true, 0x78);
	lens[2] = outer_frag(frames[2], 4, 17, pl, 1232, pn - 1232, false,
			     0x78);
	n = inner_frag(inner, msg, 2960, len - 2960, false, false);
	lens[3] = vxlan_frame(frames[3], 4, inner, n);
	CHECK_EQ_INT(engine_probes(frames, lens, 4), 1);
	/* without the middle one's outer tail, no probe is invented */
	memcpy(frames[2], frames[3], lens[3]);
	lens[2] = lens[3];
	CHECK_EQ_INT(engine_probes(frames, lens, 3), 0);
}

int main(void)
{
	test_inner(4, false);
	test_inner(4, true);
	test_inner(6, false);
	test_outer(4, 17, false);
	test_outer(4, 17, true);
	test_outer(6, 17, false);
	test_outer(4, 4, false);
	test_outer(6, 4, true);
	test_not_a_tunnel();
	test_cut();
	test_both_levels();
	return check_done();
}
