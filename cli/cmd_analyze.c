// SPDX-License-Identifier: GPL-2.0
/*
 * dropspot analyze FILE...: follow every ping probe across the points of
 * captures (each file, pcapng interface or SLL2 interface index is a point)
 * and say where the failed ones stopped, and why.
 *
 * The same pipeline as live tracing (pipeline.h): frames in time order
 * (merger) -> filter -> pipeline_feed() -> engine_finish() -> report.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/engine.h"
#include "analyze/report.h"
#include "cli_common.h"
#include "commands.h"
#include "pipeline.h"
#include "point_args.h"
#include "common/log.h"

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

int cmd_analyze(int argc, char **argv)
{
	struct pipeline pl = { 0 };
	struct pipeline_opts po = { 0 };
	struct analyze_opts o;
	struct engine_opts eo;
	struct engine_totals t;
	struct engine *e = NULL;
	int status = EXIT_TROUBLE, feed_status;

	if (parse_analyze_opts(argc, argv, &o))
		goto cleanup;
	if (o.verbose)
		log_set_level(LOG_DEBUG);
	po.filter_expr = o.filter_expr;
	po.hosts = o.hosts;
	po.n_hosts = o.n_hosts;
	po.clocks = true;
	po.say_comments = true;
	if (pipeline_open(&pl, argv + optind, (size_t)(argc - optind), &po))
		goto cleanup;
	engine_opts_default(&eo);
	eo.timeout_ns = (uint64_t)(o.timeout_s * 1e9);
	eo.storm_rate = o.storm_rate;
	/* a saved trace with probes of its own: the same probes count */
	if (!o.all_pings)
		pipeline_engine_opts(&pl, &eo);
	e = engine_new(&pl.points, &eo);
	if (!e) {
		log_error("out of memory");
		goto cleanup;
	}
	feed_status = pipeline_run(&pl, e);
	if (pipeline_finish(&pl, e))
		goto cleanup;
	if (point_args_rename(&pl.points, o.names, o.n_names))
		goto cleanup;
	if (o.path && point_args_path(e, &pl.points, o.path))
		goto cleanup;
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
	pipeline_close(&pl);
	return status;
}
