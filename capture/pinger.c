// SPDX-License-Identifier: GPL-2.0
/*
 * Echo probes from a raw socket opened in another netns (see pinger.h).
 */
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

#include "netns.h"
#include "pinger.h"

#define ICMP_HDR_LEN 8

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

/* Nothing needs to be read from the socket: let no ICMP type queue up. */
static void block_all_input(int fd, int family)
{
	if (family == 4) {
		struct icmp_filter f = { .data = ~0u };

		setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
	} else {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
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
		block_all_input(p->fd, p->family);
	else
		bind_id(p);
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
	if (!p->pkt) {
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

/* A datagram socket queues our replies: take them, so none is dropped. */
void pinger_drain(struct pinger *p)
{
	uint8_t buf[256];
	int i;

	for (i = 0; p->dgram && i < 1024; i++)
		if (recv(p->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC) < 0)
			break;
}

int pinger_send(struct pinger *p, uint16_t seq, uint64_t now_ns)
{
	ssize_t n;

	pinger_drain(p);
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

void pinger_close(struct pinger *p)
{
	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	free(p->pkt);
	free(p);
}
