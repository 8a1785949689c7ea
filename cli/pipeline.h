/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What analyze and diff share between opening the files and feeding the
 * engine: the clock domains.  Each file, and each pcapng section of a
 * file, is its own clock; with several files, each is read once more on
 * its own before the real pass (echo probes only) to estimate the other
 * domains' clocks against the first from the probes they share
 * (analyze/clock.h), and the merger corrects the frames of each domain
 * whose offset exceeds its uncertainty.  One file alone is not read twice:
 * its sections then keep their clocks.
 */
#ifndef DROPSPOT_PIPELINE_H
#define DROPSPOT_PIPELINE_H

#include <stddef.h>

#include "analyze/clock.h"
#include "capture/source.h"

struct engine;

/*
 * The pre-pass over paths (n files, already opened as sources and given
 * to m): fills *cd (n entries when n >= 2, none for one file) and sets
 * the merger's corrections.  Standard input cannot be read twice: then
 * the raw clocks are kept and cd says nothing was estimated.  0, or -1
 * (out of memory: said).  A file that cannot be read here is left to the
 * real pass to report.
 */
int pipeline_clocks(char *const *paths, size_t n, struct merger *m,
		    struct clock_domains *cd);

/*
 * After the real pass: the watch windows the files recorded (pcapng ISB
 * start/end, interface gaps) put on the corrected clock too, and cd shown
 * in the engine's report.
 */
void pipeline_clocks_done(struct clock_domains *cd, struct point_table *pts,
			  struct source *const *sources, size_t n,
			  struct engine *e);

/*
 * Points of several hosts (point.host: the hostname in a file dropspot
 * wrote, or analyze --host): each point on a host is named HOST/IFNAME,
 * or HOST/NETNS/IFNAME where the interface name is not unique on its
 * host; points of no known host keep their name.  One host (or none):
 * names stay as they are.  Returns the number of hosts.
 */
size_t pipeline_host_names(struct point_table *pts);

#endif /* DROPSPOT_PIPELINE_H */
