// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "common/cursor.h"
#include "live_link.h"

#define NL_BUF 32768

/* Copies a NUL-terminated string attribute through the cursor. */
static void attr_str(struct cursor *c, char *out, size_t outlen)
{
	uint32_t n = cur_left(c);
	const uint8_t *p = cur_peek(c, n);

	if (!p || !outlen)
		return;
	if (n >= outlen)
		n = (uint32_t)outlen - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	out[strnlen(out, n)] = '\0';
}

static uint32_t attr_u32(struct cursor *c)
{
	uint32_t v = 0;
	const uint8_t *p = cur_peek(c, 4);

	if (p)
		memcpy(&v, p, 4);	/* netlink attributes are host order */
	return v;
}

/*
 * Walks rtattrs in c, calling fn for each with a cursor narrowed to its
 * payload.  Malformed lengths end the walk.
 */
static void walk_attrs(struct cursor *c, void (*fn)(uint16_t type,
		       struct cursor *payload, struct link_info *li),
		       struct link_info *li)
{
	int guard = 0;

	while (cur_left(c) >= sizeof(struct rtattr) && guard++ < 1024) {
		struct rtattr ra;
		const uint8_t *p = cur_peek(c, sizeof(ra));
		struct cursor sub;
		uint32_t alen;

		memcpy(&ra, p, sizeof(ra));
		if (ra.rta_len < sizeof(ra) || ra.rta_len > cur_left(c))
			return;
		cur_init(&sub, p + sizeof(ra), ra.rta_len - sizeof(ra),
			 ra.rta_len - sizeof(ra));
		fn(ra.rta_type & NLA_TYPE_MASK, &sub, li);
		alen = RTA_ALIGN(ra.rta_len);
		if (alen > cur_left(c))
			return;
		c->off += alen;
	}
}

static void linkinfo_attr(uint16_t type, struct cursor *p, struct link_info *li)
{
	if (type == IFLA_INFO_KIND)
		attr_str(p, li->kind, sizeof(li->kind));
	else if (type == IFLA_INFO_SLAVE_KIND)
		attr_str(p, li->slave_kind, sizeof(li->slave_kind));
}

static void xdp_attr(uint16_t type, struct cursor *p, struct link_info *li)
{
	/*
	 * IFLA_XDP_PROG_ID is absent when programs sit in more than one mode:
	 * the per-mode ids then say that the slot is taken.
	 */
	if (type == IFLA_XDP_PROG_ID ||
	    ((type == IFLA_XDP_SKB_PROG_ID || type == IFLA_XDP_DRV_PROG_ID ||
	      type == IFLA_XDP_HW_PROG_ID) && !li->xdp_prog_id))
		li->xdp_prog_id = attr_u32(p);
}

static void link_attr(uint16_t type, struct cursor *p, struct link_info *li)
{
	switch (type) {
	case IFLA_IFNAME:
		attr_str(p, li->ifname, sizeof(li->ifname));
		break;
	case IFLA_MASTER:
		li->master = attr_u32(p);
		break;
	case IFLA_MTU:
		li->mtu = attr_u32(p);
		break;
	case IFLA_LINKINFO:
		walk_attrs(p, linkinfo_attr, li);
		break;
	case IFLA_XDP:
		walk_attrs(p, xdp_attr, li);
		break;
	}
}

int link_parse_msg(const uint8_t *buf, size_t len, struct link_info *li,
		   uint16_t *type)
{
	struct cursor c;
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	const uint8_t *p;

	cur_init(&c, buf, (uint32_t)len, (uint32_t)len);
	p = cur_peek(&c, sizeof(nh));
	if (!p)
		return -EPROTO;
	memcpy(&nh, p, sizeof(nh));
	if (nh.nlmsg_len < sizeof(nh) || nh.nlmsg_len > len)
		return -EPROTO;
	if (nh.nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr e;

		c.off += sizeof(nh);
		p = cur_peek(&c, sizeof(e));
		if (!p)
			return -EPROTO;
		memcpy(&e, p, sizeof(e));
		return e.error ? e.error : -EPROTO;
	}
	if (nh.nlmsg_type != RTM_NEWLINK && nh.nlmsg_type != RTM_DELLINK)
		return -EPROTO;
	*type = nh.nlmsg_type;
	memset(li, 0, sizeof(*li));
	cur_init(&c, buf + sizeof(nh), nh.nlmsg_len - sizeof(nh),
		 nh.nlmsg_len - sizeof(nh));
	p = cur_peek(&c, sizeof(ifi));
	if (!p)
		return -EPROTO;
	memcpy(&ifi, p, sizeof(ifi));
	li->ifindex = (uint32_t)ifi.ifi_index;
	li->type = ifi.ifi_type;
	li->flags = ifi.ifi_flags;
	c.off += NLMSG_ALIGN(sizeof(ifi));
	if (c.off > c.cap)
		return -EPROTO;
	walk_attrs(&c, link_attr, li);
	return 0;
}

static int parse_reply(const uint8_t *buf, size_t len, struct link_info *li)
{
	uint16_t type = 0;
	int ret = link_parse_msg(buf, len, li, &type);

	return ret ? ret : type == RTM_NEWLINK ? 0 : -EPROTO;
}

int link_query(uint32_t ifindex, const char *ifname, struct link_info *li)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		char attrs[64];
	} req;
	static uint8_t buf[NL_BUF];
	struct rtattr *ra;
	ssize_t n;
	int fd, ret;

	memset(li, 0, sizeof(*li));
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = 1;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = (int)ifindex;
	if (!ifindex) {
		size_t l = strlen(ifname) + 1;

		if (l > IFNAMSIZ)
			return -ENODEV;
		ra = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
		ra->rta_type = IFLA_IFNAME;
		ra->rta_len = (unsigned short)RTA_LENGTH(l);
		memcpy(RTA_DATA(ra), ifname, l);
		req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(ra->rta_len);
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		ret = -errno;
		goto cleanup;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		ret = -errno;
		goto cleanup;
	}
	ret = parse_reply(buf, (size_t)n, li);
cleanup:
	close(fd);
	return ret;
}

enum point_kind link_point_kind(const struct link_info *li)
{
	if (li->flags & IFF_LOOPBACK)
		return POINT_KIND_LOOPBACK;
	if (!strcmp(li->kind, "tun"))
		return POINT_KIND_TAP;
	if (!strcmp(li->kind, "veth"))
		return POINT_KIND_VETH;
	if (!strcmp(li->kind, "bridge"))
		return POINT_KIND_BRIDGE;
	if (!strcmp(li->slave_kind, "bridge"))
		return POINT_KIND_BRIDGE_PORT;
	if (!li->kind[0] && li->type == ARPHRD_ETHER)
		return POINT_KIND_PHYSICAL;
	return POINT_KIND_OTHER;
}
