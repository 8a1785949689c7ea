// SPDX-License-Identifier: GPL-2.0
/*
 * The NDJSON event stream (stream.h, docs/ndjson-schema.md).  Each event
 * is built whole in a buffer and written with one fwrite + fflush, so a
 * reader tailing the file never sees half a line of ours, and a probe's
 * line leaves the moment the engine decides its outcome.  The probe and
 * finding objects are the JSON report's own (report_json_probe/finding).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/report.h"
#include "common/strbuf.h"
#include "stream.h"

/* as main.c: the version the build stamped, when it did */
#ifdef DROPSPOT_HAVE_VERSION_H
#include "dropspot_version.h"
#endif
#ifndef DROPSPOT_VERSION
#define DROPSPOT_VERSION "0.1.0"
#endif

struct stream {
	FILE *fp;
	bool is_stdout;
	bool failed;
	char host[256];
	char session[40];
	struct strbuf sb;
};

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct stream *stream_open(const char *path, char *err, size_t errlen)
{
	struct stream *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!path || !strcmp(path, "-")) {
		s->fp = stdout;
		s->is_stdout = true;
	} else {
		s->fp = fopen(path, "we");
		if (!s->fp) {
			snprintf(err, errlen, "--ndjson %s: %s", path,
				 strerror(errno));
			free(s);
			return NULL;
		}
	}
	if (gethostname(s->host, sizeof(s->host) - 1))
		snprintf(s->host, sizeof(s->host), "unknown");
	s->host[sizeof(s->host) - 1] = '\0';
	snprintf(s->session, sizeof(s->session), "%016llx-%ld",
		 (unsigned long long)wall_ns(), (long)getpid());
	sb_init(&s->sb);
	return s;
}

int stream_close(struct stream *s)
{
	int ret;

	if (!s)
		return 0;
	if (fflush(s->fp) || ferror(s->fp))
		s->failed = true;
	if (!s->is_stdout && fclose(s->fp))
		s->failed = true;
	ret = s->failed ? -1 : 0;
	sb_free(&s->sb);
	free(s);
	return ret;
}

bool stream_failed(const struct stream *s)
{
	return s && s->failed;
}

bool stream_is_stdout(const struct stream *s)
{
	return s && s->is_stdout;
}

/* "" as null: a field the event has, with no value this time. */
static void kv_str_or_null(struct strbuf *sb, const char *k, const char *v)
{
	sb_key(sb, NULL, k);
	if (v && v[0])
		sb_json_cstr(sb, v);
	else
		sb_puts(sb, "null");
}

/* RFC 3339 in UTC with nanoseconds: 2026-12-02T02:37:29.123456789Z */
static void put_time(struct strbuf *sb, uint64_t ns)
{
	time_t t = (time_t)(ns / 1000000000ull);
	struct tm tm;
	char buf[40];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	sb_putc(sb, '"');
	sb_puts(sb, buf);
	sb_putc(sb, '.');
	sb_u64_pad(sb, ns % 1000000000ull, 9);
	sb_puts(sb, "Z\"");
}

/* The envelope every event starts with. */
static bool begin(struct stream *s, const char *type)
{
	uint64_t now = wall_ns();

	if (!s || s->failed)
		return false;
	sb_reset(&s->sb);
	sb_puts(&s->sb, "{\"schema\":\"" STREAM_SCHEMA "\"");
	sb_kv_str(&s->sb, NULL, "type", type);
	sb_key(&s->sb, NULL, "ts");
	put_time(&s->sb, now);
	sb_kv_u64(&s->sb, NULL, "ts_ns", now);
	sb_kv_str(&s->sb, NULL, "host", s->host);
	sb_kv_str(&s->sb, NULL, "session", s->session);
	return true;
}

static void end(struct stream *s)
{
	sb_puts(&s->sb, "}\n");
	if (s->sb.oom) {
		/* a line cut short would not parse: say so, skip it */
		sb_reset(&s->sb);
		s->sb.oom = false;
		return;
	}
	if (fwrite(s->sb.buf, 1, s->sb.len, s->fp) != s->sb.len ||
	    fflush(s->fp) || ferror(s->fp))
		s->failed = true;
	sb_reset(&s->sb);
}

static void put_point(struct strbuf *sb, const struct point *p, uint32_t id)
{
	sb_puts(sb, "{\"id\":");
	sb_u64(sb, id);
	sb_kv_str(sb, NULL, "name", p->name);
	sb_kv_str(sb, NULL, "ifname", p->ifname);
	sb_kv_str(sb, NULL, "netns", p->netns);
	sb_kv_str(sb, NULL, "kind", point_kind_name(p->kind));
	sb_kv_str(sb, NULL, "hook", point_hook_name(p->hook));
	sb_putc(sb, '}');
}

void stream_session_start(struct stream *s, const char *command,
			  const struct point_table *points)
{
	size_t i;

	if (!begin(s, "session_start"))
		return;
	sb_kv_str(&s->sb, NULL, "command", command);
	sb_kv_str(&s->sb, NULL, "version", DROPSPOT_VERSION);
	sb_kv_u64(&s->sb, NULL, "pid", (uint64_t)getpid());
	sb_key(&s->sb, NULL, "points");
	sb_putc(&s->sb, '[');
	for (i = 0; points && i < points->count; i++) {
		if (i)
			sb_putc(&s->sb, ',');
		put_point(&s->sb, &points->items[i], (uint32_t)i);
	}
	sb_putc(&s->sb, ']');
	end(s);
}

void stream_probe(struct stream *s, const struct engine *e,
		  const struct probe *pr)
{
	struct probe_brief b;
	struct strbuf *sb;

	if (!begin(s, "probe"))
		return;
	sb = &s->sb;
	report_probe_brief(e, pr, &b);
	sb_kv_u64(sb, NULL, "id", b.id);
	sb_kv_u64(sb, NULL, "seq", b.seq);
	sb_kv_str(sb, NULL, "outcome", b.outcome);
	sb_kv_u64(sb, NULL, "family", (uint64_t)b.family);
	kv_str_or_null(sb, "src", b.src);
	kv_str_or_null(sb, "dst", b.dst);
	sb_key(sb, NULL, "rtt_ns");
	if (b.rtt_ns >= 0)
		sb_u64(sb, (uint64_t)b.rtt_ns);
	else
		sb_puts(sb, "null");
	sb_kv_u64(sb, NULL, "first_ts_ns", b.first_ts_ns);
	sb_key(sb, NULL, "location");
	sb_puts(sb, "{\"last_seen\":");
	if (b.last_point >= 0)
		sb_u64(sb, (uint64_t)b.last_point);
	else
		sb_puts(sb, "null");
	kv_str_or_null(sb, "last_seen_name", b.last_name);
	kv_str_or_null(sb, "direction", b.direction);
	sb_putc(sb, '}');
	sb_key(sb, NULL, "cause");
	if (b.cause[0]) {
		sb_puts(sb, "{\"code\":");
		sb_json_cstr(sb, b.cause);
		sb_kv_str(sb, NULL, "strength", b.strength);
		sb_kv_str(sb, NULL, "text", b.cause_text);
		sb_putc(sb, '}');
	} else {
		sb_puts(sb, "null");
	}
	sb_key(sb, NULL, "kernel_drop");
	if (b.drop_reason[0]) {
		sb_puts(sb, "{\"reason\":");
		sb_json_cstr(sb, b.drop_reason);
		kv_str_or_null(sb, "function", b.drop_function);
		sb_putc(sb, '}');
	} else {
		sb_puts(sb, "null");
	}
	sb_key(sb, NULL, "icmp_error");
	if (b.icmp_type >= 0) {
		sb_puts(sb, "{\"type\":");
		sb_u64(sb, (uint64_t)b.icmp_type);
		sb_kv_u64(sb, NULL, "code", (uint64_t)b.icmp_code);
		sb_kv_str(sb, NULL, "from", b.icmp_from);
		sb_putc(sb, '}');
	} else {
		sb_puts(sb, "null");
	}
	sb_key(sb, NULL, "probe");
	report_json_probe(sb, e, pr);
	end(s);
}

void stream_finding(struct stream *s, const struct engine *e, size_t index)
{
	if (!begin(s, "finding"))
		return;
	sb_kv_u64(&s->sb, NULL, "index", index);
	sb_key(&s->sb, NULL, "finding");
	report_json_finding(&s->sb, e, index);
	end(s);
}

void stream_kernel_drop(struct stream *s, const struct drop_event *ev)
{
	char func[DROP_SYMBOL_MAX];

	if (!begin(s, "kernel_drop"))
		return;
	drop_event_function(ev, func, sizeof(func));
	sb_kv_u64(&s->sb, NULL, "event_ts_ns", ev->ts_ns);
	kv_str_or_null(&s->sb, "reason", ev->reason_name);
	sb_kv_u64(&s->sb, NULL, "reason_id", ev->reason);
	kv_str_or_null(&s->sb, "function", func);
	kv_str_or_null(&s->sb, "symbol", ev->symbol);
	kv_str_or_null(&s->sb, "device", ev->dev);
	kv_str_or_null(&s->sb, "device_netns", ev->dev_netns);
	sb_kv_u64(&s->sb, NULL, "ifindex", ev->ifindex);
	sb_kv_u64(&s->sb, NULL, "netns_inode", ev->netns_ino);
	sb_kv_u64(&s->sb, NULL, "len", ev->wire_len);
	end(s);
}

void stream_point(struct stream *s, const struct point *p, uint32_t id,
		  bool present, uint64_t ts_ns)
{
	if (!p || !begin(s, "point"))
		return;
	sb_kv_str(&s->sb, NULL, "change", present ? "back" : "gone");
	sb_kv_u64(&s->sb, NULL, "event_ts_ns", ts_ns);
	sb_key(&s->sb, NULL, "point");
	put_point(&s->sb, p, id);
	end(s);
}

static void counters_probes(struct strbuf *sb, const struct run_stats *st)
{
	size_t i;

	sb_key(sb, NULL, "probes");
	sb_puts(sb, "{\"sent\":");
	sb_u64(sb, stats_sent(st));
	sb_kv_bool(sb, NULL, "own", st->own_probes);
	sb_kv_u64(sb, NULL, "closed", st->probes);
	sb_kv_u64(sb, NULL, "answered", st->answered);
	sb_kv_u64(sb, NULL, "lost", st->lost);
	sb_kv_u64(sb, NULL, "unfinished", st->unfinished);
	sb_kv_u64(sb, NULL, "orphan_replies", st->orphan);
	sb_key(sb, NULL, "lost_by");
	sb_putc(sb, '[');
	for (i = 0; i < st->n_loss; i++) {
		if (i)
			sb_putc(sb, ',');
		sb_puts(sb, "{\"location\":");
		sb_json_cstr(sb, st->loss[i].location);
		sb_kv_str(sb, NULL, "cause", st->loss[i].cause);
		sb_kv_u64(sb, NULL, "count", st->loss[i].n);
		sb_putc(sb, '}');
	}
	sb_puts(sb, "]}");
}

void stream_counters(struct stream *s, const struct run_stats *st,
		     const struct point_table *points, bool final)
{
	struct strbuf *sb;
	size_t i, n = 0;

	if (!begin(s, "counters"))
		return;
	sb = &s->sb;
	sb_kv_bool(sb, NULL, "final", final);
	if (st->probes_known)
		counters_probes(sb, st);
	sb_key(sb, NULL, "ring_events_lost");
	sb_putc(sb, '[');
	for (i = 0; points && i < points->count; i++) {
		const struct point *p = &points->items[i];
		uint64_t v;

		if (p->kind == POINT_KIND_SOCKET)
			continue;
		v = p->hook == HOOK_KFREE_SKB ? st->kdrop_ring_lost :
		    p->capture_drops_known ? p->capture_drops : 0;
		if (n++)
			sb_putc(sb, ',');
		sb_puts(sb, "{\"point\":");
		sb_u64(sb, i);
		sb_kv_str(sb, NULL, "name", p->name);
		sb_kv_u64(sb, NULL, "lost", v);
		sb_putc(sb, '}');
	}
	sb_putc(sb, ']');
	sb_key(sb, NULL, "kernel_drops");
	sb_puts(sb, "{\"total\":");
	sb_u64(sb, st->kdrops);
	sb_kv_u64(sb, NULL, "ring_lost", st->kdrop_ring_lost);
	sb_key(sb, NULL, "by_reason");
	sb_putc(sb, '[');
	for (i = 0; i < st->n_kdrop; i++) {
		if (i)
			sb_putc(sb, ',');
		sb_puts(sb, "{\"reason\":");
		sb_json_cstr(sb, st->kdrop[i].reason);
		sb_kv_u64(sb, NULL, "count", st->kdrop[i].n);
		sb_putc(sb, '}');
	}
	sb_puts(sb, "]}");
	end(s);
}

void stream_session_end(struct stream *s, const char *verdict,
			int exit_status)
{
	if (!begin(s, "session_end"))
		return;
	kv_str_or_null(&s->sb, "verdict", verdict);
	sb_key(&s->sb, NULL, "exit_status");
	sb_i64(&s->sb, exit_status);
	end(s);
}
