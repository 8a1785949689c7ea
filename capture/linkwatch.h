/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface churn: rtnetlink link notifications (RTM_NEWLINK, RTM_DELLINK)
 * from every netns a live capture watches, read without waiting.  One
 * NETLINK_ROUTE socket per netns, opened inside it (a netlink socket stays
 * bound to the netns it was made in) and subscribed to RTMGRP_LINK.
 *
 * Messages are untrusted input like any other: each is bounded by the
 * bytes received and parsed through the cursor (link_parse_msg).
 */
#ifndef DROPSPOT_LINKWATCH_H
#define DROPSPOT_LINKWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "live_link.h"

#define LINKWATCH_MAX_NS 64

struct linkwatch;

/*
 * present: RTM_NEWLINK (created, or any change of a link that exists),
 * else RTM_DELLINK (deleted, or moved to another netns).
 */
typedef void (*linkwatch_fn)(void *ctx, dev_t ns_dev, ino_t ns_ino,
			     bool present, const struct link_info *li);

struct linkwatch *linkwatch_new(void);
/* Follows links in the netns at path ("" = ours); once per netns. */
int linkwatch_add(struct linkwatch *lw, const char *netns_path, dev_t ns_dev,
		  ino_t ns_ino, char *err, size_t errlen);
/*
 * Hands every pending notification to fn.  Returns 0, or -ENOBUFS when
 * the kernel dropped notifications (the socket overran): the caller must
 * then look at its links again instead of trusting the stream.
 */
int linkwatch_read(struct linkwatch *lw, linkwatch_fn fn, void *ctx);
void linkwatch_free(struct linkwatch *lw);

#endif /* DROPSPOT_LINKWATCH_H */
