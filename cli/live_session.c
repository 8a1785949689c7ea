// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "capture/drops.h"
#include "capture/pcapng_write.h"
#include "common/log.h"
#include "live_session.h"
#include "metrics.h"
#include "stream.h"

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

int cli_opt_attach(const char *arg, enum live_attach *out)
{
	if (live_attach_parse(arg, out)) {
		log_error("--attach wants links, tracepoints or auto, not '%s'",
			  arg);
		return -1;
	}
	return 0;
}

int cli_check_attach(enum live_attach mode, bool link_opts)
{
	if (mode == LIVE_ATTACH_TRACEPOINTS && link_opts) {
		log_error("--tc-ingress and --xdp-ingress choose an interface's "
			  "hooks: not with --attach tracepoints, which hooks none");
		return -1;
	}
	return 0;
}

int live_session_counters(struct live *lv, struct drops_handle *d,
			  struct run_stats *st, struct stream *ev,
			  const char *metrics, const struct point_table *points,
			  bool final)
{
	if (!ev && !metrics)
		return 0;
	live_update_stats(lv);
	if (d) {
		struct drops_stats ds;

		drops_stats(d, &ds);
		st->kdrop_ring_lost = ds.lost;
	}
	if (ev)
		stream_counters(ev, st, points, final);
	return metrics ? metrics_write(metrics, st, points, !final) : 0;
}

int live_session_window(struct live *lv, struct pcapng_writer *w,
			struct point *p, const struct live_link_event *ev,
			uint64_t start_ns)
{
	int ret;

	live_update_stats(lv);
	if (ev->present)
		ret = pcapng_writer_add_point(w, p);
	else
		ret = pcapng_writer_window_end(w, p, start_ns, ev->ts_ns);
	return ret < 0 ? ret : 0;
}
