// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "point.h"

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
