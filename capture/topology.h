/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Topology discovery for `dropspot trace --auto TARGET`: asks rtnetlink which
 * interfaces a probe from a start netns towards TARGET crosses (route ->
 * output interface -> veth peer in another netns -> bridge and its ports ->
 * route out of the bridge's netns ...), so the live capture can watch them
 * without the user naming them.
 *
 * Every netlink reply is treated as untrusted input (length-checked through
 * dissect/cursor.h) and every walk is capped, so a loop in the interface
 * graph cannot hang discovery.  The caller's netns is restored on every path.
 */
#ifndef DROPSPOT_TOPOLOGY_H
#define DROPSPOT_TOPOLOGY_H

#include <stddef.h>
#include <stdio.h>

#include "point.h"

#define TOPO_MAX_POINTS 32

struct topo_point {
	char spec[256];		/* "NETNS/IFNAME", or "IFNAME" in the caller's netns */
	char netns[128];	/* name under /var/run/netns, "" = caller's netns */
	char ifname[64];
	int ifindex;		/* in that netns */
	enum point_kind kind;
	char role[64];		/* "guest veth", "bridge port of br0", "uplink"... */
};

struct topo_result {
	struct topo_point pts[TOPO_MAX_POINTS];
	size_t n;		/* ordered: start (guest) side first, towards target */
};

/*
 * Discovers the interfaces between from_netns (a name under /var/run/netns,
 * NULL or "" = the caller's netns; naming the caller's own netns is the
 * same as NULL) and target (IPv4 or IPv6 literal, no %scope).
 *
 * Order: the start interface first, then in the order a probe crosses them;
 * past a bridge on the target's segment, the ports whose far side owns the
 * target come first (with what lies beyond), then ports we cannot see past
 * (a VM's tap, a peer in an unnamed netns), then the other ports alone.
 * A tap is followed to the other tap(s), in another netns, held by the same
 * process (a VMM relay such as lab/'s tap_relay).
 *
 * Needs root (setns, pidfd_getfd).  The calling thread is back in its own
 * netns on return, whatever happened.  Returns 0 (the list may be partial
 * when a cap was hit), or -errno with a one-line message in err:
 * -EINVAL bad address, -ENOENT unknown netns, -ENETUNREACH no route.
 */
int topology_discover(const char *target, const char *from_netns,
		      struct topo_result *out, char *err, size_t errlen);

/* One line per point, then a one-line summary "a -> b -> c". */
void topology_print(const struct topo_result *r, FILE *fp);

/* The one-line summary only ("guest/eth0 -> host/veth-g -> ..."). */
void topology_summary(const struct topo_result *r, char *buf, size_t buflen);

#endif /* DROPSPOT_TOPOLOGY_H */
