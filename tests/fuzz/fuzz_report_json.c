// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the bytes are a JSON report given to `dropspot diff`
 * (common/json.c + analyze/report_read.c), the one input of diff that is
 * not a capture.  Whatever parses is compared against itself and against
 * an empty report, and both outputs are written; the JSON output must parse
 * again with the same parser (our writer's escaping of hostile strings).
 *
 * Seeds: tests/fuzz/seeds/report_*.report (run.sh skips *.json files, which
 * are expected outputs elsewhere, so the seed reports carry another suffix).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/diff.h"
#include "common/json.h"

static const char empty_report[] =
	"{\"schema\":\"dropspot.report\",\"version\":1,\"summary\":{\"probes\":0,"
	"\"answered\":0,\"lost\":0,\"unfinished\":0},\"points\":[],"
	"\"flows\":[],\"findings\":[]}";

/* The diff's JSON output must itself be valid JSON. */
static void check_json_output(const struct diff_result *r)
{
	struct json_doc *d;
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (!fp)
		return;
	if (diff_json(r, fp)) {
		fclose(fp);
		free(buf);
		return;
	}
	fclose(fp);
	d = json_parse(buf, len, err, sizeof(err));
	if (!d) {
		fprintf(stderr, "diff output does not parse: %s\n", err);
		__builtin_trap();
	}
	json_free(d);
	free(buf);
}

static void run(const struct diff_summary *x, const struct diff_summary *y,
		FILE *null)
{
	struct diff_side a = { "a", "report", x }, b = { "b", "report", y };
	struct diff_opts o;
	struct diff_result *r;

	diff_opts_default(&o);
	r = diff_compare(&a, &b, &o);
	if (!r)
		return;
	diff_text(r, null);
	check_json_output(r);
	diff_result_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diff_summary *s, *e;
	char err[256];
	FILE *null;

	s = diff_summary_from_json((const char *)data, size, err, sizeof(err));
	/* an error is one line, never empty */
	if (!s && (!err[0] || strchr(err, '\n')))
		__builtin_trap();
	if (!s)
		return 0;
	e = diff_summary_from_json(empty_report, sizeof(empty_report) - 1, err,
				   sizeof(err));
	null = fopen("/dev/null", "w");
	if (e && null) {
		run(s, s, null);
		run(e, s, null);
		run(s, e, null);
	}
	if (null)
		fclose(null);
	diff_summary_free(e);
	diff_summary_free(s);
	return 0;
}
