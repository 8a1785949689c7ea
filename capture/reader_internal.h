/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the file readers (pcap.c, pcapng.c) share with source.c.  Not a
 * public API: only capture/ file-reader code includes it.
 */
#ifndef DROPSPOT_READER_INTERNAL_H
#define DROPSPOT_READER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "input.h"
#include "common/point.h"
#include "source.h"

/*
 * libpcap's MAXIMUM_SNAPLEN: no capture tool writes a bigger packet, so a
 * larger captured length means a corrupt or hostile file.
 */
#define RD_MAX_CAPLEN (256u * 1024)
/* Largest pcapng block accepted: bounds the read window. */
#define RD_MAX_BLOCK (16u * 1024 * 1024)
/*
 * Points one source may create (pcapng interfaces over all sections plus
 * SLL2 interface indexes): bounds memory on hostile input while leaving room
 * for a host with thousands of veths.
 */
#define RD_MAX_POINTS 4096
/* Options walked in one block: every loop over file data is capped. */
#define RD_MAX_OPTIONS 4096

/* SLL2 interface index -> point, kept sorted by ifindex. */
struct rd_ifx {
	uint32_t ifindex;
	uint32_t point;
};

/* One interface of the file: the pcap file itself, or one pcapng IDB. */
struct rd_iface {
	uint32_t point;		/* its own point */
	uint32_t file_if;	/* interface id in its section */
	int linktype;
	uint32_t snaplen;
	/* timestamp units -> ns: pow2 ? (ts * 1e9) >> shift : ts * mul / div */
	bool ts_pow2;
	uint8_t ts_shift;
	uint64_t ts_mul, ts_div;
	int64_t ts_offset_s;	/* if_tsoffset, seconds */
	bool kernel_drops;	/* dropspot's "kernel-drops" pseudo interface */
	bool own_desc;		/* described by dropspot's writer */

	struct rd_ifx *ifx;	/* SLL2 sub-points */
	size_t n_ifx, cap_ifx;
	size_t last_ifx;	/* index of the last hit, a cheap cache */
};

enum rd_format {
	RD_PCAP,
	RD_PCAPNG,
};

struct source {
	struct input *in;
	struct point_table *points;
	char path[POINT_SOURCE_MAX];	/* as given: what messages name */
	char base[POINT_SOURCE_MAX];	/* basename: what point names start with */
	enum rd_format fmt;
	int (*read)(struct source *s, struct frame *f, struct rd_iface **ifc);

	uint64_t number;	/* frames returned */
	int status;		/* 0 reading, 1 clean end, < 0 failed */
	char err[SOURCE_ERR_MAX];
	uint32_t n_points;	/* points this source created */

	/* interfaces of the current pcapng section (pcap: exactly one) */
	struct rd_iface *ifs;
	size_t n_ifs, cap_ifs;
	unsigned int section;	/* pcapng: sections seen, 1-based */
	char comment[512];	/* the first section's opt_comment, "" if none */
	/* the host of the current section's points, "" unknown (point.h) */
	char host[POINT_HOST_MAX];
	bool host_given;	/* source_set_host(): sections do not change it */
	/* dropspot's host-state snapshot (hoststate.h), NULL if none */
	struct host_state *state;

	/* format state */
	bool in_place;		/* input_in_place(in): a block is peeked whole */
	bool big_endian;
	bool pcap_nsec;
};

/* Sets the error message (first one wins) and returns -EINVAL. */
int rd_fail(struct source *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The standard "truncated" error: "FILE: truncated WHAT at offset N (needs
 * X bytes, Y left)", or the input's own reason when the stream broke
 * (gzip cut short, read error).  Returns a negative code.
 */
int rd_truncated(struct source *s, const char *what, uint64_t off,
		 uint64_t need, uint64_t have);

/*
 * Adds an interface with its point.  name_suffix: NULL for "<base>",
 * otherwise "<base>:<suffix>".  Returns the interface or NULL (error set).
 */
struct rd_iface *rd_add_iface(struct source *s, const char *name_suffix,
			      const char *ifname, int linktype,
			      uint32_t snaplen, uint32_t file_if);
/* Refreshes the point's tsresol_ns after the resolution was set. */
void rd_iface_update_point(struct source *s, struct rd_iface *ifc);
/*
 * Marks ifc as the pseudo interface of kernel drop records written by
 * dropspot (pcapng IDB named DROPS_IF_NAME, SLL2): its frames carry
 * FRAME_F_KERNEL_DROP and its point is the kernel-drops point.
 */
void rd_iface_kernel_drops(struct source *s, struct rd_iface *ifc);
/* Drops the interfaces of a finished pcapng section (points stay). */
void rd_end_section(struct source *s);

/* Sets the 10^-exp / 2^-exp timestamp resolution; false if unsupported. */
bool rd_set_tsresol(struct rd_iface *ifc, uint8_t tsresol);
uint64_t rd_ts_to_ns(const struct rd_iface *ifc, uint64_t ts);

/* Copies an untrusted string, replacing control bytes, always terminated. */
void rd_copy_name(char *dst, size_t dstlen, const uint8_t *src, size_t len);

int pcap_open(struct source *s, uint32_t magic);
int pcapng_open(struct source *s);

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAPNG_SHB_TYPE 0x0a0d0d0au

#endif /* DROPSPOT_READER_INTERNAL_H */
