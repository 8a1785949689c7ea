/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The normalized summary of one run, shared by report_read.c (which fills
 * it from a report) and diff.c (which compares two).  Everything is keyed
 * by names, never by ids, timestamps or ICMP ids, which differ between runs.
 * Strings are bounded copies: a hostile report can only make them shorter.
 */
#ifndef DROPSPOT_DIFF_SUMMARY_H
#define DROPSPOT_DIFF_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DS_NAME 64		/* a point name */
#define DS_KEY 160		/* "src > dst", a path */
#define DS_IDENT 384		/* a finding's identity details */
#define DS_MAX_POINTS 1024
#define DS_MAX_FLOWS 16384
#define DS_MAX_HOPS 64
#define DS_MAX_FINDINGS 4096

struct ds_dist {
	bool present;
	uint64_t n;
	double median_ms, p99_ms;
};

struct ds_hop {
	char from[DS_NAME], to[DS_NAME];
	char dir[16];			/* request, turnaround, reply */
	struct ds_dist d;
};

struct ds_flow {
	char name[DS_KEY];		/* "src > dst", as drop findings say */
	char path[DS_KEY];		/* "tap0 > br0 > up0" */
	uint64_t probes, answered, lost, unfinished;
	bool has_latency;		/* the report carried flows[].latency */
	struct ds_dist rtt;
	struct ds_hop *hops;
	size_t n_hops;
};

struct ds_finding {
	char kind[32];
	char severity[16];
	char after[DS_NAME], before[DS_NAME];	/* "" = none */
	char dir[16];				/* "" = none */
	char flow[DS_KEY];			/* details.flow, "" = none */
	char ident[DS_IDENT];			/* identity details k=v;... */
	char reason[128];			/* kernel_reason(s), sorted */
	char cause[256];
	char cause_code[48];	/* "" in version 1 reports */
	char summary[384];
	uint64_t count;
};

struct diff_summary {
	uint64_t probes, answered, lost, unfinished;
	struct ds_flow *flows;
	size_t n_flows;
	struct ds_finding *findings;
	size_t n_findings;
};

#endif /* DROPSPOT_DIFF_SUMMARY_H */
