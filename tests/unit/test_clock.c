// SPDX-License-Identifier: GPL-2.0
/*
 * Clock domains (analyze/clock.h) on made-up sightings: a crossing offset
 * is found within its uncertainty, a same-clock pair is left alone, a
 * drift is fitted, one-way sightings oriented by TTL give the tight bound,
 * nothing shared says so.  And the host name a dropspot capture writes in
 * its section header reads back as its points' host.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/clock.h"
#include "capture/linktype.h"
#include "capture/pcapng_write.h"
#include "capture/source.h"
#include "check.h"

#define T0 1700000000000000000ull

static int64_t iabs(int64_t v)
{
	return v < 0 ? -v : v;
}

/*
 * n probes, one per second: A sees the request at t and the reply at
 * t + 400 us; B (off by offset_ns, drifting ppm) 50 us after / before.
 */
static void feed(struct clock_est *c, int n, int64_t offset_ns, double ppm,
		 bool replies)
{
	int k;

	for (k = 0; k < n; k++) {
		struct clock_key key = { .hash = 0x1234 + (uint64_t)k,
					 .len = 56, .seq = (uint16_t)k,
					 .family = 4 };
		uint64_t t = T0 + (uint64_t)k * 1000000000ull;
		uint64_t tb = t + 50000 + (uint64_t)(k % 3) * 1000;
		uint64_t rb = t + 350000;
		int64_t skew_b = offset_ns +
				 (int64_t)(ppm * 1e-6 * (double)(tb - T0));

		clock_est_sight(c, 0, &key, false, t, 64);
		clock_est_sight(c, 1, &key, false,
				(uint64_t)((int64_t)tb + skew_b), 63);
		if (!replies)
			continue;
		clock_est_sight(c, 1, &key, true,
				(uint64_t)((int64_t)rb + skew_b), 64);
		clock_est_sight(c, 0, &key, true, t + 400000, 63);
	}
}

static void test_crossing(void)
{
	struct clock_est *c = clock_est_new(2);
	struct clock_domains cd;

	feed(c, 20, 37500000000ll, 0, true);
	CHECK(!clock_est_solve(c, SIZE_MAX, &cd));
	CHECK(cd.estimated);
	CHECK_EQ_INT(cd.d[0].method, CLOCK_REFERENCE);
	CHECK_EQ_INT(cd.d[1].method, CLOCK_CROSSING);
	CHECK_EQ_INT(cd.d[1].probes, 20);
	CHECK(iabs(cd.d[1].offset_ns - 37500000000ll) <=
	      (int64_t)cd.d[1].uncertainty_ns);
	CHECK(cd.d[1].uncertainty_ns < 100000);
	CHECK(cd.d[1].applied);
	CHECK(cd.d[1].drift_ppm == 0);
	clock_domains_free(&cd);
	clock_est_free(c);
}

static void test_same_clock(void)
{
	struct clock_est *c = clock_est_new(2);
	struct clock_domains cd;

	feed(c, 20, 0, 0, true);
	CHECK(!clock_est_solve(c, SIZE_MAX, &cd));
	CHECK(iabs(cd.d[1].offset_ns) <= (int64_t)cd.d[1].uncertainty_ns);
	CHECK(!cd.d[1].applied);
	clock_domains_free(&cd);
	clock_est_free(c);
}

static void test_drift(void)
{
	struct clock_est *c = clock_est_new(2);
	struct clock_domains cd;
	int64_t truth;

	feed(c, 400, 5000000, 100, true);
	CHECK(!clock_est_solve(c, SIZE_MAX, &cd));
	CHECK(cd.d[1].drift_ppm > 95 && cd.d[1].drift_ppm < 105);
	truth = 5000000 + (int64_t)(100e-6 * (double)(cd.d[1].t0_ns -
						     (int64_t)T0));
	CHECK(iabs(cd.d[1].offset_ns - truth) <=
	      (int64_t)cd.d[1].uncertainty_ns);
	CHECK(cd.d[1].applied);
	clock_domains_free(&cd);
	clock_est_free(c);
}

static void test_one_way(void)
{
	struct clock_est *c = clock_est_new(2);
	struct clock_domains cd;

	feed(c, 10, -2000000000ll, 0, false);
	CHECK(!clock_est_solve(c, SIZE_MAX, &cd));
	CHECK_EQ_INT(cd.d[1].method, CLOCK_ONE_WAY);
	/* B further along (lower TTL): the least delay, 50 us */
	CHECK_EQ_INT(cd.d[1].offset_ns, -2000000000ll + 50000);
	CHECK(cd.d[1].uncertainty_ns >= 1000000);
	CHECK(cd.d[1].applied);
	clock_domains_free(&cd);
	clock_est_free(c);
}

static void test_nothing_shared(void)
{
	struct clock_est *c = clock_est_new(3);
	struct clock_key k = { .hash = 1, .len = 8, .seq = 1, .family = 4 };
	struct clock_key k2 = { .hash = 2, .len = 8, .seq = 1, .family = 4 };
	struct clock_domains cd;

	clock_est_sight(c, 0, &k, false, T0, 64);
	clock_est_sight(c, 1, &k2, false, T0, 64);
	CHECK(!clock_est_solve(c, SIZE_MAX, &cd));
	CHECK(!cd.estimated);
	CHECK_EQ_INT(cd.n, 3);
	CHECK_EQ_INT(cd.d[1].method, CLOCK_NONE);
	CHECK(!cd.d[1].applied);
	clock_domains_free(&cd);
	clock_est_free(c);
}

static void test_hostname_roundtrip(void)
{
	char path[] = "/tmp/dropspot-clock-XXXXXX";
	struct pcapng_writer *w = NULL;
	struct point_table pts;
	struct source *s = NULL;
	char err[256];
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	setenv("DROPSPOT_HOSTNAME", "hv-7", 1);
	CHECK(!pcapng_writer_open(path, "test", "a comment", &w, err,
				  sizeof(err)));
	unsetenv("DROPSPOT_HOSTNAME");
	if (!w)
		goto out;
	CHECK(pcapng_writer_add_if(w, "eth0", NULL, LINKTYPE_ETHERNET,
				   262144) == 0);
	CHECK(!pcapng_writer_close(w));
	point_table_init(&pts);
	CHECK(!source_open_file(path, &pts, &s, err, sizeof(err)));
	if (s) {
		struct frame f;

		while (source_next(s, &f) > 0)
			;
		CHECK(!strcmp(source_host(s), "hv-7"));
		CHECK(!strcmp(source_comment(s), "a comment"));
		CHECK(pts.count >= 1 && !strcmp(pts.items[0].host, "hv-7"));
		source_set_host(s, "other");
		CHECK(!strcmp(pts.items[0].host, "other"));
		source_close(s);
	}
	point_table_free(&pts);
out:
	unlink(path);
}

int main(void)
{
	test_crossing();
	test_same_clock();
	test_drift();
	test_one_way();
	test_nothing_shared();
	test_hostname_roundtrip();
	return check_done();
}
