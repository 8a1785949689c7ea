/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one path every subcommand's frames take into the engine:
 *
 *   files -> sources -> merger (time order, clock domains) -> filter
 *         -> dissect_frame() -> engine_feed()
 *
 * `analyze`, `diff` (a capture side) and `dissect` open their files through
 * pipeline_open and read them with pipeline_next; a frame reaches the engine
 * only through pipeline_feed, which the live `trace` calls too for the
 * frames its rings deliver.  Kernel drop records arrive typed (frame.drop),
 * decoded once by the merger.
 *
 * Clock domains: each file, and each pcapng section of a file, is its own
 * clock; with several files, each is read once more on its own before the
 * real pass (echo probes only) to estimate the other domains' clocks
 * against the first from the probes they share (analyze/clock.h), and the
 * merger corrects the frames of each domain whose offset exceeds its
 * uncertainty.  One file alone is not read twice: its sections then keep
 * their clocks.
 */
#ifndef DROPSPOT_PIPELINE_H
#define DROPSPOT_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "analyze/clock.h"
#include "capture/source.h"

struct engine;
struct engine_opts;
struct filter;

struct pipeline_opts {
	const char *filter_expr;	/* NULL: every frame */
	const char *const *hosts;	/* --host NAME=FILE */
	int n_hosts;
	bool clocks;		/* estimate and correct the clock domains */
	bool file_order;	/* each file in its own order (dissect) */
	bool say_comments;	/* each file's comment as an info line */
};

struct pipeline {
	struct point_table points;
	char *const *paths;
	size_t n;
	struct source **sources;
	struct merger *m;
	struct filter *flt;
	struct clock_domains cd;
	int status;		/* EXIT_TROUBLE once a file could not be read */
};

/*
 * Opens the n files (each said on failure), applies --host and the filter,
 * and with o->clocks runs the clock pre-pass.  0, or -1 (said); the
 * pipeline must be closed either way.
 */
int pipeline_open(struct pipeline *pl, char *const *paths, size_t n,
		  const struct pipeline_opts *o);

/*
 * The next frame that passes the filter, in time order: 1, or 0 at the
 * end.  A file that breaks is said once and pl->status set; the others
 * go on.
 */
int pipeline_next(struct pipeline *pl, struct frame *f);

/* One frame into the engine: dissected, then fed. */
void pipeline_feed(struct engine *e, const struct frame *f);

/*
 * Every remaining frame into the engine; returns pl->status.  With two
 * CPUs and mapped files, the engine is fed from a second thread while this
 * one reads and dissects (pipeline.c): the same frames in the same order,
 * the report identical; an engine callback or listener would then run in
 * that thread.  DROPSPOT_THREADS=1 keeps one thread, =2 forces two.
 */
int pipeline_run(struct pipeline *pl, struct engine *e);

/*
 * What a saved trace's comment says about its own probes (the session's
 * probe tag, probes never sent), from the first file that says it.
 */
void pipeline_engine_opts(const struct pipeline *pl, struct engine_opts *eo);

/*
 * After the run, before engine_finish: the watch windows on the corrected
 * clock and the domains in the report, late and undecodable frames said,
 * point names (short, HOST/IFNAME across hosts), the host state the files
 * carried.  Returns -1 when nothing at all could be decoded: then there is
 * no verdict to give ("no probe left the guest" would be a false one).
 */
int pipeline_finish(struct pipeline *pl, struct engine *e);

void pipeline_close(struct pipeline *pl);

#endif /* DROPSPOT_PIPELINE_H */
