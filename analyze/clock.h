/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Clock domains.  Each capture file is its own clock: two hosts' captures
 * (or one shifted by editcap) disagree by an offset, and over a long
 * capture by a drift.  The estimator takes sightings of echo probes per
 * domain, keyed by a content fingerprint (ICMP sequence, echo payload hash
 * and length, family, request or reply), and estimates each domain's clock
 * against a reference domain (the first one with probes, then chained).
 *
 * A probe seen as request and reply in two domains A and B gives the
 * NTP-style crossing.  With c = (first request + last reply) / 2 and
 * s = last reply - first request in each domain, and B's clock ahead of
 * A's by theta (both points on the probe's path, delays symmetric):
 *   theta = c_B - c_A,   |error| <= |s_A - s_B| / 2
 * which holds whichever of the two is nearer the sender (the one nearer
 * sees the longer span).  A probe seen only one way in one of them (its
 * reply lost) gives theta to within the one-way delay, a bound: used only
 * when no crossing exists; when the requests' TTLs tell which domain is
 * further along (routed), the tightest bound is taken (the nearest probe),
 * else the median.  The estimate is the median over probes; with
 * enough probes over time a drift (slope) is fitted from the medians of
 * the two halves and kept when it moves the clock by more than the
 * uncertainty over the capture.  A domain is corrected only when its
 * offset (or drift) exceeds its own uncertainty: files of one host come
 * out at about 0 and are left alone.
 *
 * Memory is bounded: CLOCK_MAX_PROBES probe records per domain (about
 * 3.5 MiB at most; grown as needed), further probes are not recorded
 * (counted in clock_domain.probes_skipped); CLOCK_MAX_DOMAINS files.
 */
#ifndef DROPSPOT_CLOCK_H
#define DROPSPOT_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLOCK_MAX_PROBES (1u << 16)
#define CLOCK_MAX_DOMAINS 64
/* Timestamps are often microseconds: no estimate is better than this. */
#define CLOCK_MIN_UNCERTAINTY_NS 1000

enum clock_method {
	CLOCK_NONE = 0,		/* no shared probe: raw clock kept */
	CLOCK_REFERENCE,	/* the domain the others are set against */
	CLOCK_CROSSING,		/* request/reply crossings (NTP-style) */
	CLOCK_ONE_WAY,		/* one-way sightings only: a bound */
};

struct clock_domain {
	char name[272];		/* the file, "FILE#SECTION" if several */
	size_t file;		/* index of the file among the inputs */
	unsigned int section;	/* its pcapng section (1-based), 0 none */
	enum clock_method method;
	int ref;		/* domain it was estimated against, -1 */
	int64_t offset_ns;	/* this clock minus the reference's, at t0 */
	uint64_t uncertainty_ns;
	double drift_ppm;	/* 0 unless a drift was fitted */
	int64_t t0_ns;		/* the time (own clock) offset_ns is at */
	uint32_t probes;	/* probes behind the estimate */
	uint32_t probes_seen;	/* probes recorded in this domain */
	uint64_t probes_skipped;	/* beyond CLOCK_MAX_PROBES */
	bool applied;		/* frames were corrected by it */
};

struct clock_domains {
	size_t n;
	struct clock_domain *d;
	bool estimated;		/* at least one domain has an estimate */
};

struct clock_est;

struct clock_est *clock_est_new(size_t n_domains);
void clock_est_free(struct clock_est *c);

struct clock_key {
	uint64_t hash;		/* echo payload hash */
	uint32_t len;		/* echo data length */
	uint16_t seq;
	uint8_t family;		/* 4 or 6 */
};

/*
 * One sighting of an echo request (reply false) or reply in a domain,
 * with its IP TTL / hop limit (0 unknown): a request with a lower TTL was
 * seen further along, which orients one-way sightings.
 */
void clock_est_sight(struct clock_est *c, size_t domain,
		     const struct clock_key *k, bool reply, uint64_t ts_ns,
		     uint8_t ttl);

/*
 * Estimates domains [0, n) (n <= the n_domains given to clock_est_new);
 * out->d is allocated (n entries; name, file and section left to the
 * caller).  0, or -ENOMEM.
 */
int clock_est_solve(struct clock_est *c, size_t n, struct clock_domains *out);

void clock_domains_free(struct clock_domains *cd);

/* The correction of one domain: its time ts_ns on the reference clock. */
uint64_t clock_domain_correct(const struct clock_domain *d, uint64_t ts_ns);

const char *clock_method_name(enum clock_method m);

/* The report shows cd (owned by the caller, which keeps it alive). */
struct engine;
void engine_set_clock_domains(struct engine *e, const struct clock_domains *cd);

#endif /* DROPSPOT_CLOCK_H */
