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

#include "common/point.h"

struct pcapng_writer;

/*
 * The section header also names the host that wrote it (the pcapng format
 * has no hostname option: shb_hardware and shb_os describe a machine, not
 * which one): a custom UTF-8 option (code 2988, copied by editors) of the
 * PEN dropspot's custom blocks use, "hostname=NAME", NAME the writer's
 * gethostname() or $DROPSPOT_HOSTNAME when set (one machine standing for
 * several in a lab).  Read back as the points' host (source_host()).
 */
#define PCAPNG_OPT_CUSTOM_STR 2988
#define PCAPNG_HOSTNAME_KEY "hostname="

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

/*
 * Overwrites bytes [at, at + strlen(text)) of the section comment given to
 * pcapng_writer_open, in place: for what is known only at the end (trace's
 * count of probes it could not send), written over room the comment kept
 * for it.  The length never changes, so the file stays valid whether the
 * patch happens or not.  -ESPIPE when the output cannot seek (stdout, a
 * pipe), -ENOSPC when text does not fit.
 */
int pcapng_writer_patch_comment(struct pcapng_writer *w, size_t at,
				const char *text);

/*
 * Interface churn: the ISB that closes point p's current watch window at
 * end_ns (it started at run_start, or when the interface came back: see
 * point_window_start), with the point's counts so far.  An interface that
 * came back gets a new IDB (pcapng_writer_add_point again: frames go
 * there from then on); readers join the two as one point with a gap.
 */
int pcapng_writer_window_end(struct pcapng_writer *w, const struct point *p,
			     uint64_t run_start, uint64_t end_ns);

/*
 * A pcapng Custom Block: type (0x00000BAD copiable, 0x40000BAD not), the
 * enterprise number pen, then data (padded to 32 bits, no options): how
 * trace saves its host-state snapshot (hoststate.h, docs/host-state.md).
 */
int pcapng_writer_custom(struct pcapng_writer *w, uint32_t type, uint32_t pen,
			 const void *data, size_t len);

/* Flushes and closes; returns 0 or the first write error (-errno). */
int pcapng_writer_close(struct pcapng_writer *w);

/*
 * Closes and removes the file when this writer created it (not when it was
 * there before, nor stdout): for a capture that failed before it started,
 * so no header-only stub is left behind.
 */
void pcapng_writer_discard(struct pcapng_writer *w);

#endif /* DROPSPOT_PCAPNG_WRITE_H */
