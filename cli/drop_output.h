/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel drop records in the live commands (capture, trace): the frame the
 * engine and the pcapng file get (with its dropspot-drop comment, so a file
 * and a live run feed the engine the same bytes), and the line printed.
 */
#ifndef DROPSPOT_DROP_OUTPUT_H
#define DROPSPOT_DROP_OUTPUT_H

#include "common/drop_event.h"
#include "output.h"

#define DROP_COMMENT_MAX 512

/* A drop as a frame: bytes in buf, comment in comment (both caller's). */
struct drop_frame {
	struct frame f;
	uint8_t buf[DROP_FRAME_MAX];
	char comment[DROP_COMMENT_MAX];
};

/* Fills df from ev for point; f.comment points into df. */
void drop_frame_build(const struct drop_event *ev, uint32_t point,
		      struct drop_frame *df);

/*
 * Prints the dropped packet like any other frame (point "kernel-drops"),
 * then, in text, an indented "kernel drop: REASON in FUNC" line; in JSON an
 * object {"kernel_drop":{...}} follows the packet's.
 */
void output_drop(struct output *o, const struct drop_event *ev,
		 const struct frame *f, const struct point_table *points);

#endif /* DROPSPOT_DROP_OUTPUT_H */
