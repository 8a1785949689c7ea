// SPDX-License-Identifier: GPL-2.0
/*
 * dropspot analyze FILE...: follow every ping probe across the points of
 * captures (each file, pcapng interface or SLL2 interface index is a point)
 * and say where the failed ones stopped, and why.
 *
 * The same pipeline as live tracing: frames in time order (merger) ->
 * dissect_frame() -> engine_feed() -> engine_finish() -> report.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/engine.h"
#include "analyze/report.h"
#include "capture/filter.h"
#include "capture/hoststate.h"
#include "capture/source.h"
#include "cli_common.h"
#include "commands.h"
#include "pipeline.h"
#include "point_args.h"
#include "common/log.h"
#include "dissect/packet.h"

#define MAX_NAMES 64

struct analyze_opts {
	const char *filter_expr;
	const char *path;
	const char *names[MAX_NAMES];
	int n_names;
	const char *hosts[MAX_NAMES];	/* NAME=FILE */
	int n_hosts;
	bool json;
	int color;		/* -1 auto */
	bool verbose;
	bool all_pings;
	unsigned ladder_max;
	double timeout_s;
	unsigned storm_rate;
};

static void analyze_usage(FILE *fp)
{
	fprintf(fp,
		"usage: dropspot analyze [OPTIONS] FILE...\n"
		"\n"
		"Follows every ping (ICMP/ICMPv6 echo) probe across the points of\n"
		"the captures and says where the failed ones stopped and why.\n"
		"Each file, each pcapng interface and each SLL2 interface index\n"
		"(tcpdump -i any) is a point; files are merged in time order.\n"
		"\n"
		"options:\n"
		"  -j, --json            JSON report (schema: docs/report-schema.md)\n"
		"      --no-color        no colours (default: only on a terminal)\n"
		"      --color           colours even when not on a terminal\n"
		"  -n, --name P=NAME     name point P (its index, or its current\n"
		"                        name) NAME in the report; repeatable\n"
		"      --host NAME=FILE  the points of FILE are on host NAME (else:\n"
		"                        the hostname a dropspot capture wrote);\n"
		"                        with several hosts, points are named\n"
		"                        HOST/IFNAME; repeatable\n"
		"  -p, --path P1,P2,...  the order of points a request crosses\n"
		"                        (default: learnt from the probes)\n"
		"  -f, --filter EXPR     only frames matching a pcap-filter expression\n"
		"  -t, --timeout SEC     a probe without reply after SEC is lost (3)\n"
		"      --ladder N        probes per flow in the ladder (20, 0 = none)\n"
		"      --storm-rate N    broadcast frames/s that make a storm (500)\n"
		"      --all-pings       every ping, also in a file `trace --ping`\n"
		"                        saved (default there: its own probes only)\n"
		"  -v, --verbose         info findings and all evidence\n"
		"  -h, --help            this help\n"
		"\n"
		"exit status: 0 every probe answered and no problem found,\n"
		"1 probes lost or a problem found, 2 usage error or bad input\n"
		"(also: no frame of a link type dropspot decodes).\n");
}

static int parse_analyze_opts(int argc, char **argv, struct analyze_opts *o)
{
	enum { OPT_NO_COLOR = 256, OPT_COLOR, OPT_LADDER, OPT_STORM,
	       OPT_ALL_PINGS, OPT_HOST };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "color", no_argument, NULL, OPT_COLOR },
		{ "name", required_argument, NULL, 'n' },
		{ "path", required_argument, NULL, 'p' },
		{ "filter", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ "ladder", required_argument, NULL, OPT_LADDER },
		{ "storm-rate", required_argument, NULL, OPT_STORM },
		{ "all-pings", no_argument, NULL, OPT_ALL_PINGS },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->color = -1;
	o->ladder_max = 20;
	o->timeout_s = 3.0;
	o->storm_rate = 500;
	optind = 1;
	while ((c = getopt_long(argc, argv, "jn:p:f:t:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case OPT_NO_COLOR:
			o->color = 0;
			break;
		case OPT_COLOR:
			o->color = 1;
			break;
		case 'n':
			if (point_arg_check_name(optarg))
				return -1;
			if (o->n_names == MAX_NAMES) {
				log_error("too many --name (max %d)", MAX_NAMES);
				return -1;
			}
			o->names[o->n_names++] = optarg;
			break;
		case 'p':
			if (point_arg_check_path(optarg))
				return -1;
			o->path = optarg;
			break;
		case 'f':
			o->filter_expr = optarg;
			break;
		case 't':
			if (cli_opt_seconds("--timeout", optarg, CLI_TIMEOUT_MIN,
					    CLI_TIMEOUT_MAX, &o->timeout_s))
				return -1;
			break;
		case OPT_LADDER:
			if (cli_opt_uint("--ladder", optarg, 0, 1000000000, &v))
				return -1;
			o->ladder_max = (unsigned)v;
			break;
		case OPT_ALL_PINGS:
			o->all_pings = true;
			break;
		case OPT_HOST: {
			const char *eq = strchr(optarg, '=');

			if (!eq || eq == optarg || !eq[1] ||
			    eq - optarg >= POINT_HOST_MAX ||
			    memchr(optarg, '/', (size_t)(eq - optarg))) {
				log_error("--host wants NAME=FILE (NAME without "
					  "'/', under %d bytes), not '%s'",
					  POINT_HOST_MAX, optarg);
				return -1;
			}
			if (o->n_hosts == MAX_NAMES) {
				log_error("too many --host (max %d)", MAX_NAMES);
				return -1;
			}
			o->hosts[o->n_hosts++] = optarg;
			break;
		}
		case OPT_STORM:
			if (cli_opt_uint("--storm-rate", optarg, 1, 1000000000,
					 &v))
				return -1;
			o->storm_rate = (unsigned)v;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			analyze_usage(stdout);
			exit(0);
		default:
			analyze_usage(stderr);
			return -1;
		}
	}
	if (optind >= argc) {
		log_error("analyze needs at least one capture file (- for stdin)");
		analyze_usage(stderr);
		return -1;
	}
	return 0;
}

/* --host NAME=FILE: FILE as given on the command line, or its basename. */
static int apply_hosts(const struct analyze_opts *o, char **paths, int n,
		       struct source **sources)
{
	int h, i;

	for (h = 0; h < o->n_hosts; h++) {
		const char *eq = strchr(o->hosts[h], '=');
		char name[POINT_HOST_MAX];
		bool found = false;

		snprintf(name, sizeof(name), "%.*s",
			 (int)(eq - o->hosts[h]), o->hosts[h]);
		for (i = 0; i < n; i++) {
			const char *base = strrchr(paths[i], '/');

			base = base ? base + 1 : paths[i];
			if (strcmp(paths[i], eq + 1) && strcmp(base, eq + 1))
				continue;
			source_set_host(sources[i], name);
			found = true;
		}
		if (!found) {
			log_error("--host %s: no such file among the inputs",
				  o->hosts[h]);
			return -1;
		}
	}
	return 0;
}

/*
 * A file's comment for the reader: its "; "-separated parts without the
 * session's machine-readable ones (dropspot-session probes=..., unsent=...),
 * which only the engine needs.
 */
static void readable_comment(const char *c, char *out, size_t n)
{
	size_t len = 0, k;
	const char *end;

	out[0] = '\0';
	while (c && *c && len + 1 < n) {
		end = strstr(c, "; ");
		k = end ? (size_t)(end - c) : strlen(c);
		if (strncmp(c, "dropspot-session ", 17)) {
			len += (size_t)snprintf(out + len, n - len, "%s%.*s",
						len ? "; " : "", (int)k, c);
			if (len >= n)
				len = n - 1;
		}
		c = end ? end + 2 : c + k;
	}
}

static int open_sources(char **paths, int n, struct point_table *points,
			struct source **sources)
{
	char err[SOURCE_ERR_MAX], note[1024];
	int i;

	for (i = 0; i < n; i++) {
		if (source_open_file(paths[i], points, &sources[i], err,
				     sizeof(err)) < 0) {
			log_error("%s", err);
			return -1;
		}
		/* e.g. the topology `trace --auto` found: where points came from */
		readable_comment(source_comment(sources[i]), note,
				 sizeof(note));
		if (note[0])
			log_info("%s: %s", paths[i], note);
	}
	return 0;
}

/* Feeds every frame in time order; returns 0 or EXIT_TROUBLE. */
static int feed_all(struct merger *m, struct filter *flt, struct engine *e)
{
	struct packet pkt;
	struct frame f;
	struct source *failed;
	int status = 0, ret;

	for (;;) {
		ret = merger_next(m, &f, &failed);
		if (ret == 0)
			break;
		if (ret < 0) {
			log_error("%s", source_error(failed));
			status = EXIT_TROUBLE;
			continue;
		}
		if (!filter_match(flt, &f))
			continue;
		dissect_frame(&f, &pkt);
		engine_feed(e, &pkt);
	}
	return status;
}

int cmd_analyze(int argc, char **argv)
{
	struct point_table points;
	struct analyze_opts o;
	struct engine_opts eo;
	struct engine_totals t;
	struct source **sources = NULL;
	struct merger *m = NULL;
	struct filter *flt = NULL;
	struct engine *e = NULL;
	struct clock_domains cd = { 0 };
	char err[512];
	int n = 0, i, status = EXIT_TROUBLE, feed_status;

	point_table_init(&points);
	if (parse_analyze_opts(argc, argv, &o))
		goto cleanup;
	if (o.verbose)
		log_set_level(LOG_DEBUG);
	if (filter_new(o.filter_expr, &flt, err, sizeof(err))) {
		log_error("%s", err);
		goto cleanup;
	}
	n = argc - optind;
	sources = calloc((size_t)n, sizeof(*sources));
	if (!sources)
		goto cleanup;
	if (open_sources(argv + optind, n, &points, sources) ||
	    apply_hosts(&o, argv + optind, n, sources))
		goto cleanup;
	if (merger_new(sources, (size_t)n, &m)) {
		log_error("out of memory");
		goto cleanup;
	}
	/* each file its own clock: estimated, and corrected in the merger */
	if (pipeline_clocks(argv + optind, (size_t)n, m, &cd))
		goto cleanup;
	engine_opts_default(&eo);
	eo.timeout_ns = (uint64_t)(o.timeout_s * 1e9);
	eo.storm_rate = o.storm_rate;
	/* a saved trace with probes of its own: the same probes count */
	for (i = 0; i < n && !o.all_pings; i++)
		if (engine_opts_own_from_comment(&eo, source_comment(sources[i])))
			break;
	e = engine_new(&points, &eo);
	if (!e) {
		log_error("out of memory");
		goto cleanup;
	}
	feed_status = feed_all(m, flt, e);
	pipeline_clocks_done(&cd, &points, sources, (size_t)n, e);
	/* beyond the reorder window: said, and a finding of the report */
	engine_note_late_frames(e, cli_warn_late_frames(m, sources,
							 (size_t)n));
	/*
	 * Frames of a link type we cannot decode are no evidence either way:
	 * said plainly, and when nothing else was read there is no verdict
	 * to give ("no probe left the guest" would be a false one).
	 */
	if (cli_warn_undecodable(e, &points) && !engine_packets(e)) {
		status = EXIT_TROUBLE;
		goto cleanup;
	}
	/* points of SLL2 interface indexes exist only now */
	point_table_short_names(&points);
	/* several hosts: HOST/IFNAME */
	pipeline_host_names(&points);
	if (point_args_rename(&points, o.names, o.n_names))
		goto cleanup;
	if (o.path && point_args_path(e, &points, o.path))
		goto cleanup;
	/* the host state a saved trace carries explains it as it did live */
	for (i = 0; i < n; i++)
		if (engine_note_host_state(e, source_host_state(sources[i])))
			log_warn("host state left out: out of memory");
	engine_finish(e);
	if (cli_report(e, o.json, o.color, o.ladder_max, o.verbose)) {
		log_error("writing the report failed");
		goto cleanup;
	}
	engine_totals(e, &t);
	if (feed_status)
		status = feed_status;
	else
		status = t.lost || t.problems ? EXIT_FINDING : 0;
cleanup:
	engine_free(e);
	clock_domains_free(&cd);
	merger_free(m);
	for (i = 0; sources && i < n; i++)
		source_close(sources[i]);
	free(sources);
	filter_free(flt);
	point_table_free(&points);
	return status;
}
