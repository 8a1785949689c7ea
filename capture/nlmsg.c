// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink request attributes and answer walking (nlmsg.h).  Every byte
 * of an answer goes through the cursor: a kernel bug or a hostile netns
 * cannot make us read past what recv() returned.
 */
#include <errno.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "nlmsg.h"

int nlmsg_put_attr(struct nlmsghdr *nh, size_t cap, uint16_t type,
		   const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(nh->nlmsg_len);
	struct rtattr *ra;

	if (off + RTA_SPACE(len) > cap)
		return -EMSGSIZE;
	ra = (struct rtattr *)((char *)nh + off);
	ra->rta_type = type;
	ra->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(ra), data, len);
	nh->nlmsg_len = (uint32_t)(off + RTA_SPACE(len));
	return 0;
}

void nlmsg_attrs(struct cursor *c, struct cursor *tb, size_t max,
		 unsigned max_attrs)
{
	unsigned guard = 0;

	memset(tb, 0, max * sizeof(*tb));
	while (cur_left(c) >= sizeof(struct rtattr) && guard++ < max_attrs) {
		struct rtattr ra;
		uint16_t type;
		uint32_t step;

		memcpy(&ra, cur_peek(c, sizeof(ra)), sizeof(ra));
		if (ra.rta_len < sizeof(ra) || ra.rta_len > cur_left(c))
			return;
		type = ra.rta_type & NLA_TYPE_MASK;
		if (type < max)
			cur_init(&tb[type], c->base + c->off + sizeof(ra),
				 ra.rta_len - sizeof(ra), ra.rta_len - sizeof(ra));
		step = RTA_ALIGN(ra.rta_len);
		if (step > cur_left(c))
			return;
		c->off += step;
	}
}

bool nlmsg_attr_u32(const struct cursor *a, uint32_t *v)
{
	if (!a->base || a->cap < 4)
		return false;
	memcpy(v, a->base, 4);
	return true;
}

int nlmsg_batch(const uint8_t *buf, size_t len, uint32_t seq, bool dump,
		unsigned max_msgs, nlmsg_fn fn, void *arg)
{
	struct cursor c;
	unsigned guard = 0;

	cur_init(&c, buf, (uint32_t)len, (uint32_t)len);
	while (cur_left(&c) >= sizeof(struct nlmsghdr) && guard++ < max_msgs) {
		struct nlmsghdr nh;
		struct cursor pl;
		uint32_t step;
		int ret;

		memcpy(&nh, cur_peek(&c, sizeof(nh)), sizeof(nh));
		if (nh.nlmsg_len < sizeof(nh) || nh.nlmsg_len > cur_left(&c))
			return -EPROTO;
		cur_init(&pl, c.base + c.off + sizeof(nh),
			 nh.nlmsg_len - sizeof(nh), nh.nlmsg_len - sizeof(nh));
		step = NLMSG_ALIGN(nh.nlmsg_len);
		c.off += step < cur_left(&c) ? step : cur_left(&c);
		if (nh.nlmsg_seq != seq)
			continue;	/* a late answer to an earlier question */
		if (nh.nlmsg_type == NLMSG_DONE)
			return 1;
		if (nh.nlmsg_type == NLMSG_ERROR) {
			int32_t err;

			if (!cur_bytes(&pl, &err, sizeof(err)))
				return -EPROTO;
			return err < 0 ? err : 1;
		}
		ret = fn(nh.nlmsg_type, &pl, arg);
		if (ret < 0)
			return ret;
		if (!dump)
			return 1;
	}
	return 0;
}
