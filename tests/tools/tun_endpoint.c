// SPDX-License-Identifier: GPL-2.0
/*
 * tun_endpoint: a tunnel endpoint in user space, for the netns lab on kernels
 * without the geneve, gre or ipip modules (this one has none of them).
 *
 *   tun_endpoint geneve|gretap|ipip DEV LOCAL REMOTE ID
 *
 * Creates DEV in the caller's netns (a tap for geneve and gretap: Ethernet
 * inside; a tun for ipip: IPv4 inside) and carries what the kernel routes
 * into it to REMOTE over the underlay, encapsulated as the kernel's own
 * device would: Geneve over UDP 6081 with VNI ID, GRE with key ID and
 * protocol 0x6558 (gretap), or IP in IP.  What arrives from REMOTE is taken
 * out of its tunnel and written to DEV.  So the underlay carries real
 * tunnel packets through the real kernel (routing, firewall, PMTU), as with
 * a user-space VTEP (OVS-DPDK, a VPP host); only the encapsulation itself is
 * not the kernel's.  Prints "ready" once DEV exists; killing the process
 * removes DEV.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_tun.h>

#define GENEVE_PORT 6081
#define ETH_P_TEB 0x6558	/* transparent Ethernet bridging */
#define GRE_F_KEY 0x2000
#define FRAME_MAX 65536

enum kind { K_GENEVE, K_GRETAP, K_IPIP };

struct endpoint {
	enum kind kind;
	int dev;		/* tap or tun */
	int sock;		/* UDP (geneve) or raw (gre, ipip) */
	struct sockaddr_in remote;
	uint32_t id;		/* VNI or GRE key */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static int dev_open(const char *name, bool tap)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "tun_endpoint: /dev/net/tun: %s\n",
			strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = (tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "tun_endpoint: TUNSETIFF %s: %s\n", name,
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int sock_open(struct endpoint *ep, const char *local)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int proto = ep->kind == K_GRETAP ? IPPROTO_GRE : IPPROTO_IPIP;
	int df = IP_PMTUDISC_PROBE;

	if (inet_pton(AF_INET, local, &sin.sin_addr) != 1) {
		fprintf(stderr, "tun_endpoint: bad local address %s\n", local);
		return -1;
	}
	if (ep->kind == K_GENEVE) {
		ep->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		sin.sin_port = htons(GENEVE_PORT);
		ep->remote.sin_port = htons(GENEVE_PORT);
	} else {
		ep->sock = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, proto);
	}
	/*
	 * As a kernel tunnel does: the outer packet leaves whole, with DF,
	 * never fragmented here; what the underlay cannot take it loses.
	 */
	if (ep->sock >= 0)
		setsockopt(ep->sock, IPPROTO_IP, IP_MTU_DISCOVER, &df,
			   sizeof(df));
	if (ep->sock < 0 ||
	    bind(ep->sock, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		fprintf(stderr, "tun_endpoint: socket on %s: %s\n", local,
			strerror(errno));
		return -1;
	}
	return 0;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The tunnel header before an inner frame of DEV; its length. */
static size_t encap_header(const struct endpoint *ep, uint8_t *h)
{
	switch (ep->kind) {
	case K_GENEVE:
		/* version 0, no options, protocol, VNI, reserved */
		memset(h, 0, 8);
		put_be16(h + 2, ETH_P_TEB);
		h[4] = (uint8_t)(ep->id >> 16);
		h[5] = (uint8_t)(ep->id >> 8);
		h[6] = (uint8_t)ep->id;
		return 8;
	case K_GRETAP:
		put_be16(h, GRE_F_KEY);
		put_be16(h + 2, ETH_P_TEB);
		h[4] = (uint8_t)(ep->id >> 24);
		h[5] = (uint8_t)(ep->id >> 16);
		h[6] = (uint8_t)(ep->id >> 8);
		h[7] = (uint8_t)ep->id;
		return 8;
	case K_IPIP:
		break;
	}
	return 0;
}

static void dev_to_tunnel(struct endpoint *ep, uint8_t *buf)
{
	size_t hl = encap_header(ep, buf);
	ssize_t n = read(ep->dev, buf + hl, FRAME_MAX - hl);

	if (n <= 0)
		return;
	/* a send that fails (too big, no route) is the kernel's to count */
	sendto(ep->sock, buf, hl + (size_t)n, 0,
	       (struct sockaddr *)&ep->remote, sizeof(ep->remote));
}

/*
 * The inner frame of a packet from the tunnel socket, or NULL when it is not
 * this tunnel's (another source, another VNI or key, a header we do not
 * write).  Raw sockets see the outer IPv4 header; UDP ones only the payload.
 */
static const uint8_t *decap(const struct endpoint *ep, const uint8_t *p,
			    size_t n, const struct sockaddr_in *from,
			    size_t *inner)
{
	size_t ihl, off;

	if (from->sin_addr.s_addr != ep->remote.sin_addr.s_addr)
		return NULL;
	if (ep->kind == K_GENEVE) {
		/* version 0, protocol TEB, our VNI; options skipped */
		if (n < 8 || (p[0] >> 6) != 0 ||
		    ((uint32_t)p[4] << 16 | (uint32_t)p[5] << 8 | p[6]) != ep->id)
			return NULL;
		off = 8 + (size_t)(p[0] & 0x3f) * 4;
	} else {
		if (n < 20 || (p[0] >> 4) != 4)
			return NULL;
		ihl = (size_t)(p[0] & 0x0f) * 4;
		if (ihl < 20 || ihl > n)
			return NULL;
		off = ihl;
		if (ep->kind == K_GRETAP) {
			if (n < ihl + 8 || p[ihl] != 0x20 || p[ihl + 1] != 0 ||
			    p[ihl + 2] != 0x65 || p[ihl + 3] != 0x58 ||
			    ((uint32_t)p[ihl + 4] << 24 |
			     (uint32_t)p[ihl + 5] << 16 |
			     (uint32_t)p[ihl + 6] << 8 | p[ihl + 7]) != ep->id)
				return NULL;
			off = ihl + 8;
		}
	}
	if (off > n)
		return NULL;
	*inner = n - off;
	return p + off;
}

static void tunnel_to_dev(struct endpoint *ep, uint8_t *buf)
{
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	const uint8_t *in;
	size_t inner;
	ssize_t n = recvfrom(ep->sock, buf, FRAME_MAX, 0,
			     (struct sockaddr *)&from, &fl);

	if (n <= 0)
		return;
	in = decap(ep, buf, (size_t)n, &from, &inner);
	if (in && inner && write(ep->dev, in, inner) < 0)
		fprintf(stderr, "tun_endpoint: write: %s\n", strerror(errno));
}

static int parse_args(int argc, char **argv, struct endpoint *ep)
{
	char *end;

	if (argc != 6) {
		fprintf(stderr, "usage: tun_endpoint geneve|gretap|ipip DEV "
			"LOCAL REMOTE ID\n");
		return -1;
	}
	if (!strcmp(argv[1], "geneve"))
		ep->kind = K_GENEVE;
	else if (!strcmp(argv[1], "gretap"))
		ep->kind = K_GRETAP;
	else if (!strcmp(argv[1], "ipip"))
		ep->kind = K_IPIP;
	else {
		fprintf(stderr, "tun_endpoint: unknown kind %s\n", argv[1]);
		return -1;
	}
	ep->remote.sin_family = AF_INET;
	if (inet_pton(AF_INET, argv[4], &ep->remote.sin_addr) != 1) {
		fprintf(stderr, "tun_endpoint: bad remote %s\n", argv[4]);
		return -1;
	}
	ep->id = (uint32_t)strtoul(argv[5], &end, 0);
	if (*end || (ep->kind == K_GENEVE && ep->id > 0xffffff)) {
		fprintf(stderr, "tun_endpoint: bad id %s\n", argv[5]);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct endpoint ep = { .dev = -1, .sock = -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct pollfd pfd[2];
	uint8_t *buf = NULL;
	int status = 1;

	if (parse_args(argc, argv, &ep))
		return 2;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	buf = malloc(FRAME_MAX);
	ep.dev = dev_open(argv[2], ep.kind != K_IPIP);
	if (!buf || ep.dev < 0 || sock_open(&ep, argv[3]))
		goto cleanup;
	printf("ready\n");
	fflush(stdout);
	pfd[0] = (struct pollfd){ .fd = ep.dev, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = ep.sock, .events = POLLIN };
	while (!stop) {
		if (poll(pfd, 2, 200) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "tun_endpoint: poll: %s\n",
				strerror(errno));
			goto cleanup;
		}
		if (pfd[0].revents & POLLIN)
			dev_to_tunnel(&ep, buf);
		if (pfd[1].revents & POLLIN)
			tunnel_to_dev(&ep, buf);
	}
	status = 0;
cleanup:
	if (ep.sock >= 0)
		close(ep.sock);
	if (ep.dev >= 0)
		close(ep.dev);
	free(buf);
	return status;
}
