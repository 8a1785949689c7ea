// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "live_session.h"
#include "common/log.h"

volatile sig_atomic_t live_stop_signal;

static void on_stop_signal(int sig)
{
	live_stop_signal = sig;
}

void live_session_signals(void)
{
	struct sigaction sa;

	live_stop_signal = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int live_session_attach(struct live *lv, const char *const *targets, size_t n)
{
	char err[1024];
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		if (live_stop_signal)
			return -EINTR;
		ret = live_prepare(lv, targets[i], err, sizeof(err));
		if (ret < 0) {
			log_error("%s", err);
			return ret;
		}
	}
	/* points the kernel refuses were reported; only none watched ends it */
	ret = live_attach(lv, err, sizeof(err));
	if (ret < 0) {
		log_error("%s", err);
		return ret;
	}
	return 0;
}
