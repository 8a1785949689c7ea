/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host state collection (live, read-only): what capture-live reads from the
 * running host into the snapshot of common/hoststate.h.
 */
#ifndef DROPSPOT_HOSTSTATE_COLLECT_H
#define DROPSPOT_HOSTSTATE_COLLECT_H

#include <stddef.h>
#include <stdint.h>

#include "common/hoststate.h"

/*
 * Reads, in every netns of devs (each netns once): the forwarding,
 * rp_filter, arp_ignore/arp_filter and bridge-nf sysctls (all and per
 * device), every link's state, MTU, master and bridge port state, the
 * route to each flow's source and target (and from each device), the
 * neighbour state of the next hops, and the nftables base chains'
 * policies.  Nothing is changed.  The calling thread is back in its own
 * netns on return.  What cannot be read becomes a "note" item.
 */
int hs_collect(struct host_state *hs, const struct hs_dev *devs, size_t n_devs,
	       const struct hs_flow *flows, size_t n_flows);

#endif /* DROPSPOT_HOSTSTATE_COLLECT_H */
