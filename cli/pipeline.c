// SPDX-License-Identifier: GPL-2.0
/* The clock-domain pre-pass analyze and diff share: see pipeline.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/engine.h"
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

int pipeline_clocks(char *const *paths, size_t n, struct merger *m,
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

void pipeline_clocks_done(struct clock_domains *cd, struct point_table *pts,
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

size_t pipeline_host_names(struct point_table *pts)
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
