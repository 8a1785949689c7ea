/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A kernel drop record after user space resolved it: when, why (reason id
 * and name from the running kernel's BTF), where (freeing address and its
 * symbol), on which device/netns, and the packet's first bytes.
 *
 * Plain C, no libbpf: the engine (analyze/) and the pcapng reader/writer can
 * use it.  The packet is handed on as a frame of LINKTYPE_LINUX_SLL2: a
 * synthesised 20-byte header (protocol, ifindex, pkt_type) followed by the
 * bytes from the network header.  SLL2 rather than LINKTYPE_RAW so ARP drops
 * decode too and the ifindex travels with the bytes; dissect_frame() decodes
 * it like any other frame.  Only cap_len bytes were copied: checksums and
 * the echo hash cover those (frame caplen < wirelen marks it snapped).
 *
 * A frame built from an event carries the event itself (frame.drop): the
 * engine reads the typed event, never text.  For pcapng storage the
 * metadata round-trips through a one-line comment (capture/drop_comment.h),
 * so a saved file carries everything the engine needs and tshark shows it
 * as the packet comment; the file reader decodes it back into frame.drop.
 */
#ifndef DROPSPOT_DROP_EVENT_H
#define DROPSPOT_DROP_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/point.h"

/* Name of the pseudo point / pcapng interface that carries drop records. */
#define DROPS_IF_NAME "kernel-drops"

#define DROP_DATA_MAX 192		/* == DS_DROP_DATA_MAX */
#define DROP_SLL2_HLEN 20
#define DROP_REASON_STR_MAX 64
#define DROP_SYMBOL_MAX 128
#define DROP_DEV_MAX 16			/* IF_NAMESIZE */
#define DROP_NETNS_MAX 64

/* struct drop_event.flags (same bits as DS_DROP_F_* in bpf/abi.h) */
#define DROP_F_NO_DEV 0x1		/* ifindex unknown */
#define DROP_F_NETNS_FROM_SK 0x2	/* netns from the socket, no device */
#define DROP_F_NO_NETHDR 0x4		/* no packet bytes */
#define DROP_F_NO_REASON 0x8		/* kernel reports no reason */
#define DROP_F_CLONED 0x10		/* a clone was delivered elsewhere first */

/*
 * Netfilter attribution (bpf/nft_abi.h): which nf_tables base chain returned
 * NF_DROP for the skb, and whether a rule or the chain's policy said so.
 */
#define DROP_NFT_NAME_MAX 64		/* table / chain, as the kernel's, cut */
#define DROP_NFT_RULE_MAX 192		/* rule text as nft -a list prints it */

enum drop_nft_by {
	DROP_NFT_NONE = 0,		/* no attribution */
	DROP_NFT_UNKNOWN = 1,		/* NF_DROP, rule or policy not seen */
	DROP_NFT_RULE = 2,
	DROP_NFT_POLICY = 3,
};

/* struct drop_nft.basis: how the chain and rule were told */
#define DROP_NFT_BASIS_KERNEL 0		/* seen in nft_do_chain (fentry) */
#define DROP_NFT_BASIS_COUNTERS 2	/* several candidates in the ruleset:
					 * the one whose counter grew (or the
					 * policy when no candidate counted) */
#define DROP_NFT_BASIS_RULESET 1	/* the hook from the kernel stack, the
					 * rule from the ruleset: the only drop
					 * rule (or the policy) there */

/*
 * struct drop_nft.xt: the iptables view of the same drop.  NFT: the table
 * is one iptables-nft manages (ip/ip6 filter, nat, mangle, raw, security),
 * xt_num / xt_rule name the rule as iptables-nft-save lists it; LEGACY: an
 * x_tables (iptables-legacy) table dropped it, not nf_tables: family,
 * table, chain, hook and by are its, handle is 0 and xt_num the rule's
 * number in its chain.
 */
enum drop_xt {
	DROP_XT_NONE = 0,
	DROP_XT_NFT = 1,
	DROP_XT_LEGACY = 2,
};

struct drop_nft {
	uint8_t by;			/* enum drop_nft_by; NONE = absent */
	uint8_t basis;			/* DROP_NFT_BASIS_* */
	uint8_t xt;			/* enum drop_xt */
	uint32_t xt_num;		/* iptables rule number, 0 = none */
	char xt_rule[DROP_NFT_RULE_MAX];	/* "-A FORWARD -s 10.0.0.2/32
						 * -j DROP", "" = not known */
	uint64_t handle;		/* rule handle, 0 = unknown */
	char family[8];			/* "inet", "ip", "ip6", "bridge"... */
	char hook[12];			/* "input", "forward"... */
	char table[DROP_NFT_NAME_MAX];
	char chain[DROP_NFT_NAME_MAX];
	char rule[DROP_NFT_RULE_MAX];	/* "" = not looked up / not found */
};

struct drop_event {
	uint64_t ts_ns;			/* wall clock, ns since the epoch */
	uint64_t location;		/* kernel address that freed the skb */
	uint32_t reason;		/* raw enum skb_drop_reason value */
	uint32_t ifindex;		/* 0 = unknown */
	uint32_t netns_ino;		/* netns inode (ls -L /proc/PID/ns/net), 0 = unknown */
	uint32_t wire_len;		/* packet bytes from the network header */
	uint32_t cap_len;		/* of which copied into data */
	uint16_t protocol;		/* ethertype (ETH_P_IP, ...) */
	uint8_t pkt_type;		/* PACKET_HOST, PACKET_OTHERHOST, ... */
	uint8_t flags;			/* DROP_F_* */
	char reason_name[DROP_REASON_STR_MAX];	/* "NETFILTER_DROP" */
	char symbol[DROP_SYMBOL_MAX];	/* "nf_hook_slow+0x9a" or "0xffff..." */
	/* the device by name, resolved while capturing; "" = not known */
	char dev[DROP_DEV_MAX];		/* "up2" */
	char dev_netns[DROP_NETNS_MAX];	/* "" = the capturer's own netns */
	uint8_t data[DROP_DATA_MAX];	/* from the network header */
	struct drop_nft nft;		/* by == DROP_NFT_NONE: none */
};

/* Bytes drop_event_frame needs in buf. */
#define DROP_FRAME_MAX (DROP_SLL2_HLEN + DROP_DATA_MAX)

/*
 * Builds the event's frame in buf (>= DROP_FRAME_MAX bytes): SLL2 header +
 * data.  f->data points into buf and f->drop to ev; the frame carries
 * FRAME_F_KERNEL_DROP, direction unknown and the given point.
 */
void drop_event_frame(const struct drop_event *ev, uint32_t point,
		      uint8_t *buf, struct frame *f);

/*
 * The function name alone ("nf_hook_slow" from "nf_hook_slow+0x9a"), into
 * buf.  Returns buf.
 */
const char *drop_event_function(const struct drop_event *ev, char *buf,
				size_t len);

/* Names of NFPROTO_* families and of their hooks, "" when unknown. */
const char *drop_nft_family_name(unsigned int family);
const char *drop_nft_hook_name(unsigned int family, unsigned int hook);
const char *drop_nft_by_name(unsigned int by);
/* "kernel", "ruleset", "counters", and back (unknown: kernel). */
const char *drop_nft_basis_name(unsigned int basis);
unsigned int drop_nft_basis_of(const char *name);

#endif /* DROPSPOT_DROP_EVENT_H */
