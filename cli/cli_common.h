/* SPDX-License-Identifier: GPL-2.0 */
/* Small pieces the subcommands share: number options and the report. */
#ifndef DROPSPOT_CLI_COMMON_H
#define DROPSPOT_CLI_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/engine.h"

/* A whole non-negative decimal (or 0x hex) number; -1 on anything else. */
int cli_parse_u64(const char *s, uint64_t *out);

/*
 * The report of a finished engine on stdout: JSON, or text with colour
 * when color is 1, or -1 and stdout is a terminal.  0, or -1 when writing
 * failed.
 */
int cli_report(const struct engine *e, bool json, int color,
	       unsigned ladder_max, bool verbose);

/*
 * Says plainly, once per point (file or pcapng interface), which link
 * type could not be decoded and how many of its frames were therefore
 * left without a verdict.  Returns the number of such frames.
 */
uint64_t cli_warn_undecodable(const struct engine *e,
			      const struct point_table *points);

/*
 * One warning line per source with frames out of time order by more than
 * the merger's reorder window (merger_source_late_frames()): they were
 * still fed, but a probe may have been placed wrongly.  sources is the
 * array given to merger_new().  Returns the total of such frames.
 */
struct merger;
struct source;
uint64_t cli_warn_late_frames(const struct merger *m,
			      struct source *const *sources, size_t n);

#endif /* DROPSPOT_CLI_COMMON_H */
