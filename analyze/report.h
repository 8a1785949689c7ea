/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reports over a finished engine: the text report (verdict line, per-probe
 * ladder across the points, findings with evidence) and the JSON report
 * whose schema is documented in docs/report-schema.md.
 */
#ifndef DROPSPOT_REPORT_H
#define DROPSPOT_REPORT_H

#include <stdbool.h>
#include <stdint.h>
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

/*
 * For the event stream (docs/ndjson-schema.md): one probe, one finding
 * (index < findings), as the JSON report writes them.
 */
struct strbuf;
void report_json_probe(struct strbuf *sb, const struct engine *e,
		       const struct probe *pr);
void report_json_finding(struct strbuf *sb, const struct engine *e, size_t i);

/*
 * What one closed probe's own evidence says (analyze/report_stream.c),
 * before the findings weigh the whole flow: where it was last seen, and a
 * cause when the probe carries one itself (a kernel drop reason, an ICMP
 * error, a loop).  The findings at the end remain the verdict.
 */
struct probe_brief {
	uint64_t id;			/* the report's probe id */
	unsigned seq;			/* ICMP sequence number */
	const char *outcome;		/* "answered", "lost_request", ... */
	bool answered, lost, unfinished, orphan;
	int family;
	char src[48], dst[48];
	int last_point;			/* -1 = not seen at a point */
	const char *last_name;		/* point label, "" none */
	const char *direction;		/* "request", "reply", "" none */
	const char *cause;		/* cause code, "" = none of its own */
	const char *strength;		/* "firm", ... "" */
	char cause_text[160];
	const char *drop_reason;	/* kernel drop reason, "" none */
	const char *drop_function;
	int icmp_type, icmp_code;	/* -1 none */
	char icmp_from[48];
	int64_t rtt_ns;			/* -1 = no reply */
	uint64_t first_ts_ns;
};
void report_probe_brief(const struct engine *e, const struct probe *pr,
			struct probe_brief *b);

#endif /* DROPSPOT_REPORT_H */
