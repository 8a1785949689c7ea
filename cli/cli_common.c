// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <math.h>
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
	int base = 10;

	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	/* "010" is ten, not eight: only 0x changes the base */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!isxdigit((unsigned char)s[2]))
			return -1;
		base = 16;
	}
	errno = 0;
	v = strtoull(s, &end, base);
	if (*end || errno)
		return -1;
	*out = v;
	return 0;
}

/* Bounds as people write them: 3600, 0.001, 10000000 (not 1e+07). */
static void fmt_seconds(char *buf, size_t n, double v)
{
	if (v >= 1 && v == floor(v))
		snprintf(buf, n, "%.0f", v);
	else
		snprintf(buf, n, "%g", v);
}

int cli_opt_seconds(const char *opt, const char *arg, double min, double max,
		    double *out)
{
	char lo[32], hi[32], *end;
	double v;

	/* strtod alone takes " 1", "-0", "nan", "inf" and "0x1p3" */
	if (arg && (isdigit((unsigned char)arg[0]) ||
		    (arg[0] == '.' && isdigit((unsigned char)arg[1]))) &&
	    !(arg[0] == '0' && (arg[1] == 'x' || arg[1] == 'X'))) {
		errno = 0;
		v = strtod(arg, &end);
		if (!*end && !errno && isfinite(v) && v >= min && v <= max) {
			*out = v;
			return 0;
		}
	}
	fmt_seconds(lo, sizeof(lo), min);
	fmt_seconds(hi, sizeof(hi), max);
	log_error("%s wants seconds from %s to %s, not '%s'", opt, lo, hi,
		  arg ? arg : "");
	return -1;
}

int cli_opt_uint(const char *opt, const char *arg, uint64_t min, uint64_t max,
		 uint64_t *out)
{
	uint64_t v;

	if (!cli_parse_u64(arg, &v) && v >= min && v <= max) {
		*out = v;
		return 0;
	}
	if (max == UINT64_MAX)
		log_error("%s wants a whole number >= %llu, not '%s'", opt,
			  (unsigned long long)min, arg ? arg : "");
	else
		log_error("%s wants a whole number from %llu to %llu, not '%s'",
			  opt, (unsigned long long)min,
			  (unsigned long long)max, arg ? arg : "");
	return -1;
}

int cli_opt_count(const char *opt, const char *arg, uint64_t *out)
{
	return cli_opt_uint(opt, arg, 1, UINT64_MAX, out);
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
