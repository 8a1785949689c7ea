// SPDX-License-Identifier: GPL-2.0
/*
 * File sources: opening (format recognised by content), the parts shared by
 * the pcap and pcapng readers (interfaces, points, timestamps, errors), and
 * what happens to every frame on its way out: Linux cooked headers give the
 * direction, SLL2 interface indexes split a "-i any" capture into one point
 * per real interface, and the point counters are updated.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cursor.h"
#include "common/hoststate.h"
#include "linktype.h"
#include "reader_internal.h"

int rd_fail(struct source *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->status < 0)
		return s->status;
	n = snprintf(s->err, sizeof(s->err), "%s: ", s->path);
	if (n < 0 || (size_t)n >= sizeof(s->err))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(s->err + n, sizeof(s->err) - (size_t)n, fmt, ap);
	va_end(ap);
	s->status = -EINVAL;
	return s->status;
}

int rd_truncated(struct source *s, const char *what, uint64_t off,
		 uint64_t need, uint64_t have)
{
	const char *why = input_error(s->in);

	if (why)
		return rd_fail(s, "%s in %s at offset %llu", why, what,
			       (unsigned long long)off);
	return rd_fail(s, "truncated %s at offset %llu (needs %llu bytes, %llu left)",
		       what, (unsigned long long)off, (unsigned long long)need,
		       (unsigned long long)have);
}

void rd_copy_name(char *dst, size_t dstlen, const uint8_t *src, size_t len)
{
	size_t i, n = 0;

	if (!dstlen)
		return;
	for (i = 0; i < len && n + 1 < dstlen; i++) {
		uint8_t ch = src[i];

		if (ch == 0)	/* strings may be NUL-padded */
			break;
		/* names end up in TSV and terminal output: no control bytes */
		dst[n++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
	}
	dst[n] = '\0';
}

static bool name_taken(const struct point_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		if (strcmp(t->items[i].name, name) == 0)
			return true;
	return false;
}

/*
 * Point names must be unique in the table: two files with the same basename,
 * or two pcapng sections naming the same interface, get "#2", "#3"...
 * Past "#9" the suffix jumps to the table size, so a hostile file repeating
 * one name thousands of times costs a few scans per point, not thousands.
 */
static void unique_name(const struct point_table *t, char *name, size_t len)
{
	char base[POINT_NAME_MAX];
	unsigned int i, tries;

	if (!name_taken(t, name))
		return;
	snprintf(base, sizeof(base), "%s", name);
	for (tries = 0, i = 2; tries < 100; tries++, i++) {
		if (tries == 8)
			i = (unsigned int)t->count + 1;
		snprintf(name, len, "%.110s#%u", base, i);
		if (!name_taken(t, name))
			return;
	}
}

static int add_point(struct source *s, const struct point *tmpl, uint32_t *id)
{
	struct point p = *tmpl;
	int ret;

	if (s->n_points >= RD_MAX_POINTS)
		return rd_fail(s, "too many interfaces (limit %u)", RD_MAX_POINTS);
	unique_name(s->points, p.name, sizeof(p.name));
	ret = point_table_add(s->points, &p);
	if (ret < 0)
		return rd_fail(s, "out of memory adding a point");
	s->n_points++;
	*id = (uint32_t)ret;
	return 0;
}

bool rd_set_tsresol(struct rd_iface *ifc, uint8_t tsresol)
{
	uint8_t exp = tsresol & 0x7f;
	uint64_t p10 = 1;
	unsigned int i;

	if (tsresol & 0x80) {
		/* 2^-exp seconds; beyond 2^-63 a u64 cannot count a second */
		if (exp > 63)
			return false;
		ifc->ts_pow2 = true;
		ifc->ts_shift = exp;
		return true;
	}
	/* 10^-exp seconds; 10^19 is the largest power of ten in a u64 */
	if (exp > 19)
		return false;
	for (i = 0; i < (exp <= 9 ? 9u - exp : exp - 9u); i++)
		p10 *= 10;
	ifc->ts_pow2 = false;
	ifc->ts_mul = exp <= 9 ? p10 : 1;
	ifc->ts_div = exp <= 9 ? 1 : p10;
	return true;
}

/* Unsigned arithmetic throughout: absurd values wrap, never trap. */
uint64_t rd_ts_to_ns(const struct rd_iface *ifc, uint64_t ts)
{
	uint64_t ns;

	if (ifc->ts_pow2)
		ns = (uint64_t)(((unsigned __int128)ts * 1000000000u) >>
				ifc->ts_shift);
	else if (ifc->ts_div == 1)	/* us, ns, ms: no 64-bit divisions */
		ns = ts * ifc->ts_mul;
	else
		ns = ts / ifc->ts_div * ifc->ts_mul +
		     ts % ifc->ts_div * ifc->ts_mul / ifc->ts_div;
	return ns + (uint64_t)ifc->ts_offset_s * 1000000000u;
}

static uint32_t tsresol_ns(const struct rd_iface *ifc)
{
	uint64_t ns;

	if (ifc->ts_pow2)
		ns = ifc->ts_shift < 30 ? 1000000000u >> ifc->ts_shift : 0;
	else
		ns = ifc->ts_div > 1 ? 0 : ifc->ts_mul;
	if (ns > UINT32_MAX)	/* units coarser than 4 s: informative only */
		ns = UINT32_MAX;
	return ns ? (uint32_t)ns : 1;
}

struct rd_iface *rd_add_iface(struct source *s, const char *name_suffix,
			      const char *ifname, int linktype,
			      uint32_t snaplen, uint32_t file_if)
{
	struct rd_iface *ifc;
	struct point p;

	if (s->n_ifs == s->cap_ifs) {
		size_t ncap = s->cap_ifs ? s->cap_ifs * 2 : 4;
		struct rd_iface *n = realloc(s->ifs, ncap * sizeof(*n));

		if (!n) {
			rd_fail(s, "out of memory adding an interface");
			return NULL;
		}
		s->ifs = n;
		s->cap_ifs = ncap;
	}
	ifc = &s->ifs[s->n_ifs];
	memset(ifc, 0, sizeof(*ifc));
	ifc->file_if = file_if;
	ifc->linktype = linktype;
	ifc->snaplen = snaplen;
	rd_set_tsresol(ifc, 6);

	memset(&p, 0, sizeof(p));
	if (name_suffix)
		snprintf(p.name, sizeof(p.name), "%.60s:%.66s", s->base,
			 name_suffix);
	else
		snprintf(p.name, sizeof(p.name), "%.127s", s->base);
	snprintf(p.ifname, sizeof(p.ifname), "%s", ifname ? ifname : "");
	snprintf(p.source, sizeof(p.source), "%s", s->path);
	snprintf(p.host, sizeof(p.host), "%s", s->host);
	p.section = s->section;
	p.file_if = file_if;
	p.linktype = linktype;
	linktype_name(linktype, p.linktype_name, sizeof(p.linktype_name));
	p.snaplen = snaplen;
	p.tsresol_ns = tsresol_ns(ifc);
	p.hook = HOOK_FILE;
	if (add_point(s, &p, &ifc->point))
		return NULL;
	s->n_ifs++;
	return ifc;
}

void rd_iface_update_point(struct source *s, struct rd_iface *ifc)
{
	struct point *p = point_get(s->points, ifc->point);

	if (p)
		p->tsresol_ns = tsresol_ns(ifc);
}

void rd_iface_kernel_drops(struct source *s, struct rd_iface *ifc)
{
	struct point *p = point_get(s->points, ifc->point);

	ifc->kernel_drops = true;
	if (p) {
		p->kind = POINT_KIND_KERNEL;
		p->hook = HOOK_KFREE_SKB;
	}
}

void rd_end_section(struct source *s)
{
	size_t i;

	for (i = 0; i < s->n_ifs; i++)
		free(s->ifs[i].ifx);
	s->n_ifs = 0;
}

/* Finds or creates the point of one SLL2 interface index. */
static int sll2_point(struct source *s, struct rd_iface *ifc,
		      uint32_t ifindex, uint32_t *id)
{
	size_t lo = 0, hi = ifc->n_ifx, mid;
	const struct point *base;
	struct point p;
	int ret;

	if (ifc->last_ifx < ifc->n_ifx &&
	    ifc->ifx[ifc->last_ifx].ifindex == ifindex) {
		*id = ifc->ifx[ifc->last_ifx].point;
		return 0;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ifc->ifx[mid].ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ifc->n_ifx && ifc->ifx[lo].ifindex == ifindex) {
		ifc->last_ifx = lo;
		*id = ifc->ifx[lo].point;
		return 0;
	}
	if (ifc->n_ifx == ifc->cap_ifx) {
		size_t ncap = ifc->cap_ifx ? ifc->cap_ifx * 2 : 8;
		struct rd_ifx *n = realloc(ifc->ifx, ncap * sizeof(*n));

		if (!n)
			return rd_fail(s, "out of memory adding a point");
		ifc->ifx = n;
		ifc->cap_ifx = ncap;
	}
	base = point_get_const(s->points, ifc->point);
	p = *base;
	p.id = 0;
	p.ifname[0] = '\0';	/* the index is known, the name is not */
	p.ifindex = ifindex;
	p.frames = p.bytes = p.snapped = p.frames_in = p.frames_out = 0;
	p.capture_drops = 0;
	p.capture_drops_known = false;
	snprintf(p.name, sizeof(p.name), "%.100s:ifindex%u", s->base, ifindex);
	ret = add_point(s, &p, id);
	if (ret)
		return ret;
	memmove(&ifc->ifx[lo + 1], &ifc->ifx[lo],
		(ifc->n_ifx - lo) * sizeof(ifc->ifx[0]));
	ifc->ifx[lo].ifindex = ifindex;
	ifc->ifx[lo].point = *id;
	ifc->n_ifx++;
	ifc->last_ifx = lo;
	return 0;
}

/* Linux packet types (PACKET_HOST...) as SLL and SLL2 carry them. */
static uint8_t pkttype_dir(uint16_t pkttype)
{
	if (pkttype <= 3)	/* host, broadcast, multicast, otherhost */
		return DIR_IN;
	if (pkttype == 4)	/* outgoing */
		return DIR_OUT;
	return DIR_UNKNOWN;
}

/* Point, direction and counters of a frame the format reader produced. */
static int finish_frame(struct source *s, struct rd_iface *ifc,
			struct frame *f)
{
	uint32_t id = ifc->point;
	struct cursor c;
	struct point *p;

	cur_init(&c, f->data, f->caplen, f->wirelen);
	if (ifc->kernel_drops) {
		/*
		 * A drop record, as the live path hands it on: one point for
		 * all drops (the SLL2 ifindex is where it died, not a point),
		 * no direction.  The comment carries the rest (drop_event.h).
		 */
		f->flags |= FRAME_F_KERNEL_DROP;
		f->dir = DIR_UNKNOWN;
	} else if (f->linktype == LINKTYPE_LINUX_SLL2) {
		uint32_t ifindex;
		uint8_t pkttype;

		/* SLL2: protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1) */
		if (cur_skip(&c, 4) && cur_be32(&c, &ifindex)) {
			int ret = sll2_point(s, ifc, ifindex, &id);

			if (ret)
				return ret;
		}
		if (cur_skip(&c, 2) && cur_u8(&c, &pkttype) && !f->dir)
			f->dir = pkttype_dir(pkttype);
	} else if (f->linktype == LINKTYPE_LINUX_SLL) {
		uint16_t pkttype;

		if (cur_be16(&c, &pkttype) && !f->dir)
			f->dir = pkttype_dir(pkttype);
	}

	f->point = id;
	f->number = ++s->number;
	p = point_get(s->points, id);
	if (p) {
		p->frames++;
		p->bytes += f->wirelen;
		if (f->caplen < f->wirelen)
			p->snapped++;
		if (f->dir == DIR_IN)
			p->frames_in++;
		else if (f->dir == DIR_OUT)
			p->frames_out++;
	}
	return 0;
}

int source_next(struct source *s, struct frame *f)
{
	struct rd_iface *ifc = NULL;
	int ret;

	if (s->status)
		return s->status > 0 ? 0 : s->status;
	memset(f, 0, sizeof(*f));
	ret = s->read(s, f, &ifc);
	if (ret <= 0) {
		if (ret == 0)
			s->status = 1;
		else if (s->status >= 0)	/* reader forgot the message */
			rd_fail(s, "read error at offset %llu",
				(unsigned long long)input_offset(s->in));
		return ret < 0 ? s->status : 0;
	}
	ret = finish_frame(s, ifc, f);
	return ret ? ret : 1;
}

static void set_names(struct source *s, const char *path, bool is_stdin)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;

	/* messages and point sources say "stdin" rather than "-" */
	if (is_stdin)
		path = base = "stdin";
	else if (!*base)	/* "dir/": name it by the whole path */
		base = path;
	snprintf(s->path, sizeof(s->path), "%s", path);
	snprintf(s->base, sizeof(s->base), "%s", base);
}

/* Recognises the format by its first four bytes and reads the header. */
static int open_common(struct source *s, char *err, size_t errlen)
{
	const uint8_t *p;
	struct cursor c;
	uint32_t magic_be = 0;
	size_t got;
	int ret;

	got = input_peek(s->in, 4, &p);
	if (got < 4) {
		const char *why = input_error(s->in);

		if (why)
			snprintf(err, errlen, "%s: %s", s->path, why);
		else
			snprintf(err, errlen,
				 "%s: not a capture file (only %zu bytes)",
				 s->path, got);
		return -EINVAL;
	}
	cur_init(&c, p, 4, 4);
	cur_be32(&c, &magic_be);
	if (magic_be == PCAPNG_SHB_TYPE) {
		s->fmt = RD_PCAPNG;
		ret = pcapng_open(s);
	} else if (magic_be == PCAP_MAGIC_US || magic_be == PCAP_MAGIC_NS ||
		   __builtin_bswap32(magic_be) == PCAP_MAGIC_US ||
		   __builtin_bswap32(magic_be) == PCAP_MAGIC_NS) {
		s->fmt = RD_PCAP;
		ret = pcap_open(s, magic_be);
	} else {
		snprintf(err, errlen,
			 "%s: not a capture file (unknown magic 0x%08x)",
			 s->path, magic_be);
		return -EINVAL;
	}
	if (ret) {
		snprintf(err, errlen, "%s", s->err);
		return ret;
	}
	return 0;
}

static int source_alloc(struct point_table *points, struct source **out)
{
	struct source *s = calloc(1, sizeof(*s));

	*out = s;
	if (!s)
		return -ENOMEM;
	s->points = points;
	return 0;
}

int source_open_file(const char *path, struct point_table *points,
		     struct source **out, char *err, size_t errlen)
{
	struct source *s;
	int ret;

	*out = NULL;
	if (source_alloc(points, &s)) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	set_names(s, path, strcmp(path, "-") == 0);
	ret = input_open_path(path, &s->in, err, errlen);
	if (ret)
		goto fail;
	ret = open_common(s, err, errlen);
	if (ret)
		goto fail;
	*out = s;
	return 0;
fail:
	source_close(s);
	return ret;
}

int source_open_memory(const void *buf, size_t len, const char *name,
		       struct point_table *points, struct source **out,
		       char *err, size_t errlen)
{
	struct source *s;
	int ret;

	*out = NULL;
	if (source_alloc(points, &s)) {
		snprintf(err, errlen, "%s: %s", name, strerror(ENOMEM));
		return -ENOMEM;
	}
	set_names(s, name ? name : "memory", false);
	ret = input_open_memory(buf, len, &s->in);
	if (ret) {
		snprintf(err, errlen, "%s: %s", s->path, strerror(-ret));
		goto fail;
	}
	ret = open_common(s, err, errlen);
	if (ret)
		goto fail;
	*out = s;
	return 0;
fail:
	source_close(s);
	return ret;
}

const char *source_error(const struct source *s)
{
	return s->err[0] ? s->err : "";
}

const char *source_comment(const struct source *s)
{
	return s->comment;
}

void source_set_host(struct source *s, const char *host)
{
	size_t i;

	snprintf(s->host, sizeof(s->host), "%s", host);
	s->host_given = true;
	for (i = 0; i < s->points->count; i++)
		if (!strcmp(s->points->items[i].source, s->path))
			snprintf(s->points->items[i].host,
				 sizeof(s->points->items[i].host), "%s", host);
}

const char *source_host(const struct source *s)
{
	return s->host;
}

unsigned int source_section(const struct source *s)
{
	return s->section;
}

const char *source_path(const struct source *s)
{
	return s->path;
}

void source_close(struct source *s)
{
	if (!s)
		return;
	rd_end_section(s);
	source_host_state_free(s);
	free(s->ifs);
	input_close(s->in);
	free(s);
}
