// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the bytes are the data of a dropspot host-state Custom
 * Block (capture/hoststate.c hs_parse), the snapshot a saved trace
 * carries.  Whatever parses must be clean, bounded text, and must survive
 * its own saved form unchanged (what `analyze` reads is what `trace` would
 * have written).  The pcapng reader's path to the block is fuzzed by
 * fuzz_reader over tests/fuzz/seeds/reader_hoststate.pcapng.
 *
 * Seeds: tests/fuzz/seeds/hoststate_*.state.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/hoststate.h"

static void check_clean(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();	/* not terminated */
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct host_state a, b;
	char *buf;
	size_t len;
	uint32_t i;

	hs_init(&a);
	hs_init(&b);
	if (hs_parse(&a, data, size) == 0) {
		if (a.n > HS_MAX_ITEMS)
			abort();
		for (i = 0; i < a.n; i++) {
			check_clean(a.items[i].netns, HS_NETNS_MAX);
			check_clean(a.items[i].key, HS_KEY_MAX);
			check_clean(a.items[i].value, HS_VALUE_MAX);
			if (!a.items[i].key[0])
				abort();
		}
		if (!hs_serialize(&a, &buf, &len)) {
			if (hs_parse(&b, (const uint8_t *)buf, len) ||
			    b.n != a.n)
				abort();
			for (i = 0; i < a.n; i++)
				if (strcmp(a.items[i].netns, b.items[i].netns) ||
				    strcmp(a.items[i].key, b.items[i].key) ||
				    strcmp(a.items[i].value, b.items[i].value))
					abort();
			free(buf);
		}
	}
	hs_free(&a);
	hs_free(&b);
	return 0;
}
