// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the bytes are a capture file (pcap, pcapng, either one
 * gzipped).  Every frame the readers return goes through the dissectors, so
 * the frame lengths and link types they hand out are checked too.  The
 * point table is rebuilt per input: the per-source point cap must bound it.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "capture/source.h"
#include "dissect/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct point_table pt;
	struct source *s = NULL;
	struct packet pkt;
	struct frame f;
	char err[SOURCE_ERR_MAX];
	volatile uint32_t sink = 0;

	point_table_init(&pt);
	if (source_open_memory(data, size, "fuzz", &pt, &s, err, sizeof(err)))
		goto cleanup;
	while (source_next(s, &f) > 0) {
		/* the frame must be readable in full and keep its invariants */
		if (f.caplen > f.wirelen || f.point >= pt.count)
			__builtin_trap();
		if (f.caplen)
			sink += f.data[0] + f.data[f.caplen - 1];
		if (f.comment_len)
			sink += (uint8_t)f.comment[f.comment_len - 1];
		dissect_frame(&f, &pkt);
	}
	(void)source_error(s);
cleanup:
	source_close(s);
	point_table_free(&pt);
	(void)sink;
	return 0;
}
