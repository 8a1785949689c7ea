// SPDX-License-Identifier: GPL-2.0
/*
 * readcap FILE... : prints every frame the file readers return, one line
 * each, then the per-point counters.  Several files are merged in time
 * order; within a file, frames keep the file's order.  Used by tests/integration/test_readers.sh to compare with tshark.
 *
 *   frame:  point<TAB>ifindex<TAB>dir<TAB>ts_ns<TAB>caplen<TAB>wirelen<TAB>linktype
 *   points: "# point" name ifname ifindex linktype snaplen tsresol_ns frames
 *           bytes snapped in out drops (drops "-" when unknown)
 *
 * Exit status: 0, or 1 if any file could not be opened or read fully (the
 * error goes to stderr after the frames read before it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/source.h"
#include "common/strbuf.h"

static void print_frame(struct strbuf *sb, const struct point_table *pt,
			const struct frame *f)
{
	const struct point *p = point_get_const(pt, f->point);

	sb_puts(sb, p ? p->name : "?");
	sb_putc(sb, '\t');
	sb_u64(sb, p ? p->ifindex : 0);
	sb_putc(sb, '\t');
	sb_puts(sb, direction_name(f->dir));
	sb_putc(sb, '\t');
	sb_u64(sb, f->ts_ns);
	sb_putc(sb, '\t');
	sb_u64(sb, f->caplen);
	sb_putc(sb, '\t');
	sb_u64(sb, f->wirelen);
	sb_putc(sb, '\t');
	sb_i64(sb, f->linktype);
	sb_putc(sb, '\n');
	if (sb->len > 1 << 16)
		sb_flush(sb, stdout);
}

static void print_points(const struct point_table *pt)
{
	size_t i;

	for (i = 0; i < pt->count; i++) {
		const struct point *p = &pt->items[i];

		printf("# point\t%s\t%s\t%u\t%d\t%u\t%u\t%llu\t%llu\t%llu\t%llu\t%llu\t",
		       p->name, p->ifname[0] ? p->ifname : "-", p->ifindex,
		       p->linktype, p->snaplen, p->tsresol_ns,
		       (unsigned long long)p->frames,
		       (unsigned long long)p->bytes,
		       (unsigned long long)p->snapped,
		       (unsigned long long)p->frames_in,
		       (unsigned long long)p->frames_out);
		if (p->capture_drops_known)
			printf("%llu\n", (unsigned long long)p->capture_drops);
		else
			printf("-\n");
	}
}

int main(int argc, char **argv)
{
	struct source **srcs = NULL;
	struct merger *m = NULL;
	struct point_table pt;
	struct strbuf sb;
	struct frame f;
	char err[SOURCE_ERR_MAX];
	int i, n = 0, status = 0, ret;
	struct source *failed;

	if (argc < 2) {
		fprintf(stderr, "usage: readcap FILE... (\"-\" = stdin)\n");
		return 2;
	}
	point_table_init(&pt);
	sb_init(&sb);
	srcs = calloc((size_t)argc, sizeof(*srcs));
	if (!srcs)
		return 1;
	for (i = 1; i < argc; i++) {
		if (source_open_file(argv[i], &pt, &srcs[n], err, sizeof(err))) {
			fprintf(stderr, "readcap: %s\n", err);
			status = 1;
			continue;
		}
		n++;
	}
	if (merger_new(srcs, (size_t)n, &m)) {
		fprintf(stderr, "readcap: out of memory\n");
		status = 1;
		goto cleanup;
	}
	/*
	 * What the readers return, in each file's own order as tshark shows
	 * it: no reorder window within a file (analyze has one).
	 */
	merger_set_window(m, 0, 0);
	while ((ret = merger_next(m, &f, &failed)) != 0) {
		if (ret < 0) {
			sb_flush(&sb, stdout);
			fflush(stdout);
			fprintf(stderr, "readcap: %s\n",
				failed ? source_error(failed) : "merge failed");
			status = 1;
			continue;
		}
		print_frame(&sb, &pt, &f);
	}
	sb_flush(&sb, stdout);
	print_points(&pt);
cleanup:
	merger_free(m);
	for (i = 0; i < n; i++)
		source_close(srcs[i]);
	free(srcs);
	sb_free(&sb);
	point_table_free(&pt);
	return status;
}
