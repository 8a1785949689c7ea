// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_common.h"
#include "analyze/report.h"
#include "capture/source.h"
#include "capture/linktype.h"
#include "common/log.h"

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

static bool shares_source(const struct point_table *points,
			  const struct point *pt)
{
	size_t i;

	for (i = 0; i < points->count; i++)
		if (&points->items[i] != pt &&
		    !strcmp(points->items[i].source, pt->source))
			return true;
	return false;
}

uint64_t cli_warn_undecodable(const struct engine *e,
			      const struct point_table *points)
{
	bool none_decoded = !engine_packets(e);
	uint64_t total = 0, n;
	char lt[64], where[POINT_SOURCE_MAX + POINT_IFNAME_MAX + 32];
	size_t i;

	for (i = 0; i < points->count; i++) {
		const struct point *pt = &points->items[i];

		n = engine_undecodable(e, (uint32_t)i);
		if (!n)
			continue;
		total += n;
		linktype_name(pt->linktype, lt, sizeof(lt));
		/* a pcapng interface is named: the file may have others */
		if (pt->ifname[0])
			snprintf(where, sizeof(where), "%s interface %s",
				 pt->source, pt->ifname);
		else if (shares_source(points, pt))
			snprintf(where, sizeof(where), "%s interface %u",
				 pt->source, pt->file_if);
		else
			snprintf(where, sizeof(where), "%s", pt->source);
		log_msg(none_decoded ? LOG_ERROR : LOG_WARN,
			"cannot decode link type %s%s%d%s of %s: no verdict for "
			"its %llu frame%s", lt, lt[0] ? " (" : "", pt->linktype,
			lt[0] ? ")" : "", where, (unsigned long long)n,
			n == 1 ? "" : "s");
	}
	return total;
}

uint64_t cli_warn_late_frames(const struct merger *m,
			      struct source *const *sources, size_t n)
{
	uint64_t total = 0, late;
	size_t i;

	for (i = 0; i < n; i++) {
		late = merger_source_late_frames(m, i);
		if (!late)
			continue;
		total += late;
		log_warn("%s: %llu frame%s out of time order by more than the "
			 "reorder window; evidence may be incomplete",
			 source_path(sources[i]), (unsigned long long)late,
			 late == 1 ? "" : "s");
	}
	return total;
}
