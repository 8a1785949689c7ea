/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcap-filter expressions (the syntax users know from tcpdump), compiled
 * with libpcap once per link type and applied to frames of any source.
 */
#ifndef DROPSPOT_FILTER_H
#define DROPSPOT_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/point.h"

struct filter;

/* NULL or "" expression: a filter that accepts everything. */
int filter_new(const char *expr, struct filter **out, char *err, size_t errlen);
/* True when f matches (an expression that cannot apply to the link type
 * rejects, and is reported once through the logger). */
bool filter_match(struct filter *flt, const struct frame *f);
void filter_free(struct filter *flt);

#endif /* DROPSPOT_FILTER_H */
