// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "common/log.h"
#include "common/cursor.h"
#include "linkwatch.h"
#include "netns.h"

#define LW_BUF 65536
/* Messages handled per read of one socket: a storm cannot hold us. */
#define LW_MAX_MSGS 4096

struct lw_ns {
	dev_t dev;
	ino_t ino;
	int fd;
};

struct linkwatch {
	struct lw_ns ns[LINKWATCH_MAX_NS];
	size_t n;
	uint8_t buf[LW_BUF];
};

struct linkwatch *linkwatch_new(void)
{
	return calloc(1, sizeof(struct linkwatch));
}

static int open_socket(void)
{
	struct sockaddr_nl sa;
	int fd, ret;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_LINK;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

int linkwatch_add(struct linkwatch *lw, const char *netns_path, dev_t ns_dev,
		  ino_t ns_ino, char *err, size_t errlen)
{
	int saved = -1, fd, ret;
	size_t i;

	for (i = 0; i < lw->n; i++)
		if (lw->ns[i].dev == ns_dev && lw->ns[i].ino == ns_ino)
			return 0;
	if (lw->n == LINKWATCH_MAX_NS) {
		snprintf(err, errlen, "too many netns to follow");
		return -ENOSPC;
	}
	ret = netns_enter(netns_path, &saved, err, errlen);
	if (ret)
		return ret;
	fd = open_socket();
	if (netns_leave(saved)) {
		/* Continuing in a foreign netns would be silently wrong. */
		log_error("cannot return to the original netns: %s",
			  strerror(errno));
		abort();
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot open an rtnetlink socket: %s",
			 strerror(-fd));
		return fd;
	}
	lw->ns[lw->n].dev = ns_dev;
	lw->ns[lw->n].ino = ns_ino;
	lw->ns[lw->n].fd = fd;
	lw->n++;
	return 0;
}

/* Every message of one datagram, each bounded by what is left of it. */
static void read_msgs(const struct lw_ns *ns, const uint8_t *buf, size_t len,
		      linkwatch_fn fn, void *ctx)
{
	struct cursor c;
	unsigned int guard = 0;

	cur_init(&c, buf, (uint32_t)len, (uint32_t)len);
	while (cur_left(&c) >= sizeof(struct nlmsghdr) && guard++ < LW_MAX_MSGS) {
		const uint8_t *p = cur_peek(&c, sizeof(struct nlmsghdr));
		struct nlmsghdr nh;
		struct link_info li;
		uint16_t type;
		uint32_t step;

		memcpy(&nh, p, sizeof(nh));
		if (nh.nlmsg_len < sizeof(nh) || nh.nlmsg_len > cur_left(&c))
			return;
		if (!link_parse_msg(p, nh.nlmsg_len, &li, &type))
			fn(ctx, ns->dev, ns->ino, type == RTM_NEWLINK, &li);
		step = NLMSG_ALIGN(nh.nlmsg_len);
		if (step > cur_left(&c))
			return;
		c.off += step;
	}
}

int linkwatch_read(struct linkwatch *lw, linkwatch_fn fn, void *ctx)
{
	int ret = 0;
	size_t i;

	for (i = 0; lw && i < lw->n; i++) {
		unsigned int k;

		for (k = 0; k < LW_MAX_MSGS; k++) {
			ssize_t n = recv(lw->ns[i].fd, lw->buf, sizeof(lw->buf),
					 MSG_DONTWAIT);

			if (n < 0) {
				if (errno == ENOBUFS)
					ret = -ENOBUFS;
				else if (errno == EINTR)
					continue;
				break;
			}
			read_msgs(&lw->ns[i], lw->buf, (size_t)n, fn, ctx);
		}
	}
	return ret;
}

void linkwatch_free(struct linkwatch *lw)
{
	size_t i;

	if (!lw)
		return;
	for (i = 0; i < lw->n; i++)
		close(lw->ns[i].fd);
	free(lw);
}
