// SPDX-License-Identifier: GPL-2.0
/*
 * IP reassembly of ICMP/ICMPv6 datagrams, per capture point.
 *
 * Why per point: the engine asks where a datagram stopped, so the question
 * "did the whole datagram pass here?" is asked at every point on its own.
 * Fragments of one datagram at one point are held in a `dgram` until every
 * byte of it has arrived on the wire; the datagram is then handed out as
 * one unfragmented frame and dissected like any other.
 *
 * Policy on hostile input follows Linux (net/ipv4/inet_fragment.c,
 * ip_fragment.c, net/ipv6/reassembly.c), where Linux has one, because the
 * receiver that decides the ping's fate is usually Linux:
 *   - a fragment inside bytes already held, with the same bytes: a
 *     duplicate, ignored;
 *   - any overlap whose bytes differ: the datagram is ambiguous, so it is
 *     poisoned (ip.frag_overlap) and swallows its later fragments until the
 *     timeout, like a killed queue that is not re-created;
 *   - IPv6 overlaps of any kind poison too (RFC 5722); an IPv4 partial
 *     overlap with equal bytes is merged: the content is unambiguous and
 *     the datagram did pass this point (Linux would drop it at the
 *     receiver, after the point where it was seen);
 *   - a datagram beyond 65535 bytes, ends that disagree or data past the
 *     end, more than max_frags fragments: poisoned;
 *   - a non-last fragment whose length is not a multiple of 8, or an empty
 *     one: only that fragment is refused (Linux v6 answers it with a
 *     parameter problem; v4 would truncate it, no real sender does that).
 * The multiple-of-8 rule also means a first fragment always holds the
 * whole 8-byte ICMP header (only ICMPv6 directly behind the fragment
 * header is taken), so the "tiny first fragment" attack of RFC 1858 has
 * nothing to hide here; whatever overlaps it later is an overlap.
 *
 * Every byte of packet data is read through the cursor; the datagram's
 * own buffer is written only within the bounds checked on insertion.
 */
#include <stdlib.h>
#include <string.h>

#include "common/cursor.h"
#include "ipfrag.h"

#define IP_MAX_LEN 65535u		/* IPv4 total / IPv6 payload length */
#define IPV6_HLEN 40u
#define IPV6_MAX_EXT 8
#define MAX_FRAGS_CAP 1024u
#define PROTO_ICMP 1
#define PROTO_ICMPV6 58
#define NH_HOPOPTS 0
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_DSTOPTS 60

struct piece {
	uint32_t off, len;	/* wire bytes in the fragmentable part */
	uint32_t cap;		/* of them captured: a prefix of the piece */
};

/*
 * The outermost tunnel's headers in a fragment's head (inner reassembly):
 * their lengths grow with the inner datagram, so the frame handed out
 * parses as one encapsulated packet as long as the reassembled one.
 */
struct outer_hdrs {
	bool set;
	uint8_t family;			/* 4, 6 */
	uint32_t l3;			/* outer IP header in head */
	uint32_t udp;			/* its UDP header, 0 = none */
};

struct dgram {
	struct dgram *hnext;
	struct dgram *older, *newer;	/* by creation: timeout, eviction */
	/* key */
	uint32_t hash;
	uint32_t point;
	uint32_t id;
	uint8_t family, proto;
	uint8_t src[16], dst[16];
	/* state */
	uint64_t first_ts, last_ts;	/* first_ts starts the timeout */
	uint8_t dead;			/* enum anomaly_kind that poisoned it */
	bool have_last;
	bool have_head;			/* first fragment, headers captured */
	uint32_t end;			/* fragmentable length, if have_last */
	uint32_t max_end;
	uint64_t mem;			/* bytes charged to the table */
	/* the first fragment: frame metadata and headers */
	uint64_t first_number;
	int linktype;
	uint8_t first_dir, first_flags;
	uint16_t first_tci;
	uint8_t *head;			/* link + IP (+ v6 unfragmentable) */
	uint32_t head_len;
	uint32_t l3_off;		/* IP header in head */
	uint32_t nh_at;			/* v6: byte naming the frag header */
	uint8_t frag_nh;		/* v6: what the fragment header names */
	struct outer_hdrs outer;	/* tunnel headers in head, if any */
	uint8_t *data;			/* fragmentable part */
	uint32_t data_cap;
	uint32_t n_pieces;
	struct piece pieces[];		/* max_frags, sorted by offset */
};

struct ipfrag_table {
	struct ipfrag_limits lim;
	struct ipfrag_stats st;
	struct dgram **buckets;
	uint32_t n_buckets;		/* power of two */
	struct dgram *oldest, *newest;
	uint8_t *out;			/* bytes of the frame handed out last */
	uint32_t out_cap;
};

/* One fragment as the packet and its bytes describe it. */
struct frag {
	uint8_t family, proto;
	uint8_t src[16], dst[16];
	uint32_t id;
	uint32_t off, len, cap;		/* in the fragmentable part */
	bool mf;
	const uint8_t *bytes;		/* captured data of the fragment */
	uint32_t head_len;		/* frame bytes before the data (v6:
					 * before the fragment header) */
	bool head_captured;
	uint32_t l3_off;
	uint32_t unfrag_len;		/* v4: IHL*4; v6: 40 + exts before */
	uint32_t nh_at;
	uint8_t frag_nh;
	struct outer_hdrs outer;
};

void ipfrag_limits_default(struct ipfrag_limits *lim)
{
	lim->max_datagrams = 1024;
	lim->max_frags = 64;
	lim->max_bytes = 4u << 20;
	lim->timeout_ns = 30000000000ull;
}

struct ipfrag_table *ipfrag_new(const struct ipfrag_limits *lim)
{
	struct ipfrag_table *t = calloc(1, sizeof(*t));
	uint32_t n = 64;

	if (!t)
		return NULL;
	if (lim)
		t->lim = *lim;
	else
		ipfrag_limits_default(&t->lim);
	if (!t->lim.max_datagrams)
		t->lim.max_datagrams = 1024;
	if (!t->lim.max_frags)
		t->lim.max_frags = 64;
	if (t->lim.max_frags > MAX_FRAGS_CAP)
		t->lim.max_frags = MAX_FRAGS_CAP;
	if (!t->lim.timeout_ns)
		t->lim.timeout_ns = 30000000000ull;
	/* One datagram of the largest size must always fit. */
	if (t->lim.max_bytes < 2 * (IP_MAX_LEN + 1024))
		t->lim.max_bytes = 2 * (IP_MAX_LEN + 1024);
	while (n < 2 * t->lim.max_datagrams && n < (1u << 20))
		n *= 2;
	t->buckets = calloc(n, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	t->n_buckets = n;
	return t;
}

static uint64_t dgram_base_mem(const struct ipfrag_table *t)
{
	return sizeof(struct dgram) + t->lim.max_frags * sizeof(struct piece);
}

static void dgram_free_buffers(struct ipfrag_table *t, struct dgram *d)
{
	free(d->head);
	free(d->data);
	d->head = NULL;
	d->data = NULL;
	d->head_len = 0;
	d->data_cap = 0;
	d->have_head = false;
	t->st.bytes -= d->mem - dgram_base_mem(t);
	d->mem = dgram_base_mem(t);
}

static void dgram_remove(struct ipfrag_table *t, struct dgram *d)
{
	struct dgram **pp = &t->buckets[d->hash & (t->n_buckets - 1)];

	while (*pp && *pp != d)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = d->hnext;
	if (d->older)
		d->older->newer = d->newer;
	else
		t->oldest = d->newer;
	if (d->newer)
		d->newer->older = d->older;
	else
		t->newest = d->older;
	t->st.open--;
	t->st.bytes -= d->mem;
	free(d->head);
	free(d->data);
	free(d);
}

void ipfrag_free(struct ipfrag_table *t)
{
	if (!t)
		return;
	while (t->oldest)
		dgram_remove(t, t->oldest);
	free(t->buckets);
	free(t->out);
	free(t);
}

const struct ipfrag_stats *ipfrag_stats(const struct ipfrag_table *t)
{
	return &t->st;
}

/* ---- reading a fragment ---------------------------------------------- */

/*
 * IPv4: the dissector validated nothing yet when it set is_fragment (it
 * does so before its length checks), so the lengths are checked here.
 * Returns 1 for an ICMP fragment, 0 for one to ignore, <0 refused.
 */
/* The encapsulations whose outer datagram is reassembled (underlay
 * fragmentation): IP protocols and the UDP ports the dissectors open. */
static bool tunnel_proto(uint8_t proto)
{
	return proto == 4 || proto == 41 || proto == 47 || proto == 17;
}

static bool tunnel_udp_port(uint16_t port)
{
	return port == 4789 || port == 8472 || port == 4790 || port == 6081;
}

/*
 * Where the tunnel's outer IP and UDP headers of an inner fragment lie,
 * as the dissector found them; only what lies before the inner IP header,
 * in captured bytes, is rewritten later.
 */
static void outer_of(const struct packet *p, struct frag *fr)
{
	const struct tunnel_info *t = &p->tun;
	const struct frame *f = p->frame;
	uint32_t l3 = t->outer_l3_offset, udp = 0;

	if (!(p->layers & LAYER_TUNNEL) || t->in_quote)
		return;
	if (l3 + 20 > fr->l3_off || fr->l3_off > f->caplen)
		return;
	if (t->src.family == 4) {
		if ((f->data[l3] >> 4) != 4)
			return;
		if (t->outer_proto == 17)
			udp = l3 + (f->data[l3] & 0x0f) * 4u;
	} else {
		if (l3 + 40 > fr->l3_off || (f->data[l3] >> 4) != 6)
			return;
		/* UDP right behind the fixed header, else lengths only */
		if (t->outer_proto == 17 && f->data[l3 + 6] == 17)
			udp = l3 + 40;
	}
	if (udp && udp + 8 > fr->l3_off)
		udp = 0;
	fr->outer.set = true;
	fr->outer.family = t->src.family;
	fr->outer.l3 = l3;
	fr->outer.udp = udp;
}

static int parse_v4(const struct packet *p, struct frag *fr)
{
	const struct frame *f = p->frame;
	const struct l3_info *ip = &p->net.ip;
	uint32_t data_at;
	struct cursor c;

	if (ip->proto != PROTO_ICMP && !tunnel_proto(ip->proto))
		return 0;
	if (ip->hdr_len < 20 || ip->total_len < ip->hdr_len)
		return -ANOM_IP_FRAG_BAD_LEN;
	/* Shorter on the wire than its length says: nothing to trust. */
	if (f->wirelen < p->net.l3_offset ||
	    f->wirelen - p->net.l3_offset < ip->total_len)
		return -ANOM_IP_FRAG_BAD_LEN;
	fr->family = 4;
	fr->proto = ip->proto;
	memcpy(fr->src, ip->src.a, 4);
	memcpy(fr->dst, ip->dst.a, 4);
	fr->id = ip->ip_id;
	fr->off = ip->frag_off;
	fr->len = (uint32_t)ip->total_len - ip->hdr_len;
	fr->mf = ip->mf;
	fr->l3_off = p->net.l3_offset;
	fr->unfrag_len = ip->hdr_len;
	data_at = fr->l3_off + ip->hdr_len;
	fr->head_len = data_at;
	fr->head_captured = f->caplen >= data_at;
	cur_init(&c, f->data, f->caplen, f->wirelen);
	if (fr->head_captured) {
		cur_skip(&c, data_at);
		fr->cap = cur_left(&c) < fr->len ? cur_left(&c) : fr->len;
		fr->bytes = cur_peek(&c, fr->cap);
	}
	outer_of(p, fr);
	return 1;
}

/*
 * IPv6: the dissector does not say where the fragment header is, so the
 * chain is walked again here (hop-by-hop, destination options and routing
 * may precede it, RFC 8200 4.1), each header within the payload length.
 */
static int parse_v6(const struct packet *p, struct frag *fr)
{
	const struct frame *f = p->frame;
	uint32_t l3 = p->net.l3_offset, off, len, plen_end;
	const uint8_t *b;
	struct cursor c;
	uint16_t plen, offlg;
	uint8_t nh;
	int i;

	cur_init(&c, f->data, f->caplen, f->wirelen);
	if (!cur_skip(&c, l3))
		return -ANOM_IPV6_TRUNCATED;
	b = cur_peek(&c, IPV6_HLEN);
	if (!b)
		return -ANOM_IPV6_TRUNCATED;
	plen = (uint16_t)(b[4] << 8 | b[5]);
	nh = b[6];
	memcpy(fr->src, b + 8, 16);
	memcpy(fr->dst, b + 24, 16);
	if (cur_wire_left(&c) < IPV6_HLEN + plen)
		return -ANOM_IP_FRAG_BAD_LEN;
	plen_end = IPV6_HLEN + plen;
	fr->nh_at = l3 + 6;
	off = IPV6_HLEN;
	for (i = 0; i < IPV6_MAX_EXT && nh != NH_FRAGMENT; i++) {
		struct cursor e = c;

		if (nh != NH_HOPOPTS && nh != NH_DSTOPTS && nh != NH_ROUTING)
			return -ANOM_IPV6_BAD_EXT;
		cur_skip(&e, off);
		b = cur_peek(&e, 2);
		if (!b)
			return -ANOM_IPV6_TRUNCATED;
		len = (b[1] + 1u) * 8;
		if (off + len > plen_end)
			return -ANOM_IPV6_BAD_EXT;
		fr->nh_at = l3 + off;
		nh = b[0];
		off += len;
	}
	if (nh != NH_FRAGMENT || off + 8 > plen_end)
		return -ANOM_IPV6_BAD_EXT;
	cur_skip(&c, off);
	b = cur_peek(&c, 8);
	if (!b)
		return -ANOM_IPV6_TRUNCATED;
	fr->frag_nh = b[0];
	offlg = (uint16_t)(b[2] << 8 | b[3]);
	fr->id = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 |
		 (uint32_t)b[6] << 8 | b[7];
	/* The upper protocol is named in every fragment's header. */
	if (fr->frag_nh != PROTO_ICMPV6 && !tunnel_proto(fr->frag_nh))
		return 0;
	fr->family = 6;
	fr->proto = fr->frag_nh;
	fr->off = offlg & 0xfff8u;
	fr->mf = offlg & 1;
	fr->len = plen_end - (off + 8);
	fr->l3_off = l3;
	fr->unfrag_len = off;
	fr->head_len = l3 + off;
	fr->head_captured = true;	/* walked through the cursor above */
	cur_skip(&c, 8);
	fr->cap = cur_left(&c) < fr->len ? cur_left(&c) : fr->len;
	fr->bytes = cur_peek(&c, fr->cap);
	outer_of(p, fr);
	return 1;
}

/*
 * A fragment of an outer datagram (not ICMP): kept only for a tunnel.
 * Its first fragment tells (IP protocol, UDP port): one that is no tunnel
 * is not followed, and what its later fragments started is dropped.
 * Later fragments cannot tell, and wait, bounded like any other.
 */
static bool tunnel_frag_wanted(const struct frag *fr)
{
	uint16_t dport;

	if (fr->proto == PROTO_ICMP || fr->proto == PROTO_ICMPV6)
		return true;
	if (fr->off != 0 || fr->proto != 17)
		return true;
	if (fr->cap < 4 || !fr->bytes)
		return false;
	dport = (uint16_t)(fr->bytes[2] << 8 | fr->bytes[3]);
	return tunnel_udp_port(dport);
}

/* ---- building the unfragmented frame --------------------------------- */

/* RFC 1624 eqn. 3: a good checksum stays good, a bad one stays as bad. */
static uint16_t csum_replace16(uint16_t hc, uint16_t old, uint16_t new)
{
	uint32_t s = (uint16_t)~hc + (uint32_t)(uint16_t)~old + new;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

struct out_src {
	const uint8_t *head;
	uint32_t head_len, l3_off, nh_at;
	uint8_t family, frag_nh;
	const uint8_t *data;
	uint32_t cap, end;		/* captured prefix, full length */
	struct outer_hdrs outer;
};

/*
 * The tunnel's outer lengths grown by what the inner datagram grew
 * (delta): its IP length (IPv4: header checksum updated as the inner
 * one's) and UDP length.  The UDP checksum is left: it covered the first
 * fragment's packet, and the dissectors do not judge it.  A length that
 * would overflow is left as it was (the frame then shows it).
 */
static void grow_outer(uint8_t *b, const struct outer_hdrs *o, uint32_t delta)
{
	uint8_t *ip = b + o->l3;
	uint32_t len;

	if (!o->set || !delta)
		return;
	if (o->family == 4) {
		uint16_t old = get16(ip + 2);

		len = old + delta;
		if (len > IP_MAX_LEN)
			return;
		put16(ip + 2, (uint16_t)len);
		put16(ip + 10, csum_replace16(get16(ip + 10), old,
					      (uint16_t)len));
	} else {
		len = get16(ip + 4) + delta;
		if (len > IP_MAX_LEN)
			return;
		put16(ip + 4, (uint16_t)len);
	}
	if (o->udp) {
		len = get16(b + o->udp + 4) + delta;
		if (len <= IP_MAX_LEN)
			put16(b + o->udp + 4, (uint16_t)len);
	}
}

/*
 * Writes head + captured data into the table's out buffer and rewrites
 * the IP header as unfragmented.  The caller checked that the datagram's
 * length fits its length field.
 */
static int build_out(struct ipfrag_table *t, const struct out_src *s,
		     struct frame *out)
{
	uint32_t n = s->head_len + s->cap;
	uint8_t *ip;

	if (n > t->out_cap) {
		uint8_t *nb = realloc(t->out, n);

		if (!nb)
			return -1;
		t->out = nb;
		t->out_cap = n;
	}
	memcpy(t->out, s->head, s->head_len);
	if (s->cap)
		memcpy(t->out + s->head_len, s->data, s->cap);
	ip = t->out + s->l3_off;
	if (s->family == 4) {
		uint32_t hlen = s->head_len - s->l3_off;
		uint16_t old_len = get16(ip + 2), old_frag = get16(ip + 6);
		uint16_t new_len = (uint16_t)(hlen + s->end);
		uint16_t new_frag = old_frag & 0xc000;	/* keep DF, reserved */
		uint16_t hc = get16(ip + 10);

		hc = csum_replace16(hc, old_len, new_len);
		hc = csum_replace16(hc, old_frag, new_frag);
		put16(ip + 2, new_len);
		put16(ip + 6, new_frag);
		put16(ip + 10, hc);
		if (new_len > old_len)
			grow_outer(t->out, &s->outer, new_len - old_len);
	} else {
		uint32_t ext = s->head_len - s->l3_off - IPV6_HLEN;
		uint16_t old_len = get16(ip + 4);
		uint16_t new_len = (uint16_t)(ext + s->end);

		put16(ip + 4, new_len);
		t->out[s->nh_at] = s->frag_nh;
		/* old_len counted the fragment header the frame loses */
		if (new_len > old_len)
			grow_outer(t->out, &s->outer,
				   (uint32_t)new_len - old_len);
	}
	memset(out, 0, sizeof(*out));
	out->data = t->out;
	out->caplen = n;
	out->wirelen = s->head_len + s->end;
	return 0;
}

/* Does the reassembled datagram fit its length field? */
static bool fits(uint8_t family, uint32_t unfrag_len, uint32_t end)
{
	if (family == 4)
		return unfrag_len + end <= IP_MAX_LEN;
	return unfrag_len - IPV6_HLEN + end <= IP_MAX_LEN;
}

/* Bytes covered from offset 0 without a gap: wire (len) or captured. */
static uint32_t covered_prefix(const struct dgram *d, bool captured)
{
	uint32_t pos = 0, i, e;

	for (i = 0; i < d->n_pieces; i++) {
		const struct piece *pc = &d->pieces[i];

		if (pc->off > pos)
			break;
		e = pc->off + (captured ? pc->cap : pc->len);
		if (e > pos)
			pos = e;
	}
	return pos;
}

/* Is [off, end) inside the union of the pieces held? */
static bool covered_range(const struct dgram *d, uint32_t off, uint32_t end)
{
	uint32_t pos = off, i;

	for (i = 0; i < d->n_pieces && pos < end; i++) {
		const struct piece *pc = &d->pieces[i];

		if (pc->off > pos)
			break;
		if (pc->off + pc->len > pos)
			pos = pc->off + pc->len;
	}
	return pos >= end;
}

static int dgram_out(struct ipfrag_table *t, const struct dgram *d,
		     uint32_t cap, uint64_t ts, struct frame *out)
{
	struct out_src s = {
		.head = d->head, .head_len = d->head_len, .l3_off = d->l3_off,
		.nh_at = d->nh_at, .family = d->family, .frag_nh = d->frag_nh,
		.data = d->data, .cap = cap, .end = d->end,
		.outer = d->outer,
	};

	if (build_out(t, &s, out))
		return -1;
	out->ts_ns = ts;
	out->number = d->first_number;
	out->point = d->point;
	out->linktype = d->linktype;
	out->dir = d->first_dir;
	/* reassembled: its source (or a router, IPv4) fragmented it */
	out->flags = (d->first_flags & FRAME_F_HW_VLAN) | FRAME_F_REASSEMBLED;
	out->hw_vlan_tci = d->first_tci;
	return 0;
}

/* ---- the table -------------------------------------------------------- */

static uint32_t key_hash(uint32_t point, const struct frag *fr)
{
	uint32_t h = 2166136261u, i;
	uint8_t k[10];

	k[0] = (uint8_t)point;
	k[1] = (uint8_t)(point >> 8);
	k[2] = (uint8_t)(point >> 16);
	k[3] = (uint8_t)(point >> 24);
	k[4] = fr->family;
	k[5] = fr->proto;
	k[6] = (uint8_t)fr->id;
	k[7] = (uint8_t)(fr->id >> 8);
	k[8] = (uint8_t)(fr->id >> 16);
	k[9] = (uint8_t)(fr->id >> 24);
	for (i = 0; i < sizeof(k); i++)
		h = (h ^ k[i]) * 16777619u;
	for (i = 0; i < 16; i++)
		h = (h ^ fr->src[i] ^ (uint32_t)fr->dst[i] << 8) * 16777619u;
	return h;
}

static struct dgram *lookup(struct ipfrag_table *t, uint32_t point,
			    const struct frag *fr, uint32_t h)
{
	struct dgram *d = t->buckets[h & (t->n_buckets - 1)];

	for (; d; d = d->hnext)
		if (d->hash == h && d->point == point &&
		    d->family == fr->family && d->proto == fr->proto &&
		    d->id == fr->id && !memcmp(d->src, fr->src, 16) &&
		    !memcmp(d->dst, fr->dst, 16))
			return d;
	return NULL;
}

/* Forces out the oldest datagram other than keep: counted as evicted. */
static bool evict_one(struct ipfrag_table *t, const struct dgram *keep)
{
	struct dgram *d = t->oldest;

	if (d == keep)
		d = d->newer;
	if (!d)
		return false;
	if (!d->dead)
		t->st.evicted++;
	dgram_remove(t, d);
	return true;
}

static struct dgram *create(struct ipfrag_table *t, uint32_t point,
			    const struct frag *fr, uint32_t h, uint64_t now)
{
	uint64_t mem = dgram_base_mem(t);
	struct dgram *d;

	while (t->st.open >= t->lim.max_datagrams ||
	       t->st.bytes + mem > t->lim.max_bytes)
		if (!evict_one(t, NULL))
			break;
	d = calloc(1, mem);
	if (!d)
		return NULL;
	d->hash = h;
	d->point = point;
	d->family = fr->family;
	d->proto = fr->proto;
	d->id = fr->id;
	memcpy(d->src, fr->src, 16);
	memcpy(d->dst, fr->dst, 16);
	d->first_ts = d->last_ts = now;
	d->mem = mem;
	d->hnext = t->buckets[h & (t->n_buckets - 1)];
	t->buckets[h & (t->n_buckets - 1)] = d;
	d->older = t->newest;
	if (t->newest)
		t->newest->newer = d;
	else
		t->oldest = d;
	t->newest = d;
	t->st.open++;
	t->st.bytes += mem;
	return d;
}

/*
 * Poisons d: its buffers go, the entry stays to swallow the datagram's
 * later fragments until the timeout (one anomaly per datagram, not one
 * "incomplete" datagram per fragment that follows).
 */
static int poison(struct ipfrag_table *t, struct dgram *d,
		  enum anomaly_kind k)
{
	d->dead = (uint8_t)k;
	d->n_pieces = 0;
	dgram_free_buffers(t, d);
	t->st.rejected[k]++;
	return -(int)k;
}

static int refuse(struct ipfrag_table *t, enum anomaly_kind k)
{
	t->st.rejected[k]++;
	return -(int)k;
}

/* Makes room for end bytes of data; false when memory says no. */
static bool grow_data(struct ipfrag_table *t, struct dgram *d, uint32_t end)
{
	uint32_t ncap;
	uint8_t *nb;

	if (end <= d->data_cap)
		return true;
	ncap = d->data_cap ? d->data_cap : 2048;
	while (ncap < end)
		ncap *= 2;
	if (ncap > IP_MAX_LEN)
		ncap = IP_MAX_LEN;
	while (t->st.bytes + (ncap - d->data_cap) > t->lim.max_bytes)
		if (!evict_one(t, d))
			return false;
	nb = realloc(d->data, ncap);
	if (!nb)
		return false;
	t->st.bytes += ncap - d->data_cap;
	d->mem += ncap - d->data_cap;
	d->data = nb;
	d->data_cap = ncap;
	return true;
}

static bool save_head(struct ipfrag_table *t, struct dgram *d,
		      const struct packet *p, const struct frag *fr)
{
	const struct frame *f = p->frame;
	struct cursor c;
	const uint8_t *b;

	cur_init(&c, f->data, f->caplen, f->wirelen);
	b = cur_peek(&c, fr->head_len);
	if (!b)
		return false;
	while (t->st.bytes + fr->head_len > t->lim.max_bytes)
		if (!evict_one(t, d))
			return false;
	d->head = malloc(fr->head_len ? fr->head_len : 1);
	if (!d->head)
		return false;
	memcpy(d->head, b, fr->head_len);
	d->head_len = fr->head_len;
	d->l3_off = fr->l3_off;
	d->nh_at = fr->nh_at;
	d->frag_nh = fr->frag_nh;
	d->outer = fr->outer;
	d->first_number = f->number;
	d->linktype = f->linktype;
	d->first_dir = f->dir;
	d->first_flags = f->flags;
	d->first_tci = f->hw_vlan_tci;
	d->have_head = true;
	d->mem += fr->head_len;
	t->st.bytes += fr->head_len;
	return true;
}

/* The checks that poison or refuse, then the overlap rules; 0 = insert. */
static int check(struct ipfrag_table *t, struct dgram *d,
		 const struct frag *fr, bool *dup)
{
	uint32_t end = fr->off + fr->len, i, lo, hi;
	bool overlap = false;

	*dup = false;
	if (!fits(fr->family, fr->unfrag_len, end))
		return poison(t, d, ANOM_IP_FRAG_TOO_BIG);
	if (fr->len == 0 || (fr->mf && (fr->len & 7)))
		return refuse(t, ANOM_IP_FRAG_BAD_LEN);
	if (!fr->mf && ((d->have_last && end != d->end) || end < d->max_end))
		return poison(t, d, ANOM_IP_FRAG_BAD_LEN);
	if (fr->mf && d->have_last && end > d->end)
		return poison(t, d, ANOM_IP_FRAG_BAD_LEN);
	for (i = 0; i < d->n_pieces; i++) {
		const struct piece *pc = &d->pieces[i];

		if (pc->off >= end || fr->off >= pc->off + pc->len)
			continue;
		overlap = true;
		lo = fr->off > pc->off ? fr->off : pc->off;
		hi = fr->off + fr->cap < pc->off + pc->cap ?
		     fr->off + fr->cap : pc->off + pc->cap;
		if (lo < hi && memcmp(d->data + lo, fr->bytes + (lo - fr->off),
				      hi - lo))
			return poison(t, d, ANOM_IP_FRAG_OVERLAP);
	}
	if (overlap && covered_range(d, fr->off, end)) {
		*dup = true;
		return 0;
	}
	if (overlap && fr->family == 6)
		return poison(t, d, ANOM_IP_FRAG_OVERLAP);
	if (overlap)
		t->st.overlaps_same++;
	if (d->n_pieces >= t->lim.max_frags)
		return poison(t, d, ANOM_IP_FRAG_TOO_MANY);
	return 0;
}

static int insert(struct ipfrag_table *t, struct dgram *d,
		  const struct packet *p, const struct frag *fr)
{
	uint32_t end = fr->off + fr->len, i;
	bool dup;
	int r;

	r = check(t, d, fr, &dup);
	if (r < 0)
		return r;
	if (dup) {
		t->st.duplicates++;
		return 0;
	}
	if (!grow_data(t, d, end))
		return refuse(t, ANOM_IP_FRAG_INCOMPLETE);
	if (fr->cap)
		memcpy(d->data + fr->off, fr->bytes, fr->cap);
	for (i = d->n_pieces; i > 0 && d->pieces[i - 1].off > fr->off; i--)
		d->pieces[i] = d->pieces[i - 1];
	d->pieces[i].off = fr->off;
	d->pieces[i].len = fr->len;
	d->pieces[i].cap = fr->cap;
	d->n_pieces++;
	/* The first copy of the first fragment names the datagram. */
	if (fr->off == 0 && !d->have_head && fr->head_captured)
		save_head(t, d, p, fr);
	if (!fr->mf) {
		d->have_last = true;
		d->end = end;
	}
	if (end > d->max_end)
		d->max_end = end;
	t->st.fragments++;
	return 0;
}

/*
 * An IPv6 atomic fragment (offset 0, M clear) is a whole datagram and
 * must not touch a queue of the same id (RFC 6946).
 */
static int atomic_v6(struct ipfrag_table *t, const struct packet *p,
		     const struct frag *fr, struct frame *out)
{
	const struct frame *f = p->frame;
	struct cursor c;
	struct out_src s;

	cur_init(&c, f->data, f->caplen, f->wirelen);
	memset(&s, 0, sizeof(s));
	s.head = cur_peek(&c, fr->head_len);
	if (!s.head)
		return refuse(t, ANOM_IPV6_TRUNCATED);
	if (!fits(6, fr->unfrag_len, fr->len))
		return refuse(t, ANOM_IP_FRAG_TOO_BIG);
	s.head_len = fr->head_len;
	s.l3_off = fr->l3_off;
	s.nh_at = fr->nh_at;
	s.family = 6;
	s.frag_nh = fr->frag_nh;
	s.data = fr->bytes;
	s.cap = fr->cap;
	s.end = fr->len;
	s.outer = fr->outer;
	if (build_out(t, &s, out))
		return refuse(t, ANOM_IP_FRAG_INCOMPLETE);
	out->ts_ns = f->ts_ns;
	out->number = f->number;
	out->point = f->point;
	out->linktype = f->linktype;
	out->dir = f->dir;
	out->flags = f->flags & FRAME_F_HW_VLAN;
	out->hw_vlan_tci = f->hw_vlan_tci;
	t->st.completed++;
	if (s.cap < s.end)
		t->st.snapped++;
	return 1;
}

int ipfrag_feed(struct ipfrag_table *t, const struct packet *p,
		uint64_t now_ns, struct frame *out)
{
	const struct frame *f = p->frame;
	struct frag fr;
	struct dgram *d;
	uint32_t h, cap;
	int r;

	if (!f || !f->data || !p->net.ip.is_fragment ||
	    (f->flags & FRAME_F_KERNEL_DROP)) {
		t->st.ignored++;
		return 0;
	}
	memset(&fr, 0, sizeof(fr));
	if ((p->layers & LAYER_IPV4) && p->net.ip.version == 4)
		r = parse_v4(p, &fr);
	else if ((p->layers & LAYER_IPV6) && p->net.ip.version == 6)
		r = parse_v6(p, &fr);
	else
		r = 0;
	if (r <= 0) {
		if (r == 0)
			t->st.ignored++;
		else
			t->st.rejected[-r]++;
		return r;
	}
	if (fr.family == 6 && fr.off == 0 && !fr.mf)
		return atomic_v6(t, p, &fr, out);

	h = key_hash(f->point, &fr);
	d = lookup(t, f->point, &fr, h);
	if (!tunnel_frag_wanted(&fr)) {
		if (d)
			dgram_remove(t, d);
		t->st.ignored++;
		return 0;
	}
	/* The caller should have expired it: a stale queue is not joined. */
	if (d && (now_ns < d->first_ts ||
		  now_ns - d->first_ts > t->lim.timeout_ns)) {
		if (!d->dead)
			t->st.expired++;
		dgram_remove(t, d);
		d = NULL;
	}
	if (!d) {
		d = create(t, f->point, &fr, h, now_ns);
		if (!d)
			return refuse(t, ANOM_IP_FRAG_INCOMPLETE);
	}
	if (d->dead)
		return refuse(t, (enum anomaly_kind)d->dead);
	d->last_ts = now_ns;
	r = insert(t, d, p, &fr);
	if (r < 0 || !d->have_last || covered_prefix(d, false) < d->end)
		return r;

	/* Every byte arrived on the wire: the datagram passed this point. */
	if (!d->have_head) {
		t->st.unusable++;
		dgram_remove(t, d);
		return refuse(t, ANOM_IP_FRAG_INCOMPLETE);
	}
	/* Fragments were checked against their own header lengths. */
	if (!fits(d->family, d->head_len - d->l3_off, d->end)) {
		dgram_remove(t, d);
		return refuse(t, ANOM_IP_FRAG_TOO_BIG);
	}
	cap = covered_prefix(d, true);
	if (cap > d->end)
		cap = d->end;
	if (dgram_out(t, d, cap, f->ts_ns, out)) {
		dgram_remove(t, d);
		return refuse(t, ANOM_IP_FRAG_INCOMPLETE);
	}
	t->st.completed++;
	if (cap < d->end)
		t->st.snapped++;
	dgram_remove(t, d);
	return 1;
}

int ipfrag_expire(struct ipfrag_table *t, uint64_t now_ns, struct frame *out)
{
	struct dgram *d;
	uint32_t cap;
	int r;

	while ((d = t->oldest)) {
		if (now_ns != UINT64_MAX &&
		    (now_ns < d->first_ts ||
		     now_ns - d->first_ts <= t->lim.timeout_ns))
			return 0;
		if (d->dead) {
			dgram_remove(t, d);
			continue;
		}
		t->st.expired++;
		/* No first fragment or no length: no probe to name. */
		if (!d->have_head || !d->have_last ||
		    !fits(d->family, d->head_len - d->l3_off, d->end)) {
			dgram_remove(t, d);
			continue;
		}
		cap = covered_prefix(d, true);
		if (cap > d->end)
			cap = d->end;
		r = dgram_out(t, d, cap, d->last_ts, out);
		dgram_remove(t, d);
		if (r == 0)
			return 1;
	}
	return 0;
}

void ipfrag_mark_incomplete(struct packet *p)
{
	struct anomaly *a;

	if (p->n_anom >= MAX_ANOMALIES) {
		p->anom_overflow = true;
		return;
	}
	a = &p->anom[p->n_anom++];
	a->kind = ANOM_IP_FRAG_INCOMPLETE;
	a->in_quote = 0;
	a->offset = p->net.l3_offset > UINT16_MAX ? UINT16_MAX :
		    (uint16_t)p->net.l3_offset;
}
