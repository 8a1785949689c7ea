/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtnetlink messages, both ways: attributes into a request, and the
 * answers of one recv() walked through the cursor.  Shared by topology
 * discovery and the host-state snapshot.
 */
#ifndef DROPSPOT_NLMSG_H
#define DROPSPOT_NLMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "common/cursor.h"

/* Appends attribute type/data to the request nh (cap bytes in all). */
int nlmsg_put_attr(struct nlmsghdr *nh, size_t cap, uint16_t type,
		   const void *data, size_t len);

/*
 * RTA_OK/RTA_NEXT over a cursor: tb[type] gets the payload of each
 * attribute with type < max (the last one wins; absent = base NULL), at
 * most max_attrs of them.  A length that is short or runs past the nest
 * ends the walk.
 */
void nlmsg_attrs(struct cursor *c, struct cursor *tb, size_t max,
		 unsigned max_attrs);
/* A u32 attribute (host order, as netlink has it); false if absent/short. */
bool nlmsg_attr_u32(const struct cursor *a, uint32_t *v);

/* One answer: its type and payload; a negative return stops the walk. */
typedef int (*nlmsg_fn)(uint16_t type, struct cursor *payload, void *arg);

/*
 * The messages of one recv() (buf, len): fn for each answer to seq, until
 * DONE (or, for a plain request, the first answer), at most max_msgs.
 * Returns 1 when finished, 0 to keep reading, or -errno (an NLMSG_ERROR
 * from the kernel, a malformed message, or fn's own error).
 */
int nlmsg_batch(const uint8_t *buf, size_t len, uint32_t seq, bool dump,
		unsigned max_msgs, nlmsg_fn fn, void *arg);

#endif /* DROPSPOT_NLMSG_H */
