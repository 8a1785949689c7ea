// SPDX-License-Identifier: GPL-2.0
/*
 * gen_capture: writes a deterministic mixed capture for the benchmark.
 *
 * The same arguments always give the same bytes (fixed-seed PRNG, fixed
 * start time), so two runs of the benchmark read identical files. The mix
 * is what dropspot meets in practice around a failing ping: ICMP echo pairs
 * (ping's 56-byte payload layout), ARP, DNS-like UDP, short TCP exchanges,
 * ICMPv6 echo and neighbour discovery, some of it 802.1Q / 802.1ad tagged.
 * Every header is valid (IPv4 header, ICMP, ICMPv6, UDP and TCP checksums)
 * so tcpdump and tshark parse the file without complaint.
 *
 *   gen_capture [-n N] [-o FILE] [--pcapng] [--nsec] [--points K] [--seed S]
 *
 * Classic pcap by default. With --points K the frames are spread over K
 * points: K interfaces of one pcapng file, or K classic pcap files named
 * FILE with "-pI" inserted before the extension (cap.pcap -> cap-p0.pcap).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_POINTS	64
#define MAX_FRAME	1600
#define SNAPLEN		262144
#define START_SEC	1700000000ULL	/* 2023-11-14, any fixed value works */
#define NHOSTS		6
#define IO_BUF		(4u << 20)

/* ---- deterministic PRNG (splitmix64: tiny, fast, good enough) ---- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform enough in [0, n) for the small n used here. */
static uint32_t rng_below(uint32_t n)
{
	return (uint32_t)(((rng_next() >> 32) * n) >> 32);
}

/* ---- frame builder: appends big-endian fields, never past MAX_FRAME ---- */

struct frame_buf {
	uint8_t b[MAX_FRAME];
	size_t len;
};

static void fb_need(const struct frame_buf *fb, size_t n)
{
	if (fb->len + n > sizeof(fb->b)) {
		fprintf(stderr, "gen_capture: frame overflow (bug)\n");
		abort();
	}
}

static void put8(struct frame_buf *fb, uint8_t v)
{
	fb_need(fb, 1);
	fb->b[fb->len++] = v;
}

static void put16(struct frame_buf *fb, uint16_t v)
{
	put8(fb, (uint8_t)(v >> 8));
	put8(fb, (uint8_t)v);
}

static void put32(struct frame_buf *fb, uint32_t v)
{
	put16(fb, (uint16_t)(v >> 16));
	put16(fb, (uint16_t)v);
}

static void put_bytes(struct frame_buf *fb, const void *p, size_t n)
{
	fb_need(fb, n);
	memcpy(fb->b + fb->len, p, n);
	fb->len += n;
}

/* Overwrites a 16-bit field written earlier (lengths, checksums). */
static void set16(struct frame_buf *fb, size_t off, uint16_t v)
{
	fb->b[off] = (uint8_t)(v >> 8);
	fb->b[off + 1] = (uint8_t)v;
}

/* ---- Internet checksum (RFC 1071) ---- */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ---- hosts ---- */

struct host {
	uint8_t mac[6];
	uint8_t ip4[4];
	uint8_t ip6[16];
};

static struct host hosts[NHOSTS];
static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void hosts_init(void)
{
	int i;

	for (i = 0; i < NHOSTS; i++) {
		struct host *h = &hosts[i];
		const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00,
					 (uint8_t)(i + 1) };
		const uint8_t ip6[16] = { 0xfd, 0x00, 0, 0, 0, 0, 0, 0,
					  0, 0, 0, 0, 0, 0, 0, (uint8_t)(i + 1) };

		memcpy(h->mac, mac, 6);
		h->ip4[0] = 10;
		h->ip4[1] = 0;
		h->ip4[2] = 0;
		h->ip4[3] = (uint8_t)(i + 1);
		memcpy(h->ip6, ip6, 16);
	}
}

/* Two distinct hosts. */
static void pick_pair(int *a, int *b)
{
	*a = (int)rng_below(NHOSTS);
	*b = (*a + 1 + (int)rng_below(NHOSTS - 1)) % NHOSTS;
}

/* ---- link layer ---- */

struct vlan_tags {
	int n;			/* 0, 1 (802.1Q) or 2 (802.1ad + 802.1Q) */
	uint16_t vid[2];	/* outer first */
};

static void pick_vlan(struct vlan_tags *v)
{
	uint32_t r = rng_below(100);

	v->n = 0;
	if (r < 10) {
		static const uint16_t vids[] = { 10, 20, 100 };

		v->n = 1;
		v->vid[0] = vids[rng_below(3)];
	} else if (r < 12) {
		v->n = 2;
		v->vid[0] = 300;
		v->vid[1] = 10 + (uint16_t)rng_below(3);
	}
}

static void put_eth(struct frame_buf *fb, const uint8_t *dst,
		    const uint8_t *src, const struct vlan_tags *v,
		    uint16_t ethertype)
{
	put_bytes(fb, dst, 6);
	put_bytes(fb, src, 6);
	if (v->n == 2) {
		put16(fb, 0x88a8);
		put16(fb, v->vid[0]);
		put16(fb, 0x8100);
		put16(fb, v->vid[1]);
	} else if (v->n == 1) {
		put16(fb, 0x8100);
		put16(fb, v->vid[0]);
	}
	put16(fb, ethertype);
}

/* ---- IPv4 / IPv6 headers; lengths and checksums are patched later ---- */

static uint16_t ip_ident;

static size_t put_ip4(struct frame_buf *fb, const uint8_t *src,
		      const uint8_t *dst, uint8_t proto, uint8_t ttl)
{
	size_t off = fb->len;

	put8(fb, 0x45);
	put8(fb, 0);
	put16(fb, 0);			/* total length, patched */
	put16(fb, ip_ident++);
	put16(fb, 0x4000);		/* DF */
	put8(fb, ttl);
	put8(fb, proto);
	put16(fb, 0);			/* checksum, patched */
	put_bytes(fb, src, 4);
	put_bytes(fb, dst, 4);
	return off;
}

static void finish_ip4(struct frame_buf *fb, size_t ip_off)
{
	set16(fb, ip_off + 2, (uint16_t)(fb->len - ip_off));
	set16(fb, ip_off + 10, csum_fold(csum_add(0, fb->b + ip_off, 20)));
}

static size_t put_ip6(struct frame_buf *fb, const uint8_t *src,
		      const uint8_t *dst, uint8_t next, uint8_t hlim)
{
	size_t off = fb->len;

	put32(fb, 0x60000000);
	put16(fb, 0);			/* payload length, patched */
	put8(fb, next);
	put8(fb, hlim);
	put_bytes(fb, src, 16);
	put_bytes(fb, dst, 16);
	return off;
}

/*
 * Patches the IPv6 payload length and the L4 checksum at l4_off + csum_at,
 * which covers the pseudo-header (RFC 8200 section 8.1).
 */
static void finish_ip6(struct frame_buf *fb, size_t ip_off, size_t l4_off,
		       size_t csum_at)
{
	uint32_t plen = (uint32_t)(fb->len - l4_off);
	uint32_t sum;

	set16(fb, ip_off + 4, (uint16_t)plen);
	sum = csum_add(0, fb->b + ip_off + 8, 32);
	sum += plen;
	sum += fb->b[ip_off + 6];
	sum = csum_add(sum, fb->b + l4_off, plen);
	set16(fb, l4_off + csum_at, csum_fold(sum));
}

/* UDP/TCP over IPv4: pseudo-header + segment. */
static void finish_l4_ip4(struct frame_buf *fb, size_t ip_off, size_t l4_off,
			  size_t csum_at)
{
	uint32_t len = (uint32_t)(fb->len - l4_off);
	uint32_t sum;

	sum = csum_add(0, fb->b + ip_off + 12, 8);
	sum += fb->b[ip_off + 9];
	sum += len;
	sum = csum_add(sum, fb->b + l4_off, len);
	set16(fb, l4_off + csum_at, csum_fold(sum));
}

/* ---- output: classic pcap files or one pcapng ---- */

struct writer {
	bool pcapng;
	bool nsec;
	int npoints;
	FILE *fp[MAX_POINTS];	/* pcap: one per point; pcapng: fp[0] */
	char *buf[MAX_POINTS];
	uint64_t frames;
	uint64_t bytes;
};

static int open_out(struct writer *w, int i, const char *path)
{
	if (!strcmp(path, "-"))
		w->fp[i] = stdout;
	else
		w->fp[i] = fopen(path, "wb");
	if (!w->fp[i]) {
		fprintf(stderr, "gen_capture: %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* Big buffers: 3M frames must take seconds, not minutes. */
	w->buf[i] = malloc(IO_BUF);
	if (w->buf[i])
		setvbuf(w->fp[i], w->buf[i], _IOFBF, IO_BUF);
	return 0;
}

/* "cap.pcap" -> "cap-p3.pcap"; "cap" -> "cap-p3". */
static char *point_path(const char *path, int i)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(path, '.');
	size_t n = strlen(path) + 16;
	char *p = malloc(n);

	if (!p)
		return NULL;
	if (!dot || (slash && dot < slash) || dot == path)
		dot = path + strlen(path);
	snprintf(p, n, "%.*s-p%d%s", (int)(dot - path), path, i, dot);
	return p;
}

static void wr(struct writer *w, int i, const void *p, size_t n)
{
	fwrite(p, 1, n, w->fp[i]);
}

static void wr32(struct writer *w, int i, uint32_t v)
{
	wr(w, i, &v, 4);	/* host byte order, as both formats allow */
}

static void wr16(struct writer *w, int i, uint16_t v)
{
	wr(w, i, &v, 2);
}

static void pcap_header(struct writer *w, int i)
{
	wr32(w, i, w->nsec ? 0xa1b23c4d : 0xa1b2c3d4);
	wr16(w, i, 2);
	wr16(w, i, 4);
	wr32(w, i, 0);		/* thiszone */
	wr32(w, i, 0);		/* sigfigs */
	wr32(w, i, SNAPLEN);
	wr32(w, i, 1);		/* LINKTYPE_ETHERNET */
}

/* pcapng option: code, length, value padded to 32 bits. */
static void ng_opt(struct writer *w, uint16_t code, const void *v, uint16_t len)
{
	static const uint8_t pad[4];

	wr16(w, 0, code);
	wr16(w, 0, len);
	wr(w, 0, v, len);
	wr(w, 0, pad, (4 - len % 4) % 4);
}

static void pcapng_header(struct writer *w)
{
	uint8_t tsresol = w->nsec ? 9 : 6;
	char name[16];
	uint32_t len;
	int i;

	/* SHB, no options; section length unknown (-1). */
	wr32(w, 0, 0x0a0d0d0a);
	wr32(w, 0, 28);
	wr32(w, 0, 0x1a2b3c4d);
	wr16(w, 0, 1);
	wr16(w, 0, 0);
	wr32(w, 0, 0xffffffff);
	wr32(w, 0, 0xffffffff);
	wr32(w, 0, 28);

	for (i = 0; i < w->npoints; i++) {
		int nl = snprintf(name, sizeof(name), "bench%d", i);
		uint32_t name_len = (uint32_t)nl;

		/* 16 fixed + if_name + if_tsresol + opt_endofopt + 4 trailer */
		len = 16 + 4 + ((name_len + 3) & ~3u) + 4 + 4 + 4 + 4;
		wr32(w, 0, 1);
		wr32(w, 0, len);
		wr16(w, 0, 1);		/* LINKTYPE_ETHERNET */
		wr16(w, 0, 0);
		wr32(w, 0, SNAPLEN);
		ng_opt(w, 2, name, (uint16_t)name_len);
		ng_opt(w, 9, &tsresol, 1);
		wr32(w, 0, 0);		/* opt_endofopt */
		wr32(w, 0, len);
	}
}

static int writer_open(struct writer *w, const char *path)
{
	int i;

	if (w->pcapng || w->npoints == 1) {
		if (open_out(w, 0, path))
			return -1;
		if (w->pcapng)
			pcapng_header(w);
		else
			pcap_header(w, 0);
		return 0;
	}
	if (!strcmp(path, "-")) {
		fprintf(stderr, "gen_capture: several pcap files cannot go to stdout; use --pcapng\n");
		return -1;
	}
	for (i = 0; i < w->npoints; i++) {
		char *p = point_path(path, i);
		int ret;

		if (!p)
			return -1;
		ret = open_out(w, i, p);
		free(p);
		if (ret)
			return -1;
		pcap_header(w, i);
	}
	return 0;
}

static int writer_close(struct writer *w)
{
	int i, ret = 0;

	for (i = 0; i < MAX_POINTS; i++) {
		if (!w->fp[i])
			continue;
		if (fflush(w->fp[i]) || ferror(w->fp[i])) {
			fprintf(stderr, "gen_capture: write failed: %s\n",
				strerror(errno));
			ret = -1;
		}
		if (w->fp[i] != stdout)
			fclose(w->fp[i]);
		free(w->buf[i]);
	}
	return ret;
}

static void writer_frame(struct writer *w, int point, uint64_t ts_ns,
			 const struct frame_buf *fb)
{
	static const uint8_t pad[4];
	uint32_t caplen = (uint32_t)fb->len;
	uint64_t ts = w->nsec ? ts_ns : ts_ns / 1000;

	if (w->pcapng) {
		uint32_t padded = (caplen + 3) & ~3u;
		uint32_t len = 28 + padded + 4;

		wr32(w, 0, 6);
		wr32(w, 0, len);
		wr32(w, 0, (uint32_t)point);
		wr32(w, 0, (uint32_t)(ts >> 32));
		wr32(w, 0, (uint32_t)ts);
		wr32(w, 0, caplen);
		wr32(w, 0, caplen);
		wr(w, 0, fb->b, caplen);
		wr(w, 0, pad, padded - caplen);
		wr32(w, 0, len);
	} else {
		int i = w->npoints == 1 ? 0 : point;
		uint32_t div = w->nsec ? 1000000000u : 1000000u;

		wr32(w, i, (uint32_t)(ts / div));
		wr32(w, i, (uint32_t)(ts % div));
		wr32(w, i, caplen);
		wr32(w, i, caplen);
		wr(w, i, fb->b, caplen);
	}
	w->frames++;
	w->bytes += caplen;
}

/* ---- traffic: each event emits a few related frames ---- */

struct gen {
	struct writer *w;
	uint64_t want;		/* frames still to write */
	uint64_t ts_ns;
	uint16_t icmp_seq[NHOSTS][NHOSTS];
	uint16_t icmp6_seq[NHOSTS][NHOSTS];
	uint16_t dns_id;
	uint16_t next_port;
};

/* Emits one frame at a later time; the point is chosen per event. */
static void emit(struct gen *g, int point, const struct frame_buf *fb)
{
	if (!g->want)
		return;
	g->ts_ns += 1000 + rng_below(150000);	/* 1..151 us apart */
	writer_frame(g->w, point, g->ts_ns, fb);
	g->want--;
}

/* ping's payload: a 16-byte timeval, then bytes 0x10, 0x11, ... 0x37. */
static void put_ping_payload(struct frame_buf *fb, uint64_t ts_ns)
{
	uint64_t sec = ts_ns / 1000000000u, usec = ts_ns / 1000 % 1000000;
	uint8_t p[56];
	int i;

	for (i = 0; i < 8; i++) {
		p[i] = (uint8_t)(sec >> (8 * i));	/* little-endian, like x86 */
		p[8 + i] = (uint8_t)(usec >> (8 * i));
	}
	for (i = 16; i < 56; i++)
		p[i] = (uint8_t)i;
	put_bytes(fb, p, sizeof(p));
}

static void ev_icmp_echo(struct gen *g, int point, const struct vlan_tags *v)
{
	struct frame_buf fb;
	int a, b, dir;
	uint16_t id, seq;
	uint64_t sent = g->ts_ns;

	pick_pair(&a, &b);
	id = (uint16_t)(0x4000 + a * 16 + b);
	seq = ++g->icmp_seq[a][b];
	for (dir = 0; dir < 2; dir++) {
		const struct host *s = dir ? &hosts[b] : &hosts[a];
		const struct host *d = dir ? &hosts[a] : &hosts[b];
		size_t ip, l4;

		fb.len = 0;
		put_eth(&fb, d->mac, s->mac, v, 0x0800);
		ip = put_ip4(&fb, s->ip4, d->ip4, 1, 64);
		l4 = fb.len;
		put8(&fb, dir ? 0 : 8);
		put8(&fb, 0);
		put16(&fb, 0);
		put16(&fb, id);
		put16(&fb, seq);
		put_ping_payload(&fb, sent);
		set16(&fb, l4 + 2,
		      csum_fold(csum_add(0, fb.b + l4, fb.len - l4)));
		finish_ip4(&fb, ip);
		emit(g, point, &fb);
	}
}

static void ev_arp(struct gen *g, int point, const struct vlan_tags *v)
{
	static const uint8_t zero_mac[6];
	struct frame_buf fb;
	int a, b, op;

	pick_pair(&a, &b);
	for (op = 1; op <= 2; op++) {
		const struct host *s = op == 1 ? &hosts[a] : &hosts[b];
		const struct host *t = op == 1 ? &hosts[b] : &hosts[a];

		fb.len = 0;
		put_eth(&fb, op == 1 ? bcast_mac : t->mac, s->mac, v, 0x0806);
		put16(&fb, 1);		/* Ethernet */
		put16(&fb, 0x0800);
		put8(&fb, 6);
		put8(&fb, 4);
		put16(&fb, (uint16_t)op);
		put_bytes(&fb, s->mac, 6);
		put_bytes(&fb, s->ip4, 4);
		put_bytes(&fb, op == 1 ? zero_mac : t->mac, 6);
		put_bytes(&fb, t->ip4, 4);
		emit(g, point, &fb);
	}
}

/* DNS question "hostNNNN.example.", type A, class IN. */
static void put_dns_question(struct frame_buf *fb, unsigned int n)
{
	char label[16];
	int len = snprintf(label, sizeof(label), "host%04u", n % 10000);

	put8(fb, (uint8_t)len);
	put_bytes(fb, label, (size_t)len);
	put8(fb, 7);
	put_bytes(fb, "example", 7);
	put8(fb, 0);
	put16(fb, 1);
	put16(fb, 1);
}

static void ev_dns(struct gen *g, int point, const struct vlan_tags *v)
{
	struct frame_buf fb;
	int a, b, dir;
	uint16_t id = ++g->dns_id;
	uint16_t sport = (uint16_t)(32768 + rng_below(28000));
	unsigned int name = rng_below(10000);

	pick_pair(&a, &b);
	for (dir = 0; dir < 2; dir++) {
		const struct host *s = dir ? &hosts[b] : &hosts[a];
		const struct host *d = dir ? &hosts[a] : &hosts[b];
		size_t ip, l4;

		fb.len = 0;
		put_eth(&fb, d->mac, s->mac, v, 0x0800);
		ip = put_ip4(&fb, s->ip4, d->ip4, 17, 64);
		l4 = fb.len;
		put16(&fb, dir ? 53 : sport);
		put16(&fb, dir ? sport : 53);
		put16(&fb, 0);		/* length, patched */
		put16(&fb, 0);		/* checksum, patched */
		put16(&fb, id);
		put16(&fb, dir ? 0x8180 : 0x0100);
		put16(&fb, 1);		/* qdcount */
		put16(&fb, dir ? 1 : 0);	/* ancount */
		put16(&fb, 0);
		put16(&fb, 0);
		put_dns_question(&fb, name);
		if (dir) {
			put16(&fb, 0xc00c);	/* pointer to the question */
			put16(&fb, 1);
			put16(&fb, 1);
			put32(&fb, 300);
			put16(&fb, 4);
			put8(&fb, 192);
			put8(&fb, 0);
			put8(&fb, 2);
			put8(&fb, (uint8_t)(name % 250 + 1));
		}
		set16(&fb, l4 + 4, (uint16_t)(fb.len - l4));
		finish_l4_ip4(&fb, ip, l4, 6);
		finish_ip4(&fb, ip);
		emit(g, point, &fb);
	}
}

enum { TCP_FIN = 1, TCP_SYN = 2, TCP_PSH = 8, TCP_ACK = 16 };

static void tcp_segment(struct gen *g, int point, const struct vlan_tags *v,
			const struct host *s, const struct host *d,
			uint16_t sport, uint16_t dport, uint32_t seq,
			uint32_t ack, uint8_t flags, uint32_t datalen)
{
	struct frame_buf fb;
	bool syn = flags & TCP_SYN;
	size_t ip, l4;
	uint32_t i;

	fb.len = 0;
	put_eth(&fb, d->mac, s->mac, v, 0x0800);
	ip = put_ip4(&fb, s->ip4, d->ip4, 6, 64);
	l4 = fb.len;
	put16(&fb, sport);
	put16(&fb, dport);
	put32(&fb, seq);
	put32(&fb, ack);
	put8(&fb, (uint8_t)((syn ? 8 : 5) << 4));	/* data offset */
	put8(&fb, flags);
	put16(&fb, 64240);
	put16(&fb, 0);			/* checksum, patched */
	put16(&fb, 0);
	if (syn) {
		/* MSS 1460, SACK permitted, NOP, window scale 7: 12 bytes */
		static const uint8_t opts[12] = { 2, 4, 0x05, 0xb4, 4, 2,
						  1, 1, 1, 3, 3, 7 };
		put_bytes(&fb, opts, sizeof(opts));
	}
	for (i = 0; i < datalen; i++)
		put8(&fb, (uint8_t)('a' + (seq + i) % 26));
	finish_l4_ip4(&fb, ip, l4, 16);
	finish_ip4(&fb, ip);
	emit(g, point, &fb);
}

/* A short connection: handshake, a request, a response. */
static void ev_tcp(struct gen *g, int point, const struct vlan_tags *v)
{
	const struct host *c, *s;
	uint32_t cseq = (uint32_t)rng_next(), sseq = (uint32_t)rng_next();
	uint32_t req = 40 + rng_below(160), resp = 200 + rng_below(1200);
	uint16_t cport = (uint16_t)(32768 + g->next_port++ % 28000);
	uint16_t sport = 5001;
	int a, b;

	pick_pair(&a, &b);
	c = &hosts[a];
	s = &hosts[b];
	tcp_segment(g, point, v, c, s, cport, sport, cseq, 0, TCP_SYN, 0);
	tcp_segment(g, point, v, s, c, sport, cport, sseq, cseq + 1,
		    TCP_SYN | TCP_ACK, 0);
	tcp_segment(g, point, v, c, s, cport, sport, cseq + 1, sseq + 1,
		    TCP_ACK, 0);
	tcp_segment(g, point, v, c, s, cport, sport, cseq + 1, sseq + 1,
		    TCP_PSH | TCP_ACK, req);
	tcp_segment(g, point, v, s, c, sport, cport, sseq + 1, cseq + 1 + req,
		    TCP_PSH | TCP_ACK, resp);
}

static void ev_icmp6_echo(struct gen *g, int point, const struct vlan_tags *v)
{
	struct frame_buf fb;
	int a, b, dir;
	uint16_t id, seq;
	uint64_t sent = g->ts_ns;

	pick_pair(&a, &b);
	id = (uint16_t)(0x6000 + a * 16 + b);
	seq = ++g->icmp6_seq[a][b];
	for (dir = 0; dir < 2; dir++) {
		const struct host *s = dir ? &hosts[b] : &hosts[a];
		const struct host *d = dir ? &hosts[a] : &hosts[b];
		size_t ip, l4;

		fb.len = 0;
		put_eth(&fb, d->mac, s->mac, v, 0x86dd);
		ip = put_ip6(&fb, s->ip6, d->ip6, 58, 64);
		l4 = fb.len;
		put8(&fb, dir ? 129 : 128);
		put8(&fb, 0);
		put16(&fb, 0);
		put16(&fb, id);
		put16(&fb, seq);
		put_ping_payload(&fb, sent);
		finish_ip6(&fb, ip, l4, 2);
		emit(g, point, &fb);
	}
}

/* Neighbour solicitation to the solicited-node group, then the advert. */
static void ev_icmp6_nd(struct gen *g, int point, const struct vlan_tags *v)
{
	struct frame_buf fb;
	int a, b;
	const struct host *s, *t;
	uint8_t snm_ip[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
			       0, 0, 0, 1, 0xff, 0, 0, 0 };
	uint8_t snm_mac[6] = { 0x33, 0x33, 0xff, 0, 0, 0 };
	size_t ip, l4;

	pick_pair(&a, &b);
	s = &hosts[a];
	t = &hosts[b];
	memcpy(snm_ip + 13, t->ip6 + 13, 3);
	memcpy(snm_mac + 3, t->ip6 + 13, 3);

	fb.len = 0;
	put_eth(&fb, snm_mac, s->mac, v, 0x86dd);
	ip = put_ip6(&fb, s->ip6, snm_ip, 58, 255);
	l4 = fb.len;
	put8(&fb, 135);
	put8(&fb, 0);
	put16(&fb, 0);
	put32(&fb, 0);
	put_bytes(&fb, t->ip6, 16);
	put8(&fb, 1);			/* source link-layer address */
	put8(&fb, 1);
	put_bytes(&fb, s->mac, 6);
	finish_ip6(&fb, ip, l4, 2);
	emit(g, point, &fb);

	fb.len = 0;
	put_eth(&fb, s->mac, t->mac, v, 0x86dd);
	ip = put_ip6(&fb, t->ip6, s->ip6, 58, 255);
	l4 = fb.len;
	put8(&fb, 136);
	put8(&fb, 0);
	put16(&fb, 0);
	put32(&fb, 0x60000000);		/* Solicited, Override */
	put_bytes(&fb, t->ip6, 16);
	put8(&fb, 2);			/* target link-layer address */
	put8(&fb, 1);
	put_bytes(&fb, t->mac, 6);
	finish_ip6(&fb, ip, l4, 2);
	emit(g, point, &fb);
}

/*
 * Event weights (percent). By frames: about a third ICMP echo, a third
 * TCP, the rest DNS, ICMPv6, ARP.
 */
static void generate(struct gen *g)
{
	struct vlan_tags v;

	while (g->want) {
		uint32_t r = rng_below(100);
		int point = (int)rng_below((uint32_t)g->w->npoints);

		pick_vlan(&v);
		if (r < 40)
			ev_icmp_echo(g, point, &v);
		else if (r < 46)
			ev_arp(g, point, &v);
		else if (r < 66)
			ev_dns(g, point, &v);
		else if (r < 80)
			ev_tcp(g, point, &v);
		else if (r < 92)
			ev_icmp6_echo(g, point, &v);
		else
			ev_icmp6_nd(g, point, &v);
	}
}

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: gen_capture [-n N] [-o FILE] [--pcapng] [--nsec] [--points K] [--seed S]\n"
		"  -n, --packets N   frames to write (default 3000000)\n"
		"  -o, --output FILE output file, - for stdout (default bench.pcap)\n"
		"      --pcapng      write pcapng instead of classic pcap\n"
		"      --nsec        nanosecond timestamps\n"
		"      --points K    spread frames over K points: K interfaces of one\n"
		"                    pcapng, or K pcap files FILE-p0 ... (default 1)\n"
		"      --seed S      PRNG seed (default 1); same seed, same bytes\n");
}

int main(int argc, char **argv)
{
	enum { OPT_PCAPNG = 256, OPT_NSEC, OPT_POINTS, OPT_SEED };
	static const struct option longopts[] = {
		{ "packets", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "pcapng", no_argument, NULL, OPT_PCAPNG },
		{ "nsec", no_argument, NULL, OPT_NSEC },
		{ "points", required_argument, NULL, OPT_POINTS },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct writer w = { .npoints = 1 };
	struct gen g = { .w = &w, .want = 3000000 };
	const char *out = "bench.pcap";
	uint64_t seed = 1;
	char *end;
	int c, ret;

	while ((c = getopt_long(argc, argv, "n:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			g.want = strtoull(optarg, &end, 10);
			if (*end || !*optarg || *optarg == '-') {
				fprintf(stderr, "gen_capture: bad -n '%s'\n", optarg);
				return 2;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case OPT_PCAPNG:
			w.pcapng = true;
			break;
		case OPT_NSEC:
			w.nsec = true;
			break;
		case OPT_POINTS:
			w.npoints = atoi(optarg);
			if (w.npoints < 1 || w.npoints > MAX_POINTS) {
				fprintf(stderr, "gen_capture: --points wants 1..%d\n",
					MAX_POINTS);
				return 2;
			}
			break;
		case OPT_SEED:
			seed = strtoull(optarg, &end, 0);
			if (*end || !*optarg) {
				fprintf(stderr, "gen_capture: bad --seed '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	rng_state = seed;
	hosts_init();
	g.ts_ns = START_SEC * 1000000000ULL;
	if (writer_open(&w, out)) {
		writer_close(&w);
		return 1;
	}
	generate(&g);
	ret = writer_close(&w);
	fprintf(stderr, "gen_capture: %" PRIu64 " frames, %" PRIu64
		" bytes of packet data, %d point(s), %s%s -> %s\n",
		w.frames, w.bytes, w.npoints, w.pcapng ? "pcapng" : "pcap",
		w.nsec ? " (ns)" : "", out);
	return ret ? 1 : 0;
}
