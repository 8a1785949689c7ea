/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a live point is, asked from rtnetlink in the calling thread's netns
 * (sysfs would show the netns sysfs was mounted in, not the one we are in).
 */
#ifndef DROPSPOT_LIVE_LINK_H
#define DROPSPOT_LIVE_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "common/point.h"

struct link_info {
	uint32_t ifindex;
	char ifname[16];
	char kind[32];		/* IFLA_INFO_KIND: "veth", "tun", "bridge" */
	char slave_kind[32];	/* IFLA_INFO_SLAVE_KIND: "bridge" for ports */
	uint32_t master;	/* IFLA_MASTER ifindex, 0 = none */
	uint16_t type;		/* ARPHRD_* */
	uint32_t flags;		/* IFF_* */
	uint32_t mtu;
	uint32_t xdp_prog_id;	/* program in the XDP slot, 0 = free */
};

/* Looks a link up by index (ifindex != 0) or by name; -ENODEV if absent. */
int link_query(uint32_t ifindex, const char *ifname, struct link_info *li);

/*
 * One rtnetlink message (buf, len: from its nlmsghdr on) of a link:
 * RTM_NEWLINK or RTM_DELLINK (*type), into li; the kernel's error, or
 * -EPROTO for anything else or a malformed message.
 */
int link_parse_msg(const uint8_t *buf, size_t len, struct link_info *li,
		   uint16_t *type);

/* Point kind from the link's type, kind and master. */
enum point_kind link_point_kind(const struct link_info *li);

#endif /* DROPSPOT_LIVE_LINK_H */
