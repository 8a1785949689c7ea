/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A short reorder buffer for live frames.  The capture ring and the kernel
 * drop ring are read one after the other, and records of different CPUs
 * reach a ring slightly out of order, but the engine wants frames in
 * timestamp order (as the file merger gives it).  Frames are copied in,
 * kept sorted by timestamp (stable: equal timestamps keep arrival order),
 * and handed out once they are older than a hold time, or all at the end.
 */
#ifndef DROPSPOT_FRAME_QUEUE_H
#define DROPSPOT_FRAME_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "common/point.h"

struct frame_queue;

/* max_frames: beyond it the oldest frame is handed out early. */
struct frame_queue *frame_queue_new(size_t max_frames);
void frame_queue_free(struct frame_queue *q);

/* Hands each frame out during the call; return non-zero to stop. */
typedef int (*frame_queue_fn)(const struct frame *f, void *ctx);

/*
 * Copies f (bytes and comment; the copy of the comment is NUL-terminated,
 * for the pcapng writer).  When the queue is full the oldest frame
 * is handed to fn first.  Returns 0, fn's non-zero value, or -ENOMEM.
 */
int frame_queue_push(struct frame_queue *q, const struct frame *f,
		     frame_queue_fn fn, void *ctx);
/*
 * Hands out, oldest first, every frame with ts_ns <= until_ns (UINT64_MAX:
 * all).  Returns 0 or fn's non-zero value (the rest stays queued).
 */
int frame_queue_release(struct frame_queue *q, uint64_t until_ns,
			frame_queue_fn fn, void *ctx);
size_t frame_queue_len(const struct frame_queue *q);

#endif /* DROPSPOT_FRAME_QUEUE_H */
