/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the live commands (capture, trace) share around the capture stage:
 * the stop signals and attaching every named point.
 */
#ifndef DROPSPOT_LIVE_SESSION_H
#define DROPSPOT_LIVE_SESSION_H

#include <signal.h>
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

#endif /* DROPSPOT_LIVE_SESSION_H */
