// SPDX-License-Identifier: GPL-2.0
/*
 * Echo probes from a raw socket opened in another netns (see pinger.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <time.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "common/cursor.h"
#include "netns.h"
#include "pinger.h"

#define ICMP_HDR_LEN 8
#define IP4_HDR_LEN 20
#define IP6_HDR_LEN 40
/* room in front of a received ICMP message for the IP header we write */
#define RX_HEAD IP6_HDR_LEN

struct pinger {
	int fd;
	int family;
	union {
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} dst;
	socklen_t dst_len;
	bool dgram;		/* ICMP datagram ("ping") socket, else raw */
	uint16_t id;
	uint8_t tag[PINGER_TAG_LEN];	/* this session's, in every probe */
	uint32_t size;
	uint8_t *pkt;		/* ICMP header + data */
	uint8_t *rx;		/* a received reply, IP header first */
	size_t rx_cap;
};

static int parse_target(struct pinger *p, const char *target, char *err,
			size_t errlen)
{
	memset(&p->dst, 0, sizeof(p->dst));
	if (inet_pton(AF_INET, target, &p->dst.in4.sin_addr) == 1) {
		p->dst.in4.sin_family = AF_INET;
		p->dst_len = sizeof(p->dst.in4);
		p->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, target, &p->dst.in6.sin6_addr) == 1) {
		p->dst.in6.sin6_family = AF_INET6;
		p->dst_len = sizeof(p->dst.in6);
		p->family = 6;
		return 0;
	}
	snprintf(err, errlen, "--ping wants an IPv4 or IPv6 address, not '%s'",
		 target);
	return -EINVAL;
}

/* A raw socket reads echo replies only: no other ICMP type queues up. */
static void pass_replies_only(int fd, int family)
{
	if (family == 4) {
		struct icmp_filter f = { .data = ~(1u << ICMP_ECHOREPLY) };

		setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
	} else {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	}
}

/*
 * What a received reply needs to be written as the packet it was: the
 * kernel's receive time, and (where the socket gives no IP header) the
 * addresses it was sent to and its TTL.  Best effort: a kernel without one
 * of them leaves that field plain.
 */
static void ask_metadata(int fd, int family, bool dgram)
{
	int on = 1;

	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
	if (family == 4 && dgram) {
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
		setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on));
	} else if (family == 6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on,
			   sizeof(on));
	}
}

/* The netns of from, resolved as a capture point's would be. */
static int from_path(const char *from, char *path, size_t len, char *err,
		     size_t errlen)
{
	struct if_target t;
	char spec[NETNS_PATH_MAX + 8];
	int ret;

	path[0] = '\0';
	if (!from || !*from)
		return 0;
	/* "lo" only completes the point syntax; the netns is what counts */
	snprintf(spec, sizeof(spec), "%s/lo", from);
	ret = netns_parse_target(spec, &t, err, errlen);
	if (ret)
		return ret;
	snprintf(path, len, "%s", t.netns_path);
	return 0;
}

/*
 * An ICMP datagram socket when the netns allows it (net.ipv4.
 * ping_group_range): the kernel hands the replies to it, where a raw
 * socket's replies also end in ping_rcv() finding no socket, a kernel drop
 * (NO_SOCKET) of every answered probe.  Raw otherwise (root, CAP_NET_RAW).
 */
static int make_socket(struct pinger *p)
{
	int dom = p->family == 4 ? AF_INET : AF_INET6;
	int proto = p->family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	int flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
	int fd;

	fd = socket(dom, SOCK_DGRAM | flags, proto);
	if (fd >= 0) {
		p->dgram = true;
		return fd;
	}
	return socket(dom, SOCK_RAW | flags, proto);
}

/*
 * A datagram socket's echo id is its local "port": bound to the session's
 * random id, so the wire carries it as a raw socket's probes do.  Taken
 * (another session drew the same), the kernel's choice is read back.
 */
static void bind_id(struct pinger *p)
{
	union {
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} a;
	socklen_t len;

	memset(&a, 0, sizeof(a));
	if (p->family == 4) {
		a.in4.sin_family = AF_INET;
		a.in4.sin_port = htons(p->id);
		len = sizeof(a.in4);
	} else {
		a.in6.sin6_family = AF_INET6;
		a.in6.sin6_port = htons(p->id);
		len = sizeof(a.in6);
	}
	if (bind(p->fd, (struct sockaddr *)&a, len) == 0)
		return;
	len = sizeof(a);
	if (getsockname(p->fd, (struct sockaddr *)&a, &len) == 0)
		p->id = ntohs(p->family == 4 ? a.in4.sin_port : a.in6.sin6_port);
}

/*
 * The session's identity on the wire: a random echo id and a random tag in
 * the data, so two sessions (two operators, a script and a person) never
 * take each other's probes for their own.
 */
static void draw_identity(struct pinger *p)
{
	uint8_t r[2 + PINGER_TAG_LEN];
	size_t i;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		/* no entropy yet: pid and clock still differ per session */
		uint64_t x = (uint64_t)getpid() * 0x9e3779b97f4a7c15ull ^
			     (uint64_t)clock();

		for (i = 0; i < sizeof(r); i++, x = x * 6364136223846793005ull + 1)
			r[i] = (uint8_t)(x >> 56);
	}
	p->id = (uint16_t)(r[0] << 8 | r[1]);
	memcpy(p->tag, r + 2, PINGER_TAG_LEN);
}

static int open_socket(struct pinger *p, const char *from, char *err,
		       size_t errlen)
{
	char path[NETNS_PATH_MAX];
	int saved, ret, e;

	ret = from_path(from, path, sizeof(path), err, errlen);
	if (ret)
		return ret;
	ret = netns_enter(path, &saved, err, errlen);
	if (ret)
		return ret;
	p->fd = make_socket(p);
	e = errno;
	/* back home before anything else can fail */
	if (netns_leave(saved)) {
		snprintf(err, errlen, "cannot return to our own netns");
		return -EIO;
	}
	if (p->fd < 0) {
		snprintf(err, errlen, "cannot open an ICMP raw socket%s%s: %s%s",
			 path[0] ? " in " : "", from ? from : "", strerror(e),
			 e == EPERM ? " (needs CAP_NET_RAW)" : "");
		return -e;
	}
	if (!p->dgram)
		pass_replies_only(p->fd, p->family);
	else
		bind_id(p);
	ask_metadata(p->fd, p->family, p->dgram);
	return 0;
}

int pinger_open(const char *target, const char *from, uint32_t size,
		struct pinger **out, char *err, size_t errlen)
{
	struct pinger *p;
	int ret;

	*out = NULL;
	if (size > PINGER_SIZE_MAX) {
		snprintf(err, errlen, "probe size %u is above %u", size,
			 PINGER_SIZE_MAX);
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->fd = -1;
	p->size = size;
	draw_identity(p);
	p->pkt = calloc(1, ICMP_HDR_LEN + size);
	/* a reply as large as the probe, or anything up to a full frame */
	p->rx_cap = RX_HEAD + ICMP_HDR_LEN + (size > 1500 ? size : 1500);
	p->rx = malloc(p->rx_cap);
	if (!p->pkt || !p->rx) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = parse_target(p, target, err, errlen);
	if (ret)
		goto fail;
	ret = open_socket(p, from, err, errlen);
	if (ret)
		goto fail;
	*out = p;
	return 0;
fail:
	pinger_close(p);
	return ret;
}

static uint16_t inet_csum(const uint8_t *b, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put_be(uint8_t *b, uint64_t v, int n)
{
	while (n--) {
		b[n] = (uint8_t)v;
		v >>= 8;
	}
}

/*
 * "dropspot" + the session's tag + send time + seq + pattern: every
 * probe's data differs, so the engine's payload hash tells even reused
 * sequence numbers apart, and the first 16 bytes say whose it is.
 */
static void build(struct pinger *p, uint16_t seq, uint64_t now_ns)
{
	uint8_t data[PINGER_OWN_LEN + 10], *d = p->pkt + ICMP_HDR_LEN;
	uint32_t i, n;
	uint16_t sum;

	memcpy(data, PINGER_MAGIC, 8);
	memcpy(data + 8, p->tag, PINGER_TAG_LEN);
	put_be(data + PINGER_OWN_LEN, now_ns, 8);
	put_be(data + PINGER_OWN_LEN + 8, seq, 2);
	n = p->size < sizeof(data) ? p->size : (uint32_t)sizeof(data);
	memcpy(d, data, n);
	for (i = n; i < p->size; i++)
		d[i] = (uint8_t)i;
	p->pkt[0] = p->family == 4 ? 8 : 128;	/* echo request */
	p->pkt[1] = 0;
	put_be(p->pkt + 2, 0, 2);
	put_be(p->pkt + 4, p->id, 2);
	put_be(p->pkt + 6, seq, 2);
	/* a datagram socket sets the id and checksum itself */
	if (p->family == 4 && !p->dgram) {
		sum = inet_csum(p->pkt, ICMP_HDR_LEN + p->size);
		put_be(p->pkt + 2, sum, 2);
	}
	/* ICMPv6: the kernel fills the checksum (it covers the pseudo header) */
}

int pinger_send(struct pinger *p, uint16_t seq, uint64_t now_ns)
{
	ssize_t n;

	build(p, seq, now_ns);
	n = sendto(p->fd, p->pkt, ICMP_HDR_LEN + p->size, 0,
		   (const struct sockaddr *)&p->dst, p->dst_len);
	if (n < 0)
		return -errno;
	return 0;
}

const char *pinger_kind(const struct pinger *p)
{
	return p->dgram ? "ping socket" : "raw socket";
}

int pinger_family(const struct pinger *p)
{
	return p->family;
}

size_t pinger_own_prefix(const struct pinger *p, uint8_t *out)
{
	if (p->size < PINGER_OWN_LEN)
		return 0;
	memcpy(out, PINGER_MAGIC, 8);
	memcpy(out + 8, p->tag, PINGER_TAG_LEN);
	return PINGER_OWN_LEN;
}

/* ---- replies: what the socket received ------------------------------- */

struct rx_meta {
	uint64_t ts_ns;
	uint8_t src[16], dst[16];
	bool have_dst;
	int ttl;
};

static void read_cmsgs(struct msghdr *m, int family, struct rx_meta *rm)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			rm->ts_ns = (uint64_t)ts.tv_sec * 1000000000ull +
				    (uint64_t)ts.tv_nsec;
		} else if (family == 4 && c->cmsg_level == IPPROTO_IP &&
			   c->cmsg_type == IP_PKTINFO &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			memcpy(rm->dst, &pi.ipi_addr, 4);
			rm->have_dst = true;
		} else if (family == 4 && c->cmsg_level == IPPROTO_IP &&
			   c->cmsg_type == IP_TTL &&
			   c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&rm->ttl, CMSG_DATA(c), sizeof(int));
		} else if (family == 6 && c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_PKTINFO &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			memcpy(rm->dst, &pi.ipi6_addr, 16);
			rm->have_dst = true;
		} else if (family == 6 && c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_HOPLIMIT &&
			   c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&rm->ttl, CMSG_DATA(c), sizeof(int));
		}
	}
}

static uint32_t sum16(const uint8_t *b, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * The IP header the socket did not hand us, written in front of the ICMP
 * message at icmp (RX_HEAD bytes of room before it): the reply as it
 * arrived, to the address it was sent to.  The kernel checked the
 * checksums before delivering it, so they are written valid.
 */
static uint8_t *put_ip_header(const struct pinger *p, uint8_t *icmp,
			      size_t n, const struct rx_meta *rm)
{
	uint8_t *h;

	put_be(icmp + 2, 0, 2);
	if (p->family == 4) {
		h = icmp - IP4_HDR_LEN;
		memset(h, 0, IP4_HDR_LEN);
		h[0] = 0x45;
		put_be(h + 2, IP4_HDR_LEN + n, 2);
		h[8] = (uint8_t)(rm->ttl > 0 && rm->ttl < 256 ? rm->ttl : 64);
		h[9] = IPPROTO_ICMP;
		memcpy(h + 12, rm->src, 4);
		memcpy(h + 16, rm->dst, 4);
		put_be(h + 10, fold(sum16(h, IP4_HDR_LEN, 0)), 2);
		put_be(icmp + 2, fold(sum16(icmp, n, 0)), 2);
		return h;
	}
	h = icmp - IP6_HDR_LEN;
	memset(h, 0, IP6_HDR_LEN);
	h[0] = 0x60;
	put_be(h + 4, n, 2);
	h[6] = IPPROTO_ICMPV6;
	h[7] = (uint8_t)(rm->ttl > 0 && rm->ttl < 256 ? rm->ttl : 64);
	memcpy(h + 8, rm->src, 16);
	memcpy(h + 24, rm->dst, 16);
	/* pseudo header: addresses, length, next header */
	put_be(icmp + 2, fold(sum16(icmp, n, sum16(h + 8, 32, 0) +
				    (uint32_t)n + IPPROTO_ICMPV6)), 2);
	return h;
}

/*
 * Ours: an echo reply with our id and, where probes carry it, our tag;
 * read through the cursor, as every received byte is.  *seq gets its
 * sequence number.
 */
static bool is_our_reply(const struct pinger *p, const uint8_t *icmp,
			 size_t n, uint16_t *seq)
{
	uint8_t reply = p->family == 4 ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY;
	uint8_t type, code, own[PINGER_OWN_LEN];
	uint16_t id;
	struct cursor c;

	cur_init(&c, icmp, (uint32_t)n, (uint32_t)n);
	if (!cur_u8(&c, &type) || !cur_u8(&c, &code) || !cur_skip(&c, 2) ||
	    !cur_be16(&c, &id) || !cur_be16(&c, seq))
		return false;
	if (type != reply || code || id != p->id)
		return false;
	if (p->size < PINGER_OWN_LEN)
		return true;
	return cur_bytes(&c, own, sizeof(own)) &&
	       !memcmp(own, PINGER_MAGIC, 8) &&
	       !memcmp(own + 8, p->tag, PINGER_TAG_LEN);
}

int pinger_recv(struct pinger *p, struct pinger_reply *r)
{
	union {
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} from;
	uint8_t ctl[512], *icmp = p->rx + RX_HEAD;
	struct rx_meta rm = { 0 };
	struct cursor c;
	uint8_t vihl;
	struct iovec iov;
	struct msghdr m;
	ssize_t n;

	for (;;) {
		iov.iov_base = icmp;
		iov.iov_len = p->rx_cap - RX_HEAD;
		memset(&m, 0, sizeof(m));
		m.msg_name = &from;
		m.msg_namelen = sizeof(from);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = ctl;
		m.msg_controllen = sizeof(ctl);
		n = recvmsg(p->fd, &m, MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		/* a reply cut short by our buffer is not one we sent */
		if (m.msg_flags & MSG_TRUNC)
			continue;
		memset(&rm, 0, sizeof(rm));
		read_cmsgs(&m, p->family, &rm);
		if (p->family == 4 && !p->dgram) {
			/* a raw IPv4 socket hands the IP header too */
			size_t ihl;

			cur_init(&c, icmp, (uint32_t)n, (uint32_t)n);
			if (!cur_u8(&c, &vihl))
				continue;
			ihl = (size_t)(vihl & 0x0f) * 4;
			if (ihl < IP4_HDR_LEN || (size_t)n < ihl ||
			    !is_our_reply(p, icmp + ihl, (size_t)n - ihl,
					  &r->seq))
				continue;
			r->pkt = icmp;
		} else {
			if (!is_our_reply(p, icmp, (size_t)n, &r->seq) ||
			    (p->dgram && p->family == 4 && !rm.have_dst) ||
			    (p->family == 6 && !rm.have_dst))
				continue;
			if (p->family == 4)
				memcpy(rm.src, &from.in4.sin_addr, 4);
			else
				memcpy(rm.src, &from.in6.sin6_addr, 16);
			r->pkt = put_ip_header(p, icmp, (size_t)n, &rm);
		}
		r->len = (uint32_t)(icmp + n - r->pkt);
		r->ts_ns = rm.ts_ns;
		return 1;
	}
}

void pinger_close(struct pinger *p)
{
	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	free(p->pkt);
	free(p->rx);
	free(p);
}
