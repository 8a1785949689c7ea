// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel drop records as frames and lines (see drop_output.h).
 */
#include <string.h>

#include "dissect/packet.h"
#include "capture/drop_comment.h"
#include "drop_output.h"

void drop_frame_build(const struct drop_event *ev, uint32_t point,
		      struct drop_frame *df)
{
	int n;

	drop_event_frame(ev, point, df->buf, &df->f);
	n = drop_event_comment(ev, df->comment, sizeof(df->comment));
	if (n < 0)
		n = 0;
	/* snprintf-style: a truncated comment is still a bounded string */
	if ((size_t)n >= sizeof(df->comment))
		n = (int)sizeof(df->comment) - 1;
	df->f.comment = df->comment;
	df->f.comment_len = (uint32_t)n;
}

static void drop_json(struct strbuf *sb, const struct drop_event *ev,
		      const char *func)
{
	sb_puts(sb, "{\"kernel_drop\":{\"reason\":");
	sb_json_cstr(sb, ev->reason_name);
	sb_puts(sb, ",\"reason_id\":");
	sb_u64(sb, ev->reason);
	sb_puts(sb, ",\"function\":");
	sb_json_cstr(sb, func);
	sb_puts(sb, ",\"symbol\":");
	sb_json_cstr(sb, ev->symbol);
	sb_puts(sb, ",\"ifindex\":");
	sb_u64(sb, ev->ifindex);
	sb_puts(sb, ",\"netns\":");
	sb_u64(sb, ev->netns_ino);
	sb_puts(sb, "}}\n");
}

void output_drop(struct output *o, const struct drop_event *ev,
		 const struct frame *f, const struct point_table *points)
{
	char func[DROP_SYMBOL_MAX];
	struct packet pkt;

	drop_event_function(ev, func, sizeof(func));
	dissect_frame(f, &pkt);
	output_packet(o, &pkt, points);
	if (o->json)
		drop_json(&o->buf, ev, func);
	else
		sb_printf(&o->buf, "    ^ kernel drop: %s in %s (%s, ifindex %u, "
			  "netns %u)\n", ev->reason_name[0] ? ev->reason_name : "?",
			  func[0] ? func : "?", ev->symbol[0] ? ev->symbol : "?",
			  ev->ifindex, ev->netns_ino);
	if (o->flush_each)
		output_flush(o);
}
