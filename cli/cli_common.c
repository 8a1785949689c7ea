// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli_common.h"
#include "analyze/report.h"

int cli_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (*end || errno)
		return -1;
	*out = v;
	return 0;
}

int cli_report(const struct engine *e, bool json, int color,
	       unsigned ladder_max, bool verbose)
{
	struct report_opts ro;

	if (json)
		return report_json(e, stdout);
	report_opts_default(&ro);
	ro.color = color < 0 ? isatty(STDOUT_FILENO) : color;
	ro.ladder_max = ladder_max;
	ro.verbose = verbose;
	return report_text(e, stdout, &ro);
}
