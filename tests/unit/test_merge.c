// SPDX-License-Identifier: GPL-2.0
/*
 * The merger's reorder window on crafted pcapng files: interfaces written
 * out of time order as dumpcap does (each interface's buffer flushed on its
 * own), inversions within and beyond the window (frames and bytes), equal
 * timestamps (file order kept, across the window's FIFO and heap too),
 * several sources (ties: source order), gzip, read errors after good
 * frames, hostile timestamps, and the bound on what is held.  Every frame
 * carries its id in its bytes and comment, checked when it is handed out
 * (its bytes must be intact after copies and compactions).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "capture/source.h"
#include "check.h"

/* ---- a growing pcapng builder (little-endian, ns timestamps) ---- */

struct buf {
	uint8_t *d;
	size_t n, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 4096;
		b->d = realloc(b->d, b->cap);
		if (!b->d)
			abort();
	}
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void put16(struct buf *b, uint16_t v)
{
	put(b, &v, 2);
}

static void put32(struct buf *b, uint32_t v)
{
	put(b, &v, 4);
}

static void pad4(struct buf *b)
{
	static const uint8_t z[4];

	put(b, z, (4 - b->n % 4) % 4);
}

static size_t blk_begin(struct buf *b, uint32_t type)
{
	size_t s = b->n;

	put32(b, type);
	put32(b, 0);
	return s;
}

static void blk_end(struct buf *b, size_t s)
{
	uint32_t len = (uint32_t)(b->n - s + 4);

	memcpy(b->d + s + 4, &len, 4);
	put32(b, len);
}

static void shb(struct buf *b)
{
	size_t s = blk_begin(b, 0x0a0d0d0a);

	put32(b, 0x1a2b3c4d);
	put16(b, 1);
	put16(b, 0);
	put32(b, 0xffffffff);
	put32(b, 0xffffffff);
	blk_end(b, s);
}

/* Ethernet, nanosecond timestamps. */
static void idb(struct buf *b)
{
	size_t s = blk_begin(b, 1);
	uint8_t r = 9;

	put16(b, 1);
	put16(b, 0);
	put32(b, 0);
	put16(b, 9);
	put16(b, 1);
	put(b, &r, 1);
	pad4(b);
	put32(b, 0);
	blk_end(b, s);
}

static uint8_t byte_of(uint32_t id, uint32_t i)
{
	return (uint8_t)(id * 31u + i * 7u + 1u);
}

/* Frame id, caplen bytes derived from it; every 7th carries a comment. */
static void epb(struct buf *b, uint32_t ifid, uint64_t ts, uint32_t id,
		uint32_t caplen)
{
	size_t s = blk_begin(b, 6);
	uint8_t d[2048];
	char c[32];
	uint32_t i;

	for (i = 0; i < caplen && i < sizeof(d); i++)
		d[i] = byte_of(id, i);
	if (caplen >= 4)
		memcpy(d, &id, 4);
	put32(b, ifid);
	put32(b, (uint32_t)(ts >> 32));
	put32(b, (uint32_t)ts);
	put32(b, caplen);
	put32(b, caplen);
	put(b, d, caplen);
	pad4(b);
	if (id % 7 == 0) {
		int n = snprintf(c, sizeof(c), "frame %u", id);

		put16(b, 1);
		put16(b, (uint16_t)n);
		put(b, c, (size_t)n);
		pad4(b);
		put32(b, 0);
	}
	blk_end(b, s);
}

/* ---- reading through the merger ---- */

#define MAX_OUT 40000

struct out {
	uint64_t ts[MAX_OUT];
	uint32_t id[MAX_OUT];
	size_t src[MAX_OUT];
	size_t n;
	int errors;
	bool bad_bytes;
	uint64_t late;
	uint64_t late_src[4];
	uint64_t max_ahead;	/* most frames read but not yet handed out */
};

/* The frame's id, or UINT32_MAX when its bytes or comment are damaged. */
static uint32_t frame_id(const struct frame *f)
{
	uint32_t id, i;
	char c[32];

	if (f->caplen < 4)
		return UINT32_MAX;
	memcpy(&id, f->data, 4);
	for (i = 4; i < f->caplen; i++)
		if (f->data[i] != byte_of(id, i))
			return UINT32_MAX;
	if (id % 7 == 0) {
		int n = snprintf(c, sizeof(c), "frame %u", id);

		if (!f->comment || f->comment_len != (uint32_t)n ||
		    memcmp(f->comment, c, (size_t)n))
			return UINT32_MAX;
	} else if (f->comment_len) {
		return UINT32_MAX;
	}
	return id;
}

static uint64_t frames_read(const struct point_table *pt)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < pt->count; i++)
		n += pt->items[i].frames;
	return n;
}

/*
 * Reads bufs[0..n) (gzip them first if gz) through one merger with the
 * window given (frames < 0: the default).
 */
static void run(struct buf *bufs, size_t n, long frames, size_t bytes,
		bool gz, struct out *o)
{
	struct source *src[4] = { NULL };
	uint8_t *z[4] = { NULL };
	struct point_table pt;
	struct merger *m = NULL;
	struct source *failed;
	struct frame f;
	char err[SOURCE_ERR_MAX], name[32];
	size_t i;
	int ret;

	memset(o, 0, sizeof(*o));
	point_table_init(&pt);
	for (i = 0; i < n; i++) {
		const void *d = bufs[i].d;
		size_t len = bufs[i].n;

		if (gz) {
			uLongf zl = compressBound((uLong)len) + 64;
			z_stream zs;

			z[i] = malloc(zl);
			memset(&zs, 0, sizeof(zs));
			CHECK(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8,
					   Z_DEFAULT_STRATEGY) == Z_OK);
			zs.next_in = (Bytef *)bufs[i].d;
			zs.avail_in = (uInt)len;
			zs.next_out = z[i];
			zs.avail_out = (uInt)zl;
			CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END);
			len = zs.total_out;
			deflateEnd(&zs);
			d = z[i];
		}
		snprintf(name, sizeof(name), "s%zu", i);
		CHECK(!source_open_memory(d, len, name, &pt, &src[i], err,
					  sizeof(err)));
	}
	CHECK(!merger_new(src, n, &m));
	if (frames >= 0)
		CHECK(!merger_set_window(m, (size_t)frames, bytes));
	while ((ret = merger_next(m, &f, &failed)) != 0) {
		uint64_t ahead;

		if (ret < 0) {
			o->errors++;
			continue;
		}
		if (o->n == MAX_OUT)
			break;
		o->ts[o->n] = f.ts_ns;
		o->id[o->n] = frame_id(&f);
		if (o->id[o->n] == UINT32_MAX)
			o->bad_bytes = true;
		/* sources are named s0, s1...: so are their points' sources */
		o->src[o->n] = (size_t)(pt.items[f.point].source[1] - '0');
		o->n++;
		ahead = frames_read(&pt) - o->n;
		if (ahead > o->max_ahead)
			o->max_ahead = ahead;
	}
	CHECK(merger_set_window(m, 1, 1) == -EINVAL);	/* too late */
	o->late = merger_late_frames(m);
	for (i = 0; i < n; i++)
		o->late_src[i] = merger_source_late_frames(m, i);
	merger_free(m);
	for (i = 0; i < n; i++) {
		source_close(src[i]);
		free(z[i]);
	}
	point_table_free(&pt);
}

static bool sorted(const struct out *o)
{
	size_t i;

	for (i = 1; i < o->n; i++)
		if (o->ts[i] < o->ts[i - 1])
			return false;
	return true;
}

static void free_bufs(struct buf *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(b[i].d);
		memset(&b[i], 0, sizeof(b[i]));
	}
}

/* ---- tests ---- */

static struct out o, o2;

/*
 * Three interfaces each in order, written as dumpcap does: every 3 ms each
 * interface's buffer in turn, so the file goes back in time at each flush.
 * The id is the frame's rank in time.
 */
static void dumpcap_like(struct buf *b, uint32_t nframes)
{
	uint64_t t0 = 1700000000ull * 1000000000ull, flush = 3000000;
	uint32_t id, k, start = 0;

	shb(b);
	idb(b);
	idb(b);
	idb(b);
	while (start < nframes) {
		uint32_t end = start;

		/* the frames of one flush interval: 10 us apart */
		while (end < nframes && (uint64_t)(end - start) * 10000 < flush)
			end++;
		for (k = 0; k < 3; k++)
			for (id = start; id < end; id++)
				if (id % 3 == k)
					epb(b, k, t0 + (uint64_t)id * 10000,
					    id, 60 + id % 200);
		start = end;
	}
}

static void test_dumpcap_interleave(void)
{
	struct buf b[1] = { 0 };
	size_t i;
	bool ranks = true;

	dumpcap_like(b, 3000);
	run(b, 1, -1, 0, false, &o);
	CHECK_EQ_INT(o.n, 3000);
	CHECK(sorted(&o));
	CHECK(!o.bad_bytes);
	CHECK_EQ_INT(o.late, 0);
	CHECK_EQ_INT(o.errors, 0);
	for (i = 0; i < o.n; i++)
		if (o.id[i] != i)
			ranks = false;
	CHECK(ranks);

	/* the same bytes gzipped: the same frames in the same order */
	run(b, 1, -1, 0, true, &o2);
	CHECK_EQ_INT(o2.n, o.n);
	CHECK(!memcmp(o.id, o2.id, o.n * sizeof(o.id[0])));
	CHECK_EQ_INT(o2.late, 0);

	/* no window: the file order, the inversions counted */
	run(b, 1, 0, 0, false, &o2);
	CHECK_EQ_INT(o2.n, 3000);
	CHECK(!sorted(&o2));
	CHECK(o2.late > 0);
	CHECK_EQ_INT(o2.max_ahead, 0);
	free_bufs(b, 1);
}

/* A frame delayed by d frames, with a window of 8 frames. */
static void delayed(struct buf *b, uint32_t n, uint32_t at, uint32_t d)
{
	uint64_t t0 = 1000000000;
	uint32_t i;

	shb(b);
	idb(b);
	for (i = 0; i < n; i++) {
		if (i == at)
			continue;
		epb(b, 0, t0 + i * 1000ull, i, 64);
		if (i == at + d)
			epb(b, 0, t0 + at * 1000ull, at, 64);
	}
}

static void test_window_depth(void)
{
	struct buf b[1] = { 0 };
	size_t i;
	bool ranks = true;

	/* 8 frames behind it: still put back in its place */
	delayed(b, 40, 10, 8);
	run(b, 1, 8, 1 << 20, false, &o);
	CHECK_EQ_INT(o.n, 40);
	CHECK(sorted(&o));
	CHECK_EQ_INT(o.late, 0);
	for (i = 0; i < o.n; i++)
		if (o.id[i] != i)
			ranks = false;
	CHECK(ranks);
	CHECK(o.max_ahead <= 9);
	free_bufs(b, 1);

	/* 20 behind: passed on all the same, once, and counted */
	delayed(b, 40, 10, 20);
	run(b, 1, 8, 1 << 20, false, &o);
	CHECK_EQ_INT(o.n, 40);
	CHECK(!sorted(&o));
	CHECK_EQ_INT(o.late, 1);
	CHECK_EQ_INT(o.late_src[0], 1);
	CHECK(!o.bad_bytes);
	CHECK(o.max_ahead <= 9);
	/* ... in the right place with the default window */
	run(b, 1, -1, 0, false, &o2);
	CHECK(sorted(&o2));
	CHECK_EQ_INT(o2.late, 0);
	free_bufs(b, 1);

	/* the byte bound: 64-byte frames, 300 bytes held at most */
	delayed(b, 40, 10, 8);
	run(b, 1, 1000, 300, false, &o);
	CHECK_EQ_INT(o.n, 40);
	CHECK_EQ_INT(o.late, 1);
	CHECK(o.max_ahead <= 5);
	run(b, 1, 1000, 1000, false, &o);
	CHECK_EQ_INT(o.late, 0);
	CHECK(sorted(&o));
	free_bufs(b, 1);
}

/* Equal timestamps keep file order, across the FIFO and the heap too. */
static void test_stable(void)
{
	struct buf b[1] = { 0 };
	/* 0 2 4 7 9 go to the FIFO, the others to the heap (10 ties 0...) */
	static const uint64_t ts[] = { 5, 3, 5, 3, 5, 4, 3, 5, 4, 6, 5 };
	/* by file order within each ts: 3: 1 3 6, 4: 5 8, 5: 0 2 4 7 10 */
	static const uint32_t want[] = { 1, 3, 6, 5, 8, 0, 2, 4, 7, 10, 9 };
	size_t i;
	bool ok = true;

	shb(b);
	idb(b);
	idb(b);
	for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++)
		epb(b, (uint32_t)i % 2, 1000000 + ts[i], (uint32_t)i, 64);
	run(b, 1, -1, 0, false, &o);
	CHECK_EQ_INT(o.n, 11);
	for (i = 0; i < 11 && i < o.n; i++)
		if (o.id[i] != want[i])
			ok = false;
	CHECK(ok);
	CHECK_EQ_INT(o.late, 0);
	free_bufs(b, 1);
}

/* Two sources each out of order; equal timestamps: source order. */
static void test_sources(void)
{
	struct buf b[2] = { { 0 }, { 0 } };
	uint32_t i;
	bool ok = true;

	shb(&b[0]);
	idb(&b[0]);
	idb(&b[0]);
	shb(&b[1]);
	idb(&b[1]);
	/* s0: ts 0..99 even on if 0, odd on if 1, written 10 at a time */
	for (i = 0; i < 100; i += 10) {
		uint32_t j;

		for (j = i + 1; j < i + 10; j += 2)
			epb(&b[0], 1, 1000 + j * 100ull, j, 64);
		for (j = i; j < i + 10; j += 2)
			epb(&b[0], 0, 1000 + j * 100ull, j, 64);
	}
	/* s1: the same timestamps reversed in pairs, ids from 1000 */
	for (i = 0; i < 100; i += 2) {
		epb(&b[1], 0, 1000 + (i + 1) * 100ull, 1000 + i + 1, 64);
		epb(&b[1], 0, 1000 + i * 100ull, 1000 + i, 64);
	}
	run(b, 2, -1, 0, false, &o);
	CHECK_EQ_INT(o.n, 200);
	CHECK(sorted(&o));
	CHECK_EQ_INT(o.late, 0);
	CHECK(!o.bad_bytes);
	/* every timestamp: s0's frame, then s1's */
	for (i = 0; i + 1 < o.n; i += 2)
		if (o.id[i] != i / 2 || o.id[i + 1] != 1000 + i / 2 ||
		    o.src[i] != 0 || o.src[i + 1] != 1)
			ok = false;
	CHECK(ok);
	/* gzip, and a window too small for s0: late frames are s0's */
	run(b, 2, 2, 1 << 20, true, &o2);
	CHECK_EQ_INT(o2.n, 200);
	CHECK(o2.late_src[0] > 0);
	CHECK_EQ_INT(o2.late_src[1], 0);
	CHECK_EQ_INT(o2.late, o2.late_src[0]);
	free_bufs(b, 2);
}

/* A read error: the good frames first, in order, then the error once. */
static void test_error_after_frames(void)
{
	struct buf b[2] = { { 0 }, { 0 } };

	delayed(&b[0], 30, 5, 3);
	put32(&b[0], 6);	/* a block cut short */
	put32(&b[0], 1000);
	delayed(&b[1], 10, 2, 1);
	run(b, 2, -1, 0, false, &o);
	CHECK_EQ_INT(o.errors, 1);
	CHECK_EQ_INT(o.n, 40);
	CHECK(sorted(&o));
	CHECK_EQ_INT(o.late, 0);
	/* one source: the single-source path */
	run(b, 1, -1, 0, false, &o);
	CHECK_EQ_INT(o.errors, 1);
	CHECK_EQ_INT(o.n, 30);
	CHECK(sorted(&o));
	/* no window: file order, the error once too */
	run(b, 1, 0, 0, false, &o);
	CHECK_EQ_INT(o.errors, 1);
	CHECK_EQ_INT(o.n, 30);
	CHECK_EQ_INT(o.late, 1);
	run(b, 2, 0, 0, false, &o);
	CHECK_EQ_INT(o.errors, 1);
	CHECK_EQ_INT(o.n, 40);
	free_bufs(b, 2);
}

/*
 * Hostile timestamps: a frame at the end of time early in the file stays
 * held (it is never the earliest) while everything else flows past it; a
 * run of them is released by the frame bound, and what follows is then
 * late, counted, never stalled nor dropped.
 */
static void test_hostile_ts(void)
{
	struct buf b[1] = { 0 };
	uint32_t i, id = 0;

	shb(b);
	idb(b);
	epb(b, 0, UINT64_MAX, id++, 64);
	for (i = 0; i < 100; i++)
		epb(b, 0, 1000 + i, id++, 64);
	run(b, 1, 8, 1 << 20, false, &o);
	CHECK_EQ_INT(o.n, 101);
	CHECK(sorted(&o));
	CHECK_EQ_INT(o.late, 0);
	CHECK_EQ_INT(o.id[100], 0);
	CHECK(o.max_ahead <= 9);
	free_bufs(b, 1);

	id = 0;
	shb(b);
	idb(b);
	for (i = 0; i < 20; i++)
		epb(b, 0, UINT64_MAX - i, id++, 64);
	for (i = 0; i < 100; i++)
		epb(b, 0, 1000 + i, id++, 64);
	epb(b, 0, 0, id++, 64);
	run(b, 1, 8, 1 << 20, false, &o);
	CHECK_EQ_INT(o.n, 121);
	CHECK(!o.bad_bytes);
	CHECK(o.late >= 100);
	CHECK(o.max_ahead <= 9);
	free_bufs(b, 1);
}

/*
 * Many frames of many sizes, each displaced by less than the default
 * window: sorted, intact after the arena's compactions, never more than
 * the window read ahead.
 */
static void test_random_displacement(void)
{
	struct buf b[1] = { 0 };
	uint64_t *key = malloc(30000 * sizeof(*key));
	uint32_t *ord = malloc(30000 * sizeof(*ord));
	uint64_t x = 88172645463325252ull;
	uint32_t i, n = 30000;
	bool ok = true;

	/* each frame written at its rank plus up to 2000 frames of jitter */
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		key[i] = ((uint64_t)i + x % 2000) << 20 | i;
	}
	/* sort by write key (insertion sort is too slow: a simple radix) */
	{
		uint64_t *tmp = malloc(n * sizeof(*tmp));
		size_t *cnt = malloc(65537 * sizeof(*cnt));
		unsigned pass;

		for (pass = 0; pass < 64; pass += 16) {
			size_t j;

			memset(cnt, 0, 65537 * sizeof(*cnt));

			for (j = 0; j < n; j++)
				cnt[((key[j] >> pass) & 0xffff) + 1]++;
			for (j = 1; j < 65537; j++)
				cnt[j] += cnt[j - 1];
			for (j = 0; j < n; j++)
				tmp[cnt[(key[j] >> pass) & 0xffff]++] = key[j];
			memcpy(key, tmp, n * sizeof(*key));
		}
		free(tmp);
		free(cnt);
	}
	shb(b);
	idb(b);
	for (i = 0; i < n; i++) {
		ord[i] = (uint32_t)(key[i] & 0xfffff);
		epb(b, 0, 5000000 + ord[i] * 1000ull, ord[i],
		    40 + (ord[i] * 37) % 1400);
	}
	run(b, 1, -1, 0, false, &o);
	CHECK_EQ_INT(o.n, n);
	CHECK(sorted(&o));
	CHECK(!o.bad_bytes);
	CHECK_EQ_INT(o.late, 0);
	CHECK(o.max_ahead <= MERGE_WINDOW_FRAMES + 1);
	for (i = 0; i < o.n; i++)
		if (o.id[i] != i)
			ok = false;
	CHECK(ok);
	free_bufs(b, 1);
	free(key);
	free(ord);
}

static void test_set_window(void)
{
	struct merger *m;

	CHECK(!merger_new(NULL, 0, &m));
	CHECK(merger_set_window(m, (size_t)1 << 21, 1) == -EINVAL);
	CHECK(merger_set_window(m, 1, (size_t)2 << 30) == -EINVAL);
	CHECK(!merger_set_window(m, 0, 0));
	CHECK_EQ_INT(merger_late_frames(m), 0);
	CHECK_EQ_INT(merger_source_late_frames(m, 3), 0);
	merger_free(m);
}

int main(void)
{
	test_dumpcap_interleave();
	test_window_depth();
	test_stable();
	test_sources();
	test_error_after_frames();
	test_hostile_ts();
	test_random_displacement();
	test_set_window();
	return check_done();
}
