// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/point.h"

void point_table_init(struct point_table *t)
{
	memset(t, 0, sizeof(*t));
}

void point_table_free(struct point_table *t)
{
	free(t->items);
	memset(t, 0, sizeof(*t));
}

int point_table_add(struct point_table *t, const struct point *tmpl)
{
	struct point *p;

	if (t->count == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 8;
		struct point *n = realloc(t->items, ncap * sizeof(*n));

		if (!n)
			return -1;
		t->items = n;
		t->cap = ncap;
	}
	p = &t->items[t->count];
	*p = *tmpl;
	p->id = (uint32_t)t->count;
	t->count++;
	t->gen++;
	return (int)p->id;
}

struct point *point_get(struct point_table *t, uint32_t id)
{
	return id < t->count ? &t->items[id] : NULL;
}

const struct point *point_get_const(const struct point_table *t, uint32_t id)
{
	return id < t->count ? &t->items[id] : NULL;
}

const char *point_kind_name(enum point_kind k)
{
	switch (k) {
	case POINT_KIND_TAP: return "tap";
	case POINT_KIND_VETH: return "veth";
	case POINT_KIND_BRIDGE: return "bridge";
	case POINT_KIND_BRIDGE_PORT: return "bridge-port";
	case POINT_KIND_PHYSICAL: return "physical";
	case POINT_KIND_LOOPBACK: return "loopback";
	case POINT_KIND_OTHER: return "other";
	case POINT_KIND_KERNEL: return "kernel";
	case POINT_KIND_SOCKET: return "socket";
	case POINT_KIND_UNKNOWN: break;
	}
	return "unknown";
}

const char *point_hook_name(enum point_hook h)
{
	switch (h) {
	case HOOK_XDP: return "xdp";
	case HOOK_TC_INGRESS: return "tc-ingress";
	case HOOK_TC_EGRESS: return "tc-egress";
	case HOOK_KFREE_SKB: return "kfree_skb";
	case HOOK_SOCKET: return "socket";
	case HOOK_TRACEPOINT: return "tracepoint";
	case HOOK_FILE: break;
	}
	return "file";
}

const char *direction_name(enum direction d)
{
	switch (d) {
	case DIR_IN: return "in";
	case DIR_OUT: return "out";
	case DIR_UNKNOWN: break;
	}
	return "?";
}

static bool ifname_unique(const struct point_table *t, size_t self)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		if (i != self && !strcmp(t->items[i].ifname, t->items[self].ifname))
			return false;
	return true;
}

void point_table_short_names(struct point_table *t)
{
	const char *source = NULL;
	size_t i;

	for (i = 0; i < t->count; i++) {
		if (t->items[i].hook == HOOK_KFREE_SKB)
			continue;
		if (source && strcmp(t->items[i].source, source))
			return;
		source = t->items[i].source;
	}
	for (i = 0; i < t->count; i++) {
		struct point *p = &t->items[i];

		if (!p->ifname[0])
			continue;
		if (ifname_unique(t, i))
			snprintf(p->name, sizeof(p->name), "%s", p->ifname);
		else if (p->netns[0])
			snprintf(p->name, sizeof(p->name), "%.63s/%.63s",
				 p->netns, p->ifname);
	}
}

bool point_is_sll2_parent(const struct point *pt)
{
	return pt->linktype == LINKTYPE_LINUX_SLL2 && !pt->ifindex &&
	       !pt->frames && pt->hook == HOOK_FILE;
}

bool point_on_wire(const struct point *p)
{
	return p->hook != HOOK_KFREE_SKB && p->kind != POINT_KIND_SOCKET &&
	       !point_is_sll2_parent(p);
}

void point_gap_open(struct point *p, uint64_t ts)
{
	if (p->n_gaps && !p->gap_end_ns[p->n_gaps - 1])
		return;		/* already gone */
	if (p->n_gaps == POINT_GAPS_MAX) {
		/* no room: the last gap stretches from its start on */
		p->gap_end_ns[p->n_gaps - 1] = 0;
		return;
	}
	p->gap_start_ns[p->n_gaps] = ts;
	p->gap_end_ns[p->n_gaps] = 0;
	p->n_gaps++;
}

void point_gap_close(struct point *p, uint64_t ts)
{
	if (p->n_gaps && !p->gap_end_ns[p->n_gaps - 1])
		p->gap_end_ns[p->n_gaps - 1] = ts > p->gap_start_ns[p->n_gaps - 1] ?
					       ts : p->gap_start_ns[p->n_gaps - 1] + 1;
}

uint64_t point_window_start(const struct point *p)
{
	uint64_t start = 0;
	uint8_t i;

	/* the end of the last closed gap: an open one is not a window */
	for (i = 0; i < p->n_gaps; i++)
		if (p->gap_end_ns[i] > start)
			start = p->gap_end_ns[i];
	return start;
}

void point_windows_end(struct point *p, uint64_t end_ns)
{
	p->watch_end_ns = end_ns;
	if (p->n_gaps && !p->gap_end_ns[p->n_gaps - 1]) {
		p->n_gaps--;
		p->watch_end_ns = p->gap_start_ns[p->n_gaps];
	}
}

void point_add_window(struct point *p, uint64_t start_ns, uint64_t end_ns)
{
	if (start_ns && p->watch_end_ns && start_ns > p->watch_end_ns) {
		point_gap_open(p, p->watch_end_ns);
		point_gap_close(p, start_ns);
	}
	if (start_ns && (!p->watch_start_ns || start_ns < p->watch_start_ns))
		p->watch_start_ns = start_ns;
	if (end_ns > p->watch_end_ns)
		p->watch_end_ns = end_ns;
}

bool point_unwatched_during(const struct point *p, uint64_t from, uint64_t to)
{
	uint8_t i;

	for (i = 0; i < p->n_gaps; i++) {
		uint64_t end = p->gap_end_ns[i] ? p->gap_end_ns[i] : UINT64_MAX;

		if (from < end && to >= p->gap_start_ns[i])
			return true;
	}
	return p->watch_end_ns && to > p->watch_end_ns;
}
