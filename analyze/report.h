/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reports over a finished engine: the text report (verdict line, per-probe
 * ladder across the points, findings with evidence) and the JSON report
 * whose schema is documented in docs/report-schema.md.
 */
#ifndef DROPSPOT_REPORT_H
#define DROPSPOT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "engine.h"

#define REPORT_SCHEMA_VERSION 2

struct report_opts {
	bool color;		/* ANSI colours (only on a terminal) */
	unsigned ladder_max;	/* probes per flow in the ladder, 0 = none */
	bool verbose;		/* info findings and all evidence */
};

void report_opts_default(struct report_opts *o);

/* Both return 0, or -1 when writing failed. */
int report_text(const struct engine *e, FILE *fp, const struct report_opts *o);
int report_json(const struct engine *e, FILE *fp);

/* The one-sentence verdict (valid after engine_finish). */
const char *engine_verdict(const struct engine *e);

/* One line for a closed probe, for live tracing (no newline). */
void report_probe_line(const struct engine *e, const struct probe *pr,
		       char *buf, size_t n);

#endif /* DROPSPOT_REPORT_H */
