/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters of a live run (trace, capture), kept for the event stream's
 * "counters" events (stream.h) and written as a Prometheus textfile
 * (--metrics FILE, for node_exporter's textfile collector; docs/metrics.md).
 * The file is replaced atomically (a temporary file in the same directory,
 * then rename), so the collector never reads half of it.
 */
#ifndef DROPSPOT_METRICS_H
#define DROPSPOT_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/point.h"

/* Distinct label sets kept; more are summed into one "other" series. */
#define STATS_MAX_LOSS 64
#define STATS_MAX_REASONS 64
#define STATS_LABEL_MAX 96

struct stats_loss {
	char location[STATS_LABEL_MAX];	/* last point seen, "none" */
	char cause[STATS_LABEL_MAX];	/* cause code, "unknown" */
	uint64_t n;
};

struct stats_reason {
	char reason[STATS_LABEL_MAX];
	uint64_t n;
};

struct run_stats {
	const char *command;		/* "trace", "capture" */
	uint64_t start_ns;		/* wall clock */
	bool probes_known;		/* trace: the probe counters mean something */
	bool own_probes;		/* trace --ping: sent = ours */
	uint64_t sent;			/* own probes sent (--ping) */
	uint64_t probes;		/* closed: answered + lost + unfinished */
	uint64_t answered, lost, unfinished, orphan;
	struct stats_loss loss[STATS_MAX_LOSS];
	size_t n_loss;
	struct stats_reason kdrop[STATS_MAX_REASONS];
	size_t n_kdrop;
	uint64_t kdrops;		/* kernel drop records taken */
	uint64_t kdrop_ring_lost;	/* drop records the ring lost */
};

void stats_init(struct run_stats *st, const char *command, uint64_t start_ns);
/* Probes sent by --ping, or seen (passive): what sent_total says. */
uint64_t stats_sent(const struct run_stats *st);
/* One closed probe: outcome class, and for a lost one where and why. */
void stats_probe(struct run_stats *st, bool answered, bool lost,
		 bool unfinished, bool orphan, const char *location,
		 const char *cause);
void stats_kernel_drop(struct run_stats *st, const char *reason);

/*
 * Writes the textfile at path atomically (path.tmp.PID, then rename).
 * up: the run is still going (dropspot_up 1), else the final write (0).
 * Returns 0 or -errno.
 */
int metrics_write(const char *path, const struct run_stats *st,
		  const struct point_table *points, bool up);

#endif /* DROPSPOT_METRICS_H */
