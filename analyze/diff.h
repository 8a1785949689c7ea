/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Regression comparison of two runs (`dropspot diff`).  Each side is first
 * reduced to one normalized summary - read from a `dropspot.report` JSON
 * document, which is also what a capture becomes after the engine ran on
 * it, so both kinds of input go through the same reader and compare alike.
 * Then the two summaries are compared semantically: points by name, flows
 * by sender and target, probes by their fate counts per flow (timestamps
 * and ICMP ids differ between any two runs), latencies within a threshold.
 * The result, schema `dropspot.diff`, is documented in docs/diff-schema.md.
 */
#ifndef DROPSPOT_DIFF_H
#define DROPSPOT_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define DIFF_SCHEMA_VERSION 1

struct diff_summary;

/*
 * Reads a report (text[0..len), hostile input).  NULL with a one-line
 * message in err when it is not valid JSON or not a version 1 report.
 */
struct diff_summary *diff_summary_from_json(const char *text, size_t len,
					    char *err, size_t errlen);
void diff_summary_free(struct diff_summary *s);

/*
 * A latency (median or p99 of a hop or round trip) changed when it moved by
 * more than rtt_rel of the old value AND more than rtt_abs_ms; a threshold
 * below 0 is not used.  The default, 50% and 1 ms, ignores the jitter of
 * sub-millisecond lab paths yet catches a tenfold slower path.
 */
struct diff_opts {
	double rtt_rel;
	double rtt_abs_ms;
};

void diff_opts_default(struct diff_opts *o);
/* "50%", "2ms", "2" (ms), or both: "50%,2ms".  0, or -1 if malformed. */
int diff_parse_threshold(const char *s, struct diff_opts *o);

struct diff_side {
	const char *label;	/* file name as given */
	const char *input;	/* "capture" or "report" */
	const struct diff_summary *sum;
};

struct diff_result;

/* NULL only when out of memory. */
struct diff_result *diff_compare(const struct diff_side *a,
				 const struct diff_side *b,
				 const struct diff_opts *o);
void diff_result_free(struct diff_result *r);
bool diff_regression(const struct diff_result *r);
size_t diff_changes(const struct diff_result *r);

/* Both return 0, or -1 when writing failed. */
int diff_text(const struct diff_result *r, FILE *fp);
int diff_json(const struct diff_result *r, FILE *fp);

#endif /* DROPSPOT_DIFF_H */
