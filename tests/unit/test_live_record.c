// SPDX-License-Identifier: GPL-2.0
/* Ring records are untrusted: every malformed header is refused and a good
 * one yields a pointer into the record itself (no copy). */
#include <errno.h>
#include <string.h>

#include "capture/live_record.h"
#include "check.h"

static uint8_t buf[sizeof(struct ds_record) + 256];

static struct ds_record *good(void)
{
	struct ds_record *r = (struct ds_record *)buf;

	memset(buf, 0, sizeof(buf));
	r->version = DROPSPOT_ABI_VERSION;
	r->point_id = 2;
	r->ifindex = 7;
	r->wire_len = 200;
	r->cap_len = 100;
	r->data_room = 128;
	r->hook = DS_HOOK_XDP;
	r->dir = DS_DIR_IN;
	buf[sizeof(*r)] = 0xab;
	return r;
}

static int parse(size_t size, uint32_t n)
{
	struct ds_record h;
	const uint8_t *bytes = (const uint8_t *)1;
	int ret = live_record_parse(buf, size, n, &h, &bytes);

	if (ret)
		CHECK(bytes == NULL);
	return ret;
}

int main(void)
{
	const size_t full = sizeof(struct ds_record) + 128;
	struct ds_record h, *r;
	const uint8_t *bytes;

	CHECK_EQ_INT(sizeof(struct ds_record) % 8, 0);
	good();
	CHECK_EQ_INT(live_record_parse(buf, full, 3, &h, &bytes), 0);
	CHECK(bytes == buf + sizeof(struct ds_record));
	CHECK_EQ_INT(bytes[0], 0xab);
	CHECK_EQ_INT(h.cap_len, 100);
	CHECK_EQ_INT(h.ifindex, 7);

	/* size: no header, header only, room beyond the record */
	CHECK_EQ_INT(parse(0, 3), -EINVAL);
	CHECK_EQ_INT(parse(sizeof(struct ds_record) - 1, 3), -EINVAL);
	CHECK_EQ_INT(parse(sizeof(struct ds_record), 3), -EINVAL);
	CHECK_EQ_INT(parse(full - 1, 3), -EINVAL);
	CHECK_EQ_INT(live_record_parse(NULL, full, 3, &h, &bytes), -EINVAL);
	/* lengths */
	r = good(); r->cap_len = 0;
	CHECK_EQ_INT(parse(full, 3), -EINVAL);
	r = good(); r->cap_len = 201;
	CHECK_EQ_INT(parse(full, 3), -EINVAL);
	r = good(); r->cap_len = 129; r->wire_len = 300;
	CHECK_EQ_INT(parse(full, 3), -EINVAL);
	r = good(); r->data_room = 0xffffffffu;
	CHECK_EQ_INT(parse(full, 3), -EINVAL);
	r = good(); r->cap_len = 128; r->wire_len = 128;
	CHECK_EQ_INT(parse(full, 3), 0);
	/* identity */
	r = good(); r->point_id = 3;
	CHECK_EQ_INT(parse(full, 3), -EINVAL);
	r = good(); r->version = DROPSPOT_ABI_VERSION + 1;
	CHECK_EQ_INT(parse(full, 3), -EINVAL);
	r = good(); r->hook = 0;
	CHECK_EQ_INT(parse(full, 3), -EINVAL);
	r = good(); r->dir = DS_DIR_OUT;	/* XDP is ingress only */
	CHECK_EQ_INT(parse(full, 3), -EINVAL);
	r = good(); r->hook = DS_HOOK_TC_EGRESS;	/* egress must be out */
	CHECK_EQ_INT(parse(full, 3), -EINVAL);
	r->dir = DS_DIR_OUT;
	CHECK_EQ_INT(parse(full, 3), 0);
	r = good(); r->hook = DS_HOOK_TC_INGRESS;
	CHECK_EQ_INT(parse(full, 3), 0);
	/* the tracepoints: netif_receive_skb in, net_dev_queue out */
	r = good(); r->hook = DS_HOOK_TP_IN;
	CHECK_EQ_INT(parse(full, 3), 0);
	r = good(); r->hook = DS_HOOK_TP_OUT;
	CHECK_EQ_INT(parse(full, 3), -EINVAL);
	r->dir = DS_DIR_OUT;
	CHECK_EQ_INT(parse(full, 3), 0);
	r = good(); r->hook = DS_HOOK_TP_OUT + 1;
	CHECK_EQ_INT(parse(full, 3), -EINVAL);
	return check_done();
}
