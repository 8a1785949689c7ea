/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks one ring record from the capture programs (DESIGN.md practice 4:
 * records are untrusted input) before a frame points into it.
 */
#ifndef DROPSPOT_LIVE_RECORD_H
#define DROPSPOT_LIVE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/abi.h"

/*
 * Validates the record at data (size bytes, as the ring reported it):
 * header present, ABI version, 0 < cap_len <= wire_len, cap_len <= room,
 * header + room within size, point_id < n_points, a known hook and a
 * direction.  On success copies the header to *hdr, sets *bytes to the
 * cap_len frame bytes inside data (no copy) and returns 0; else -EINVAL.
 */
int live_record_parse(const void *data, size_t size, uint32_t n_points,
		      struct ds_record *hdr, const uint8_t **bytes);

#endif /* DROPSPOT_LIVE_RECORD_H */
