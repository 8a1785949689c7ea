/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one ABI between the kernel programs and user space (DESIGN.md practice
 * 1): fixed-width fields, largest first, explicit padding, every record
 * zeroed before it is submitted.  Included by the bpf/ programs and capture/.
 */
#ifndef DROPSPOT_BPF_ABI_H
#define DROPSPOT_BPF_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define DROPSPOT_ABI_VERSION 1

/* Where a record was taken (struct ds_record.hook). */
enum ds_hook {
	DS_HOOK_XDP = 1,
	DS_HOOK_TC_INGRESS = 2,
	DS_HOOK_TC_EGRESS = 3,
	DS_HOOK_TP_IN = 4,	/* tp_btf/netif_receive_skb */
	DS_HOOK_TP_OUT = 5,	/* tp_btf/net_dev_queue */
};

/* Direction of a record (struct ds_record.dir); equals enum direction. */
enum ds_dir {
	DS_DIR_IN = 1,
	DS_DIR_OUT = 2,
};

/* struct ds_record.flags */
#define DS_REC_F_HW_VLAN 0x1	/* vlan_tci/vlan_proto: tag the NIC stripped */

/*
 * One captured frame.  The record in the ring is this header followed by
 * data_room bytes of which the first cap_len are the frame's bytes; the
 * rest of the room is unspecified and must not be read.
 */
struct ds_record {
	__u64 ts_ns;		/* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u32 point_id;		/* "points" map value of the device */
	__u32 ifindex;		/* ctx ingress/skb ifindex */
	__u32 wire_len;		/* frame length on the wire (without hw tag) */
	__u32 cap_len;		/* bytes in data, <= wire_len, <= data_room */
	__u32 data_room;	/* bytes reserved after the header */
	__u16 vlan_tci;		/* host order, valid with DS_REC_F_HW_VLAN */
	__u16 vlan_proto;	/* host order, valid with DS_REC_F_HW_VLAN */
	__u8 hook;		/* enum ds_hook */
	__u8 dir;		/* enum ds_dir */
	__u8 flags;		/* DS_REC_F_* */
	__u8 version;		/* DROPSPOT_ABI_VERSION */
	__u32 pad;		/* explicit: keeps data 8-byte aligned */
	__u8 data[];
};

/* Largest snap length the programs honour (jumbo frame + 2 tags). */
#define DS_SNAPLEN_MAX 9216
#define DS_SNAPLEN_DEFAULT DS_SNAPLEN_MAX

/* In-kernel filter modes (.rodata cfg_filter). */
enum ds_filter_mode {
	DS_FILTER_DEFAULT = 0,	/* ARP, ICMP, ICMPv6 (+ hosts map) */
	DS_FILTER_ALL_IP = 1,	/* ARP and every IPv4/IPv6 packet */
	DS_FILTER_ALL = 2,	/* every frame */
};

/*
 * Key of the "points" map (value: __u32 point id, the loader's index): the
 * device a program runs on, by the inode of its netns (ns.inum, st_ino of
 * /proc/PID/ns/net) and its ifindex, unique only within that netns.  One
 * entry per watched interface; the hook (XDP, TC in, TC out) is in the
 * record, so both directions of an interface share it.
 */
struct ds_point_key {
	__u32 netns_ino;
	__u32 ifindex;
};

/* Per-CPU counters (map "stats"), DS_STAT_MAX per point: the counter of
 * point p is at index p * DS_STAT_MAX + counter. */
enum ds_stat {
	DS_STAT_SENT = 0,	/* records submitted */
	DS_STAT_LOST = 1,	/* bpf_ringbuf_reserve failed: event lost */
	DS_STAT_LOAD_ERR = 2,	/* packet bytes could not be read */
	DS_STAT_MAX = 3,
};

/* Per-CPU counters of the session (map "misc_stats"). */
enum ds_misc_stat {
	DS_MISC_UNKNOWN_DEV = 0,	/* wanted frame of a device not in "points" */
	DS_MISC_MAX = 1,
};

/*
 * Key of the "hosts" map: an IPv6 address, or an IPv4 address mapped as
 * ::ffff:a.b.c.d.  Packets from or to a listed address are sent up in any
 * filter mode.
 */
struct ds_host_key {
	__u8 addr[16];
};

#define DS_HOSTS_MAX 64

/* ------------------------------------------------------------------------
 * Kernel drop records (bpf/drops.bpf.c, tp_btf/kfree_skb -> capture/drops.c)
 * Own maps ("drop_ring", "drop_stats", "drop_reasons"), own object: nothing
 * here is shared with the capture programs above except enum ds_filter_mode
 * (same meaning: DEFAULT = ARP/ICMP/ICMPv6, ALL_IP, ALL).
 * ------------------------------------------------------------------------ */

#define DS_DROP_ABI_VERSION 2

/*
 * Bytes copied from the network header: enough to fingerprint a probe, its
 * IP and ICMP headers and a default ping's 56 bytes of echo data, also when
 * it is encapsulated (IPv6 underlay + UDP + VXLAN/Geneve + Ethernet + IPv4 +
 * ICMP + 56 = 154 bytes).
 */
#define DS_DROP_DATA_MAX 192

/* struct ds_drop_record.flags */
#define DS_DROP_F_NO_DEV 0x1		/* skb->dev NULL: ifindex unknown */
#define DS_DROP_F_NETNS_FROM_SK 0x2	/* netns taken from skb->sk */
#define DS_DROP_F_NO_NETHDR 0x4		/* network header not set: no data */
#define DS_DROP_F_NO_REASON 0x8		/* kernel without the reason argument */
#define DS_DROP_F_CLONED 0x10		/* skb->cloned: a copy went elsewhere (raw
				 * socket, packet tap) before the drop */

/*
 * One dropped skb.  Fixed size; data holds cap_len bytes starting at the
 * skb's network header, wire_len is what the skb had from there (skb->len
 * based), so cap_len < wire_len means "snapped".
 */
struct ds_drop_record {
	__u64 ts_ns;		/* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u64 location;		/* kernel text address that freed the skb */
	__u32 reason;		/* enum skb_drop_reason, raw (may be subsys-encoded) */
	__u32 ifindex;		/* skb->dev->ifindex, 0 if no device */
	__u32 netns_ino;	/* ns.inum of the device's (or socket's) netns */
	__u32 wire_len;		/* bytes from the network header to skb end */
	__u32 cap_len;		/* bytes in data, <= wire_len, <= DS_DROP_DATA_MAX */
	__u16 protocol;		/* skb->protocol, host order (ETH_P_*) */
	__u8 pkt_type;		/* skb->pkt_type (PACKET_HOST, ...) */
	__u8 flags;		/* DS_DROP_F_* */
	__u8 version;		/* DS_DROP_ABI_VERSION */
	__u8 pad[7];		/* explicit: keeps data 8-byte aligned */
	__u8 data[DS_DROP_DATA_MAX];
};

/* Per-CPU counters (map "drop_stats"). */
enum ds_drop_stat {
	DS_DROP_STAT_SEEN = 0,		/* kfree_skb events with a drop reason */
	DS_DROP_STAT_SENT = 1,		/* records submitted */
	DS_DROP_STAT_LOST = 2,		/* bpf_ringbuf_reserve failed */
	DS_DROP_STAT_READ_ERR = 3,	/* skb fields/bytes unreadable */
	DS_DROP_STAT_MAX = 4,
};

/* Per-CPU count of every drop by reason (map "drop_reasons"), filtered or
 * not, so unrelated drops can be summarised.  Reasons >= this (subsystem
 * encoded ones) all count in the last slot. */
#define DS_DROP_REASON_SLOTS 256

#endif /* DROPSPOT_BPF_ABI_H */
