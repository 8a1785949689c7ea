// SPDX-License-Identifier: GPL-2.0
/*
 * pcapng reader: sections (SHB) of interfaces (IDB) and their packets (EPB,
 * SPB, obsolete PB) and statistics (ISB); every other block is skipped.
 *
 * Every block is checked before its body is looked at: total length at
 * least 12, a multiple of 4, at most RD_MAX_BLOCK, entirely present, and
 * equal to the trailing copy.  The body is then read through a cursor
 * bounded by the block, and options through one bounded by the option area,
 * so a lying length inside a block can never reach past it.  Malformed
 * blocks are errors (naming the block and its offset), not guesses.
 *
 * Choices where the format leaves room:
 *  - interface ids restart with every SHB, as the format says; each section
 *    adds new points (tshark 4.0 keeps numbering across sections instead);
 *  - captured length above 256 KiB is an error (as libpcap); above the wire
 *    length, the wire length is raised to it (see pcap.c);
 *  - SPB: no timestamp (0), captured length = min(wire length, block data,
 *    interface 0's snaplen), as libpcap;
 *  - ISB: isb_ifdrop is cumulative, so the last ISB of an interface wins;
 *  - an option area may end without opt_endofopt; an option running past
 *    it is an error; if_description and other options are not needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cursor.h"
#include "common/drop_event.h"
#include "common/hoststate.h"
#include "pcapng_write.h"
#include "reader_internal.h"

enum {
	BT_IDB = 1,
	BT_PB = 2,	/* obsolete packet block */
	BT_SPB = 3,
	BT_ISB = 5,
	BT_EPB = 6,
};

#define BOM_LE 0x1a2b3c4du	/* byte-order magic read little-endian */
#define BOM_SWAPPED 0x4d3c2b1au

enum {
	OPT_ENDOFOPT = 0,
	OPT_COMMENT = 1,
	IF_NAME = 2,
	IF_DESCRIPTION = 3,
	IF_TSRESOL = 9,
	IF_TSOFFSET = 14,
	EPB_FLAGS = 2,		/* also PB's pack_flags */
	ISB_STARTTIME = 2,
	ISB_ENDTIME = 3,
	ISB_IFDROP = 5,
};

/* A validated block: body is the bytes between the length fields. */
struct block {
	uint32_t type;
	uint32_t len;
	uint64_t off;
	struct cursor body;
};

static const char *block_name(uint32_t type)
{
	switch (type) {
	case PCAPNG_SHB_TYPE: return "section header block";
	case BT_IDB: return "interface description block";
	case BT_PB: return "packet block";
	case BT_SPB: return "simple packet block";
	case BT_ISB: return "interface statistics block";
	case BT_EPB: return "enhanced packet block";
	case 4: return "name resolution block";
	}
	return "block";
}

/*
 * Reads and validates the next block; 1 = got one, 0 = clean end, < 0 error.
 * An SHB sets the byte order of what follows, itself included.
 */
static inline uint32_t load_u32(const uint8_t *p, bool big_endian)
{
	uint32_t v;

	memcpy(&v, p, 4);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return big_endian ? __builtin_bswap32(v) : v;
#else
	return big_endian ? v : __builtin_bswap32(v);
#endif
}

/*
 * A mapped file or memory: everything left is there, so one peek shows the
 * whole block.  The common block (not an SHB, sane lengths, whole, trailer
 * equal) is taken here with the same checks as below; anything else goes
 * the long way, which says what is wrong.
 */
static bool next_block_in_place(struct source *s, struct block *b)
{
	const uint8_t *p;
	uint32_t type, len;
	size_t got = input_peek(s->in, RD_MAX_BLOCK, &p);

	if (got < 12)
		return false;
	type = load_u32(p, s->big_endian);
	len = load_u32(p + 4, s->big_endian);
	if (type == PCAPNG_SHB_TYPE || len < 12 || len % 4 || len > got ||
	    load_u32(p + len - 4, s->big_endian) != len)
		return false;
	b->off = input_offset(s->in);
	b->type = type;
	b->len = len;
	cur_init(&b->body, p + 8, len - 12, len - 12);
	input_skip(s->in, len);
	return true;
}

static int next_block(struct source *s, struct block *b)
{
	const uint8_t *p;
	struct cursor c;
	uint32_t type, bom, trail;
	size_t got;

	if (s->in_place && next_block_in_place(s, b))
		return 1;
	b->off = input_offset(s->in);
	got = input_peek(s->in, 8, &p);
	if (got < 8) {
		if (got == 0 && !input_error(s->in))
			return 0;
		return rd_truncated(s, "block header", b->off, 8, got);
	}
	cur_init(&c, p, 8, 8);
	cur_u32_order(&c, s->big_endian, &type);
	if (type == PCAPNG_SHB_TYPE) {
		/* the byte-order magic decides how to read the length */
		got = input_peek(s->in, 12, &p);
		if (got < 12)
			return rd_truncated(s, "section header block", b->off,
					    12, got);
		cur_init(&c, p, 12, 12);
		cur_skip(&c, 8);
		cur_le32(&c, &bom);
		if (bom == BOM_LE)
			s->big_endian = false;
		else if (bom == BOM_SWAPPED)
			s->big_endian = true;
		else
			return rd_fail(s, "section header block at offset %llu: bad byte-order magic 0x%08x",
				       (unsigned long long)b->off, bom);
		cur_init(&c, p, 8, 8);
		cur_skip(&c, 4);
	}
	cur_u32_order(&c, s->big_endian, &b->len);
	b->type = type;
	if (b->len < 12 || b->len % 4)
		return rd_fail(s, "%s at offset %llu: bad block length %u",
			       block_name(type), (unsigned long long)b->off,
			       b->len);
	if (b->len > RD_MAX_BLOCK)
		return rd_fail(s, "%s at offset %llu: block length %u exceeds the limit %u",
			       block_name(type), (unsigned long long)b->off,
			       b->len, RD_MAX_BLOCK);
	got = input_peek(s->in, b->len, &p);
	if (got < b->len)
		return rd_truncated(s, block_name(type), b->off, b->len, got);
	cur_init(&c, p, b->len, b->len);
	cur_skip(&c, 8);
	cur_narrow(&c, b->len - 12, &b->body);
	cur_u32_order(&c, s->big_endian, &trail);
	if (trail != b->len)
		return rd_fail(s, "%s at offset %llu: trailing length %u does not match %u",
			       block_name(type), (unsigned long long)b->off,
			       trail, b->len);
	/* bytes stay in place until the next peek: the body is still valid */
	input_skip(s->in, b->len);
	return 1;
}

static int block_short(struct source *s, const struct block *b,
		       uint32_t need)
{
	return rd_fail(s, "%s at offset %llu: block length %u too small (needs at least %u)",
		       block_name(b->type), (unsigned long long)b->off, b->len,
		       need + 12);
}

/*
 * Next option of an option area: 1 with *code and *val, 0 at the end.  An
 * area may end without opt_endofopt; a value running past it is an error.
 */
static int next_option(struct source *s, const struct block *b,
		       struct cursor *opts, unsigned int *count,
		       uint16_t *code, struct cursor *val)
{
	uint16_t len;
	uint32_t padded;

	if (++*count > RD_MAX_OPTIONS || cur_left(opts) < 4)
		return 0;
	cur_u16_order(opts, s->big_endian, code);
	cur_u16_order(opts, s->big_endian, &len);
	if (*code == OPT_ENDOFOPT)
		return 0;
	if (len > cur_left(opts))
		return rd_fail(s, "%s at offset %llu: option %u length %u overruns the block",
			       block_name(b->type), (unsigned long long)b->off,
			       *code, len);
	cur_narrow(opts, len, val);
	/* values are padded to 32 bits; tolerate a missing last pad */
	padded = (4 - len % 4) % 4;
	cur_skip(opts, padded < cur_left(opts) ? padded : cur_left(opts));
	return 1;
}

/*
 * The host that wrote the section: dropspot's custom string option (the
 * pcapng format has no hostname option; shb_hardware and shb_os describe
 * the machine, not which one), "hostname=NAME" after its PEN.
 */
static void read_shb_host(struct source *s, struct cursor *val)
{
	static const char key[] = PCAPNG_HOSTNAME_KEY;
	const size_t klen = sizeof(key) - 1;
	uint32_t pen;
	const char *v;
	size_t len;

	if (!cur_u32_order(val, s->big_endian, &pen) || pen != HS_PCAPNG_PEN)
		return;
	len = cur_left(val);
	v = (const char *)cur_peek(val, len);
	if (!v || len <= klen || memcmp(v, key, klen))
		return;
	rd_copy_name(s->host, sizeof(s->host), (const uint8_t *)v + klen,
		     len - klen);
}

static int read_shb(struct source *s, const struct block *b)
{
	struct cursor c = b->body, val;
	uint16_t major, minor, code;
	unsigned int count = 0;
	int ret;

	/* bom(4) major(2) minor(2) section length(8) */
	if (cur_left(&c) < 16)
		return block_short(s, b, 16);
	cur_skip(&c, 4);
	cur_u16_order(&c, s->big_endian, &major);
	cur_u16_order(&c, s->big_endian, &minor);
	if (major != 1)
		return rd_fail(s, "section header block at offset %llu: unsupported pcapng version %u.%u",
			       (unsigned long long)b->off, major, minor);
	rd_end_section(s);
	s->section++;
	cur_skip(&c, 8);	/* section length */
	/* each section its own host, unless the user named the file's */
	if (!s->host_given)
		s->host[0] = 0;
	while ((ret = next_option(s, b, &c, &count, &code, &val)) > 0) {
		if (code == OPT_COMMENT && !s->comment[0])
			rd_copy_name(s->comment, sizeof(s->comment),
				     cur_peek(&val, 0), cur_left(&val));
		if (code == PCAPNG_OPT_CUSTOM_STR && !s->host_given)
			read_shb_host(s, &val);
	}
	return ret;
}

/*
 * dropspot's own writer describes each interface as "NAME; netns NS; KIND;
 * HOOK[; not watched[ in| out]]" (pcapng_writer_add_point).  Read back,
 * the netns, the kind and the directions no hook watched are what the live
 * capture knew, so the engine reasons about a saved file as it did live.
 * Any other description is left alone.
 */
static bool apply_own_description(struct point *p, const char *desc)
{
	const char *ns, *kind, *end, *blind, *master;
	size_t len;
	int k;

	if (!p || !(ns = strstr(desc, "; netns ")))
		return false;
	master = strstr(ns, "; master ");
	if (master) {
		master += strlen("; master ");
		len = strcspn(master, ";");
		p->master_known = true;
		if (len < sizeof(p->master) && strncmp(master, "-", len))
			snprintf(p->master, sizeof(p->master), "%.*s", (int)len,
				 master);
	}
	blind = strstr(ns, "; not watched");
	if (blind) {
		blind += strlen("; not watched");
		p->blind = !strcmp(blind, " in") ? POINT_BLIND_IN :
			   !strcmp(blind, " out") ? POINT_BLIND_OUT :
			   POINT_BLIND_ALL;
	}
	ns += strlen("; netns ");
	kind = strstr(ns, "; ");
	if (!kind)
		return true;
	len = (size_t)(kind - ns);
	if (len && len < sizeof(p->netns) && strncmp(ns, "(host)", len))
		snprintf(p->netns, sizeof(p->netns), "%.*s", (int)len, ns);
	kind += 2;
	end = strstr(kind, "; ");
	len = end ? (size_t)(end - kind) : strlen(kind);
	for (k = POINT_KIND_UNKNOWN; k <= POINT_KIND_OTHER; k++) {
		const char *kn = point_kind_name((enum point_kind)k);

		if (strlen(kn) == len && !strncmp(kind, kn, len))
			p->kind = (enum point_kind)k;
	}
	/* trace's probe socket: a pseudo point, read back as one */
	if (len == 6 && !strncmp(kind, "socket", 6)) {
		p->kind = POINT_KIND_SOCKET;
		p->hook = HOOK_SOCKET;
	}
	return true;
}

/*
 * dropspot's writer gives an interface that went away and came back (the
 * same name in the same netns) a new IDB for its new watch window.  Read
 * back, it is the same point: ifc takes the point of the earlier
 * interface, and the point just made for it, the last of the table, goes.
 */
static void join_earlier_window(struct source *s, struct rd_iface *ifc)
{
	const struct point *p = point_get_const(s->points, ifc->point);
	size_t i;

	if (!p || ifc->point + 1 != s->points->count)
		return;
	for (i = 0; i + 1 < s->n_ifs; i++) {
		const struct rd_iface *o = &s->ifs[i];
		const struct point *q = point_get_const(s->points, o->point);

		if (!q || !o->own_desc || o->linktype != ifc->linktype ||
		    strcmp(q->ifname, p->ifname) || strcmp(q->netns, p->netns) ||
		    q->kind != p->kind)
			continue;
		s->points->count--;
		s->n_points--;
		ifc->point = o->point;
		return;
	}
}

static int read_idb(struct source *s, const struct block *b)
{
	struct cursor c = b->body, val;
	char name[POINT_IFNAME_MAX] = "", suffix[POINT_NAME_MAX];
	char desc[POINT_NAME_MAX + POINT_NETNS_MAX + 64] = "";
	uint16_t linktype, reserved, code;
	uint32_t snaplen, file_if = (uint32_t)s->n_ifs;
	uint8_t tsresol = 6;
	uint64_t tsoffset = 0;
	struct rd_iface *ifc;
	unsigned int count = 0;
	int ret;

	if (cur_left(&c) < 8)
		return block_short(s, b, 8);
	cur_u16_order(&c, s->big_endian, &linktype);
	cur_u16_order(&c, s->big_endian, &reserved);
	cur_u32_order(&c, s->big_endian, &snaplen);
	while ((ret = next_option(s, b, &c, &count, &code, &val)) > 0) {
		uint32_t hi, lo;

		switch (code) {
		case IF_NAME:
			rd_copy_name(name, sizeof(name), cur_peek(&val, 0),
				     cur_left(&val));
			break;
		case IF_TSRESOL:
			if (!cur_u8(&val, &tsresol))
				return rd_fail(s, "interface description block at offset %llu: empty if_tsresol",
					       (unsigned long long)b->off);
			break;
		case IF_TSOFFSET:
			if (cur_left(&val) < 8)
				return rd_fail(s, "interface description block at offset %llu: short if_tsoffset",
					       (unsigned long long)b->off);
			/* a u64 in section order: two u32 halves */
			cur_u32_order(&val, s->big_endian, s->big_endian ? &hi : &lo);
			cur_u32_order(&val, s->big_endian, s->big_endian ? &lo : &hi);
			tsoffset = (uint64_t)hi << 32 | lo;
			break;
		case IF_DESCRIPTION:
			rd_copy_name(desc, sizeof(desc), cur_peek(&val, 0),
				     cur_left(&val));
			break;
		default:	/* if_MACaddr, ...: not needed */
			break;
		}
	}
	if (ret < 0)
		return ret;
	/* 0 means "no limit" in pcapng; absurd values mean nothing either */
	if (snaplen > RD_MAX_CAPLEN)
		snaplen = 0;
	if (name[0])
		snprintf(suffix, sizeof(suffix), "%s", name);
	else
		snprintf(suffix, sizeof(suffix), "if%u", file_if);
	ifc = rd_add_iface(s, suffix, name, linktype, snaplen, file_if);
	if (!ifc)
		return s->status;
	if (!rd_set_tsresol(ifc, tsresol))
		return rd_fail(s, "interface description block at offset %llu: unsupported if_tsresol 0x%02x",
			       (unsigned long long)b->off, tsresol);
	ifc->ts_offset_s = (int64_t)tsoffset;
	rd_iface_update_point(s, ifc);
	ifc->own_desc = apply_own_description(point_get(s->points, ifc->point),
					      desc);
	if (ifc->own_desc && name[0])
		join_earlier_window(s, ifc);
	if (!strcmp(name, DROPS_IF_NAME) && linktype == LINKTYPE_LINUX_SLL2)
		rd_iface_kernel_drops(s, ifc);
	return 0;
}

static struct rd_iface *iface_of(struct source *s, const struct block *b,
				 uint32_t if_id)
{
	if (if_id < s->n_ifs)
		return &s->ifs[if_id];
	rd_fail(s, "%s at offset %llu refers to undefined interface %u (section has %zu)",
		block_name(b->type), (unsigned long long)b->off, if_id,
		s->n_ifs);
	return NULL;
}

/* take_data()'s two refusals, out of line: the checks stay inlined */
static __attribute__((noinline, cold)) int
take_data_bad(struct source *s, const struct block *b,
	      const struct cursor *c, uint32_t caplen)
{
	if (caplen > RD_MAX_CAPLEN)
		return rd_fail(s, "%s at offset %llu: captured length %u exceeds the maximum %u",
			       block_name(b->type), (unsigned long long)b->off,
			       caplen, RD_MAX_CAPLEN);
	return rd_fail(s, "%s at offset %llu: captured length %u overruns the block (%u bytes left)",
		       block_name(b->type), (unsigned long long)b->off,
		       caplen, cur_left(c));
}

/* Packet data of caplen bytes, padded to 32 bits, must fit in the block. */
static inline int take_data(struct source *s, const struct block *b,
			    struct cursor *c, uint32_t caplen,
			    struct frame *f)
{
	uint32_t padded;

	if (caplen > RD_MAX_CAPLEN)
		return take_data_bad(s, b, c, caplen);
	padded = (caplen + 3) & ~3u;
	if (padded > cur_left(c))
		return take_data_bad(s, b, c, caplen);
	f->data = cur_peek(c, caplen);
	f->caplen = caplen;
	cur_skip(c, padded);
	return 0;
}

/* epb_flags / pack_flags and opt_comment, the options a frame carries. */
static __attribute__((noinline)) int
packet_options_walk(struct source *s, const struct block *b,
		    struct cursor *c, struct frame *f)
{
	struct cursor val;
	unsigned int count = 0;
	uint16_t code;
	int ret;

	while ((ret = next_option(s, b, c, &count, &code, &val)) > 0) {
		uint32_t flags;

		if (code == EPB_FLAGS &&
		    cur_u32_order(&val, s->big_endian, &flags)) {
			/* bits 0-1: 1 inbound, 2 outbound */
			if ((flags & 3) == 1)
				f->dir = DIR_IN;
			else if ((flags & 3) == 2)
				f->dir = DIR_OUT;
		} else if (code == OPT_COMMENT && !f->comment) {
			f->comment_len = cur_left(&val);
			f->comment = (const char *)cur_peek(&val, f->comment_len);
		}
	}
	return ret;
}

/*
 * Most packets carry no options (fewer than 4 bytes left: next_option()
 * would find none): that case is decided inline, without the call.
 */
static inline int packet_options(struct source *s, const struct block *b,
				 struct cursor *c, struct frame *f)
{
	if (cur_left(c) < 4)
		return 0;
	return packet_options_walk(s, b, c, f);
}

static int read_epb(struct source *s, const struct block *b, struct frame *f,
		    struct rd_iface **ifc)
{
	struct cursor c = b->body;
	const uint8_t *p;
	uint32_t if_id, hi, lo, caplen, len;
	int ret;

	/* the fixed part from one checked span: the common block, every frame */
	p = cur_peek(&c, 20);
	if (!p)
		return block_short(s, b, 20);
	if_id = load_u32(p, s->big_endian);
	hi = load_u32(p + 4, s->big_endian);
	lo = load_u32(p + 8, s->big_endian);
	caplen = load_u32(p + 12, s->big_endian);
	len = load_u32(p + 16, s->big_endian);
	cur_skip(&c, 20);
	*ifc = iface_of(s, b, if_id);
	if (!*ifc)
		return s->status;
	ret = take_data(s, b, &c, caplen, f);
	if (ret)
		return ret;
	f->wirelen = len < caplen ? caplen : len;
	f->ts_ns = rd_ts_to_ns(*ifc, (uint64_t)hi << 32 | lo);
	f->linktype = (*ifc)->linktype;
	return packet_options(s, b, &c, f);
}

static int read_pb(struct source *s, const struct block *b, struct frame *f,
		   struct rd_iface **ifc)
{
	struct cursor c = b->body;
	uint16_t if_id, drops;
	uint32_t hi, lo, caplen, len;
	int ret;

	if (cur_left(&c) < 20)
		return block_short(s, b, 20);
	cur_u16_order(&c, s->big_endian, &if_id);
	cur_u16_order(&c, s->big_endian, &drops);
	cur_u32_order(&c, s->big_endian, &hi);
	cur_u32_order(&c, s->big_endian, &lo);
	cur_u32_order(&c, s->big_endian, &caplen);
	cur_u32_order(&c, s->big_endian, &len);
	*ifc = iface_of(s, b, if_id);
	if (!*ifc)
		return s->status;
	ret = take_data(s, b, &c, caplen, f);
	if (ret)
		return ret;
	f->wirelen = len < caplen ? caplen : len;
	f->ts_ns = rd_ts_to_ns(*ifc, (uint64_t)hi << 32 | lo);
	f->linktype = (*ifc)->linktype;
	return packet_options(s, b, &c, f);
}

/*
 * SPB: interface 0, no timestamp (0), captured length = what the block
 * holds, capped by the wire length and the interface's snaplen (as libpcap).
 */
static int read_spb(struct source *s, const struct block *b, struct frame *f,
		    struct rd_iface **ifc)
{
	struct cursor c = b->body;
	uint32_t len, caplen;

	if (cur_left(&c) < 4)
		return block_short(s, b, 4);
	cur_u32_order(&c, s->big_endian, &len);
	*ifc = iface_of(s, b, 0);
	if (!*ifc)
		return s->status;
	caplen = len < cur_left(&c) ? len : cur_left(&c);
	if ((*ifc)->snaplen && caplen > (*ifc)->snaplen)
		caplen = (*ifc)->snaplen;
	if (caplen > RD_MAX_CAPLEN)
		caplen = RD_MAX_CAPLEN;
	f->data = cur_peek(&c, caplen);
	f->caplen = caplen;
	f->wirelen = len < caplen ? caplen : len;
	f->linktype = (*ifc)->linktype;
	return 0;
}


static int read_isb(struct source *s, const struct block *b)
{
	struct cursor c = b->body, val;
	struct rd_iface *ifc;
	unsigned int count = 0;
	uint32_t if_id, hi, lo;
	uint64_t start = 0, end = 0;
	uint16_t code;
	struct point *p;
	int ret;

	if (cur_left(&c) < 12)
		return block_short(s, b, 12);
	cur_u32_order(&c, s->big_endian, &if_id);
	cur_skip(&c, 8);	/* timestamp */
	ifc = iface_of(s, b, if_id);
	if (!ifc)
		return s->status;
	p = point_get(s->points, ifc->point);
	while ((ret = next_option(s, b, &c, &count, &code, &val)) > 0) {
		if (!p || cur_left(&val) < 8)
			continue;
		switch (code) {
		case ISB_IFDROP:
			cur_u32_order(&val, s->big_endian,
				      s->big_endian ? &hi : &lo);
			cur_u32_order(&val, s->big_endian,
				      s->big_endian ? &lo : &hi);
			/* counters since the start: the last ISB wins */
			p->capture_drops = (uint64_t)hi << 32 | lo;
			p->capture_drops_known = true;
			break;
		case ISB_STARTTIME:
		case ISB_ENDTIME:
			/* timestamps: high word first, whatever the order */
			cur_u32_order(&val, s->big_endian, &hi);
			cur_u32_order(&val, s->big_endian, &lo);
			if (code == ISB_STARTTIME)
				start = rd_ts_to_ns(ifc, (uint64_t)hi << 32 | lo);
			else
				end = rd_ts_to_ns(ifc, (uint64_t)hi << 32 | lo);
			break;
		}
	}
	/* one window per ISB: a hole between two of a point is a gap */
	if (p && ret >= 0 && (start || end))
		point_add_window(p, start, end);
	return ret;
}

/*
 * A Custom Block: dropspot's host-state snapshot when its enterprise
 * number and magic say so (every other one is skipped, as the format
 * wants).  Its text is untrusted and parsed by hs_parse(), bounded; a
 * snapshot that does not parse is left out, never an error: the packets
 * stay readable.
 */
static int read_custom(struct source *s, const struct block *b)
{
	struct cursor c = b->body;
	uint32_t pen;

	if (!cur_u32_order(&c, s->big_endian, &pen) || pen != HS_PCAPNG_PEN)
		return 0;
	if (!s->state) {
		s->state = malloc(sizeof(*s->state));
		if (!s->state)
			return 0;
		hs_init(s->state);
	}
	hs_parse(s->state, cur_peek(&c, 0), cur_left(&c));
	return 0;
}

const struct host_state *source_host_state(const struct source *s)
{
	return s->state && s->state->n ? s->state : NULL;
}

void source_host_state_free(struct source *s)
{
	if (s->state)
		hs_free(s->state);
	free(s->state);
	s->state = NULL;
}

static int pcapng_read(struct source *s, struct frame *f,
		       struct rd_iface **ifc)
{
	struct block b;
	int ret;

	for (;;) {
		ret = next_block(s, &b);
		if (ret <= 0)
			return ret;
		switch (b.type) {
		case PCAPNG_SHB_TYPE:
			ret = read_shb(s, &b);
			break;
		case BT_IDB:
			ret = read_idb(s, &b);
			break;
		case BT_EPB:
			ret = read_epb(s, &b, f, ifc);
			return ret ? ret : 1;
		case BT_SPB:
			ret = read_spb(s, &b, f, ifc);
			return ret ? ret : 1;
		case BT_PB:
			ret = read_pb(s, &b, f, ifc);
			return ret ? ret : 1;
		case BT_ISB:
			ret = read_isb(s, &b);
			break;
		case HS_PCAPNG_BLOCK:
			ret = read_custom(s, &b);
			break;
		default:	/* NRB, DSB, other custom, unknown: not needed */
			ret = 0;
			break;
		}
		/* SHB, IDB, ISB, custom: they may change points (point.h) */
		s->points->gen++;
		if (ret)
			return ret;
	}
}

int pcapng_open(struct source *s)
{
	struct block b;
	int ret;

	s->read = pcapng_read;
	s->in_place = input_in_place(s->in);
	ret = next_block(s, &b);
	if (ret == 0)
		return rd_truncated(s, "section header block", 0, 12, 0);
	if (ret < 0)
		return ret;
	return read_shb(s, &b);
}
