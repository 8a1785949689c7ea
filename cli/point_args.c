// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "point_args.h"
#include "common/log.h"

int point_arg_check_name(const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1]) {
		log_error("--name wants POINT=NAME, both non-empty, not '%s'",
			  arg);
		return -1;
	}
	if (strlen(eq + 1) >= POINT_NAME_MAX) {
		log_error("--name wants a NAME of at most %d characters, not "
			  "'%s'", POINT_NAME_MAX - 1, arg);
		return -1;
	}
	if (strchr(eq + 1, ',')) {
		log_error("--name wants a NAME without ',' (--path separates "
			  "points with it), not '%s'", arg);
		return -1;
	}
	return 0;
}

int point_arg_check_path(const char *arg)
{
	const char *s = arg, *o;
	size_t len, olen;

	if (!*s) {
		log_error("--path wants P1,P2,..., not ''");
		return -1;
	}
	for (;;) {
		len = strcspn(s, ",");
		if (!len) {
			log_error("--path '%s': an empty point", arg);
			return -1;
		}
		/* a path crosses a point once: "0,0,0" is no path */
		for (o = arg; o < s; o += olen + 1) {
			olen = strcspn(o, ",");
			if (olen == len && !memcmp(o, s, len)) {
				log_error("--path '%s': point '%.*s' given twice",
					  arg, (int)len, s);
				return -1;
			}
		}
		if (!s[len])
			return 0;
		s += len + 1;
	}
}

int point_arg_find(const struct point_table *t, const char *s, size_t len)
{
	char buf[POINT_NAME_MAX];
	char *end;
	unsigned long v;
	size_t i;

	if (!len || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	v = strtoul(buf, &end, 10);
	if (!*end && v < t->count)
		return (int)v;
	for (i = 0; i < t->count; i++)
		if (!strcmp(t->items[i].name, buf))
			return (int)i;
	for (i = 0; i < t->count; i++)
		if (!strcmp(t->items[i].ifname, buf))
			return (int)i;
	return -1;
}

int point_args_rename(struct point_table *t, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		const char *eq = strchr(names[i], '=');
		int id = eq ? point_arg_find(t, names[i],
					     (size_t)(eq - names[i])) : -1;

		if (id < 0) {
			log_error("--name %s: no such point (%zu points)",
				  names[i], t->count);
			return -1;
		}
		snprintf(t->items[id].name, sizeof(t->items[id].name), "%s",
			 eq + 1);
	}
	return 0;
}

int point_args_path(struct engine *e, const struct point_table *t,
		    const char *path)
{
	uint32_t ids[ENGINE_MAX_POINTS];
	const char *s = path;
	size_t n = 0, i;

	while (*s) {
		size_t len = strcspn(s, ",");
		int id = point_arg_find(t, s, len);

		if (id < 0 || n == ENGINE_MAX_POINTS) {
			log_error("--path: unknown point '%.*s'", (int)len, s);
			return -1;
		}
		for (i = 0; i < n; i++) {
			if (ids[i] == (uint32_t)id) {
				log_error("--path: '%.*s' is point %d (%s) again",
					  (int)len, s, id, t->items[id].name);
				return -1;
			}
		}
		ids[n++] = (uint32_t)id;
		s += len;
		if (*s == ',')
			s++;
	}
	return engine_set_path(e, ids, n);
}
