/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The end of a live run (capture, trace), bounded.  When the loop ends
 * (-c, --duration, a stop signal, an error), the hooks come off and what
 * is still in the ring is written out.  That drain must not hang: stdout
 * may be a pipe nobody reads.  So from live_drain_begin() on:
 *  - a second SIGINT/SIGTERM/SIGHUP cuts the drain at once;
 *  - the drain has DRAIN_BUDGET_MS in all, then it is cut;
 * and once cut, a SIGALRM every DRAIN_TICK_MS makes every write still
 * blocked fail with EINTR (no SA_RESTART), so the rest of the exit path
 * (flushes, the summary, the report) cannot block either.  What the drain
 * did not write is counted as lost (live_discard) and said.
 */
#ifndef DROPSPOT_LIVE_DRAIN_H
#define DROPSPOT_LIVE_DRAIN_H

#include <stdbool.h>
#include <stdint.h>

#define DRAIN_BUDGET_MS 3000
#define DRAIN_TICK_MS 100

void live_drain_begin(void);
/* True once the drain must stop writing (second signal, budget spent). */
bool live_drain_cut(void);
/*
 * The drain is over.  Not cut: the budget stops (the report may take its
 * time, e.g. into a pager), but a second signal still cuts what is left.
 * Cut: the ticks go on, so nothing after it can block.
 */
void live_drain_done(void);
/*
 * Before the cleanup: a stop signal is ignored from here on (what is left
 * only frees and detaches); the timer stops unless the drain was cut.
 */
void live_drain_end(void);
/*
 * "N events still in the ring were not written (interrupted)" on stderr,
 * when n > 0; why names the cause when no signal stopped the run.
 */
void live_drain_report(uint64_t n, const char *why);

#endif /* DROPSPOT_LIVE_DRAIN_H */
