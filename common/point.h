/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Points and frames: what every source (live ring, capture file) produces and
 * every later stage consumes.  A point is where a frame was seen; a frame is
 * raw bytes plus when, where and how much of it was captured.
 */
#ifndef DROPSPOT_POINT_H
#define DROPSPOT_POINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Link-layer types as stored in capture files (LINKTYPE_*, not DLT_*).
 * The raw IP values 12 and 14 are DLT_RAW of older writers that stored
 * their platform's DLT_ value (12 on most systems, 14 on OpenBSD and
 * BSD/OS); libpcap maps 12 to raw IP on Linux, Wireshark both.
 */
enum linktype {
	LINKTYPE_NULL = 0,		/* BSD loopback, host-order family */
	LINKTYPE_ETHERNET = 1,
	LINKTYPE_RAW_DLT12 = 12,
	LINKTYPE_RAW_DLT14 = 14,
	LINKTYPE_RAW = 101,
	LINKTYPE_LOOP = 108,		/* OpenBSD loopback, network order */
	LINKTYPE_LINUX_SLL = 113,
	LINKTYPE_IPV4 = 228,
	LINKTYPE_IPV6 = 229,
	LINKTYPE_LINUX_SLL2 = 276,
};

enum point_kind {
	POINT_KIND_UNKNOWN = 0,
	POINT_KIND_TAP,
	POINT_KIND_VETH,
	POINT_KIND_BRIDGE,
	POINT_KIND_BRIDGE_PORT,
	POINT_KIND_PHYSICAL,
	POINT_KIND_LOOPBACK,
	POINT_KIND_OTHER,
	POINT_KIND_KERNEL,	/* pseudo point: kernel drop records */
	POINT_KIND_SOCKET,	/* pseudo point: what trace's own socket received */
};

enum point_hook {
	HOOK_FILE = 0,
	HOOK_XDP,
	HOOK_TC_INGRESS,
	HOOK_TC_EGRESS,
	HOOK_KFREE_SKB,
	HOOK_SOCKET,		/* replies read from trace's probe socket */
	HOOK_TRACEPOINT,	/* netif_receive_skb + net_dev_queue */
};

enum direction {
	DIR_UNKNOWN = 0,
	DIR_IN = 1,	/* received by the interface (inbound) */
	DIR_OUT = 2,	/* sent by the interface (outbound) */
};

#define POINT_NAME_MAX 128
#define POINT_IFNAME_MAX 64
#define POINT_NETNS_MAX 128
#define POINT_SOURCE_MAX 256
#define POINT_HOST_MAX 64
#define POINT_GAPS_MAX 8

struct point {
	uint32_t id;				/* index in the point table */
	char name[POINT_NAME_MAX];		/* what reports print */
	char ifname[POINT_IFNAME_MAX];		/* interface name, "" if unknown */
	char netns[POINT_NETNS_MAX];		/* netns name, "" = host/unknown */
	char source[POINT_SOURCE_MAX];		/* file path or "live" */
	/*
	 * The host the point is on, "" unknown: the hostname dropspot writes
	 * into its captures' section header, or analyze --host NAME=FILE.
	 */
	char host[POINT_HOST_MAX];
	uint32_t section;			/* pcapng section, 1-based; 0 none */
	uint32_t ifindex;			/* 0 if unknown */
	uint32_t file_if;			/* pcapng interface id within source */
	int linktype;				/* LINKTYPE_* */
	/* libpcap's name of it in lower case, "" unknown (the reader's) */
	char linktype_name[32];
	uint32_t snaplen;			/* 0 if unknown */
	uint32_t tsresol_ns;			/* ns per timestamp unit, informative */
	enum point_kind kind;
	enum point_hook hook;

	/* counters filled as frames flow */
	uint64_t frames;
	uint64_t bytes;
	uint64_t snapped;		/* frames with caplen < wirelen */
	uint64_t frames_in, frames_out;
	uint64_t capture_drops;		/* lost by the capture (ISB ifdrop, ring) */
	bool capture_drops_known;
	/*
	 * When the point was watched (pcapng ISB isb_starttime/isb_endtime,
	 * or the live capture's own window); 0 when the source does not say.
	 * A known window turns "no frame here" into evidence of absence.
	 */
	uint64_t watch_start_ns, watch_end_ns;
	/*
	 * Directions a live capture could not watch here (POINT_BLIND_*): no
	 * hook would attach.  A blind point's silence is missing evidence,
	 * never evidence of absence.
	 */
	uint8_t blind;
	/*
	 * The bridge this point is a port of ("" none), when the capture
	 * knew (master_known: live, or a file dropspot wrote): which ports
	 * share one bridge, for MAC identity.
	 */
	char master[POINT_IFNAME_MAX];
	bool master_known;
	/*
	 * Interface churn: times inside the watch window when the interface
	 * was gone (deleted, not yet re-created), [gap_start, gap_end); an
	 * open gap (end 0) lasts until the interface comes back.  A probe
	 * then is missing evidence here, never evidence of absence.  A saved
	 * file tells them as one interface per window (pcapng IDBs of the
	 * same name and netns, each with its ISB start and end).  Beyond
	 * POINT_GAPS_MAX, the last gap stretches over the rest.
	 */
	uint64_t gap_start_ns[POINT_GAPS_MAX], gap_end_ns[POINT_GAPS_MAX];
	uint8_t n_gaps;
};

#define POINT_BLIND_IN 0x1
#define POINT_BLIND_OUT 0x2
#define POINT_BLIND_ALL (POINT_BLIND_IN | POINT_BLIND_OUT)

struct point_table {
	struct point *items;
	size_t count;
	size_t cap;
	/*
	 * Bumped by point_table_add and by the file readers whenever a
	 * block changes points (not for the per-frame counters): the
	 * threaded pipeline hands the engine a new copy when it moved.
	 */
	uint64_t gen;
};

void point_table_init(struct point_table *t);
void point_table_free(struct point_table *t);
/* Adds a copy of *tmpl, assigns its id and returns it, or -1 on ENOMEM. */
int point_table_add(struct point_table *t, const struct point *tmpl);
/* Points are addressed by id: the array may move when it grows. */
struct point *point_get(struct point_table *t, uint32_t id);
const struct point *point_get_const(const struct point_table *t, uint32_t id);
/*
 * When every point comes from one source (a multi-interface pcapng, a live
 * capture), the file name or netns in front of each point's name says
 * nothing: name each point by its interface alone, as tshark does, where
 * that name is unique, else NETNS/IFNAME.  Reports of the same scenario,
 * live or from files of other names, then agree.  The kernel-drop point
 * (which a live capture adds with a source of its own) does not count as
 * another source.
 */
void point_table_short_names(struct point_table *t);

/*
 * The interface of a "tcpdump -i any" capture (SLL2) whose frames all went
 * to per-ifindex points: no place on any path, never a watched point.
 */
bool point_is_sll2_parent(const struct point *pt);

/* Live churn: the interface went at ts (opens a gap) / came back. */
void point_gap_open(struct point *p, uint64_t ts);
void point_gap_close(struct point *p, uint64_t ts);
/*
 * Start of the current (or, while the interface is gone, the last) watch
 * window: the end of the last closed gap, 0 for the first window.
 */
uint64_t point_window_start(const struct point *p);
/*
 * The end of a live run at end_ns: the window ends then, or when the
 * interface went, if it never came back (the gap is then no gap, the
 * window simply ended earlier), as a saved file reads back.
 */
void point_windows_end(struct point *p, uint64_t end_ns);
/*
 * A saved file's window (ISB start and end) of one of the point's
 * interfaces: widens the point's window; a hole between it and the
 * windows before is a gap.
 */
void point_add_window(struct point *p, uint64_t start_ns, uint64_t end_ns);
/*
 * True when the point was not watched at some time in [from, to]: in a
 * gap, or after a window that ended early (its end is known and the
 * time is past it).
 */
bool point_unwatched_during(const struct point *p, uint64_t from, uint64_t to);

const char *point_kind_name(enum point_kind k);
/*
 * A point on the wire: not a pseudo point (kernel drop records, the probe
 * socket) nor the any-device parent of SLL2 interfaces.
 */
bool point_on_wire(const struct point *p);
const char *point_hook_name(enum point_hook h);
const char *direction_name(enum direction d);	/* "in", "out", "?" */

struct drop_event;

#define FRAME_F_HW_VLAN 0x1	/* hw_vlan_tci holds a tag the NIC stripped */
#define FRAME_F_KERNEL_DROP 0x2	/* a kfree_skb record, not a wire frame */
#define FRAME_F_REASSEMBLED 0x4	/* ipfrag's datagram, from its fragments */

struct frame {
	const uint8_t *data;	/* valid until the source's next read */
	uint32_t caplen;	/* bytes in data */
	uint32_t wirelen;	/* bytes on the wire, >= caplen */
	uint64_t ts_ns;		/* wall clock, ns since the Unix epoch */
	uint64_t number;	/* 1-based ordinal in its source */
	uint32_t point;		/* id in the point table */
	int linktype;		/* LINKTYPE_* of data */
	uint8_t dir;		/* enum direction */
	uint8_t flags;		/* FRAME_F_* */
	uint16_t hw_vlan_tci;
	const char *comment;	/* pcapng opt_comment or NULL; same lifetime */
	uint32_t comment_len;
	/*
	 * FRAME_F_KERNEL_DROP: the kernel's record, typed (common/drop_event.h);
	 * NULL for wire frames and for a drop record whose comment is not
	 * dropspot's.  Same lifetime as data.
	 */
	const struct drop_event *drop;
};

#endif /* DROPSPOT_POINT_H */
