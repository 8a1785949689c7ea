// SPDX-License-Identifier: GPL-2.0
/* Files to engine, for every subcommand: see pipeline.h. */
#define _GNU_SOURCE	/* sched_getaffinity, CPU_COUNT */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/engine.h"
#include "capture/filter.h"
#include "cli_common.h"
#include "commands.h"
#include "common/drop_event.h"
#include "common/log.h"
#include "dissect/packet.h"
#include "pipeline.h"

/* An echo request or reply: its fingerprint, and which it is. */
static bool echo_key(const struct packet *p, struct clock_key *k, bool *reply)
{
	const struct icmp_info *ic = &p->net.icmp;

	if (p->layers & LAYER_ICMP) {
		if (ic->type != 8 && ic->type != 0)
			return false;
		k->family = 4;
		*reply = ic->type == 0;
	} else if (p->layers & LAYER_ICMPV6) {
		if (ic->type != 128 && ic->type != 129)
			return false;
		k->family = 6;
		*reply = ic->type == 129;
	} else {
		return false;
	}
	k->hash = ic->echo_hash;
	k->len = ic->echo_len;
	k->seq = ic->echo_seq;
	return true;
}

/* The domains met so far: one per (file, pcapng section). */
struct domain_map {
	struct clock_domain *d;	/* CLOCK_MAX_DOMAINS: file and section */
	size_t n;
	bool full;		/* more than CLOCK_MAX_DOMAINS: raw clocks */
};

static int domain_of(struct domain_map *dm, size_t file, unsigned int section)
{
	size_t i;

	for (i = dm->n; i-- > 0;)
		if (dm->d[i].file == file && dm->d[i].section == section)
			return (int)i;
	if (dm->n == CLOCK_MAX_DOMAINS) {
		dm->full = true;
		return -1;
	}
	dm->d[dm->n].file = file;
	dm->d[dm->n].section = section;
	return (int)dm->n++;
}

/* One file's echo probes into its domains; -1 when it cannot be read. */
static int sight_file(struct clock_est *c, struct domain_map *dm, size_t i,
		      const char *path)
{
	struct point_table pts;
	struct source *src = NULL;
	char err[SOURCE_ERR_MAX];
	struct packet pkt;
	struct frame f;
	struct clock_key k;
	bool reply;
	int ret, dom;

	point_table_init(&pts);
	if (source_open_file(path, &pts, &src, err, sizeof(err)) < 0) {
		point_table_free(&pts);
		domain_of(dm, i, 0);	/* listed all the same */
		return -1;
	}
	while ((ret = source_next(src, &f)) > 0) {
		dom = domain_of(dm, i, source_section(src));
		if (dom < 0 || (f.flags & FRAME_F_KERNEL_DROP))
			continue;
		dissect_frame(&f, &pkt);
		memset(&k, 0, sizeof(k));
		if (echo_key(&pkt, &k, &reply))
			clock_est_sight(c, (size_t)dom, &k, reply, f.ts_ns,
					pkt.net.ip.ttl);
	}
	/* a file without frames is a domain too, for the report */
	domain_of(dm, i, source_section(src));
	source_close(src);
	point_table_free(&pts);
	return ret < 0 ? -1 : 0;
}

/* "FILE", or "FILE#SECTION" when the file has several sections. */
static void name_domains(struct clock_domains *cd, char *const *paths)
{
	size_t i, j;

	for (i = 0; i < cd->n; i++) {
		struct clock_domain *d = &cd->d[i];
		const char *path = strcmp(paths[d->file], "-") ?
				   paths[d->file] : "stdin";
		bool several = false;

		for (j = 0; j < cd->n; j++)
			if (j != i && cd->d[j].file == d->file)
				several = true;
		if (several)
			snprintf(d->name, sizeof(d->name), "%.255s#%u", path,
				 d->section);
		else
			snprintf(d->name, sizeof(d->name), "%.255s", path);
	}
}

/*
 * The pre-pass over paths (n files, already opened as sources and given
 * to m): fills *cd (n entries when n >= 2, none for one file) and sets
 * the merger's corrections.  Standard input cannot be read twice: then
 * the raw clocks are kept and cd says nothing was estimated.  0, or -1
 * (out of memory: said).  A file that cannot be read here is left to the
 * real pass to report.
 */
static int estimate_clocks(char *const *paths, size_t n, struct merger *m,
			   struct clock_domains *cd)
{
	struct domain_map dm = { 0 };
	struct clock_est *c = NULL;
	size_t i;

	memset(cd, 0, sizeof(*cd));
	if (n < 2)
		return 0;
	for (i = 0; i < n; i++) {
		if (strcmp(paths[i], "-"))
			continue;
		cd->d = calloc(n, sizeof(*cd->d));
		if (!cd->d)
			goto oom;
		cd->n = n;
		for (i = 0; i < n; i++)
			cd->d[i].file = i;
		name_domains(cd, paths);
		log_warn("standard input cannot be read twice: the files' "
			 "clocks are taken as they are");
		return 0;
	}
	dm.d = calloc(CLOCK_MAX_DOMAINS, sizeof(*dm.d));
	c = clock_est_new(CLOCK_MAX_DOMAINS);
	if (!dm.d || !c)
		goto oom;
	for (i = 0; i < n; i++)
		if (sight_file(c, &dm, i, paths[i]))
			log_debug("%s: clock pre-pass stopped early", paths[i]);
	if (dm.full)
		log_warn("more than %d files or sections: the clocks of the "
			 "others are taken as they are", CLOCK_MAX_DOMAINS);
	if (clock_est_solve(c, dm.n, cd))
		goto oom;
	clock_est_free(c);
	c = NULL;
	for (i = 0; i < cd->n; i++) {
		cd->d[i].file = dm.d[i].file;
		cd->d[i].section = dm.d[i].section;
	}
	free(dm.d);
	dm.d = NULL;
	name_domains(cd, paths);
	for (i = 0; i < cd->n; i++) {
		const struct clock_domain *d = &cd->d[i];

		if (d->probes_skipped)
			log_info("%s: clock estimated from its first %u "
				 "probes", d->name, d->probes_seen);
		if (d->method == CLOCK_NONE || d->method == CLOCK_REFERENCE)
			continue;
		log_info("%s: clock %+.6f s +- %.6f s against %s (%u probes, "
			 "%s%s), %s", d->name, (double)d->offset_ns / 1e9,
			 (double)d->uncertainty_ns / 1e9,
			 cd->d[d->ref].name, d->probes,
			 clock_method_name(d->method),
			 d->drift_ppm != 0 ? ", drifting" : "",
			 d->applied ? "corrected" : "within its uncertainty: "
			 "left as it is");
		if (d->applied &&
		    merger_set_clock(m, d->file, d->section, d->offset_ns,
				     d->drift_ppm * 1e-6, d->t0_ns))
			log_warn("%s: clock correction not applied", d->name);
	}
	if (!cd->estimated)
		log_warn("no probe seen in two files: their clocks could not "
			 "be compared and are taken as they are");
	return 0;
oom:
	log_error("out of memory");
	clock_est_free(c);
	free(dm.d);
	clock_domains_free(cd);
	return -1;
}

static uint64_t shift(const struct clock_domain *d, uint64_t ts)
{
	return ts ? clock_domain_correct(d, ts) : 0;
}

/*
 * After the real pass: the watch windows the files recorded (pcapng ISB
 * start/end, interface gaps) put on the corrected clock too, and cd shown
 * in the engine's report.
 */
static void clocks_done(struct clock_domains *cd, struct point_table *pts,
			struct source *const *sources, size_t n,
			struct engine *e)
{
	size_t i, j;
	unsigned g;

	if (!cd->n)
		return;
	for (i = 0; i < cd->n; i++) {
		const struct clock_domain *d = &cd->d[i];
		const char *path;

		if (!d->applied || d->file >= n)
			continue;
		path = source_path(sources[d->file]);
		for (j = 0; j < pts->count; j++) {
			struct point *p = &pts->items[j];

			if (strcmp(p->source, path) ||
			    p->section != d->section)
				continue;
			p->watch_start_ns = shift(d, p->watch_start_ns);
			p->watch_end_ns = shift(d, p->watch_end_ns);
			for (g = 0; g < p->n_gaps; g++) {
				p->gap_start_ns[g] = shift(d, p->gap_start_ns[g]);
				p->gap_end_ns[g] = shift(d, p->gap_end_ns[g]);
			}
		}
	}
	engine_set_clock_domains(e, cd);
}

static bool host_ifname_unique(const struct point_table *t, size_t i)
{
	const struct point *p = &t->items[i];
	size_t j;

	for (j = 0; j < t->count; j++)
		if (j != i && !strcmp(t->items[j].host, p->host) &&
		    !strcmp(t->items[j].ifname, p->ifname))
			return false;
	return true;
}

/*
 * Points of several hosts (point.host: the hostname in a file dropspot
 * wrote, or --host): each point on a host is named HOST/IFNAME, or
 * HOST/NETNS/IFNAME where the interface name is not unique on its host;
 * points of no known host keep their name.  One host (or none): names stay
 * as they are.  Returns the number of hosts.
 */
static size_t host_names(struct point_table *pts)
{
	size_t i, hosts = 0;

	for (i = 0; i < pts->count; i++) {
		const char *h = pts->items[i].host;
		size_t j;

		if (!h[0])
			continue;
		for (j = 0; j < i; j++)
			if (!strcmp(pts->items[j].host, h))
				break;
		if (j == i)
			hosts++;
	}
	if (hosts < 2)
		return hosts;
	for (i = 0; i < pts->count; i++) {
		struct point *p = &pts->items[i];
		char name[POINT_NAME_MAX];
		const char *base;

		if (!p->host[0])
			continue;
		if (!p->ifname[0]) {
			/* "file" or "file:suffix": the part after the file */
			base = strchr(p->name, ':');
			base = base ? base + 1 : p->name;
			snprintf(name, sizeof(name), "%.63s/%.63s", p->host,
				 base);
		} else if (host_ifname_unique(pts, i) || !p->netns[0]) {
			snprintf(name, sizeof(name), "%.63s/%.63s", p->host,
				 p->ifname);
		} else {
			snprintf(name, sizeof(name), "%.40s/%.40s/%.40s",
				 p->host, p->netns, p->ifname);
		}
		memcpy(p->name, name, sizeof(p->name));
	}
	return hosts;
}

/* --host NAME=FILE: FILE as given on the command line, or its basename. */
static int apply_hosts(struct pipeline *pl, const struct pipeline_opts *o)
{
	size_t i;
	int h;

	for (h = 0; h < o->n_hosts; h++) {
		const char *eq = strchr(o->hosts[h], '=');
		char name[POINT_HOST_MAX];
		bool found = false;

		if (!eq) {
			log_error("--host %s: expected NAME=FILE", o->hosts[h]);
			return -1;
		}
		snprintf(name, sizeof(name), "%.*s",
			 (int)(eq - o->hosts[h]), o->hosts[h]);
		for (i = 0; i < pl->n; i++) {
			const char *base = strrchr(pl->paths[i], '/');

			base = base ? base + 1 : pl->paths[i];
			if (strcmp(pl->paths[i], eq + 1) && strcmp(base, eq + 1))
				continue;
			source_set_host(pl->sources[i], name);
			found = true;
		}
		if (!found) {
			log_error("--host %s: no such file among the inputs",
				  o->hosts[h]);
			return -1;
		}
	}
	return 0;
}

/*
 * A file's comment for the reader: its "; "-separated parts without the
 * session's machine-readable ones (dropspot-session probes=..., unsent=...),
 * which only the engine needs.
 */
static void readable_comment(const char *c, char *out, size_t n)
{
	size_t len = 0, k;
	const char *end;

	out[0] = '\0';
	while (c && *c && len + 1 < n) {
		end = strstr(c, "; ");
		k = end ? (size_t)(end - c) : strlen(c);
		if (strncmp(c, "dropspot-session ", 17)) {
			len += (size_t)snprintf(out + len, n - len, "%s%.*s",
						len ? "; " : "", (int)k, c);
			if (len >= n)
				len = n - 1;
		}
		c = end ? end + 2 : c + k;
	}
}

static int open_sources(struct pipeline *pl, bool say_comments)
{
	char err[SOURCE_ERR_MAX], note[1024];
	size_t i;

	for (i = 0; i < pl->n; i++) {
		if (source_open_file(pl->paths[i], &pl->points,
				     &pl->sources[i], err, sizeof(err)) < 0) {
			log_error("%s", err);
			return -1;
		}
		if (!say_comments)
			continue;
		/* e.g. the topology `trace --auto` found: where points came from */
		readable_comment(source_comment(pl->sources[i]), note,
				 sizeof(note));
		if (note[0])
			log_info("%s: %s", pl->paths[i], note);
	}
	return 0;
}

int pipeline_open(struct pipeline *pl, char *const *paths, size_t n,
		  const struct pipeline_opts *o)
{
	char err[512];

	memset(pl, 0, sizeof(*pl));
	point_table_init(&pl->points);
	pl->paths = paths;
	pl->n = n;
	/* no expression: no filter at all, and pipeline_next() skips the call */
	if (o->filter_expr && *o->filter_expr &&
	    filter_new(o->filter_expr, &pl->flt, err, sizeof(err))) {
		log_error("%s", err);
		return -1;
	}
	pl->sources = calloc(n ? n : 1, sizeof(*pl->sources));
	if (!pl->sources) {
		log_error("out of memory");
		return -1;
	}
	if (open_sources(pl, o->say_comments) || apply_hosts(pl, o))
		return -1;
	if (merger_new(pl->sources, n, &pl->m)) {
		log_error("out of memory");
		return -1;
	}
	/*
	 * dissect: each file's frames in the file's own order, as tcpdump -r
	 * and tshark print them; several files still merge in time order.
	 * Only the analysis needs a file's frames put back in time order.
	 */
	if (o->file_order)
		merger_set_window(pl->m, 0, 0);
	/* each file its own clock: estimated, and corrected in the merger */
	if (o->clocks && estimate_clocks(paths, n, pl->m, &pl->cd))
		return -1;
	return 0;
}

int pipeline_next(struct pipeline *pl, struct frame *f)
{
	struct source *failed;
	int ret;

	for (;;) {
		ret = merger_next(pl->m, f, &failed);
		if (ret == 0)
			return 0;
		if (ret < 0) {
			log_error("%s", source_error(failed));
			pl->status = EXIT_TROUBLE;
			continue;
		}
		if (!pl->flt || filter_match(pl->flt, f))
			return 1;
	}
}

void pipeline_feed(struct engine *e, const struct frame *f)
{
	struct packet pkt;

	dissect_frame(f, &pkt);
	engine_feed(e, &pkt);
}

/*
 * ---- two threads ------------------------------------------------------
 *
 * With two CPUs, reading, merging and dissecting run in the calling thread
 * and the engine in a second one: they cost about the same, so the wall
 * time nearly halves.  The engine sees exactly what one thread would show
 * it, in the same order:
 *  - frames go through a bounded queue, in order, dissected in place in
 *    its slots; the threads take the lock once per batch of PT_BATCH
 *    frames, not per frame, and sleep (condition variables) rather than
 *    spin: the machine may have other work for that CPU;
 *  - a frame's bytes stay where the reader put them: only sources read in
 *    place (mapped files) qualify, whose bytes live until they are closed;
 *    the drop event, which the merger overwrites, is copied into the slot;
 *  - the point table, which the readers change while reading (a pcapng
 *    interface block in the middle of a file, SLL2 interface indexes), is
 *    never read by the engine thread: it reads a copy, replaced by a newer
 *    copy put in the queue, in order, after a frame whose reading changed
 *    the table (point_table.gen), so each frame meets the points it would
 *    have met.  The per-frame counters of the copy lag, and nothing in the
 *    engine reads them while feeding; the original is handed back to the
 *    engine before anything else runs.
 * Nothing else is shared but the mapped bytes, which are only read: the
 * engine and the dissectors keep no global state (the echo hash's switch
 * is set atomically) and log nothing.  ThreadSanitizer finds no race.
 * DROPSPOT_THREADS=1 keeps one thread (the equality test compares both),
 * DROPSPOT_THREADS=2 asks for two even on one CPU.  If a copy of the table
 * cannot be made, or the thread not started, the run goes on in one
 * thread, from the frame where it stood.
 */
#define PT_BATCH 128
#define PT_BATCHES 32

enum pt_kind { PT_FRAME, PT_POINTS };

struct pt_slot {
	enum pt_kind kind;
	bool raw;			/* the engine thread dissects it */
	struct frame f;
	struct packet pkt;		/* dissected, f its frame */
	struct point_table snap;	/* PT_POINTS: the engine's next table */
};

struct pt_batch {
	struct pt_slot slot[PT_BATCH];
	size_t n;
};

struct pt_queue {
	struct pt_batch b[PT_BATCHES];
	struct drop_event drop[PT_BATCHES][PT_BATCH];	/* f.drop copies */
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	size_t full;		/* batches handed over, not yet fed */
	bool done;		/* no more batches will come */
	bool prod_waits, cons_waits;	/* asleep on not_full / not_empty */
	struct engine *e;
	struct point_table mirror;	/* what the engine thread reads */
	size_t prod;		/* the batch being filled */
	/*
	 * Of every PT_SHARE frames, how many the engine thread dissects
	 * (the reading thread's own variables).  Dissection is a pure
	 * function of the frame: whichever thread does it, the packet is
	 * the same; who does it is balanced as the queue runs dry (the
	 * engine thread has room: more) or full (fewer).
	 */
	unsigned int share, share_acc;
};

#define PT_SHARE 64

static bool table_copy(const struct point_table *from, struct point_table *to)
{
	point_table_init(to);
	if (from->count) {
		to->items = malloc(from->count * sizeof(*to->items));
		if (!to->items)
			return false;
		memcpy(to->items, from->items,
		       from->count * sizeof(*to->items));
	}
	to->count = to->cap = from->count;
	to->gen = from->gen;
	return true;
}

static void pt_feed_batch(struct pt_queue *q, struct pt_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		struct pt_slot *sl = &b->slot[i];

		if (sl->kind == PT_POINTS) {
			point_table_free(&q->mirror);
			q->mirror = sl->snap;
			point_table_init(&sl->snap);
		} else {
			if (sl->raw)
				dissect_frame(&sl->f, &sl->pkt);
			engine_feed(q->e, &sl->pkt);
		}
	}
}

static void *pt_engine_thread(void *arg)
{
	struct pt_queue *q = arg;
	size_t cons = 0;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		/*
		 * Run dry: sleep until half the queue is there (or the end),
		 * not one batch, so that two threads of about the same speed
		 * do not wake each other once per batch.
		 */
		if (!q->full && !q->done) {
			q->cons_waits = true;
			while (q->full < PT_BATCHES / 2 && !q->done)
				pthread_cond_wait(&q->not_empty, &q->lock);
			q->cons_waits = false;
		}
		if (!q->full)
			break;		/* done, and every batch fed */
		pthread_mutex_unlock(&q->lock);
		pt_feed_batch(q, &q->b[cons]);
		cons = (cons + 1) % PT_BATCHES;
		pthread_mutex_lock(&q->lock);
		q->full--;
		if (q->prod_waits && q->full <= PT_BATCHES / 2)
			pthread_cond_signal(&q->not_full);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

/* Hands the batch being filled to the engine thread and takes the next. */
static void pt_hand_over(struct pt_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->full++;
	if (q->cons_waits && q->full >= PT_BATCHES / 2) {
		pthread_cond_signal(&q->not_empty);
		/* it ran dry: it can dissect more */
		if (q->share < PT_SHARE * 3 / 4)
			q->share++;
	}
	/* full: sleep until half of it is fed (see pt_engine_thread) */
	if (q->full == PT_BATCHES) {
		if (q->share)
			q->share--;
		q->prod_waits = true;
		while (q->full > PT_BATCHES / 2)
			pthread_cond_wait(&q->not_full, &q->lock);
		q->prod_waits = false;
	}
	pthread_mutex_unlock(&q->lock);
	q->prod = (q->prod + 1) % PT_BATCHES;
	q->b[q->prod].n = 0;
}

static struct pt_slot *pt_slot_next(struct pt_queue *q)
{
	struct pt_batch *b;

	if (q->b[q->prod].n == PT_BATCH)
		pt_hand_over(q);
	b = &q->b[q->prod];
	return &b->slot[b->n++];
}

/* What is queued is fed, and the engine thread ends. */
static void pt_finish(struct pt_queue *q, pthread_t th)
{
	pthread_mutex_lock(&q->lock);
	if (q->b[q->prod].n)
		q->full++;
	q->done = true;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
	pthread_join(th, NULL);
}

static int cpus_online(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

static bool want_threads(const struct pipeline *pl)
{
	const char *v = getenv("DROPSPOT_THREADS");
	long n = v && *v ? strtol(v, NULL, 10) : 0;

	if (n == 1 || !merger_in_place(pl->m))
		return false;
	return n >= 2 || cpus_online() >= 2;
}

/*
 * Reads, dissects and queues every frame for the engine thread; false when
 * it had to stop early (out of memory for a copy of the point table): *f
 * then holds a frame read but not queued, and pl the rest.
 */
static bool pt_produce(struct pipeline *pl, struct pt_queue *q,
		       struct frame *f)
{
	uint64_t gen = pl->points.gen;

	while (pipeline_next(pl, f)) {
		struct pt_slot *sl;

		if (pl->points.gen != gen) {
			struct point_table snap;

			if (!table_copy(&pl->points, &snap)) {
				point_table_free(&snap);
				return false;
			}
			gen = snap.gen;
			sl = pt_slot_next(q);
			sl->kind = PT_POINTS;
			sl->snap = snap;
		}
		sl = pt_slot_next(q);
		sl->kind = PT_FRAME;
		sl->f = *f;
		if (f->drop) {
			struct drop_event *d =
				&q->drop[q->prod][q->b[q->prod].n - 1];

			*d = *f->drop;
			sl->f.drop = d;
		}
		q->share_acc += q->share;
		sl->raw = q->share_acc >= PT_SHARE;
		if (sl->raw)
			q->share_acc -= PT_SHARE;
		else
			dissect_frame(&sl->f, &sl->pkt);
	}
	return true;
}

static int pipeline_run_threads(struct pipeline *pl, struct engine *e)
{
	struct pt_queue *q = calloc(1, sizeof(*q));
	struct frame f;
	pthread_t th;
	bool all;

	if (!q)
		return -1;
	q->e = e;
	if (!table_copy(&pl->points, &q->mirror) ||
	    pthread_mutex_init(&q->lock, NULL)) {
		point_table_free(&q->mirror);
		free(q);
		return -1;
	}
	pthread_cond_init(&q->not_empty, NULL);
	pthread_cond_init(&q->not_full, NULL);
	engine_set_points(e, &q->mirror);
	if (pthread_create(&th, NULL, pt_engine_thread, q)) {
		engine_set_points(e, &pl->points);
		all = false;
		goto destroy;
	}
	all = pt_produce(pl, q, &f);
	pt_finish(q, th);
	engine_set_points(e, &pl->points);
	/* out of memory for a copy: the rest in this thread, as without */
	if (!all) {
		pipeline_feed(e, &f);
		while (pipeline_next(pl, &f))
			pipeline_feed(e, &f);
	}
	all = true;
destroy:
	pthread_cond_destroy(&q->not_empty);
	pthread_cond_destroy(&q->not_full);
	pthread_mutex_destroy(&q->lock);
	point_table_free(&q->mirror);
	free(q);
	return all ? 0 : -1;
}

int pipeline_run(struct pipeline *pl, struct engine *e)
{
	struct frame f;

	if (want_threads(pl) && pipeline_run_threads(pl, e) == 0)
		return pl->status;
	while (pipeline_next(pl, &f))
		pipeline_feed(e, &f);
	return pl->status;
}

void pipeline_engine_opts(const struct pipeline *pl, struct engine_opts *eo)
{
	size_t i;

	for (i = 0; i < pl->n; i++)
		if (engine_opts_own_from_comment(eo,
						 source_comment(pl->sources[i])))
			break;
}

int pipeline_finish(struct pipeline *pl, struct engine *e)
{
	size_t i;

	clocks_done(&pl->cd, &pl->points, pl->sources, pl->n, e);
	/* beyond the reorder window: said, and a finding of the report */
	engine_note_late_frames(e, cli_warn_late_frames(pl->m, pl->sources,
							 pl->n));
	/* frames of a link type we cannot decode are no evidence either way */
	if (cli_warn_undecodable(e, &pl->points) && !engine_packets(e))
		return -1;
	/* points of SLL2 interface indexes exist only now */
	point_table_short_names(&pl->points);
	host_names(&pl->points);
	/* the host state a saved trace carries explains it as it did live */
	for (i = 0; i < pl->n; i++)
		if (engine_note_host_state(e, source_host_state(pl->sources[i])))
			log_warn("%s: host state left out: out of memory",
				 pl->paths[i]);
	return 0;
}

void pipeline_close(struct pipeline *pl)
{
	size_t i;

	clock_domains_free(&pl->cd);
	merger_free(pl->m);
	for (i = 0; pl->sources && i < pl->n; i++)
		source_close(pl->sources[i]);
	free(pl->sources);
	filter_free(pl->flt);
	point_table_free(&pl->points);
	memset(pl, 0, sizeof(*pl));
}
