// SPDX-License-Identifier: GPL-2.0
/*
 * Watch windows with interface churn: the point's gaps (live), and the
 * pcapng round trip — an interface that went away and came back is
 * written as two IDBs of the same name and netns, each closed by its ISB,
 * and read back as one point with a gap; a section comment patched at the
 * end (trace's unsent probes) reads back patched, and the engine takes
 * the count from it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/engine.h"
#include "capture/linktype.h"
#include "capture/pcapng_write.h"
#include "capture/source.h"
#include "check.h"

#define S 1000000000ull
#define T0 (1700000000ull * S)

static void test_live_gaps(void)
{
	struct point p;

	memset(&p, 0, sizeof(p));
	p.watch_start_ns = T0;
	CHECK(!point_unwatched_during(&p, T0, T0 + 10 * S));
	point_gap_open(&p, T0 + 2 * S);
	point_gap_open(&p, T0 + 3 * S);	/* gone already: no second gap */
	CHECK_EQ_INT(p.n_gaps, 1);
	CHECK(point_unwatched_during(&p, T0 + 5 * S, T0 + 5 * S));
	CHECK_EQ_INT(point_window_start(&p), 0);
	point_gap_close(&p, T0 + 4 * S);
	CHECK(point_window_start(&p) == T0 + 4 * S);
	CHECK(point_unwatched_during(&p, T0 + 3 * S, T0 + 3 * S));
	CHECK(point_unwatched_during(&p, T0 + 1 * S, T0 + 5 * S));
	CHECK(!point_unwatched_during(&p, T0 + 1 * S, T0 + 1 * S));
	CHECK(!point_unwatched_during(&p, T0 + 4 * S, T0 + 9 * S));
	point_windows_end(&p, T0 + 10 * S);
	CHECK(p.watch_end_ns == T0 + 10 * S);
	CHECK_EQ_INT(p.n_gaps, 1);

	/* gone at the end: the window simply ended then, as a file says */
	point_gap_open(&p, T0 + 8 * S);
	point_windows_end(&p, T0 + 10 * S);
	CHECK(p.watch_end_ns == T0 + 8 * S);
	CHECK_EQ_INT(p.n_gaps, 1);
	CHECK(point_unwatched_during(&p, T0 + 9 * S, T0 + 9 * S));
	CHECK(!point_unwatched_during(&p, T0 + 7 * S, T0 + 7 * S));
}

static void test_file_windows(void)
{
	struct point p;

	memset(&p, 0, sizeof(p));
	/* dumpcap's periodic ISBs: the same start, growing ends */
	point_add_window(&p, T0, T0 + S);
	point_add_window(&p, T0, T0 + 2 * S);
	CHECK_EQ_INT(p.n_gaps, 0);
	CHECK(p.watch_end_ns == T0 + 2 * S);
	/* a second window later: the hole is a gap */
	point_add_window(&p, T0 + 5 * S, T0 + 9 * S);
	CHECK_EQ_INT(p.n_gaps, 1);
	CHECK(p.gap_start_ns[0] == T0 + 2 * S && p.gap_end_ns[0] == T0 + 5 * S);
	CHECK(p.watch_start_ns == T0 && p.watch_end_ns == T0 + 9 * S);
}

static const uint8_t frame_bytes[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void put_frame(struct pcapng_writer *w, uint32_t point, uint64_t ts)
{
	struct frame f;

	memset(&f, 0, sizeof(f));
	f.data = frame_bytes;
	f.caplen = f.wirelen = sizeof(frame_bytes);
	f.ts_ns = ts;
	f.point = point;
	f.linktype = LINKTYPE_ETHERNET;
	f.dir = DIR_IN;
	CHECK_EQ_INT(pcapng_writer_frame(w, &f), 0);
}

static void test_round_trip(const char *path)
{
	static const char comment[] =
		"dropspot-session probes=00ff; dropspot-session unsent=00000000 errno=000";
	struct pcapng_writer *w = NULL;
	struct point_table t, back;
	struct engine_opts eo;
	struct source *src = NULL;
	struct frame f;
	struct point *vg;
	char err[256];
	int n = 0;

	point_table_init(&t);
	point_table_init(&back);
	CHECK_EQ_INT(point_table_add(&t, &(struct point){
		.name = "vg0", .ifname = "vg0", .netns = "host",
		.linktype = LINKTYPE_ETHERNET, .snaplen = 9216,
		.kind = POINT_KIND_VETH, .hook = HOOK_TC_INGRESS }), 0);
	vg = point_get(&t, 0);
	CHECK_EQ_INT(pcapng_writer_open(path, "test", comment, &w, err,
					sizeof(err)), 0);
	if (!w)
		return;
	CHECK_EQ_INT(pcapng_writer_add_point(w, vg), 0);
	put_frame(w, 0, T0 + S);
	/* gone at T0 + 2 s: its window's ISB */
	point_gap_open(vg, T0 + 2 * S);
	CHECK_EQ_INT(pcapng_writer_window_end(w, vg, T0, T0 + 2 * S), 0);
	/* back at T0 + 5 s: a new IDB, frames go there */
	point_gap_close(vg, T0 + 5 * S);
	CHECK_EQ_INT(pcapng_writer_add_point(w, vg), 1);
	put_frame(w, 0, T0 + 6 * S);
	CHECK_EQ_INT(pcapng_writer_window_end(w, vg, T0, T0 + 9 * S), 0);
	CHECK_EQ_INT(pcapng_writer_patch_comment(w, strlen(comment) - 18,
						 "00000003 errno=101"), 0);
	CHECK(pcapng_writer_patch_comment(w, strlen(comment) - 2, "0123") ==
	      -ENOSPC);
	CHECK_EQ_INT(pcapng_writer_close(w), 0);

	CHECK_EQ_INT(source_open_file(path, &back, &src, err, sizeof(err)), 0);
	if (!src)
		return;
	while (source_next(src, &f) == 1) {
		CHECK_EQ_INT(f.point, 0);
		n++;
	}
	CHECK_EQ_INT(n, 2);
	/* one point, two windows, the hole between them a gap */
	CHECK_EQ_INT(back.count, 1);
	CHECK_EQ_INT(back.items[0].n_gaps, 1);
	CHECK(back.items[0].gap_start_ns[0] == T0 + 2 * S);
	CHECK(back.items[0].gap_end_ns[0] == T0 + 5 * S);
	CHECK(back.items[0].watch_start_ns == T0);
	CHECK(back.items[0].watch_end_ns == T0 + 9 * S);
	CHECK(strstr(source_comment(src), "unsent=00000003 errno=101") != NULL);
	engine_opts_default(&eo);
	CHECK(engine_opts_own_from_comment(&eo, source_comment(src)));
	CHECK(eo.unsent == 3 && eo.unsent_err == 101);
	source_close(src);
	point_table_free(&t);
	point_table_free(&back);
}

int main(void)
{
	char path[] = "/tmp/ds-windows.XXXXXX";
	int fd = mkstemp(path);

	test_live_gaps();
	test_file_windows();
	if (fd >= 0) {
		close(fd);
		test_round_trip(path);
		unlink(path);
	}
	return check_done();
}
