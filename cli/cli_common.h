/* SPDX-License-Identifier: GPL-2.0 */
/* Small pieces the subcommands share: number options and the report. */
#ifndef DROPSPOT_CLI_COMMON_H
#define DROPSPOT_CLI_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/engine.h"

/*
 * A whole non-negative decimal (or 0x hex) number, starting with a digit
 * (no sign, no blank: strtoull would wrap " -5"); -1 on anything else.
 */
int cli_parse_u64(const char *s, uint64_t *out);

/*
 * Bounds of the seconds options.  A probe timeout under a millisecond
 * would call every probe lost (and 1e-300 s is 0 ns); over an hour is a
 * typo.  A duration is a stop time: under a millisecond it rounds to 0 ns,
 * which capture would read as "until stopped".
 */
#define CLI_TIMEOUT_MIN 0.001
#define CLI_TIMEOUT_MAX 3600.0
#define CLI_DURATION_MIN 0.001
#define CLI_DURATION_MAX 1e7

/*
 * One validator per kind of option value, used by every subcommand so
 * they all take and refuse the same values with the same words.  Each
 * logs one line ("OPT wants ..., not 'ARG'") and returns -1 on a bad
 * value: the caller's usage error (exit 2).
 *
 * Seconds: a finite decimal number in [min, max]; no sign, no blank, no
 * nan or inf, nothing after the number.
 */
int cli_opt_seconds(const char *opt, const char *arg, double min, double max,
		    double *out);
/* A whole number in [min, max], as cli_parse_u64() reads it. */
int cli_opt_uint(const char *opt, const char *arg, uint64_t min, uint64_t max,
		 uint64_t *out);
/* A count of things to do or take: a whole number >= 1. */
int cli_opt_count(const char *opt, const char *arg, uint64_t *out);

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
