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
	__u32 point_id;		/* .rodata cfg_point_id of the program */
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

/* Per-CPU counters (map "stats"), one array per loaded point. */
enum ds_stat {
	DS_STAT_SENT = 0,	/* records submitted */
	DS_STAT_LOST = 1,	/* bpf_ringbuf_reserve failed: event lost */
	DS_STAT_LOAD_ERR = 2,	/* packet bytes could not be read */
	DS_STAT_MAX = 3,
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

#endif /* DROPSPOT_BPF_ABI_H */
