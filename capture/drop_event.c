// SPDX-License-Identifier: GPL-2.0
/*
 * Drop events as frames and as pcapng comments (see drop_event.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/cursor.h"
#include "drop_event.h"

#define COMMENT_TAG "dropspot-drop"
#define COMMENT_MAX 512
#define ARPHRD_VOID_ 0xffff	/* the device type is not recorded */

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

void drop_event_frame(const struct drop_event *ev, uint32_t point,
		      uint8_t *buf, struct frame *f)
{
	uint32_t cap = ev->cap_len > DROP_DATA_MAX ? DROP_DATA_MAX : ev->cap_len;
	uint32_t wire = ev->wire_len < cap ? cap : ev->wire_len;

	/* SLL2: protocol, reserved, ifindex, hatype, pkttype, addr len,
	 * 8 bytes of address. */
	memset(buf, 0, DROP_SLL2_HLEN);
	put_be16(buf, ev->protocol);
	put_be32(buf + 4, ev->ifindex);
	put_be16(buf + 8, ARPHRD_VOID_);
	buf[10] = ev->pkt_type;
	memcpy(buf + DROP_SLL2_HLEN, ev->data, cap);

	memset(f, 0, sizeof(*f));
	f->data = buf;
	f->caplen = DROP_SLL2_HLEN + cap;
	f->wirelen = DROP_SLL2_HLEN + wire;
	f->ts_ns = ev->ts_ns;
	f->point = point;
	f->linktype = LINKTYPE_LINUX_SLL2;
	f->dir = DIR_UNKNOWN;
	f->flags = FRAME_F_KERNEL_DROP;
}

const char *drop_event_function(const struct drop_event *ev, char *buf,
				size_t len)
{
	size_t n = strcspn(ev->symbol, "+ ");

	if (!len)
		return buf;
	if (n >= len)
		n = len - 1;
	memcpy(buf, ev->symbol, n);
	buf[n] = '\0';
	return buf;
}

int drop_event_comment(const struct drop_event *ev, char *buf, size_t len)
{
	return snprintf(buf, len,
			COMMENT_TAG " reason=%s reason_id=%u location=0x%llx "
			"symbol=%s ifindex=%u netns=%u proto=0x%04x "
			"pkt_type=%u flags=0x%x",
			ev->reason_name[0] ? ev->reason_name : "?", ev->reason,
			(unsigned long long)ev->location,
			ev->symbol[0] ? ev->symbol : "?", ev->ifindex,
			ev->netns_ino, ev->protocol, ev->pkt_type, ev->flags);
}

/* Copies a value into a fixed field; values never contain spaces. */
static void set_str(char *dst, size_t len, const char *v)
{
	snprintf(dst, len, "%s", v);
}

static bool set_num(const char *v, unsigned long long max,
		    unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(v, &end, 0);
	return !errno && end != v && *end == '\0' && *out <= max;
}

static int parse_pair(struct drop_event *ev, const char *key, const char *v)
{
	unsigned long long n;

	if (strcmp(key, "reason") == 0) {
		set_str(ev->reason_name, sizeof(ev->reason_name), v);
		return 0;
	}
	if (strcmp(key, "symbol") == 0) {
		set_str(ev->symbol, sizeof(ev->symbol), v);
		return 0;
	}
	if (strcmp(key, "location") == 0) {
		if (!set_num(v, UINT64_MAX, &n))
			return -EINVAL;
		ev->location = n;
	} else if (strcmp(key, "reason_id") == 0) {
		if (!set_num(v, UINT32_MAX, &n))
			return -EINVAL;
		ev->reason = (uint32_t)n;
	} else if (strcmp(key, "ifindex") == 0) {
		if (!set_num(v, UINT32_MAX, &n))
			return -EINVAL;
		ev->ifindex = (uint32_t)n;
	} else if (strcmp(key, "netns") == 0) {
		if (!set_num(v, UINT32_MAX, &n))
			return -EINVAL;
		ev->netns_ino = (uint32_t)n;
	} else if (strcmp(key, "proto") == 0) {
		if (!set_num(v, UINT16_MAX, &n))
			return -EINVAL;
		ev->protocol = (uint16_t)n;
	} else if (strcmp(key, "pkt_type") == 0) {
		if (!set_num(v, UINT8_MAX, &n))
			return -EINVAL;
		ev->pkt_type = (uint8_t)n;
	} else if (strcmp(key, "flags") == 0) {
		if (!set_num(v, UINT8_MAX, &n))
			return -EINVAL;
		ev->flags = (uint8_t)n;
	}
	/* Unknown keys: written by a newer dropspot, ignored. */
	return 0;
}

static int parse_comment(struct drop_event *ev, const char *comment,
			 uint32_t comment_len)
{
	char text[COMMENT_MAX], *save = NULL, *tok, *eq;
	bool tagged = false;
	int err;

	if (!comment || comment_len == 0 || comment_len >= sizeof(text))
		return -EINVAL;
	memcpy(text, comment, comment_len);
	text[comment_len] = '\0';
	for (tok = strtok_r(text, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (!tagged) {
			if (strcmp(tok, COMMENT_TAG) != 0)
				return -EINVAL;
			tagged = true;
			continue;
		}
		eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = '\0';
		err = parse_pair(ev, tok, eq + 1);
		if (err)
			return err;
	}
	return tagged ? 0 : -EINVAL;
}

int drop_event_from_frame(const struct frame *f, struct drop_event *ev)
{
	struct cursor c;
	uint32_t cap;
	int err;

	memset(ev, 0, sizeof(*ev));
	err = parse_comment(ev, f->comment, f->comment_len);
	if (err)
		return err;
	ev->ts_ns = f->ts_ns;
	if (f->linktype != LINKTYPE_LINUX_SLL2)
		return 0;
	cur_init(&c, f->data, f->caplen, f->wirelen);
	if (!cur_skip(&c, DROP_SLL2_HLEN))
		return 0;
	ev->wire_len = cur_wire_left(&c);
	cap = cur_left(&c);
	if (cap > DROP_DATA_MAX)
		cap = DROP_DATA_MAX;
	cur_bytes(&c, ev->data, cap);
	ev->cap_len = cap;
	return 0;
}
