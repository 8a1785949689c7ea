/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of the devices kernel drop records name by (netns inode, ifindex):
 * resolved while capturing, when the device still exists, so a drop on an
 * interface nobody watched can be placed by name ("dropped on up2").
 */
#ifndef DROPSPOT_DEVNAME_H
#define DROPSPOT_DEVNAME_H

#include <stddef.h>
#include <stdint.h>

struct devname_cache;

struct devname_cache *devname_new(void);
void devname_free(struct devname_cache *c);

/*
 * The interface name of ifindex in the netns with inode ino, and the
 * netns's name as `ip netns` knows it ("" = our own netns; "netns:INO" when
 * it has no name).  Returns 0, or -1 when it cannot be told (then both are
 * "").  Results, failures included, are cached: one lookup per device.
 */
int devname_lookup(struct devname_cache *c, uint32_t ino, uint32_t ifindex,
		   char *ifname, size_t iflen, char *netns, size_t nslen);

#endif /* DROPSPOT_DEVNAME_H */
