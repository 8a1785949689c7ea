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
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "capture/drop_event.h"
#include "capture/input.h"
#include "capture/source.h"
#include "dissect/packet.h"

/* What one read of an input produced, reduced to a checksum. */
struct outcome {
	uint64_t frames;
	uint64_t hash;
	int last;
	char err[SOURCE_ERR_MAX];
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	return h * 0x100000001b3ull;
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome plain, gz;
	uint8_t *z;
	size_t zlen;

	read_all(data, size, true, &plain);

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
