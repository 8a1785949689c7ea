// SPDX-License-Identifier: GPL-2.0
/*
 * dropspot diff A B: did B regress against A?  Each side is a capture (any
 * format analyze reads) or a report saved by `dropspot analyze --json`,
 * told apart by content.  A capture goes through the analyze pipeline and
 * its JSON report is read back, so both kinds reach the comparison (diff.h)
 * through one reader and a capture compares equal to its own saved report.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "analyze/diff.h"
#include "analyze/engine.h"
#include "analyze/report.h"
#include "cli_common.h"
#include "commands.h"
#include "pipeline.h"
#include "common/json.h"
#include "common/log.h"

struct diff_cli {
	bool json;
	const char *baseline;	/* --baseline DIR */
	double timeout_s;
	struct diff_opts dopts;
};

static void diff_usage(FILE *fp)
{
	fprintf(fp,
		"usage: dropspot diff [OPTIONS] A B\n"
		"       dropspot diff [OPTIONS] --baseline DIR CAPTURE\n"
		"\n"
		"Compares run B against run A and reports only what changed, most\n"
		"important first: new losses and drop points, kernel drop reasons,\n"
		"NAT mappings, neighbour and other findings, paths, and latency\n"
		"(median and p99 of the round trip and of every hop, per flow).\n"
		"A and B are each a capture (pcap, pcapng, .gz) or a JSON report\n"
		"saved by `dropspot analyze --json`, recognised by content.\n"
		"\n"
		"options:\n"
		"  -j, --json             JSON output (schema: docs/diff-schema.md)\n"
		"  -b, --baseline DIR     A is DIR/NAME.expected.json for CAPTURE\n"
		"                         NAME.pcapng.gz (or .pcapng, .pcap, .gz)\n"
		"  -r, --rtt-threshold T  a latency changed when it moved by more\n"
		"                         than T: PCT%%, MS[ms], or both (PCT%%,MSms:\n"
		"                         more than both); default 50%%,1ms\n"
		"  -t, --timeout SEC      as analyze: no reply after SEC = lost (3)\n"
		"  -h, --help             this help\n"
		"\n"
		"exit status: 0 no regression (changes may be listed: fixed drops,\n"
		"faster hops), 1 regression found (B lost more, a new drop point,\n"
		"kernel reason, problem finding or NAT change, or slower beyond the\n"
		"threshold), 2 usage error or unreadable / malformed input.\n");
}

static int parse_diff_opts(int argc, char **argv, struct diff_cli *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "rtt-threshold", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, want;

	memset(o, 0, sizeof(*o));
	o->timeout_s = 3.0;
	diff_opts_default(&o->dopts);
	optind = 1;
	while ((c = getopt_long(argc, argv, "jb:r:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'b':
			o->baseline = optarg;
			break;
		case 'r':
			if (diff_parse_threshold(optarg, &o->dopts)) {
				log_error("--rtt-threshold wants PCT%%, MS[ms] or "
					  "both (50%%,1ms), not '%s'", optarg);
				return -1;
			}
			break;
		case 't':
			if (cli_opt_seconds("--timeout", optarg, CLI_TIMEOUT_MIN,
					    CLI_TIMEOUT_MAX, &o->timeout_s))
				return -1;
			break;
		case 'h':
			diff_usage(stdout);
			exit(0);
		default:
			diff_usage(stderr);
			return -1;
		}
	}
	want = o->baseline ? 1 : 2;
	if (argc - optind != want) {
		log_error(o->baseline ? "diff --baseline DIR wants one capture" :
			  "diff wants two inputs: A B");
		diff_usage(stderr);
		return -1;
	}
	return 0;
}

/* ---- one side -------------------------------------------------------- */

/*
 * Reads up to max bytes of path, gunzipping if need be (zlib reads plain
 * files as they are).  *len > max means the file is larger.
 */
static char *read_head(const char *path, size_t max, size_t *len)
{
	gzFile gz = gzopen(path, "rb");
	size_t cap = 4096, n = 0;
	char *buf = NULL, *nb;
	int got;

	if (!gz) {
		log_error("%s: %s", path, strerror(errno ? errno : ENOENT));
		return NULL;
	}
	for (;;) {
		if (n == cap || !buf) {
			cap = buf ? 2 * cap : cap;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				log_error("%s: out of memory", path);
				goto fail;
			}
			buf = nb;
		}
		got = gzread(gz, buf + n, (unsigned)(cap - n));
		if (got < 0) {
			int zerr;

			log_error("%s: %s", path, gzerror(gz, &zerr));
			goto fail;
		}
		n += (size_t)got;
		if (!got || n > max)
			break;
	}
	gzclose(gz);
	buf[n] = 0;
	*len = n;
	return buf;
fail:
	gzclose(gz);
	free(buf);
	return NULL;
}

/*
 * JSON starts with '{' or '[' after white space (and maybe a BOM); no
 * capture format does (pcap, pcapng and gzip magics).  An array is then
 * refused by the report reader with a message that says so.
 */
static bool looks_like_json(const char *buf, size_t len)
{
	size_t i = 0;

	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && buf[i] && strchr(" \t\r\n", buf[i]))
		i++;
	return i < len && (buf[i] == '{' || buf[i] == '[');
}

static struct diff_summary *summary_of_report(const char *path)
{
	struct diff_summary *s;
	char err[256];
	size_t len;
	char *buf = read_head(path, JSON_MAX_INPUT, &len);

	if (!buf)
		return NULL;
	if (len > JSON_MAX_INPUT) {
		log_error("%s: report larger than %u bytes", path,
			  JSON_MAX_INPUT);
		free(buf);
		return NULL;
	}
	s = diff_summary_from_json(buf, len, err, sizeof(err));
	if (!s)
		log_error("%s: %s", path, err);
	free(buf);
	return s;
}

/*
 * The capture through the analyze pipeline, its report written to memory
 * and read back: the very document `analyze --json` would have printed.
 */
static struct diff_summary *summary_of_capture(const char *path,
					       const struct diff_cli *o)
{
	struct diff_summary *s = NULL;
	struct pipeline pl = { 0 };
	struct pipeline_opts po = { 0 };
	struct engine *e = NULL;
	struct engine_opts eo;
	char err[256], *buf = NULL;
	size_t len = 0;
	FILE *mem = NULL;

	/* as analyze (one file: one clock, nothing to estimate) */
	po.clocks = true;
	if (pipeline_open(&pl, (char *const *)&path, 1, &po))
		goto cleanup;
	engine_opts_default(&eo);
	eo.timeout_ns = (uint64_t)(o->timeout_s * 1e9);
	/* as analyze does: a saved trace's own probes only */
	pipeline_engine_opts(&pl, &eo);
	e = engine_new(&pl.points, &eo);
	if (!e) {
		log_error("out of memory");
		goto cleanup;
	}
	if (pipeline_run(&pl, e) || pipeline_finish(&pl, e))
		goto cleanup;
	engine_finish(e);
	mem = open_memstream(&buf, &len);
	if (!mem || report_json(e, mem) || fclose(mem)) {
		log_error("%s: building the report in memory failed", path);
		mem = NULL;
		goto cleanup;
	}
	mem = NULL;
	s = diff_summary_from_json(buf, len, err, sizeof(err));
	if (!s)
		log_error("%s: reading its own report back failed: %s", path,
			  err);
cleanup:
	engine_free(e);
	pipeline_close(&pl);
	free(buf);
	return s;
}

static struct diff_summary *load_side(const char *path,
				      const struct diff_cli *o,
				      const char **input)
{
	size_t len;
	char *head;
	bool json;

	if (!strcmp(path, "-")) {
		log_error("diff reads files, not standard input");
		return NULL;
	}
	head = read_head(path, 256, &len);
	if (!head)
		return NULL;
	json = looks_like_json(head, len);
	free(head);
	*input = json ? "report" : "capture";
	return json ? summary_of_report(path) : summary_of_capture(path, o);
}

/* DIR/NAME.expected.json for .../NAME.pcapng.gz (the samples/ naming). */
static int baseline_path(const char *dir, const char *capture, char *out,
			 size_t n)
{
	static const char *const exts[] = {
		".pcapng.gz", ".pcap.gz", ".pcapng", ".pcap", ".gz",
	};
	char tmp[4096], *base;
	size_t i, bl, el;

	if (snprintf(tmp, sizeof(tmp), "%s", capture) >= (int)sizeof(tmp))
		return -1;
	base = basename(tmp);
	bl = strlen(base);
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		el = strlen(exts[i]);
		if (bl > el && !strcmp(base + bl - el, exts[i])) {
			base[bl - el] = 0;
			break;
		}
	}
	if (snprintf(out, n, "%s/%s.expected.json", dir, base) >= (int)n)
		return -1;
	return 0;
}

int cmd_diff(int argc, char **argv)
{
	struct diff_summary *sa = NULL, *sb = NULL;
	struct diff_result *r = NULL;
	struct diff_side a, b;
	struct diff_cli o;
	char base[4096];
	const char *pa, *pb;
	int status = EXIT_TROUBLE, ret;

	if (parse_diff_opts(argc, argv, &o))
		return EXIT_TROUBLE;
	if (o.baseline) {
		pb = argv[optind];
		if (baseline_path(o.baseline, pb, base, sizeof(base))) {
			log_error("--baseline: path too long");
			return EXIT_TROUBLE;
		}
		pa = base;
	} else {
		pa = argv[optind];
		pb = argv[optind + 1];
	}
	a.label = pa;
	b.label = pb;
	sa = load_side(pa, &o, &a.input);
	if (!sa)
		goto cleanup;
	sb = load_side(pb, &o, &b.input);
	if (!sb)
		goto cleanup;
	a.sum = sa;
	b.sum = sb;
	r = diff_compare(&a, &b, &o.dopts);
	if (!r) {
		log_error("out of memory");
		goto cleanup;
	}
	ret = o.json ? diff_json(r, stdout) : diff_text(r, stdout);
	if (ret) {
		log_error("writing the comparison failed");
		goto cleanup;
	}
	status = diff_regression(r) ? EXIT_FINDING : 0;
cleanup:
	diff_result_free(r);
	diff_summary_free(sa);
	diff_summary_free(sb);
	return status;
}
