/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Network namespaces for live capture: parse an interface target
 * (IFNAME, IFINDEX or NETNS/IFNAME) and run work inside the target netns.
 *
 * Target syntax (interface names cannot contain '/', so the last '/'
 * separates the namespace from the interface):
 *   eth0, 7                  interface name or index in our own netns
 *   guest/eth0               netns "guest" from /var/run/netns (ip netns)
 *   pid:1234/eth0            the netns of process 1234
 *   /proc/1234/ns/net/eth0   any path to a netns file (bind mount or proc)
 */
#ifndef DROPSPOT_NETNS_H
#define DROPSPOT_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NETNS_PATH_MAX 4096
#define NETNS_NAME_MAX 128

struct if_target {
	char netns_name[NETNS_NAME_MAX];	/* "" = our own netns */
	char netns_path[NETNS_PATH_MAX];	/* "" = our own netns */
	char ifname[64];			/* as given ("" if index) */
	uint32_t ifindex;			/* as given (0 if name) */
	dev_t ns_dev;				/* identity of the netns */
	ino_t ns_ino;
};

/*
 * Parses spec into t and checks that the netns exists; a netns that is our
 * own is normalised to "" so "pid:SELF/eth0" and "eth0" are the same point.
 */
int netns_parse_target(const char *spec, struct if_target *t,
		       char *err, size_t errlen);

/*
 * Switches the calling thread into the netns at path ("" = stay) and
 * returns a handle to come back with netns_leave(), or -errno.
 */
int netns_enter(const char *path, int *saved, char *err, size_t errlen);
/* Returns to the netns saved by netns_enter (no-op for saved == -1). */
int netns_leave(int saved);

#endif /* DROPSPOT_NETNS_H */
