/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event stream of a live run (trace --ndjson, capture --ndjson): one
 * JSON object per line, written and flushed as things happen, for a log
 * pipeline (Vector, Fluent Bit, Loki...).  Schema "dropspot.event/1",
 * documented field by field in docs/ndjson-schema.md.  Every event has
 * schema, type, ts (RFC 3339, ns), ts_ns (unix ns), host and session (this
 * run's id, so lines of several runs in one file can be told apart).
 *
 * A stream that refuses a line (a closed pipe, a full disk) gets no more
 * and stream_failed() says so; the run goes on.
 */
#ifndef DROPSPOT_STREAM_H
#define DROPSPOT_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/engine.h"
#include "common/drop_event.h"
#include "common/point.h"
#include "metrics.h"

#define STREAM_SCHEMA "dropspot.event/1"

struct stream;

/* path "-" = stdout.  NULL with a message in err. */
struct stream *stream_open(const char *path, char *err, size_t errlen);
/* Flushes and closes; returns -1 when a line could not be written. */
int stream_close(struct stream *s);
bool stream_failed(const struct stream *s);
bool stream_is_stdout(const struct stream *s);

void stream_session_start(struct stream *s, const char *command,
			  const struct point_table *points);
void stream_probe(struct stream *s, const struct engine *e,
		  const struct probe *pr);
void stream_finding(struct stream *s, const struct engine *e, size_t index);
void stream_kernel_drop(struct stream *s, const struct drop_event *ev);
/* A watched interface went away (present false) or came back. */
void stream_point(struct stream *s, const struct point *p, uint32_t id,
		  bool present, uint64_t ts_ns);
void stream_counters(struct stream *s, const struct run_stats *st,
		     const struct point_table *points, bool final);
/* verdict may be NULL (capture); exit_status is the run's. */
void stream_session_end(struct stream *s, const char *verdict,
			int exit_status);

#endif /* DROPSPOT_STREAM_H */
