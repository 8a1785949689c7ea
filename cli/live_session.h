/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the live commands (capture, trace) share around the capture stage:
 * the stop signals and attaching every named point.
 */
#ifndef DROPSPOT_LIVE_SESSION_H
#define DROPSPOT_LIVE_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "capture/live.h"

/* The signal that asked us to stop (SIGINT, SIGTERM, SIGHUP), 0 = none. */
extern volatile sig_atomic_t live_stop_signal;

/*
 * SIGINT/SIGTERM/SIGHUP set live_stop_signal without SA_RESTART (poll
 * returns EINTR), so the loop ends and detaches what it attached; SIGPIPE
 * is ignored: a closed pipe ends the loop through write errors, not by
 * killing us before clsact filters are removed.
 */
void live_session_signals(void);

/* live_prepare() each point, then live_attach(); errors are logged. */
int live_session_attach(struct live *lv, const char *const *targets, size_t n);

/* --attach MODE: 0, or -1 with the error logged. */
int cli_opt_attach(const char *arg, enum live_attach *out);
/*
 * --attach tracepoints hooks no interface, so the options that choose an
 * interface's hooks (link_opts) contradict it: -1 with the error logged.
 */
int cli_check_attach(enum live_attach mode, bool link_opts);

struct drops_handle;
struct pcapng_writer;
struct point;
struct run_stats;
struct stream;
struct point_table;

/*
 * An interface of point p went away or came back (ev): the saved file
 * closes its watch window (ISB, with the ring's counters read first) or
 * opens a new one (IDB).  Returns 0 or the writer's negative error.
 */
int live_session_window(struct live *lv, struct pcapng_writer *w,
			struct point *p, const struct live_link_event *ev,
			uint64_t start_ns);

/*
 * A counters event (--ndjson, ev may be NULL) and the metrics file
 * (--metrics, metrics may be NULL), now, with the ring and kernel-drop
 * counters refreshed first; final: the run's last (dropspot_up 0).
 * Returns 0, or -errno when the metrics file could not be written.
 */
int live_session_counters(struct live *lv, struct drops_handle *d,
			  struct run_stats *st, struct stream *ev,
			  const char *metrics, const struct point_table *points,
			  bool final);

#endif /* DROPSPOT_LIVE_SESSION_H */
