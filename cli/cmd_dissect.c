// SPDX-License-Identifier: GPL-2.0
/*
 * dropspot dissect FILE...: decode capture files, one line per packet.
 * Several files are merged in time order, each interface a point.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "commands.h"
#include "drop_output.h"
#include "common/log.h"
#include "dissect/packet.h"
#include "output.h"
#include "pipeline.h"

struct dissect_opts {
	const char *filter_expr;
	uint64_t max_packets;	/* 0 = no limit */
	bool json;
	bool count_only;
	bool summary;
};

static void dissect_usage(FILE *fp)
{
	fprintf(fp,
		"usage: dropspot dissect [OPTIONS] FILE...\n"
		"\n"
		"Decodes pcap, pcapng (several interfaces) and gzip-compressed\n"
		"captures, one line per packet with the point it was seen at and\n"
		"its direction. Several files are merged in time order. FILE '-'\n"
		"reads standard input.\n"
		"\n"
		"options:\n"
		"  -f, --filter EXPR  only packets matching a pcap-filter expression\n"
		"  -c, --count N      stop after N matching packets\n"
		"  -j, --json         one JSON object per line (NDJSON)\n"
		"      --count-only   decode everything, print only the summary\n"
		"      --no-summary   no per-point summary at the end\n"
		"  -v, --verbose      more messages\n"
		"  -h, --help         this help\n"
		"\n"
		"exit status: 0 ok, 2 unreadable, missing or malformed input\n"
		"(packets read before a fault are still printed).\n");
}

static int parse_dissect_opts(int argc, char **argv, struct dissect_opts *o)
{
	enum { OPT_COUNT_ONLY = 256, OPT_NO_SUMMARY };
	static const struct option longopts[] = {
		{ "filter", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "count-only", no_argument, NULL, OPT_COUNT_ONLY },
		{ "no-summary", no_argument, NULL, OPT_NO_SUMMARY },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->summary = true;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:c:jvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->filter_expr = optarg;
			break;
		case 'c':
			if (cli_opt_count("-c", optarg, &o->max_packets))
				return -1;
			break;
		case 'j':
			o->json = true;
			break;
		case OPT_COUNT_ONLY:
			o->count_only = true;
			break;
		case OPT_NO_SUMMARY:
			o->summary = false;
			break;
		case 'v':
			log_set_level(LOG_DEBUG);
			break;
		case 'h':
			dissect_usage(stdout);
			exit(0);
		default:
			dissect_usage(stderr);
			return -1;
		}
	}
	if (optind >= argc) {
		log_error("dissect needs at least one capture file (- for stdin)");
		dissect_usage(stderr);
		return -1;
	}
	return 0;
}

/*
 * A kernel drop saved by `capture --drops` / `trace -w` is printed as the
 * live commands print it: the packet, then the kernel's reason and place.
 */
static void print_frame(struct output *out, const struct frame *f,
			const struct point_table *points)
{
	struct packet pkt;

	if (f->drop) {
		output_drop(out, f->drop, f, points);
		return;
	}
	dissect_frame(f, &pkt);
	output_packet(out, &pkt, points);
}

static int dissect_all(struct pipeline *pl, const struct dissect_opts *o,
		       struct output *out)
{
	struct packet pkt;
	struct frame f;
	uint64_t matched = 0;

	while (pipeline_next(pl, &f)) {
		if (o->count_only)
			dissect_frame(&f, &pkt);
		else
			print_frame(out, &f, &pl->points);
		if (o->max_packets && ++matched >= o->max_packets)
			break;
	}
	return pl->status;
}

int cmd_dissect(int argc, char **argv)
{
	struct pipeline pl = { 0 };
	struct pipeline_opts po = { 0 };
	struct dissect_opts o;
	struct output out;
	int status = EXIT_TROUBLE;

	output_init(&out, stdout, false);
	if (parse_dissect_opts(argc, argv, &o))
		goto cleanup;
	out.json = o.json;
	po.filter_expr = o.filter_expr;
	po.file_order = true;	/* as tcpdump -r and tshark print them */
	if (pipeline_open(&pl, argv + optind, (size_t)(argc - optind), &po))
		goto cleanup;
	status = dissect_all(&pl, &o, &out);
	if (o.summary)
		output_summary(&out, &pl.points);
	if (!output_flush(&out)) {
		log_error("writing output failed");
		status = EXIT_TROUBLE;
	}
cleanup:
	pipeline_close(&pl);
	output_free(&out);
	return status;
}
