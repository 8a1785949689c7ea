// SPDX-License-Identifier: GPL-2.0
/*
 * Link types the dissectors cannot decode are no evidence: the engine
 * counts their frames, treats their point as not watched (a drop is never
 * located there) and says so in an evidence_incomplete finding.  And ARP
 * of other hardware (ATMARP) never feeds the neighbour layer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/engine.h"
#include "analyze/internal.h"
#include "analyze/report.h"
#include "capture/linktype.h"
#include "capture/source.h"
#include "check.h"
#include "engine_rig.h"
#include "dissect/packet.h"

#define MS 1000000ull
#define T0 1700000000000000000ull
#define LINKTYPE_IPNET 226

static const uint8_t MAC_G[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t MAC_H[6] = { 2, 0, 0, 0, 0, 1 };

/* Ethernet + IPv4 + ICMP echo request 10.0.0.2 > 10.0.0.1. */
static size_t build_request(uint8_t *b, uint16_t seq)
{
	uint8_t *ip = b + 14, *ic = b + 34;
	size_t i;

	memcpy(b, MAC_H, 6);
	memcpy(b + 6, MAC_G, 6);
	put16(b + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, 20 + 8 + 32);
	ip[8] = 64;
	ip[9] = 1;
	ip[12] = 10, ip[15] = 2;
	ip[16] = 10, ip[19] = 1;
	put16(ip + 10, csum(ip, 20));
	memset(ic, 0, 8);
	ic[0] = 8;
	put16(ic + 4, 0x4242);
	put16(ic + 6, seq);
	for (i = 0; i < 32; i++)
		ic[8 + i] = (uint8_t)(i + seq);
	put16(ic + 2, csum(ic, 40));
	return 14 + 20 + 40;
}

static const struct finding *find_reason(const struct engine *e,
					 const char *reason)
{
	size_t i;
	uint8_t j;

	for (i = 0; i < e->n_findings; i++)
		for (j = 0; j < e->findings[i].n_det; j++)
			if (!strcmp(e->findings[i].det[j].key, "reason") &&
			    !strcmp(e->findings[i].det[j].str, reason))
				return &e->findings[i];
	return NULL;
}

static size_t count_kind(const struct engine *e, enum finding_kind k)
{
	size_t i, n = 0;

	for (i = 0; i < e->n_findings; i++)
		n += e->findings[i].kind == k;
	return n;
}

/* Nothing decodable: counted, nothing analysed. */
static void test_all_undecodable(void)
{
	static const int lt[] = { LINKTYPE_IPNET };
	uint8_t b[128];
	struct rig r;
	int i;

	rig_init_points(&r, 1, lt, NULL);
	for (i = 0; i < 3; i++)
		feed(&r, 0, T0 + (uint64_t)i * 1000 * MS, b,
		     build_request(b, (uint16_t)i));
	CHECK_EQ_INT(engine_undecodable(r.e, 0), 3);
	CHECK_EQ_INT(engine_packets(r.e), 0);
	CHECK_EQ_INT(engine_undecodable(r.e, 1), 0);
	CHECK_EQ_INT(engine_undecodable(r.e, 1000), 0);
	engine_finish(r.e);
	CHECK(find_reason(r.e, "undecodable_link") != NULL);
	CHECK_EQ_INT(r.e->pstat[0].frames, 0);
	rig_free(&r);
}

/*
 * Point 0 (Ethernet) sees the requests, no reply anywhere; point 1 is of a
 * link type we cannot decode.  Its silence proves nothing: the loss is not
 * located before it, and the report says why.
 */
static void test_mixed(void)
{
	static const int lt[] = { LINKTYPE_ETHERNET, LINKTYPE_IPNET };
	const struct finding *f;
	struct engine_totals t;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;
	uint8_t b[128];
	struct rig r;
	int i;

	rig_init_points(&r, 2, lt, NULL);
	for (i = 0; i < 4; i++) {
		uint64_t ts = T0 + (uint64_t)i * 1000 * MS;

		feed(&r, 0, ts, b, build_request(b, (uint16_t)i));
		feed(&r, 1, ts + MS, b, build_request(b, (uint16_t)i));
	}
	feed(&r, 0, T0 + 10000 * MS, b, build_request(b, 99));
	engine_finish(r.e);
	engine_totals(r.e, &t);
	CHECK_EQ_INT(t.lost, 4);
	CHECK_EQ_INT(engine_undecodable(r.e, 1), 4);
	CHECK_EQ_INT(count_kind(r.e, FK_DROP), 0);
	f = find_reason(r.e, "undecodable_link");
	CHECK(f && f->kind == FK_EVIDENCE_INCOMPLETE && f->after == 1 &&
	      f->count == 4 && strstr(f->summary, "226") &&
	      strstr(f->summary, "p1"));
	/* the loss itself: evidence incomplete, naming why */
	for (i = 0; i < (int)r.e->n_findings; i++) {
		f = &r.e->findings[i];
		if (f->group >= 0)
			break;
	}
	CHECK(i < (int)r.e->n_findings && f->kind == FK_EVIDENCE_INCOMPLETE &&
	      strstr(f->summary, "link type cannot be decoded"));
	CHECK(!strstr(engine_verdict(r.e), "No probe left"));

	fp = open_memstream(&buf, &len);
	CHECK(report_json(r.e, fp) == 0);
	fclose(fp);
	CHECK(buf && strstr(buf, "\"reason\":\"undecodable_link\""));
	CHECK(buf && strstr(buf, "\"undecodable\":4"));
	free(buf);
	rig_free(&r);
}

/* ATMARP replies and requests: no neighbour entry (no 0.0.0.0). */
static void test_atmarp_ignored(void)
{
	static const int lt[] = { LINKTYPE_ETHERNET };
	uint8_t b[14 + 28];
	struct rig r;
	uint16_t op;

	rig_init_points(&r, 1, lt, NULL);
	for (op = 1; op <= 2; op++) {
		memset(b, 0, sizeof(b));
		memset(b, 0xff, 6);
		memcpy(b + 6, MAC_G, 6);
		put16(b + 12, 0x0806);
		put16(b + 14, 19);		/* ATM */
		put16(b + 16, 0x0800);
		b[18] = 6;			/* reads as hlen 6 ... */
		b[19] = 4;			/* ... and plen 4 */
		put16(b + 20, op);
		feed(&r, 0, T0 + op * MS, b, sizeof(b));
		feed(&r, 0, T0 + op * MS + 1, b, sizeof(b));
	}
	engine_finish(r.e);
	CHECK_EQ_INT(r.e->n_neigh, 0);
	CHECK_EQ_INT(count_kind(r.e, FK_ARP_UNANSWERED), 0);
	rig_free(&r);
}

/* Little-endian u32 / u16 into b. */
static void le32(uint8_t *b, uint32_t v)
{
	b[0] = v & 0xff, b[1] = v >> 8 & 0xff, b[2] = v >> 16 & 0xff;
	b[3] = v >> 24;
}

/* The readers hand every link type on, decodable or not. */
static void test_readers_pass_linktype(void)
{
	static const uint32_t lts[] = { 0, 12, 14, 108, 226, 228, 0x00f00001 };
	struct point_table pts;
	char err[256];
	uint8_t b[24 + 16 + 4];
	struct source *src;
	struct frame f;
	size_t i;

	for (i = 0; i < sizeof(lts) / sizeof(lts[0]); i++) {
		memset(b, 0, sizeof(b));
		le32(b, 0xa1b2c3d4);
		b[4] = 2, b[6] = 4;
		le32(b + 16, 65535);
		le32(b + 20, lts[i]);
		le32(b + 24 + 8, 4);	/* caplen */
		le32(b + 24 + 12, 4);	/* len */
		point_table_init(&pts);
		CHECK(source_open_memory(b, sizeof(b), "t.pcap", &pts, &src,
					 err, sizeof(err)) == 0);
		CHECK(src && source_next(src, &f) == 1);
		/* the upper 16 bits are FCS flags, not the link type */
		CHECK_EQ_INT(f.linktype, (int)(lts[i] & 0xffff));
		CHECK_EQ_INT(pts.items[0].linktype, (int)(lts[i] & 0xffff));
		source_close(src);
		point_table_free(&pts);
	}
}

static void test_names(void)
{
	char buf[64];

	CHECK(!strcmp(linktype_name(226, buf, sizeof(buf)), "ipnet"));
	CHECK(!strcmp(linktype_name(LINKTYPE_ETHERNET, buf, sizeof(buf)),
		      "en10mb"));
	CHECK(!strcmp(linktype_name(LINKTYPE_RAW, buf, sizeof(buf)), "raw"));
	CHECK(!strcmp(linktype_name(65000, buf, sizeof(buf)), ""));
	CHECK(!strcmp(linktype_name(-1, buf, sizeof(buf)), ""));
	CHECK_EQ_INT(linktype_to_dlt(LINKTYPE_RAW), linktype_to_dlt(12));
}

int main(void)
{
	test_all_undecodable();
	test_mixed();
	test_atmarp_ignored();
	test_readers_pass_linktype();
	test_names();
	return check_done();
}
