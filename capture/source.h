/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Frame sources.  A file source reads pcap or pcapng, plain or gzip
 * (recognised by content), from a path or "-" for stdin, and registers one
 * point per interface it discovers (per pcapng IDB, and per SLL2 interface
 * index).  The merger yields frames from several sources in time order.
 */
#ifndef DROPSPOT_SOURCE_H
#define DROPSPOT_SOURCE_H

#include "common/point.h"

struct source;

#define SOURCE_ERR_MAX 512

/*
 * Opens path ("-" = stdin, called "stdin" in messages, point names and
 * source_path()) and reads its file header.  On failure returns a
 * negative errno-style code and writes a one-line message naming the file
 * into err.
 */
int source_open_file(const char *path, struct point_table *points,
		     struct source **out, char *err, size_t errlen);

/*
 * Same as source_open_file over bytes in memory (plain or gzip); buf must
 * stay valid until source_close().  name stands for the path in point names
 * and messages (NULL: "memory").
 */
int source_open_memory(const void *buf, size_t len, const char *name,
		       struct point_table *points, struct source **out,
		       char *err, size_t errlen);

/*
 * Reads the next frame.  Returns 1 with *f filled, 0 at a clean end of
 * input, or a negative code when the input is malformed or unreadable (the
 * message, naming the file and byte offset, is in source_error()).  Frames
 * read before an error stay valid results.  f->data stays valid until the
 * next call on the same source.
 */
int source_next(struct source *s, struct frame *f);

const char *source_error(const struct source *s);
/*
 * The host of the source's points: what its pcapng section says (the
 * hostname dropspot writes, pcapng_write.h), "" unknown; set_host names it
 * (analyze --host), for its points so far and to come, over any section's.
 */
const char *source_host(const struct source *s);
void source_set_host(struct source *s, const char *host);
/*
 * The pcapng section the last frame read came from (1-based; 0 for other
 * formats): each section is its own clock (analyze/clock.h).
 */
unsigned int source_section(const struct source *s);
const char *source_path(const struct source *s);
/* The recording's own description (pcapng section comment), "" if none. */
const char *source_comment(const struct source *s);
void source_close(struct source *s);

/*
 * Time-ordered merge of several sources (a small heap, one frame each),
 * each read through a bounded reorder window: a file need not be in time
 * order (dumpcap flushes each interface's buffer into a pcapng on its own).
 * Within a source, frames are held, earliest first, until the window holds
 * more than MERGE_WINDOW_FRAMES frames or MERGE_WINDOW_BYTES bytes of
 * frame data (or the source ends); equal timestamps keep file order.  Each
 * source has its own window: memory is bounded per source.
 */
#define MERGE_WINDOW_FRAMES 4096
#define MERGE_WINDOW_BYTES (16u * 1024 * 1024)

struct merger;

int merger_new(struct source **sources, size_t n, struct merger **out);
/*
 * Another window than the default (tests, tools); frames 0: none, each
 * frame is handed on as read.  Only before the first merger_next();
 * -EINVAL then, or beyond 1 Mi frames or 1 GiB.
 */
int merger_set_window(struct merger *m, size_t frames, size_t bytes);
/*
 * Section section (source_section()) of source i keeps another clock:
 * each of its frames is read as ts - (offset_ns + drift * (ts - t0_ns))
 * (drift: seconds per second, ppm * 1e-6), before its reorder window.
 * Only before the first merger_next(): -EINVAL then, or for no such
 * source; -ENOMEM.
 */
int merger_set_clock(struct merger *m, size_t i, unsigned int section,
		     int64_t offset_ns, double drift, int64_t t0_ns);
/*
 * Next frame in timestamp order across all sources (ties: source order).
 * Returns 1, 0 at the end of all sources, or negative on a source error; on
 * error, *failed is set to the failing source, which is then dropped from
 * the merge so the caller may continue with the others.  f->data stays
 * valid until the next merger_next() call.
 */
int merger_next(struct merger *m, struct frame *f, struct source **failed);
/*
 * True when every source is read in place (a mapped file, memory): then a
 * frame's data and comment stay valid until its source is closed, not only
 * until the next merger_next() (f->drop does not: copy it).
 */
bool merger_in_place(const struct merger *m);
/*
 * Frames that came out of time order all the same: read after a later
 * frame of their source had already been handed on (out of order by more
 * than the window).  They are passed on, not dropped; a report built from
 * them may place a probe wrongly, so callers say so.  In all sources, and
 * of the source at index i of the array given to merger_new().
 */
uint64_t merger_late_frames(const struct merger *m);
uint64_t merger_source_late_frames(const struct merger *m, size_t i);
void merger_free(struct merger *m);

struct host_state;
/*
 * The host-state snapshot a pcapng file carried (common/hoststate.h, read by
 * capture/pcapng.c), or NULL; valid until source_close().
 */
const struct host_state *source_host_state(const struct source *s);
void source_host_state_free(struct source *s);

#endif /* DROPSPOT_SOURCE_H */
