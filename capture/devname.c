// SPDX-License-Identifier: GPL-2.0
/*
 * Device names for kernel drop records (devname.h).  A record carries the
 * netns inode and ifindex of the skb's device; the name is what an operator
 * knows it by.  The netns is found by inode among our own and the named
 * ones (/run/netns, as `ip netns` keeps them), then the index is read
 * inside it.  Bounded: a fixed cache, negative answers cached too, so a
 * busy host's drops cost one lookup per device, not per drop.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devname.h"

#define DEVNAME_SLOTS 256
#define NETNS_DIR "/run/netns"

struct devname_entry {
	uint32_t ino, ifindex;
	int ok;				/* 1 resolved, 0 unknown */
	char ifname[IF_NAMESIZE];
	char netns[64];
};

struct devname_cache {
	struct devname_entry e[DEVNAME_SLOTS];
	unsigned n, next;		/* used slots, next to replace */
	uint32_t self_ino;
};

struct devname_cache *devname_new(void)
{
	struct devname_cache *c = calloc(1, sizeof(*c));
	struct stat st;

	if (c && !stat("/proc/self/ns/net", &st))
		c->self_ino = (uint32_t)st.st_ino;
	return c;
}

void devname_free(struct devname_cache *c)
{
	free(c);
}

/* The `ip netns` name whose file has inode ino, into name; 0 or -1. */
static int named_netns(uint32_t ino, char *name, size_t n)
{
	DIR *d = opendir(NETNS_DIR);
	struct dirent *de;
	char path[512];
	struct stat st;
	int ret = -1;
	size_t len;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		len = strlen(de->d_name);
		/* a name too long to keep whole would name another netns */
		if (len >= n || len + sizeof(NETNS_DIR) + 1 > sizeof(path))
			continue;
		snprintf(path, sizeof(path), NETNS_DIR "/%s", de->d_name);
		if (stat(path, &st) || (uint32_t)st.st_ino != ino)
			continue;
		memcpy(name, de->d_name, len + 1);
		ret = 0;
		break;
	}
	closedir(d);
	return ret;
}

/* if_indextoname inside the netns at path ("" = ours). */
static int index_name_in(const char *path, uint32_t ifindex, char *ifname)
{
	int self = -1, target = -1, ret = -1;

	if (!path[0])
		return if_indextoname(ifindex, ifname) ? 0 : -1;
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	target = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || target < 0)
		goto out;
	if (setns(target, CLONE_NEWNET))
		goto out;
	ret = if_indextoname(ifindex, ifname) ? 0 : -1;
	/* back home; if that fails nothing else here can be trusted */
	if (setns(self, CLONE_NEWNET))
		abort();
out:
	if (self >= 0)
		close(self);
	if (target >= 0)
		close(target);
	return ret;
}

static void resolve(struct devname_cache *c, struct devname_entry *en)
{
	char path[512] = "";

	en->ok = 0;
	en->ifname[0] = en->netns[0] = 0;
	if (!en->ifindex)
		return;
	if (en->ino && en->ino != c->self_ino) {
		if (named_netns(en->ino, en->netns, sizeof(en->netns))) {
			/* a netns with no name (a container): not entered */
			snprintf(en->netns, sizeof(en->netns), "netns:%u",
				 en->ino);
			return;
		}
		snprintf(path, sizeof(path), NETNS_DIR "/%s", en->netns);
	}
	if (index_name_in(path, en->ifindex, en->ifname)) {
		en->ifname[0] = 0;
		return;
	}
	en->ok = 1;
}

int devname_lookup(struct devname_cache *c, uint32_t ino, uint32_t ifindex,
		   char *ifname, size_t iflen, char *netns, size_t nslen)
{
	struct devname_entry *en = NULL;
	unsigned i;

	if (iflen)
		ifname[0] = 0;
	if (nslen)
		netns[0] = 0;
	if (!c)
		return -1;
	for (i = 0; i < c->n; i++)
		if (c->e[i].ino == ino && c->e[i].ifindex == ifindex) {
			en = &c->e[i];
			break;
		}
	if (!en) {
		if (c->n < DEVNAME_SLOTS)
			en = &c->e[c->n++];
		else
			en = &c->e[c->next++ % DEVNAME_SLOTS];
		en->ino = ino;
		en->ifindex = ifindex;
		resolve(c, en);
	}
	if (!en->ok)
		return -1;
	snprintf(ifname, iflen, "%s", en->ifname);
	snprintf(netns, nslen, "%s", en->netns);
	return 0;
}
