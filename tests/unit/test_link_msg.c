// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink link notifications are untrusted input (interface churn,
 * capture/linkwatch.c): link_parse_msg reads a well-formed RTM_DELLINK /
 * RTM_NEWLINK, refuses other types, and survives every truncation and
 * random bytes without reading past the message (run under ASan in CI).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "capture/live_link.h"
#include "check.h"

static size_t build(uint8_t *buf, uint16_t type, int ifindex, const char *name)
{
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	struct rtattr ra;
	size_t off = NLMSG_HDRLEN, l = strlen(name) + 1;

	memset(buf, 0, 256);
	memset(&ifi, 0, sizeof(ifi));
	ifi.ifi_index = ifindex;
	ifi.ifi_type = 1;
	memcpy(buf + off, &ifi, sizeof(ifi));
	off += NLMSG_ALIGN(sizeof(ifi));
	ra.rta_type = IFLA_IFNAME;
	ra.rta_len = (unsigned short)RTA_LENGTH(l);
	memcpy(buf + off, &ra, sizeof(ra));
	memcpy(buf + off + sizeof(ra), name, l);
	off += RTA_ALIGN(ra.rta_len);
	memset(&nh, 0, sizeof(nh));
	nh.nlmsg_len = (uint32_t)off;
	nh.nlmsg_type = type;
	memcpy(buf, &nh, sizeof(nh));
	return off;
}

int main(void)
{
	uint8_t buf[256], *copy;
	struct link_info li;
	uint16_t type = 0;
	size_t len, cut;
	int i, j;

	len = build(buf, RTM_DELLINK, 7, "tap0");
	CHECK_EQ_INT(link_parse_msg(buf, len, &li, &type), 0);
	CHECK_EQ_INT(type, RTM_DELLINK);
	CHECK_EQ_INT(li.ifindex, 7);
	CHECK(!strcmp(li.ifname, "tap0"));

	len = build(buf, RTM_NEWLINK, 9, "tap0");
	CHECK_EQ_INT(link_parse_msg(buf, len, &li, &type), 0);
	CHECK_EQ_INT(type, RTM_NEWLINK);
	CHECK_EQ_INT(li.ifindex, 9);

	len = build(buf, RTM_NEWADDR, 9, "tap0");
	CHECK_EQ_INT(link_parse_msg(buf, len, &li, &type), -EPROTO);

	/* every truncation, each copy exactly as long as what is given */
	len = build(buf, RTM_DELLINK, 7, "a-long-ifname");
	for (cut = 0; cut < len; cut++) {
		copy = malloc(cut ? cut : 1);
		if (!copy)
			return 2;
		memcpy(copy, buf, cut);
		/* the header says the truncated length: the body is read */
		if (cut >= 4)
			memcpy(copy, &(uint32_t){ (uint32_t)cut }, 4);
		link_parse_msg(copy, cut, &li, &type);
		free(copy);
	}
	/* lying lengths: header and attribute */
	len = build(buf, RTM_DELLINK, 7, "tap0");
	((struct nlmsghdr *)buf)->nlmsg_len = 4096;
	CHECK_EQ_INT(link_parse_msg(buf, len, &li, &type), -EPROTO);
	len = build(buf, RTM_DELLINK, 7, "tap0");
	buf[NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifinfomsg))] = 0xff;
	link_parse_msg(buf, len, &li, &type);
	CHECK(strlen(li.ifname) < sizeof(li.ifname));

	/* random bytes */
	srand(12);
	for (i = 0; i < 20000; i++) {
		size_t n = (size_t)(rand() % 96);

		copy = malloc(n ? n : 1);
		if (!copy)
			return 2;
		for (j = 0; j < (int)n; j++)
			copy[j] = (uint8_t)rand();
		if (n >= 6)	/* often a plausible header */
			memcpy(copy + 4, &(uint16_t){ RTM_DELLINK }, 2);
		link_parse_msg(copy, n, &li, &type);
		free(copy);
	}
	return check_done();
}
