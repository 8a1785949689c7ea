/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The correlation engine: follows every ping probe across the points where
 * it was seen and says where it stopped, and why.
 *
 * Live and offline use feed it the same way: frames in time order (merged
 * from all sources) -> dissect_frame() -> engine_feed(packet).  At the end
 * engine_finish() expires what is still open and builds the findings, which
 * the reports (report.h) print.  The engine consumes packets and points only.
 *
 * Memory is bounded: a probe is kept in the live table only until its reply
 * window (timeout) has passed; then it is folded into per-flow statistics
 * and outcome groups, and kept in detail only for the first probes (up to
 * keep_probes, and more of the failed ones), so a capture of any length
 * costs the same.
 */
#ifndef DROPSPOT_ENGINE_H
#define DROPSPOT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/point.h"
#include "dissect/packet.h"

/* The engine follows at most this many points (bit masks of points). */
#define ENGINE_MAX_POINTS 64

struct engine_opts {
	uint64_t timeout_ns;	/* no reply within this = lost (default 3 s) */
	uint32_t max_live;	/* open probes before the oldest is forced out */
	uint32_t keep_probes;	/* probes kept in detail for reports */
	uint32_t storm_rate;	/* broadcast frames/s at a point = storm */
	const uint32_t *path;	/* --path: point ids in order, or NULL */
	size_t path_len;
	/*
	 * A session with probes of its own (trace --ping, or the file such a
	 * session saved) counts only echoes whose data starts with these
	 * bytes; every other ping is left out.  0 = every ping counts.
	 */
	uint8_t own_prefix[32];
	size_t own_prefix_len;
	/*
	 * Probes of the session that could not be sent (a saved trace's
	 * count), as engine_note_unsent would have counted them live.
	 */
	uint64_t unsent;
	int unsent_err;
};

/*
 * The own-probe prefix a saved trace recorded in its section comment
 * ("dropspot-session probes=HEX"), into o; false when comment has none.
 * Also the probes it could not send ("dropspot-session unsent=N
 * errno=E"), into o->unsent and o->unsent_err.
 */
bool engine_opts_own_from_comment(struct engine_opts *o, const char *comment);


void engine_opts_default(struct engine_opts *o);

struct engine;

/* points must outlive the engine; it may grow while frames are fed. */
struct engine *engine_new(const struct point_table *points,
			  const struct engine_opts *o);
void engine_free(struct engine *e);
/*
 * The table the engine reads points from from now on (the threaded
 * pipeline feeds it a copy kept in step with the readers, then gives the
 * original back before engine_finish).
 */
void engine_set_points(struct engine *e, const struct point_table *points);
/*
 * A probe this session could not send (the sender's kernel refused it,
 * err an errno): lost before the first point, counted and told.
 */
void engine_note_unsent(struct engine *e, int err);

/*
 * Sets the path (point ids in order) after the engine was created: points
 * of file sources may appear only while reading (SLL2 interface indexes).
 * Used at engine_finish(); returns -1 if too long.
 */
int engine_set_path(struct engine *e, const uint32_t *ids, size_t n);

/* p->frame must be valid during the call (timestamp, point, number). */
void engine_feed(struct engine *e, const struct packet *p);

/*
 * Called when a probe leaves the live table (answered, timed out or forced
 * out): live tracing prints one line per probe from here.
 */
struct probe;
typedef void (*probe_done_fn)(void *ctx, const struct engine *e,
			      const struct probe *pr);
void engine_set_probe_callback(struct engine *e, probe_done_fn fn, void *ctx);

/*
 * Listeners for streaming (trace --ndjson, --metrics): told each probe's
 * outcome as the engine decides it (when it leaves the live table, after
 * the probe callback above) and each finding once engine_finish() has
 * built them (index into the report's findings).  Either may be NULL.
 * ops must outlive the engine; one listener at a time.
 */
struct engine_listener {
	void (*probe)(void *ctx, const struct engine *e,
		      const struct probe *pr);
	void (*finding)(void *ctx, const struct engine *e, size_t index);
};
void engine_set_listener(struct engine *e, const struct engine_listener *ops,
			 void *ctx);

/*
 * Live tracing: time has passed up to now_ns (wall clock) even if no frame
 * came, so probes whose reply window ended close now (timed out) rather
 * than at the next frame.  Only call it with a time no frame still to be
 * fed can precede.
 */
void engine_advance(struct engine *e, uint64_t now_ns);

/* End of input: closes every open probe and builds paths and findings. */
void engine_finish(struct engine *e);

/* Verdict summary, valid after engine_finish(). */
struct engine_totals {
	uint64_t probes;	/* echo requests recognised (distinct probes) */
	uint64_t answered;
	uint64_t lost;		/* request or reply went missing */
	uint64_t unfinished;	/* capture ended inside the reply window */
	uint64_t orphan_replies;	/* reply without any request seen */
	uint64_t incomplete;	/* lost, but the evidence cannot say where */
	size_t findings;
	size_t problems;	/* findings of severity warning or error */
	bool has_drop;
};
void engine_totals(const struct engine *e, struct engine_totals *t);

/*
 * Frames fed at a point whose link type could not be decoded: not
 * analysed, and the point counts as not watched.  0 for unknown points.
 */
uint64_t engine_undecodable(const struct engine *e, uint32_t point);
/* Frames analysed (decoded, of a point within ENGINE_MAX_POINTS). */
uint64_t engine_packets(const struct engine *e);

/*
 * n frames were fed out of time order by more than the merger's reorder
 * window (merger_late_frames()): said by an evidence_incomplete finding
 * (reason frames_out_of_order) at engine_finish().  Call before it.
 */
void engine_note_late_frames(struct engine *e, uint64_t n);

/*
 * The host state read when the capture was made (live at trace time, or
 * the snapshot a saved trace carries): evidence for the located losses
 * (analyze/state.c).  Copied; call before engine_finish().  -ENOMEM.
 */
struct host_state;
int engine_note_host_state(struct engine *e, const struct host_state *hs);

/*
 * The addresses of up to max flows seen so far (lost ones first), for a
 * live snapshot to ask the routes their probes take.  Returns how many.
 */
struct hs_flow;
size_t engine_flow_addrs(const struct engine *e, struct hs_flow *out,
			 size_t max);
/*
 * The devices the kernel's drop records named (netns, ifname: strings the
 * engine owns), up to max: their netns' state matters too.
 */
struct hs_dev;
size_t engine_drop_places(const struct engine *e, struct hs_dev *out,
			  size_t max);

#endif /* DROPSPOT_ENGINE_H */
