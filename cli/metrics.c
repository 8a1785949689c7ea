// SPDX-License-Identifier: GPL-2.0
/*
 * Run counters and their Prometheus textfile (metrics.h, docs/metrics.md).
 *
 * Label values come from interface names, netns names and kernel drop
 * reasons: untrusted.  They are made valid UTF-8 without control bytes
 * when stored (anything else becomes '?'), so two names that read the same
 * after that are one series, never a duplicate; the exposition escapes
 * (backslash, double quote, newline) are applied when written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/json.h"
#include "common/strbuf.h"
#include "metrics.h"

/* A label value as stored: valid UTF-8, no control bytes, bounded. */
static void label_clean(char *out, size_t cap, const char *in)
{
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	size_t n = strlen((const char *)s), o = 0, k;

	while (*s && o + 1 < cap) {
		k = *s < 0x80 ? 1 : utf8_seq(s, n);
		if (!k || (k == 1 && (*s < 0x20 || *s == 0x7f))) {
			/* the newline stays: the writer escapes it */
			out[o++] = *s == '\n' ? '\n' : '?';
			s++;
			n--;
			continue;
		}
		if (o + k >= cap)
			break;
		memcpy(out + o, s, k);
		o += k;
		s += k;
		n -= k;
	}
	out[o] = '\0';
}

void stats_init(struct run_stats *st, const char *command, uint64_t start_ns)
{
	memset(st, 0, sizeof(*st));
	st->command = command;
	st->start_ns = start_ns;
}

uint64_t stats_sent(const struct run_stats *st)
{
	if (st->own_probes)
		return st->sent;
	return st->probes;
}

void stats_probe(struct run_stats *st, bool answered, bool lost,
		 bool unfinished, bool orphan, const char *location,
		 const char *cause)
{
	char loc[STATS_LABEL_MAX], cau[STATS_LABEL_MAX];
	struct stats_loss *l;
	size_t i;

	if (orphan) {
		st->orphan++;
		return;
	}
	st->probes++;
	if (answered)
		st->answered++;
	if (unfinished)
		st->unfinished++;
	if (!lost)
		return;
	st->lost++;
	label_clean(loc, sizeof(loc), location && location[0] ? location : "none");
	label_clean(cau, sizeof(cau), cause && cause[0] ? cause : "unknown");
	for (i = 0; i < st->n_loss; i++) {
		l = &st->loss[i];
		if (!strcmp(l->location, loc) && !strcmp(l->cause, cau)) {
			l->n++;
			return;
		}
	}
	/* the table is full: the last row becomes the catch-all */
	if (st->n_loss == STATS_MAX_LOSS) {
		l = &st->loss[STATS_MAX_LOSS - 1];
		snprintf(l->location, sizeof(l->location), "other");
		snprintf(l->cause, sizeof(l->cause), "other");
		l->n++;
		return;
	}
	l = &st->loss[st->n_loss++];
	memcpy(l->location, loc, sizeof(loc));
	memcpy(l->cause, cau, sizeof(cau));
	l->n = 1;
}

void stats_kernel_drop(struct run_stats *st, const char *reason)
{
	char r[STATS_LABEL_MAX];
	struct stats_reason *k;
	size_t i;

	st->kdrops++;
	label_clean(r, sizeof(r), reason && reason[0] ? reason : "unknown");
	for (i = 0; i < st->n_kdrop; i++) {
		if (!strcmp(st->kdrop[i].reason, r)) {
			st->kdrop[i].n++;
			return;
		}
	}
	if (st->n_kdrop == STATS_MAX_REASONS) {
		k = &st->kdrop[STATS_MAX_REASONS - 1];
		snprintf(k->reason, sizeof(k->reason), "other");
		k->n++;
		return;
	}
	k = &st->kdrop[st->n_kdrop++];
	memcpy(k->reason, r, sizeof(r));
	k->n = 1;
}

/* A label value in the exposition format: \\, \" and \n escaped. */
static void put_label(struct strbuf *sb, const char *name, const char *v)
{
	sb_puts(sb, name);
	sb_puts(sb, "=\"");
	for (; *v; v++) {
		if (*v == '\\')
			sb_puts(sb, "\\\\");
		else if (*v == '"')
			sb_puts(sb, "\\\"");
		else if (*v == '\n')
			sb_puts(sb, "\\n");
		else
			sb_putc(sb, *v);
	}
	sb_putc(sb, '"');
}

static void family(struct strbuf *sb, const char *name, const char *type,
		   const char *help)
{
	sb_printf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(struct strbuf *sb, const char *name, uint64_t v)
{
	sb_printf(sb, "%s %llu\n", name, (unsigned long long)v);
}

/* Points by cleaned name, duplicates summed: one series each. */
static void ring_lost(struct strbuf *sb, const struct run_stats *st,
		      const struct point_table *points)
{
	struct { char name[STATS_LABEL_MAX]; uint64_t n; } *rows;
	size_t i, j, n = 0;

	family(sb, "dropspot_ring_events_lost_total", "counter",
	       "Events a watched point's capture ring could not take (or the "
	       "end could not write), per point.");
	if (!points || !points->count)
		return;
	rows = calloc(points->count, sizeof(*rows));
	if (!rows) {
		sb->oom = true;
		return;
	}
	for (i = 0; i < points->count; i++) {
		const struct point *p = &points->items[i];
		char name[STATS_LABEL_MAX];
		uint64_t v;

		if (p->hook == HOOK_KFREE_SKB)
			v = st->kdrop_ring_lost;
		else if (p->kind == POINT_KIND_SOCKET)
			continue;	/* a socket has no ring */
		else
			v = p->capture_drops_known ? p->capture_drops : 0;
		label_clean(name, sizeof(name), p->name);
		for (j = 0; j < n && strcmp(rows[j].name, name); j++)
			;
		if (j == n)
			memcpy(rows[n++].name, name, sizeof(name));
		rows[j].n += v;
	}
	for (i = 0; i < n; i++) {
		sb_puts(sb, "dropspot_ring_events_lost_total{");
		put_label(sb, "point", rows[i].name);
		sb_printf(sb, "} %llu\n", (unsigned long long)rows[i].n);
	}
	free(rows);
}

static void probe_metrics(struct strbuf *sb, const struct run_stats *st)
{
	size_t i;

	family(sb, "dropspot_probes_sent_total", "counter",
	       "Echo probes sent (trace --ping) or seen (passive trace).");
	sample(sb, "dropspot_probes_sent_total", stats_sent(st));
	family(sb, "dropspot_probes_answered_total", "counter",
	       "Probes answered.");
	sample(sb, "dropspot_probes_answered_total", st->answered);
	family(sb, "dropspot_probes_unfinished_total", "counter",
	       "Probes still inside their reply window when the run ended.");
	sample(sb, "dropspot_probes_unfinished_total", st->unfinished);
	family(sb, "dropspot_probes_lost_total", "counter",
	       "Probes lost, by the last point they were seen at and the "
	       "cause their own evidence names.");
	for (i = 0; i < st->n_loss; i++) {
		sb_puts(sb, "dropspot_probes_lost_total{");
		put_label(sb, "location", st->loss[i].location);
		sb_putc(sb, ',');
		put_label(sb, "cause", st->loss[i].cause);
		sb_printf(sb, "} %llu\n", (unsigned long long)st->loss[i].n);
	}
}

static void build(struct strbuf *sb, const struct run_stats *st,
		  const struct point_table *points, bool up)
{
	size_t i;

	family(sb, "dropspot_up", "gauge",
	       "1 while the dropspot run is going, 0 once it has ended.");
	sample(sb, "dropspot_up", up ? 1 : 0);
	family(sb, "dropspot_session_start_time_seconds", "gauge",
	       "When the run started, seconds since the epoch.");
	sb_printf(sb, "dropspot_session_start_time_seconds %llu.%09llu\n",
		  (unsigned long long)(st->start_ns / 1000000000ull),
		  (unsigned long long)(st->start_ns % 1000000000ull));
	if (st->probes_known)
		probe_metrics(sb, st);
	ring_lost(sb, st, points);
	family(sb, "dropspot_kernel_drops_total", "counter",
	       "Kernel drops (kfree_skb) recorded, by drop reason.");
	for (i = 0; i < st->n_kdrop; i++) {
		sb_puts(sb, "dropspot_kernel_drops_total{");
		put_label(sb, "reason", st->kdrop[i].reason);
		sb_printf(sb, "} %llu\n", (unsigned long long)st->kdrop[i].n);
	}
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int metrics_write(const char *path, const struct run_stats *st,
		  const struct point_table *points, bool up)
{
	char tmp[4096];
	struct strbuf sb;
	int fd, ret;

	/* same directory, so rename replaces it atomically */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path,
			     (long)getpid()) >= sizeof(tmp))
		return -ENAMETOOLONG;
	sb_init(&sb);
	build(&sb, st, points, up);
	if (sb.oom) {
		sb_free(&sb);
		return -ENOMEM;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		sb_free(&sb);
		return ret;
	}
	ret = write_all(fd, sb.buf, sb.len);
	sb_free(&sb);
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}
