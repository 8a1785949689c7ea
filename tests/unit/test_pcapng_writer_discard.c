// SPDX-License-Identifier: GPL-2.0
/*
 * pcapng_writer_discard() removes only a file its writer created: a
 * capture that fails before it starts leaves no header-only stub, and a
 * file that was there before is never removed (not tried on a device:
 * a regression would unlink it from the test machine).
 * pcapng_writer_close() keeps what it wrote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/linktype.h"
#include "capture/pcapng_write.h"
#include "check.h"

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static long size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

static struct pcapng_writer *open_one(const char *path)
{
	struct pcapng_writer *w = NULL;
	char err[256];

	if (pcapng_writer_open(path, "test", NULL, &w, err, sizeof(err))) {
		fprintf(stderr, "open %s: %s\n", path, err);
		return NULL;
	}
	pcapng_writer_add_if(w, "eth0", NULL, LINKTYPE_ETHERNET, 262144);
	return w;
}

int main(void)
{
	char dir[] = "/tmp/ds-discard.XXXXXX";
	char fresh[64], kept[64], old[64];
	struct pcapng_writer *w;
	FILE *fp;

	if (!mkdtemp(dir))
		return 2;
	snprintf(fresh, sizeof(fresh), "%s/fresh.pcapng", dir);
	snprintf(kept, sizeof(kept), "%s/kept.pcapng", dir);
	snprintf(old, sizeof(old), "%s/old.pcapng", dir);

	/* created here, discarded: gone */
	w = open_one(fresh);
	CHECK(w != NULL);
	CHECK(exists(fresh));
	pcapng_writer_discard(w);
	CHECK(!exists(fresh));

	/* created here, closed: kept, with its blocks */
	w = open_one(kept);
	CHECK(w != NULL);
	CHECK_EQ_INT(pcapng_writer_close(w), 0);
	CHECK(size_of(kept) > 28);

	/* there before: written over, but never removed */
	fp = fopen(old, "w");
	CHECK(fp != NULL);
	if (fp) {
		fputs("the user's file\n", fp);
		fclose(fp);
	}
	w = open_one(old);
	CHECK(w != NULL);
	pcapng_writer_discard(w);
	CHECK(exists(old));

	/* NULL is a no-op, like close */
	pcapng_writer_discard(NULL);

	unlink(kept);
	unlink(old);
	rmdir(dir);
	return check_done();
}
