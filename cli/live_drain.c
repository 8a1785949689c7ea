// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <string.h>
#include <sys/time.h>

#include "common/log.h"
#include "live_drain.h"
#include "live_session.h"

static volatile sig_atomic_t drain_cut;

static void tick(long first_ms, long every_ms)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = first_ms / 1000;
	it.it_value.tv_usec = (first_ms % 1000) * 1000;
	it.it_interval.tv_sec = every_ms / 1000;
	it.it_interval.tv_usec = (every_ms % 1000) * 1000;
	/* setitimer is a plain syscall: safe in a handler on Linux */
	setitimer(ITIMER_REAL, &it, NULL);
}

/* The budget is spent: cut, and keep interrupting blocked writes. */
static void on_alarm(int sig)
{
	(void)sig;
	drain_cut = 1;
}

/* A second stop signal: the user does not want to wait. */
static void on_again(int sig)
{
	live_stop_signal = sig;
	drain_cut = 1;
	tick(DRAIN_TICK_MS, DRAIN_TICK_MS);
}

static void handle(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: a write blocked on a full pipe returns EINTR */
	sigaction(sig, &sa, NULL);
}

void live_drain_begin(void)
{
	drain_cut = 0;
	handle(SIGALRM, on_alarm);
	handle(SIGINT, on_again);
	handle(SIGTERM, on_again);
	handle(SIGHUP, on_again);
	tick(DRAIN_BUDGET_MS, DRAIN_TICK_MS);
}

bool live_drain_cut(void)
{
	return drain_cut;
}

void live_drain_done(void)
{
	if (drain_cut)
		return;
	tick(0, 0);
	/* the budget ran out just now: keep interrupting, as promised */
	if (drain_cut)
		tick(DRAIN_TICK_MS, DRAIN_TICK_MS);
}

void live_drain_end(void)
{
	/*
	 * Cut: the ticks go on to the end, since stdio still flushes stdout
	 * at exit, and that write must fail rather than block.
	 */
	if (!drain_cut) {
		tick(0, 0);
		signal(SIGALRM, SIG_IGN);
	}
	/* a signal from here on only stops what little is left: ignore */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
}

void live_drain_report(uint64_t n, const char *why)
{
	if (!n)
		return;
	log_warn("%llu event%s still in the ring %s not written (%s)",
		 (unsigned long long)n, n == 1 ? "" : "s",
		 n == 1 ? "was" : "were",
		 live_stop_signal ? "interrupted" : why);
}
