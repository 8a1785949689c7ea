// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel drops through a pcapng file and the live reorder queue:
 *  - writer -> reader: a drop written on the "kernel-drops" interface comes
 *    back as a FRAME_F_KERNEL_DROP frame of one kernel point, whatever
 *    ifindex its SLL2 header names, and drop_event_from_frame gives back
 *    the exact event;
 *  - malformed drop packets (short, bad comment) decode without a crash
 *    and reach the engine harmlessly;
 *  - the frame queue hands frames out in timestamp order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/engine.h"
#include "analyze/report.h"
#include "capture/drop_comment.h"
#include "capture/frame_queue.h"
#include "capture/pcapng_write.h"
#include "capture/source.h"
#include "check.h"
#include "dissect/packet.h"

static void sample_event(struct drop_event *ev, uint32_t ifindex)
{
	static const uint8_t ip[] = {
		0x45, 0x00, 0x00, 0x54, 0x12, 0x34, 0x40, 0x00, 0x40, 0x01,
		0x00, 0x00, 0x0a, 0x4d, 0x00, 0x02, 0x0a, 0x4d, 0x00, 0x01,
		0x08, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x01,
	};

	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = 1700000000123456789ULL + ifindex;
	ev->location = 0xffffffff81f81312ULL;
	ev->reason = 12;
	ev->ifindex = ifindex;
	ev->netns_ino = 4026532000u;
	ev->protocol = 0x0800;
	ev->pkt_type = 0;
	ev->flags = 0x10;
	ev->wire_len = 84;
	ev->cap_len = sizeof(ip);
	memcpy(ev->data, ip, sizeof(ip));
	snprintf(ev->reason_name, sizeof(ev->reason_name), "NETFILTER_DROP");
	snprintf(ev->symbol, sizeof(ev->symbol), "nft_do_chain+0x46f");
}

static int write_file(const char *path, const struct drop_event *evs, int n)
{
	static const uint8_t eth[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct pcapng_writer *w;
	struct frame f;
	uint8_t buf[DROP_FRAME_MAX];
	char comment[512], err[256];
	int eth_if, drop_if, i;

	if (pcapng_writer_open(path, "test", NULL, &w, err, sizeof(err)))
		return -1;
	eth_if = pcapng_writer_add_if(w, "br0", NULL, LINKTYPE_ETHERNET, 9216);
	drop_if = pcapng_writer_add_if(w, DROPS_IF_NAME, NULL,
				       LINKTYPE_LINUX_SLL2, 148);
	memset(&f, 0, sizeof(f));
	f.data = eth;
	f.caplen = f.wirelen = sizeof(eth);
	f.ts_ns = 1700000000000000000ULL;
	f.dir = DIR_IN;
	pcapng_writer_packet(w, (uint32_t)eth_if, &f, NULL);
	for (i = 0; i < n; i++) {
		drop_event_frame(&evs[i], 0, buf, &f);
		drop_event_comment(&evs[i], comment, sizeof(comment));
		pcapng_writer_packet(w, (uint32_t)drop_if, &f, comment);
	}
	return pcapng_writer_close(w);
}

static void check_same(const struct drop_event *a, const struct drop_event *b)
{
	CHECK(a->ts_ns == b->ts_ns);
	CHECK(a->location == b->location);
	CHECK_EQ_INT(a->reason, b->reason);
	CHECK_EQ_INT(a->ifindex, b->ifindex);
	CHECK_EQ_INT(a->netns_ino, b->netns_ino);
	CHECK_EQ_INT(a->wire_len, b->wire_len);
	CHECK_EQ_INT(a->cap_len, b->cap_len);
	CHECK_EQ_INT(a->protocol, b->protocol);
	CHECK_EQ_INT(a->pkt_type, b->pkt_type);
	CHECK_EQ_INT(a->flags, b->flags);
	CHECK(!strcmp(a->reason_name, b->reason_name));
	CHECK(!strcmp(a->symbol, b->symbol));
	CHECK(!memcmp(a->data, b->data, a->cap_len));
}

static void test_file_roundtrip(void)
{
	char path[] = "/tmp/test_trace_drops.XXXXXX";
	struct drop_event evs[2], back;
	struct point_table pt;
	struct source *s;
	struct frame f;
	char err[SOURCE_ERR_MAX];
	uint32_t drop_point = UINT32_MAX;
	int fd, n = 0, ndrops = 0;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	sample_event(&evs[0], 3);
	sample_event(&evs[1], 9);	/* another device: still one point */
	CHECK_EQ_INT(write_file(path, evs, 2), 0);

	point_table_init(&pt);
	CHECK_EQ_INT(source_open_file(path, &pt, &s, err, sizeof(err)), 0);
	while (source_next(s, &f) == 1) {
		if (n++ == 0) {
			CHECK(!(f.flags & FRAME_F_KERNEL_DROP));
			CHECK_EQ_INT(f.dir, DIR_IN);
			continue;
		}
		CHECK(f.flags & FRAME_F_KERNEL_DROP);
		CHECK_EQ_INT(f.dir, DIR_UNKNOWN);
		if (drop_point == UINT32_MAX)
			drop_point = f.point;
		CHECK_EQ_INT(f.point, drop_point);
		CHECK_EQ_INT(drop_event_from_frame(&f, &back), 0);
		if (ndrops < 2)
			check_same(&evs[ndrops], &back);
		ndrops++;
	}
	CHECK_EQ_INT(ndrops, 2);
	CHECK_EQ_INT(pt.count, 2);	/* br0 + kernel-drops, no sub-points */
	if (drop_point < pt.count) {
		CHECK_EQ_INT(pt.items[drop_point].kind, POINT_KIND_KERNEL);
		CHECK_EQ_INT(pt.items[drop_point].hook, HOOK_KFREE_SKB);
	}
	source_close(s);
	point_table_free(&pt);
	unlink(path);
}

/* Hostile drop packets: short SLL2, comments that lie; no crash, no read
 * past the bytes. */
static void test_malformed_drops(void)
{
	static const char *comments[] = {
		"dropspot-drop reason=", "dropspot-drop reason_id=99999999999",
		"dropspot-drop symbol=" "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx+0x1",
		"dropspot-drop", "", "garbage",
	};
	struct drop_event ev;
	struct point_table pt;
	struct engine_opts eo;
	struct engine *e;
	struct packet p;
	struct point kp;
	struct frame f;
	uint8_t buf[DROP_FRAME_MAX];
	size_t i, len;

	point_table_init(&pt);
	memset(&kp, 0, sizeof(kp));
	kp.kind = POINT_KIND_KERNEL;
	kp.hook = HOOK_KFREE_SKB;
	kp.linktype = LINKTYPE_LINUX_SLL2;
	point_table_add(&pt, &kp);
	engine_opts_default(&eo);
	e = engine_new(&pt, &eo);
	CHECK(e != NULL);
	if (!e)
		return;
	sample_event(&ev, 3);
	drop_event_frame(&ev, 0, buf, &f);
	for (i = 0; i < sizeof(comments) / sizeof(comments[0]); i++) {
		for (len = 0; len <= DROP_SLL2_HLEN + ev.cap_len; len += 3) {
			/* a copy exactly len long: ASan sees any overread */
			uint8_t *copy = malloc(len ? len : 1);
			char *c = malloc(strlen(comments[i]) + 1);

			memcpy(copy, buf, len);
			memcpy(c, comments[i], strlen(comments[i]));
			f.data = copy;
			f.caplen = (uint32_t)len;
			f.comment = c;
			f.comment_len = (uint32_t)strlen(comments[i]);
			drop_event_from_frame(&f, &ev);
			dissect_frame(&f, &p);
			engine_feed(e, &p);
			free(copy);
			free(c);
		}
	}
	engine_finish(e);
	engine_free(e);
	point_table_free(&pt);
}

struct order {
	uint64_t last;
	int n, bad;
};

static int check_order(const struct frame *f, void *ctx)
{
	struct order *o = ctx;

	if (f->ts_ns < o->last)
		o->bad++;
	o->last = f->ts_ns;
	o->n++;
	return 0;
}

static void test_queue_order(void)
{
	static const uint64_t ts[] = { 10, 30, 20, 25, 5, 40, 40, 35 };
	struct frame_queue *q = frame_queue_new(4);
	struct order o = { 0, 0, 0 };
	struct frame f;
	size_t i;

	CHECK(q != NULL);
	if (!q)
		return;
	memset(&f, 0, sizeof(f));
	f.data = (const uint8_t *)"abcd";
	f.caplen = f.wirelen = 4;
	f.comment = "c";
	f.comment_len = 1;
	for (i = 0; i < 4; i++) {
		f.ts_ns = ts[i];
		CHECK_EQ_INT(frame_queue_push(q, &f, check_order, &o), 0);
	}
	CHECK_EQ_INT(frame_queue_release(q, 20, check_order, &o), 0);
	CHECK_EQ_INT(o.n, 2);	/* 10, 20 */
	for (; i < sizeof(ts) / sizeof(ts[0]); i++) {
		f.ts_ns = ts[i];
		/* 5 is older than what went out: late, but still handed out */
		CHECK_EQ_INT(frame_queue_push(q, &f, check_order, &o), 0);
	}
	o.last = 0;
	o.bad = 0;
	frame_queue_release(q, UINT64_MAX, check_order, &o);
	CHECK_EQ_INT(o.bad, 0);
	CHECK_EQ_INT(o.n, 8);
	CHECK_EQ_INT(frame_queue_len(q), 0);
	frame_queue_free(q);
}

/*
 * Kernel drops of watched traffic that is no probe (here ARP) are summed up
 * by reason in one kernel_drops finding, most frequent first; they create
 * no probe and no drop finding.
 */
static void test_other_drops_summarised(void)
{
	static const uint8_t arp[28] = {
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x4d, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x4d, 0x00, 0x09,
	};
	struct point_table pts;
	struct point kp;
	struct engine_opts eo;
	struct engine *e;
	struct engine_totals t;
	struct drop_event ev;
	struct packet pkt;
	struct frame f;
	uint8_t buf[DROP_FRAME_MAX];
	char comment[512], *json = NULL;
	size_t json_len = 0;
	FILE *mem;
	int i;

	point_table_init(&pts);
	memset(&kp, 0, sizeof(kp));
	snprintf(kp.name, sizeof(kp.name), "%s", DROPS_IF_NAME);
	kp.kind = POINT_KIND_KERNEL;
	kp.hook = HOOK_KFREE_SKB;
	CHECK_EQ_INT(point_table_add(&pts, &kp), 0);
	engine_opts_default(&eo);
	e = engine_new(&pts, &eo);
	CHECK(e != NULL);
	if (!e)
		return;
	for (i = 0; i < 5; i++) {
		sample_event(&ev, 0);
		ev.ts_ns += (uint64_t)i * 1000;
		ev.protocol = 0x0806;
		ev.wire_len = ev.cap_len = sizeof(arp);
		memcpy(ev.data, arp, sizeof(arp));
		snprintf(ev.reason_name, sizeof(ev.reason_name), "%s",
			 i < 3 ? "OTHERHOST" : "NO_SOCKET");
		drop_event_frame(&ev, 0, buf, &f);
		drop_event_comment(&ev, comment, sizeof(comment));
		f.comment = comment;
		f.comment_len = (uint32_t)strlen(comment);
		f.number = (uint64_t)i + 1;
		dissect_frame(&f, &pkt);
		engine_feed(e, &pkt);
	}
	engine_finish(e);
	engine_totals(e, &t);
	CHECK_EQ_INT((int)t.probes, 0);
	CHECK(!t.has_drop);
	mem = open_memstream(&json, &json_len);
	CHECK(mem != NULL);
	if (mem) {
		report_json(e, mem);
		fclose(mem);
		CHECK(strstr(json, "\"kernel_drops\"") != NULL);
		/* each reason with the function that freed it */
		CHECK(strstr(json, "5 kernel drop(s) of other watched traffic "
			      "(no probe): OTHERHOST in nft_do_chain (3), "
			      "NO_SOCKET in nft_do_chain (2)") != NULL);
	}
	free(json);
	engine_free(e);
	point_table_free(&pts);
}

int main(void)
{
	test_file_roundtrip();
	test_malformed_drops();
	test_queue_order();
	test_other_drops_summarised();
	return check_done();
}
