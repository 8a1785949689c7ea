/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --name P=NAME and --path P1,P2,... as analyze and trace take them: a
 * point is given by its index, its (current) name or its interface name.
 */
#ifndef DROPSPOT_POINT_ARGS_H
#define DROPSPOT_POINT_ARGS_H

#include <stddef.h>

#include "analyze/engine.h"
#include "common/point.h"

/*
 * Checked when the option is parsed, before any file is read or hook
 * attached; both log one line and return -1 on a bad value (exit 2).
 *
 * --name P=NAME: P and NAME both non-empty, NAME short enough to keep
 * whole and without ',' (--path could not name it).
 */
int point_arg_check_name(const char *arg);
/* --path P1,P2,...: at least one point, no empty one, none written twice. */
int point_arg_check_path(const char *arg);

/* The point that s[0..len) names, or -1. */
int point_arg_find(const struct point_table *t, const char *s, size_t len);

/* Renames points by "P=NAME" arguments; -1 (logged) on an unknown point. */
int point_args_rename(struct point_table *t, const char *const *names, int n);

/*
 * Sets the engine's path from "P1,P2,..."; -1 (logged) on a bad list,
 * including one that names a point twice in two ways ("0,eth0").
 */
int point_args_path(struct engine *e, const struct point_table *t,
		    const char *path);

#endif /* DROPSPOT_POINT_ARGS_H */
