// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bpf_util.h"
#include "common/log.h"

int bpf_util_libbpf_log(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	char buf[1024];
	size_t n;

	if (level == LIBBPF_DEBUG || log_get_level() < LOG_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	log_debug("libbpf: %s", buf);
	return 0;
}

int64_t bpf_util_mono_to_real_ns(void)
{
	struct timespec m1, r, m2;
	int64_t mono;

	clock_gettime(CLOCK_MONOTONIC, &m1);
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m2);
	mono = ((int64_t)m1.tv_sec * 1000000000 + m1.tv_nsec +
		(int64_t)m2.tv_sec * 1000000000 + m2.tv_nsec) / 2;
	return (int64_t)r.tv_sec * 1000000000 + r.tv_nsec - mono;
}
