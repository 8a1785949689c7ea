// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netns.h"

#define NETNS_RUN_DIR "/var/run/netns"

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Fills path and display name from the namespace part of a target. */
static int parse_ns(const char *ns, struct if_target *t, char *err,
		    size_t errlen)
{
	int n;

	if (!strncmp(ns, "pid:", 4)) {
		if (!all_digits(ns + 4)) {
			snprintf(err, errlen, "bad netns '%s': pid:N expects a process id", ns);
			return -EINVAL;
		}
		n = snprintf(t->netns_path, sizeof(t->netns_path),
			     "/proc/%s/ns/net", ns + 4);
	} else if (strchr(ns, '/')) {
		n = snprintf(t->netns_path, sizeof(t->netns_path), "%s", ns);
	} else {
		if (!*ns || !strcmp(ns, ".") || !strcmp(ns, "..")) {
			snprintf(err, errlen, "bad netns name '%s'", ns);
			return -EINVAL;
		}
		n = snprintf(t->netns_path, sizeof(t->netns_path), "%s/%s",
			     NETNS_RUN_DIR, ns);
	}
	if (n < 0 || (size_t)n >= sizeof(t->netns_path)) {
		snprintf(err, errlen, "netns path too long: %s", ns);
		return -ENAMETOOLONG;
	}
	snprintf(t->netns_name, sizeof(t->netns_name), "%.127s", ns);
	return 0;
}

static int ns_identity(const char *path, dev_t *dev, ino_t *ino)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

int netns_parse_target(const char *spec, struct if_target *t, char *err,
		       size_t errlen)
{
	const char *slash = strrchr(spec, '/');
	const char *ifpart = spec;
	dev_t self_dev = 0;
	ino_t self_ino = 0;
	int ret;

	memset(t, 0, sizeof(*t));
	if (slash) {
		char ns[NETNS_PATH_MAX];
		size_t len = (size_t)(slash - spec);

		if (len == 0 || len >= sizeof(ns)) {
			snprintf(err, errlen, "bad interface target '%s'", spec);
			return -EINVAL;
		}
		memcpy(ns, spec, len);
		ns[len] = '\0';
		ret = parse_ns(ns, t, err, errlen);
		if (ret)
			return ret;
		ifpart = slash + 1;
	}
	if (!*ifpart || strlen(ifpart) >= 16) {
		snprintf(err, errlen, "bad interface name in '%s'", spec);
		return -EINVAL;
	}
	if (all_digits(ifpart)) {
		unsigned long v = strtoul(ifpart, NULL, 10);

		if (v == 0 || v > UINT32_MAX) {
			snprintf(err, errlen, "bad interface index in '%s'", spec);
			return -EINVAL;
		}
		t->ifindex = (uint32_t)v;
	} else {
		snprintf(t->ifname, sizeof(t->ifname), "%s", ifpart);
	}

	ret = ns_identity("/proc/self/ns/net", &self_dev, &self_ino);
	if (ret) {
		snprintf(err, errlen, "cannot stat /proc/self/ns/net: %s",
			 strerror(-ret));
		return ret;
	}
	if (!t->netns_path[0]) {
		t->ns_dev = self_dev;
		t->ns_ino = self_ino;
		return 0;
	}
	ret = ns_identity(t->netns_path, &t->ns_dev, &t->ns_ino);
	if (ret) {
		snprintf(err, errlen, "unknown network namespace '%s' (%s: %s)",
			 t->netns_name, t->netns_path, strerror(-ret));
		return ret;
	}
	if (t->ns_dev == self_dev && t->ns_ino == self_ino) {
		t->netns_name[0] = '\0';
		t->netns_path[0] = '\0';
	}
	return 0;
}

int netns_enter(const char *path, int *saved, char *err, size_t errlen)
{
	int target, self;

	*saved = -1;
	if (!path || !*path)
		return 0;
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		snprintf(err, errlen, "cannot open own netns: %s", strerror(errno));
		return -errno;
	}
	target = open(path, O_RDONLY | O_CLOEXEC);
	if (target < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot open netns %s: %s", path, strerror(e));
		close(self);
		return -e;
	}
	if (setns(target, CLONE_NEWNET)) {
		int e = errno;

		snprintf(err, errlen, "cannot enter netns %s: %s%s", path,
			 strerror(e), e == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
		close(target);
		close(self);
		return -e;
	}
	close(target);
	*saved = self;
	return 0;
}

int netns_leave(int saved)
{
	int ret = 0;

	if (saved < 0)
		return 0;
	if (setns(saved, CLONE_NEWNET))
		ret = -errno;
	close(saved);
	return ret;
}
