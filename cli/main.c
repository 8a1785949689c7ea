// SPDX-License-Identifier: GPL-2.0
/*
 * dropspot: find where a ping between a guest and its host loses its packets.
 * main only picks the subcommand; each lives in cli/cmd_<name>.c.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "common/log.h"

/*
 * The version of CMake's project() and the git revision of the build
 * (`git describe --always --dirty`), written into the build dir at every
 * build by cmake/DropspotVersion.cmake.
 */
#ifdef DROPSPOT_HAVE_VERSION_H
#include "dropspot_version.h"
#endif
#ifndef DROPSPOT_VERSION
#define DROPSPOT_VERSION "0.1.0"
#endif
#ifndef DROPSPOT_GIT_REVISION
#define DROPSPOT_GIT_REVISION "unknown"
#endif

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "dissect", cmd_dissect,
	  "decode capture files, one line per packet (like tcpdump -n -e)" },
	{ "capture", cmd_capture,
	  "watch interfaces live with eBPF (XDP/TC), print and/or write pcapng" },
	{ "analyze", cmd_analyze,
	  "follow each ping probe across the points of captures: the verdict" },
	{ "trace", cmd_trace,
	  "follow ping probes live (eBPF + kernel drops), optionally sending them" },
	{ "diff", cmd_diff,
	  "compare two captures or saved reports: exit 1 on a regression" },
};

static void usage(FILE *fp)
{
	size_t i;

	fprintf(fp,
		"usage: dropspot [-v|-q] COMMAND [OPTIONS] [ARGS]\n"
		"\n"
		"Finds where a ping between a guest (VM, container) and its host,\n"
		"or beyond through a bridge or NAT, loses its packets, and why.\n"
		"\n"
		"commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-9s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(fp,
		"\n"
		"global options:\n"
		"  -v, --verbose   more messages (repeat for libbpf debug output)\n"
		"  -q, --quiet     errors only\n"
		"  -V, --version   print the version\n"
		"  -h, --help      this help; `dropspot COMMAND --help` for a command\n");
}

int main(int argc, char **argv)
{
	int level = LOG_INFO;
	size_t i;
	int arg = 1;

	for (; arg < argc && argv[arg][0] == '-'; arg++) {
		const char *a = argv[arg];

		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			level = level < LOG_DEBUG ? level + 1 : LOG_DEBUG;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			level = LOG_ERROR;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("dropspot %s (git %s)\n", DROPSPOT_VERSION,
			       DROPSPOT_GIT_REVISION);
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "dropspot: unknown option %s\n", a);
			usage(stderr);
			return EXIT_TROUBLE;
		}
	}
	log_set_level(level);
	if (arg >= argc) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[arg], commands[i].name))
			return commands[i].run(argc - arg, argv + arg);
	}
	fprintf(stderr, "dropspot: unknown command '%s' (see dropspot --help)\n",
		argv[arg]);
	return EXIT_TROUBLE;
}
