// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "common/cursor.h"
#include "live_record.h"

int live_record_parse(const void *data, size_t size, uint32_t n_points,
		      struct ds_record *hdr, const uint8_t **bytes)
{
	struct ds_record r;
	struct cursor c;
	const uint8_t *p;

	*bytes = NULL;
	if (!data || size > UINT32_MAX)
		return -EINVAL;
	cur_init(&c, data, (uint32_t)size, (uint32_t)size);
	if (!cur_bytes(&c, &r, sizeof(r)))
		return -EINVAL;
	if (r.version != DROPSPOT_ABI_VERSION || r.cap_len == 0 ||
	    r.cap_len > r.wire_len || r.cap_len > r.data_room ||
	    r.data_room > cur_left(&c) || r.point_id >= n_points)
		return -EINVAL;
	if (r.hook < DS_HOOK_XDP || r.hook > DS_HOOK_TP_OUT)
		return -EINVAL;
	if (r.dir != (r.hook == DS_HOOK_TC_EGRESS || r.hook == DS_HOOK_TP_OUT ?
		      DS_DIR_OUT : DS_DIR_IN))
		return -EINVAL;
	p = cur_peek(&c, r.cap_len);
	if (!p)
		return -EINVAL;
	*hdr = r;
	*bytes = p;
	return 0;
}
