/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Topology discovery for `dropspot trace --auto TARGET`: asks rtnetlink which
 * interfaces a probe from a start netns towards TARGET crosses (route ->
 * output interface -> veth peer in another netns -> bridge and its ports ->
 * route out of the bridge's netns ...), so the live capture can watch them
 * without the user naming them.  Then the way back: the route each netns on
 * the path takes for the reply (policy rules and input interface included),
 * and the other interfaces that hold a route to the source or the target
 * (a second uplink), since a reply that comes back elsewhere is otherwise
 * never seen.
 *
 * Every netlink reply is treated as untrusted input (length-checked through
 * common/cursor.h) and every walk is capped, so a loop in the interface
 * graph cannot hang discovery.  The caller's netns is restored on every path.
 */
#ifndef DROPSPOT_TOPOLOGY_H
#define DROPSPOT_TOPOLOGY_H

#include <stddef.h>
#include <stdio.h>

#include "common/point.h"

#define TOPO_MAX_POINTS 32

/* Why a point is in the list. */
enum topo_dir {
	TOPO_FWD = 0,	/* crossed by the request */
	TOPO_RET,	/* crossed by the reply only (asymmetric return) */
	TOPO_ALT,	/* another route's interface to source or target */
};

struct topo_point {
	char spec[256];		/* "NETNS/IFNAME", or "IFNAME" in the caller's netns */
	char netns[128];	/* name under /var/run/netns, "" = caller's netns */
	char ifname[64];
	int ifindex;		/* in that netns */
	enum point_kind kind;
	enum topo_dir dir;
	char role[96];		/* why it is a point: "guest veth"... */
};

struct topo_result {
	struct topo_point pts[TOPO_MAX_POINTS];
	size_t n;		/* TOPO_FWD first, in path order */
	char src[48];		/* the probe's source, "" = unknown */
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
 * process (a VMM relay such as lab/'s tap_relay).  A frame a bridge switches
 * (its L2 next hop is not the bridge's own netns) leaves by the port the FDB
 * gives for the next hop's MAC, or by every port when that is unknown; the
 * host's routes play no part in it.
 *
 * Then, for the probe's source address (the route's preferred source in the
 * start netns), the points of the way back (TOPO_RET) and the other
 * interfaces holding a route to the source or target (TOPO_ALT).
 *
 * Needs root (setns, pidfd_getfd).  The calling thread is back in its own
 * netns on return, whatever happened.  Returns 0 (the list may be partial
 * when a cap was hit), or -errno with a one-line message in err:
 * -EINVAL bad address, -ENOENT unknown netns, -ENETUNREACH no route.
 */
int topology_discover(const char *target, const char *from_netns,
		      struct topo_result *out, char *err, size_t errlen);

/* One line per point, then "path: a -> b -> c" and the return lines. */
void topology_print(const struct topo_result *r, FILE *fp);

/*
 * The one-line summary only ("guest/eth0 -> host/veth-g -> ..."), with
 * " (return to SRC: x -> y; also: z)" when there are TOPO_RET/ALT points.
 */
void topology_summary(const struct topo_result *r, char *buf, size_t buflen);

#endif /* DROPSPOT_TOPOLOGY_H */
