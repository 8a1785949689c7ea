/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcapng writer: one section, one interface description block per point
 * (its real interface name, the netns in the description, nanosecond
 * timestamps), enhanced packet blocks carrying the direction in their
 * flags, and interface statistics blocks with the capture's lost count.
 *
 * Besides live points, callers may add pseudo interfaces of their own
 * (e.g. "kernel-drops") and attach a comment to any packet.
 */
#ifndef DROPSPOT_PCAPNG_WRITE_H
#define DROPSPOT_PCAPNG_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "point.h"

struct pcapng_writer;

/*
 * Creates path ("-" = stdout) and writes the section header, with comment
 * (may be NULL) as its opt_comment: what the recording was (trace records
 * the topology it discovered there).  A file that already exists is
 * truncated and written, not replaced; the writer remembers whether it
 * created the file, for pcapng_writer_discard().
 */
int pcapng_writer_open(const char *path, const char *application,
		       const char *comment, struct pcapng_writer **out,
		       char *err, size_t errlen);

/*
 * Adds an interface; returns its interface id (>= 0) or -errno.  name and
 * description may be NULL; the timestamp resolution is always 1 ns.
 */
int pcapng_writer_add_if(struct pcapng_writer *w, const char *name,
			 const char *description, int linktype,
			 uint32_t snaplen);

/* Adds an interface describing point p (name = ifname, description names
 * netns, kind and hook) and remembers it for pcapng_writer_frame(). */
int pcapng_writer_add_point(struct pcapng_writer *w, const struct point *p);

/* Interface id of point_id, or -1 when it was not added. */
int pcapng_writer_if_of_point(const struct pcapng_writer *w, uint32_t point_id);

/*
 * Writes one packet on interface if_id.  A tag the hardware stripped
 * (FRAME_F_HW_VLAN) is put back into the written bytes; comment may be NULL.
 */
int pcapng_writer_packet(struct pcapng_writer *w, uint32_t if_id,
			 const struct frame *f, const char *comment);
/* Same, on the interface of f->point. */
int pcapng_writer_frame(struct pcapng_writer *w, const struct frame *f);

/* Interface statistics block; drops_known false omits isb_ifdrop. */
int pcapng_writer_stats(struct pcapng_writer *w, uint32_t if_id,
			uint64_t start_ns, uint64_t end_ns, uint64_t delivered,
			uint64_t drops, bool drops_known);

/* Flushes and closes; returns 0 or the first write error (-errno). */
int pcapng_writer_close(struct pcapng_writer *w);

/*
 * Closes and removes the file when this writer created it (not when it was
 * there before, nor stdout): for a capture that failed before it started,
 * so no header-only stub is left behind.
 */
void pcapng_writer_discard(struct pcapng_writer *w);

#endif /* DROPSPOT_PCAPNG_WRITE_H */
