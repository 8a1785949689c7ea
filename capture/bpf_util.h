/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every loader of a dropspot BPF skeleton shares (capture/live.c,
 * capture/drops.c): libbpf's logger and the kernel's clock.
 */
#ifndef DROPSPOT_BPF_UTIL_H
#define DROPSPOT_BPF_UTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <bpf/libbpf.h>

/*
 * For libbpf_set_print(): libbpf's chatter only with -v, through our
 * logger; its warnings about expected failures (a busy XDP slot, a probe
 * of a kernel feature) would otherwise read like our errors.
 */
__attribute__((format(printf, 2, 0)))
int bpf_util_libbpf_log(enum libbpf_print_level level, const char *fmt,
			va_list ap);

/*
 * Nanoseconds to add to a CLOCK_MONOTONIC time (bpf_ktime_get_ns) to get
 * wall-clock time, measured once: realtime bracketed by two monotonic
 * reads, so the error is at most half the gap between them.
 */
int64_t bpf_util_mono_to_real_ns(void);

#endif /* DROPSPOT_BPF_UTIL_H */
