/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netfilter attribution of a kernel drop (bpf/drops.bpf.c -> capture/drops.c).
 *
 * fentry/fexit on nft_do_chain and fexit on nft_immediate_eval note, for a
 * packet a base chain returns NF_DROP for, the table, the chain, the hook
 * and whether a rule (its handle, from the rule blob) or the chain's policy
 * said drop.  Kept in map "nft_by_skb" keyed by the skb; the kfree_skb
 * program that frees the same skb appends it to the drop record: such a
 * sample is struct ds_drop_record followed by struct ds_nft_info.
 *
 * Where fentry is not available (kernels or sandboxes that refuse tracing
 * trampolines) the kfree_skb program still appends the info for a
 * NETFILTER_DROP, with seen = 0 and the kernel stack of the free: its
 * caller of nf_hook_slow names the hook, nft_do_chain_<family> above it
 * (kernels whose nft_do_chain frees its own drops) nf_tables and the
 * table's family, a free in nf_hook_slow itself a hook function such as
 * x_tables' ipt_do_table; user space reads the chains registered there
 * from the ruleset (capture/nft_rules.c, docs/netfilter.md).
 */
#ifndef DROPSPOT_BPF_NFT_ABI_H
#define DROPSPOT_BPF_NFT_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define DS_NFT_NAME_MAX 64	/* table / chain name, NUL-terminated */
#define DS_NFT_STACK_MAX 12	/* kernel frames kept for a NETFILTER_DROP */

/* struct ds_nft_info.by */
enum ds_nft_by {
	DS_NFT_BY_UNKNOWN = 0,	/* NF_DROP, neither a rule nor the policy seen */
	DS_NFT_BY_RULE = 1,	/* a rule's verdict (handle 0: not located) */
	DS_NFT_BY_POLICY = 2,	/* the base chain's policy */
};

struct ds_nft_info {
	__u64 handle;		/* rule handle, 0 = unknown */
	__u64 ts_ns;		/* when nft_do_chain returned NF_DROP */
	__u32 netns_ino;	/* netns of the hook (state->net) */
	__u8 family;		/* NFPROTO_* of the table */
	__u8 hook;		/* NF_INET_* hook number */
	__u8 by;		/* enum ds_nft_by */
	__u8 seen;		/* 1: the nft_do_chain programs filled it */
	char table[DS_NFT_NAME_MAX];
	char chain[DS_NFT_NAME_MAX];
	__u64 stack[DS_NFT_STACK_MAX];	/* bpf_get_stack() of the free */
	__u32 stack_len;	/* frames in stack */
	__u32 pad;
};

#endif /* DROPSPOT_BPF_NFT_ABI_H */
