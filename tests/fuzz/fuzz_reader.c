// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the bytes are a capture file (pcap, pcapng, either one
 * gzipped).  Every frame the readers return goes through the dissectors, so
 * the frame lengths and link types they hand out are checked too.  The
 * point table is rebuilt per input: the per-source point cap must bound it.
 *
 * Differential half: plain bytes in memory are read in place, which skips
 * the read window that files and gzip go through.  So the same bytes are
 * also gzipped here and read again through a tiny window (every record then
 * needs refills, moves and growth of the window), and both reads must give
 * the same frames and the same error message.
 *
 * Merger half: the bytes are read once more through the merger with a
 * small reorder window (its size taken from the input), as one source and
 * as two: the same frames must come out (as a multiset), in time order but
 * for exactly the frames it counts as late, the read error after all good
 * frames, and never more than the window read ahead.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "capture/drop_comment.h"
#include "capture/input.h"
#include "capture/source.h"
#include "dissect/packet.h"

/* What one read of an input produced, reduced to a checksum. */
struct outcome {
	uint64_t frames;
	uint64_t hash;
	uint64_t sum;		/* of per-frame hashes: order-free */
	int last;
	char err[SOURCE_ERR_MAX];
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	return h * 0x100000001b3ull;
}

/* One frame's hash, the same whatever order the frames come in. */
static uint64_t frame_hash(const struct frame *f)
{
	uint64_t h = 0xcbf29ce484222325ull;
	uint32_t i;

	for (i = 0; i < f->caplen; i++)
		h = mix(h, f->data[i]);
	for (i = 0; i < f->comment_len; i++)
		h = mix(h, (uint8_t)f->comment[i]);
	h = mix(h, f->ts_ns);
	h = mix(h, f->number);
	return mix(h, (uint64_t)f->wirelen << 32 | f->point);
}

static void read_all(const uint8_t *data, size_t size, bool dissect,
		     struct outcome *o)
{
	struct point_table pt;
	struct source *s = NULL;
	struct drop_event ev;
	struct packet pkt;
	struct frame f;
	uint32_t i;

	memset(o, 0, sizeof(*o));
	o->hash = 0xcbf29ce484222325ull;
	point_table_init(&pt);
	o->last = source_open_memory(data, size, "fuzz", &pt, &s, o->err,
				     sizeof(o->err));
	if (o->last)
		goto cleanup;
	while ((o->last = source_next(s, &f)) > 0) {
		/* the frame must be readable in full and keep its invariants */
		if (f.caplen > f.wirelen || f.point >= pt.count ||
		    f.number != o->frames + 1)
			__builtin_trap();
		for (i = 0; i < f.caplen; i++)
			o->hash = mix(o->hash, f.data[i]);
		for (i = 0; i < f.comment_len; i++)
			o->hash = mix(o->hash, (uint8_t)f.comment[i]);
		o->hash = mix(o->hash, f.ts_ns);
		o->hash = mix(o->hash, (uint64_t)f.wirelen << 32 | f.point);
		o->hash = mix(o->hash, (uint64_t)f.dir << 32 | (uint32_t)f.linktype);
		o->sum += frame_hash(&f);
		o->frames++;
		if (dissect)
			dissect_frame(&f, &pkt);
		/* a kernel drop's comment and bytes are file input too */
		if (dissect && (f.flags & FRAME_F_KERNEL_DROP))
			drop_event_from_frame(&f, &ev);
	}
	if (o->last < 0)
		snprintf(o->err, sizeof(o->err), "%s", source_error(s));
cleanup:
	source_close(s);
	point_table_free(&pt);
}

/* gzip of data into a new buffer, or NULL. */
static uint8_t *gzip_of(const uint8_t *data, size_t size, size_t *out_len)
{
	z_stream zs;
	uint8_t *out = NULL;
	size_t cap;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY))
		return NULL;
	cap = deflateBound(&zs, (uLong)size) + 32;
	out = malloc(cap);
	if (!out)
		goto fail;
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)size;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		goto fail;
	*out_len = zs.total_out;
	deflateEnd(&zs);
	return out;
fail:
	deflateEnd(&zs);
	free(out);
	return NULL;
}

static uint64_t frames_read(const struct point_table *pt)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < pt->count; i++)
		n += pt->items[i].frames;
	return n;
}

/* The same bytes as n sources (1 or 2) through the merger; see above. */
static void read_merged(const uint8_t *data, size_t size, size_t n,
			const struct outcome *plain)
{
	struct source *src[2] = { NULL, NULL };
	size_t win = size % 13, bytes = (size_t)64 << (size % 11), i;
	uint64_t frames = 0, sum = 0, max_ts = 0, inversions = 0, ahead;
	struct point_table pt;
	struct merger *m = NULL;
	struct source *failed;
	struct frame f;
	char err[SOURCE_ERR_MAX];
	int ret, errors = 0;

	point_table_init(&pt);
	for (i = 0; i < n; i++)
		/* one name: the error messages are the plain read's */
		if (source_open_memory(data, size, "fuzz", &pt, &src[i], err,
				       sizeof(err)))
			goto cleanup;
	if (merger_new(src, n, &m) || merger_set_window(m, win, bytes))
		goto cleanup;
	while ((ret = merger_next(m, &f, &failed)) != 0) {
		if (ret < 0) {
			/* after every good frame of it, with its message */
			if (!failed || strcmp(source_error(failed), plain->err))
				__builtin_trap();
			errors++;
			continue;
		}
		if (f.caplen > f.wirelen || f.point >= pt.count)
			__builtin_trap();
		sum += frame_hash(&f);
		frames++;
		if (f.ts_ns < max_ts)
			inversions++;
		else
			max_ts = f.ts_ns;
		/*
		 * Read ahead: at most the window plus the frame waiting in
		 * the merge, per source (counted when the points are few:
		 * the count walks them all).
		 */
		ahead = pt.count <= 64 ? frames_read(&pt) - frames : 0;
		if (ahead > n * (win + 1))
			__builtin_trap();
	}
	/*
	 * Two copies of the same bytes: sums of per-frame hashes differ only
	 * in the point ids, so just the counts there.  One source: the same
	 * frames, and out of order exactly the frames counted late.
	 */
	if (frames != n * plain->frames || errors != (plain->last < 0 ? (int)n : 0))
		__builtin_trap();
	if (n == 1 && (sum != plain->sum ||
		       inversions != merger_late_frames(m)))
		__builtin_trap();
cleanup:
	merger_free(m);
	for (i = 0; i < n; i++)
		source_close(src[i]);
	point_table_free(&pt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome plain, gz;
	uint8_t *z;
	size_t zlen;

	read_all(data, size, true, &plain);
	read_merged(data, size, 1, &plain);
	read_merged(data, size, 2, &plain);

	/* already gzip (or too big to bother): nothing to compare */
	if ((size >= 2 && data[0] == 0x1f && data[1] == 0x8b) || size > 1 << 20)
		return 0;
	z = gzip_of(data, size, &zlen);
	if (!z)
		return 0;
	input_set_initial_window(16);
	read_all(z, zlen, false, &gz);
	input_set_initial_window(0);
	free(z);
	if (plain.frames != gz.frames || plain.hash != gz.hash ||
	    (plain.last < 0) != (gz.last < 0) ||
	    (plain.last < 0 && strcmp(plain.err, gz.err) != 0))
		__builtin_trap();
	return 0;
}
