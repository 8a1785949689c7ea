/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-packet output shared by `dissect` and `capture`: one text line like
 * `tcpdump -n -e` plus the point and direction, or one NDJSON object; and
 * the per-point summary printed at the end.
 */
#ifndef DROPSPOT_OUTPUT_H
#define DROPSPOT_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "common/point.h"
#include "common/strbuf.h"
#include "dissect/packet.h"

struct output {
	FILE *fp;
	bool json;
	bool flush_each;	/* live output and terminals: no batching */
	uint64_t printed;
	struct strbuf buf;
};

void output_init(struct output *o, FILE *fp, bool json);
/* One line for p, whose frame must still be valid. */
void output_packet(struct output *o, const struct packet *p,
		   const struct point_table *points);
/* Per-point counts (text: a table on o->fp; json: one summary object). */
void output_summary(struct output *o, const struct point_table *points);
/* Writes what is buffered; returns false if the stream failed. */
bool output_flush(struct output *o);
void output_free(struct output *o);

#endif /* DROPSPOT_OUTPUT_H */
