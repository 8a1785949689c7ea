// SPDX-License-Identifier: GPL-2.0
/*
 * dropspot dissect FILE...: decode capture files, one line per packet.
 * Several files are merged in time order, each interface a point.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "capture/filter.h"
#include "capture/source.h"
#include "cli_common.h"
#include "commands.h"
#include "drop_output.h"
#include "common/log.h"
#include "dissect/packet.h"
#include "output.h"

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

static int open_sources(char **paths, int n, struct point_table *points,
			struct source **sources)
{
	char err[SOURCE_ERR_MAX];
	int i;

	for (i = 0; i < n; i++) {
		if (source_open_file(paths[i], points, &sources[i], err,
				     sizeof(err)) < 0) {
			log_error("%s", err);
			return -1;
		}
	}
	return 0;
}

/* Reads every frame in time order; returns the exit status. */

/*
 * A kernel drop saved by `capture --drops` / `trace -w` is printed as the
 * live commands print it: the packet, then the kernel's reason and place.
 */
static void print_frame(struct output *out, const struct frame *f,
			const struct point_table *points)
{
	struct drop_event ev;
	struct packet pkt;

	if ((f->flags & FRAME_F_KERNEL_DROP) &&
	    drop_event_from_frame(f, &ev) == 0) {
		output_drop(out, &ev, f, points);
		return;
	}
	dissect_frame(f, &pkt);
	output_packet(out, &pkt, points);
}

static int dissect_all(struct merger *m, struct filter *flt,
		       const struct dissect_opts *o, struct output *out,
		       struct point_table *points)
{
	struct packet pkt;
	struct frame f;
	struct source *failed;
	uint64_t matched = 0;
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
		if (o->count_only)
			dissect_frame(&f, &pkt);
		else
			print_frame(out, &f, points);
		if (o->max_packets && ++matched >= o->max_packets)
			break;
	}
	return status;
}

int cmd_dissect(int argc, char **argv)
{
	struct point_table points;
	struct dissect_opts o;
	struct source **sources = NULL;
	struct merger *m = NULL;
	struct filter *flt = NULL;
	struct output out;
	char err[512];
	int n = 0, i, status = EXIT_TROUBLE;

	point_table_init(&points);
	output_init(&out, stdout, false);
	if (parse_dissect_opts(argc, argv, &o))
		goto cleanup;
	out.json = o.json;
	if (filter_new(o.filter_expr, &flt, err, sizeof(err))) {
		log_error("%s", err);
		goto cleanup;
	}
	n = argc - optind;
	sources = calloc((size_t)n, sizeof(*sources));
	if (!sources)
		goto cleanup;
	if (open_sources(argv + optind, n, &points, sources))
		goto cleanup;
	if (merger_new(sources, (size_t)n, &m)) {
		log_error("out of memory");
		goto cleanup;
	}
	/*
	 * Each file's frames in the file's own order, as tcpdump -r and
	 * tshark print them; several files still merge in time order.  Only
	 * the analysis needs a file's frames put back in time order.
	 */
	merger_set_window(m, 0, 0);
	status = dissect_all(m, flt, &o, &out, &points);
	if (o.summary)
		output_summary(&out, &points);
	if (!output_flush(&out)) {
		log_error("writing output failed");
		status = EXIT_TROUBLE;
	}
cleanup:
	merger_free(m);
	for (i = 0; sources && i < n; i++)
		source_close(sources[i]);
	free(sources);
	filter_free(flt);
	output_free(&out);
	point_table_free(&points);
	return status;
}
