// SPDX-License-Identifier: GPL-2.0
/*
 * Classic pcap: a 24-byte file header, then 16-byte record headers each
 * followed by caplen bytes.  Microsecond (a1b2c3d4) and nanosecond
 * (a1b23c4d) magic, either byte order.
 *
 * Hostile lengths, following libpcap where it has a rule:
 *  - caplen above 256 KiB (libpcap's MAXIMUM_SNAPLEN) is an error; libpcap
 *    also refuses it ("invalid packet capture length").
 *  - caplen above the header's snaplen but within 256 KiB is accepted as is
 *    (libpcap keeps the first snaplen bytes; we keep what the file has).
 *  - caplen above the wire length: the frame's wire length is raised to
 *    caplen, since bytes that were captured existed on the wire (the frame
 *    invariant wirelen >= caplen).  None of the usual tools rejects such a
 *    record: libpcap and tshark pass both values through unchanged, tcpdump
 *    prints "[Invalid header: len(60) < caplen(70)]" and goes on.  The same
 *    rule applies to pcapng packet blocks.
 *  - a header snaplen of 0 or above 256 KiB is reported as unknown (0).
 */
#include <stdio.h>

#include "common/cursor.h"
#include "reader_internal.h"

#define PCAP_FILE_HDR 24
#define PCAP_REC_HDR 16

static void pcap_frame(struct source *s, struct frame *f, const uint8_t *data,
		       uint32_t sec, uint32_t frac, uint32_t caplen,
		       uint32_t len, struct rd_iface **ifc)
{
	f->data = data;
	f->caplen = caplen;
	f->wirelen = len < caplen ? caplen : len;
	f->ts_ns = (uint64_t)sec * 1000000000u +
		   (s->pcap_nsec ? frac : (uint64_t)frac * 1000u);
	f->linktype = s->ifs[0].linktype;
	*ifc = &s->ifs[0];
}

/*
 * A mapped file or memory: everything left is there, so one peek shows the
 * header and the data.  A whole record of a sane length is taken here;
 * anything else goes the long way, which says what is wrong.
 */
static bool pcap_read_in_place(struct source *s, struct frame *f,
			       struct rd_iface **ifc)
{
	uint32_t sec, frac, caplen, len;
	const uint8_t *p;
	struct cursor c;
	size_t got = input_peek(s->in, PCAP_REC_HDR + RD_MAX_CAPLEN, &p);

	if (got < PCAP_REC_HDR)
		return false;
	cur_init(&c, p, PCAP_REC_HDR, PCAP_REC_HDR);
	cur_u32_order(&c, s->big_endian, &sec);
	cur_u32_order(&c, s->big_endian, &frac);
	cur_u32_order(&c, s->big_endian, &caplen);
	cur_u32_order(&c, s->big_endian, &len);
	if (caplen > RD_MAX_CAPLEN || got - PCAP_REC_HDR < caplen)
		return false;
	pcap_frame(s, f, p + PCAP_REC_HDR, sec, frac, caplen, len, ifc);
	input_skip(s->in, PCAP_REC_HDR + caplen);
	return true;
}

static int pcap_read(struct source *s, struct frame *f, struct rd_iface **ifc)
{
	uint32_t sec, frac, caplen, len, rec;
	uint64_t off;
	const uint8_t *p;
	struct cursor c;
	size_t got;

	if (s->in_place && pcap_read_in_place(s, f, ifc))
		return 1;
	off = input_offset(s->in);
	got = input_peek(s->in, PCAP_REC_HDR, &p);
	if (got < PCAP_REC_HDR) {
		if (got == 0 && !input_error(s->in))
			return 0;	/* clean end at a record boundary */
		return rd_truncated(s, "packet record header", off,
				    PCAP_REC_HDR, got);
	}
	cur_init(&c, p, PCAP_REC_HDR, PCAP_REC_HDR);
	cur_u32_order(&c, s->big_endian, &sec);
	cur_u32_order(&c, s->big_endian, &frac);
	cur_u32_order(&c, s->big_endian, &caplen);
	cur_u32_order(&c, s->big_endian, &len);
	if (caplen > RD_MAX_CAPLEN)
		return rd_fail(s, "packet record at offset %llu: captured length %u exceeds the maximum %u",
			       (unsigned long long)off, caplen, RD_MAX_CAPLEN);

	rec = PCAP_REC_HDR + caplen;
	got = input_peek(s->in, rec, &p);
	if (got < rec)
		return rd_truncated(s, "packet record", off, rec, got);
	cur_init(&c, p, rec, rec);
	cur_skip(&c, PCAP_REC_HDR);
	pcap_frame(s, f, cur_peek(&c, caplen), sec, frac, caplen, len, ifc);
	input_skip(s->in, rec);
	return 1;
}

int pcap_open(struct source *s, uint32_t magic_be)
{
	uint16_t major, minor;
	uint32_t zone, sigfigs, snaplen, linktype, magic;
	struct rd_iface *ifc;
	const uint8_t *p;
	struct cursor c;
	size_t got;

	s->big_endian = magic_be == PCAP_MAGIC_US || magic_be == PCAP_MAGIC_NS;
	got = input_peek(s->in, PCAP_FILE_HDR, &p);
	if (got < PCAP_FILE_HDR)
		return rd_truncated(s, "pcap file header", 0, PCAP_FILE_HDR,
				    got);
	cur_init(&c, p, PCAP_FILE_HDR, PCAP_FILE_HDR);
	cur_u32_order(&c, s->big_endian, &magic);
	cur_u16_order(&c, s->big_endian, &major);
	cur_u16_order(&c, s->big_endian, &minor);
	cur_u32_order(&c, s->big_endian, &zone);	/* always 0 in practice */
	cur_u32_order(&c, s->big_endian, &sigfigs);
	cur_u32_order(&c, s->big_endian, &snaplen);
	cur_u32_order(&c, s->big_endian, &linktype);
	if (major != 2)
		return rd_fail(s, "unsupported pcap version %u.%u at offset 4",
			       major, minor);
	input_skip(s->in, PCAP_FILE_HDR);

	s->pcap_nsec = magic == PCAP_MAGIC_NS;
	if (snaplen == 0 || snaplen > RD_MAX_CAPLEN)
		snaplen = 0;
	/* the upper 16 bits hold FCS length and reserved flags (LT_LINKTYPE) */
	ifc = rd_add_iface(s, NULL, "", (int)(linktype & 0xffff), snaplen, 0);
	if (!ifc)
		return s->status;
	rd_set_tsresol(ifc, s->pcap_nsec ? 9 : 6);
	rd_iface_update_point(s, ifc);
	s->in_place = input_in_place(s->in);
	s->read = pcap_read;
	return 0;
}
