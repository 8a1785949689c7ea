// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel drop records: tp_btf/kfree_skb fires for every skb the kernel frees
 * as a drop (normal frees go to the consume_skb tracepoint instead).  For the
 * packets the capture cares about (ARP, ICMP, ICMPv6 by default) it sends
 * up the reason, the freeing address and the first bytes from the network
 * header, so user space can name the function and match the probe.
 *
 * Every skb field is read through CO-RE (vmlinux.h types carry
 * preserve_access_index), so offsets follow the running kernel.  tp_btf
 * arguments are trusted BTF pointers: plain dereferences are checked loads.
 *
 * Two programs, one chosen at load time by user space: with the reason
 * argument (>= 5.17) and without it (older kernels: every kfree_skb counts).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>

#include "abi.h"
#include "net_headers.h"
#include "nft_abi.h"

#define ETH_P_IP_ 0x0800
#define ETH_P_ARP_ 0x0806
#define ETH_P_IPV6_ 0x86dd
#define IPPROTO_ICMP_ 1
#define IPPROTO_ICMPV6_ 58

const volatile __u32 cfg_filter = DS_FILTER_DEFAULT;
const volatile __u32 cfg_snaplen = DS_DROP_DATA_MAX;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} drop_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DS_DROP_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} drop_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DS_DROP_REASON_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} drop_reasons SEC(".maps");

/* Netfilter attributions waiting for the kfree_skb of their skb. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct ds_nft_info);
} nft_by_skb SEC(".maps");

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&drop_stats, &idx);

	if (v)
		*v += 1;
}

static __always_inline void reason_inc(__u32 reason)
{
	__u32 slot = reason < DS_DROP_REASON_SLOTS ? reason :
						     DS_DROP_REASON_SLOTS - 1;
	__u64 *v = bpf_map_lookup_elem(&drop_reasons, &slot);

	if (v)
		*v += 1;
}

/* ICMPv6 may sit behind extension headers (MLD behind hop-by-hop). */
static __always_inline bool want_ipv6(const __u8 *nh, __u32 avail)
{
	struct ip6h ip;
	__u8 ext[2];
	__u32 off = sizeof(ip);
	__u8 next;
	int i;

	if (avail < sizeof(ip) || bpf_probe_read_kernel(&ip, sizeof(ip), nh))
		return false;
	next = ip.nexthdr;
	for (i = 0; i < 3; i++) {
		if (next == IPPROTO_ICMPV6_)
			return true;
		if (next != 0 && next != 43 && next != 44 && next != 60)
			return false;
		if (off + sizeof(ext) > avail ||
		    bpf_probe_read_kernel(ext, sizeof(ext), nh + off))
			return false;
		off += next == 44 ? 8 : ((__u32)ext[1] + 1) * 8;
		next = ext[0];
	}
	return next == IPPROTO_ICMPV6_;
}

/*
 * Tunnelled probes (issue 16): an underlay firewall dropping UDP 4789
 * drops the overlay's pings, and their records must come up.  The walk is
 * the capture filter's (tunnel_walk.h), over the skb's linear bytes.
 */
struct tun_src {
	const __u8 *nh;
	__u32 avail;
};

/* len bytes at nh + off into to, 0 when they are all there. */
static __always_inline int tun_read(const struct tun_src *s, __u32 off,
				    void *to, __u32 len)
{
	if (off > s->avail || len > s->avail - off)
		return -1;
	return bpf_probe_read_kernel(to, len, s->nh + off) ? -1 : 0;
}

#include "tunnel_walk.h"

static __always_inline bool drop_tunnel_wanted(const __u8 *nh, __u32 avail,
					       __u32 off, __u8 proto)
{
	struct tun_src s = { .nh = nh, .avail = avail };

	return tun_wanted(&s, off, proto);
}

/* An IPv6 datagram that is no bare ICMPv6: a tunnel right behind it? */
static __always_inline bool want_tunnel6(const __u8 *nh, __u32 avail)
{
	struct tun_src s = { .nh = nh, .avail = avail };
	struct ip6h ip;

	return !tun_read(&s, 0, &ip, sizeof(ip)) &&
	       tun_wanted(&s, sizeof(ip), ip.nexthdr);
}

static __always_inline bool want(__u16 proto, const __u8 *nh, __u32 avail)
{
	struct ip4h ip;

	if (cfg_filter == DS_FILTER_ALL)
		return true;
	if (proto == ETH_P_ARP_)
		return true;
	if (proto != ETH_P_IP_ && proto != ETH_P_IPV6_)
		return false;
	if (cfg_filter == DS_FILTER_ALL_IP)
		return true;
	if (!nh)
		return false;
	if (proto == ETH_P_IPV6_)
		return want_ipv6(nh, avail) || want_tunnel6(nh, avail);
	if (avail < sizeof(ip) || bpf_probe_read_kernel(&ip, sizeof(ip), nh))
		return false;
	if (ip.proto == IPPROTO_ICMP_)
		return true;
	/* a later fragment carries no tunnel header to read */
	return !(ip.frag & bpf_htons(0x1fff)) &&
	       drop_tunnel_wanted(nh, avail, (ip.vihl & 0x0f) * 4, ip.proto);
}

/* Clamps v to [1, max] in one register, so the verifier sees the bound on
 * the very register handed to the helper. */
static __always_inline __u32 bound(__u32 v, const __u32 max)
{
	__u64 r = v;

	asm volatile("if %0 <= %1 goto +1\n\t"
		     "%0 = %1\n\t"
		     "if %0 != 0 goto +1\n\t"
		     "%0 = 1\n\t"
		     : "+r"(r) : "i"(max));
	return (__u32)r;
}

static __always_inline __u32 netns_of(struct sk_buff *skb,
				      struct net_device *dev, __u8 *flags)
{
	struct sock *sk;

	if (dev)
		return BPF_CORE_READ(dev, nd_net.net, ns.inum);
	sk = BPF_CORE_READ(skb, sk);
	if (!sk)
		return 0;
	*flags |= DS_DROP_F_NETNS_FROM_SK;
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

struct ds_drop_nft_record {
	struct ds_drop_record rec;
	struct ds_nft_info nft;
};

static __always_inline void handle(void *ctx, struct sk_buff *skb,
				   void *location, __u32 reason, __u8 flags)
{
	bool nf_drop = false;
	struct ds_drop_nft_record *nrec = NULL;
	struct ds_drop_record *rec;
	struct ds_nft_info *nft;
	__u64 key = (__u64)skb;
	struct net_device *dev;
	unsigned char *head;
	const __u8 *nh = NULL;
	__u32 avail = 0, wire = 0, cap;
	__u16 proto, nh_off, data_off;

	stat_inc(DS_DROP_STAT_SEEN);
	reason_inc(reason);

	proto = bpf_ntohs(BPF_CORE_READ(skb, protocol));
	nh_off = BPF_CORE_READ(skb, network_header);
	head = BPF_CORE_READ(skb, head);
	/* (u16)~0 = never set (skb_network_header_was_set()). */
	if (nh_off != (__u16)~0U && head) {
		__u32 tail = BPF_CORE_READ(skb, tail);
		__u32 len = BPF_CORE_READ(skb, len);

		data_off = (__u16)(BPF_CORE_READ(skb, data) - head);
		nh = head + nh_off;
		/* Linear bytes only: beyond tail the data lives in frags. */
		avail = tail > nh_off ? tail - nh_off : 0;
		/* skb->len counts from skb->data, which may sit before the
		 * network header (L2 still on) or after it (pulled to L4). */
		if ((__u64)len + data_off > nh_off)
			wire = len + data_off - nh_off;
		if (avail > wire)
			avail = wire;
	} else {
		flags |= DS_DROP_F_NO_NETHDR;
	}
	if (!want(proto, nh, avail))
		return;

	if (bpf_core_enum_value_exists(enum skb_drop_reason,
				       SKB_DROP_REASON_NETFILTER_DROP) &&
	    reason == bpf_core_enum_value(enum skb_drop_reason,
					  SKB_DROP_REASON_NETFILTER_DROP))
		nf_drop = true;
	nft = bpf_map_lookup_elem(&nft_by_skb, &key);
	if (nft || nf_drop) {
		nrec = bpf_ringbuf_reserve(&drop_ring, sizeof(*nrec), 0);
		if (nrec) {
			long n = 0;

			if (nft)
				__builtin_memcpy(&nrec->nft, nft, sizeof(*nft));
			else
				__builtin_memset(&nrec->nft, 0,
						 sizeof(nrec->nft));
			if (nf_drop)
				n = bpf_get_stack(ctx, nrec->nft.stack,
						  sizeof(nrec->nft.stack), 0);
			nrec->nft.stack_len = n > 0 ? (__u32)n / 8 : 0;
			rec = &nrec->rec;
		} else {
			rec = NULL;
		}
		if (nft)
			bpf_map_delete_elem(&nft_by_skb, &key);
	} else {
		rec = bpf_ringbuf_reserve(&drop_ring, sizeof(*rec), 0);
	}
	if (!rec) {
		stat_inc(DS_DROP_STAT_LOST);
		return;
	}
	__builtin_memset(rec, 0, sizeof(*rec));
	dev = BPF_CORE_READ(skb, dev);
	if (dev)
		rec->ifindex = BPF_CORE_READ(dev, ifindex);
	else
		flags |= DS_DROP_F_NO_DEV;
	rec->netns_ino = netns_of(skb, dev, &flags);
	rec->ts_ns = bpf_ktime_get_ns();
	rec->location = (__u64)location;
	rec->reason = reason;
	rec->wire_len = wire;
	rec->protocol = proto;
	rec->pkt_type = (__u8)BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type);
	/* A raw socket (root's ping) gets a clone before icmp_rcv, so the
	 * original then dies in ping_rcv as NO_SOCKET: cloned says a copy
	 * was delivered somewhere. */
	if (BPF_CORE_READ_BITFIELD_PROBED(skb, cloned))
		flags |= DS_DROP_F_CLONED;
	rec->version = DS_DROP_ABI_VERSION;
	cap = avail < cfg_snaplen ? avail : cfg_snaplen;
	if (nh && cap) {
		cap = bound(cap, DS_DROP_DATA_MAX);
		if (bpf_probe_read_kernel(rec->data, cap, nh)) {
			stat_inc(DS_DROP_STAT_READ_ERR);
			cap = 0;
		}
		rec->cap_len = cap;
	}
	rec->flags = flags;
	bpf_ringbuf_submit(rec, 0);
	stat_inc(DS_DROP_STAT_SENT);
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(dropspot_kfree_skb, struct sk_buff *skb, void *location,
	     enum skb_drop_reason reason)
{
	/* Since 6.3 a free with SKB_CONSUMED goes to consume_skb, but older
	 * kernels with the reason argument report it here: it is no drop. */
	if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_CONSUMED) &&
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_CONSUMED))
		return 0;
	handle(ctx, skb, location, (__u32)reason, 0);
	return 0;
}

/* Kernels before 5.17: no reason argument (the verifier would refuse to
 * read a third one), every kfree_skb is a drop of unknown reason. */
SEC("tp_btf/kfree_skb")
int BPF_PROG(dropspot_kfree_skb_noreason, struct sk_buff *skb,
	     void *location)
{
	handle(ctx, skb, location, 0, DS_DROP_F_NO_REASON);
	return 0;
}

/* ------------------------------------------------------------------------
 * Netfilter attribution (nft_abi.h).  Only observes: reads the chain, its
 * table and its rule blob; changes nothing.  Loaded only when the kernel's
 * BTF has nft_do_chain and nft_immediate_eval (capture/drops.c).
 * ------------------------------------------------------------------------ */

#define NF_DROP_ 0
#define NFT_JUMP_ (-3)
#define NFT_GOTO_ (-4)
#define NFT_CHAIN_BASE_ 0x1
#define NFT_CHAINS_MAX 4
#define NFT_RULES_MAX 4096

/* Per CPU, for the nft_do_chain running now (softirq or process context
 * with BH off: one evaluation at a time per CPU; a nested one only costs
 * the handle, the blob containment check refuses a stale expression). */
struct nft_cpu_state {
	__u64 drop_expr;		/* expression that set NF_DROP */
	__u64 chains[NFT_CHAINS_MAX];	/* base chain + jump/goto targets */
	__u32 nchains;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nft_cpu_state);
} nft_cpu SEC(".maps");

static __always_inline bool nft_want(const struct nft_pktinfo *pkt)
{
	__u8 tprot;

	if (cfg_filter != DS_FILTER_DEFAULT)
		return true;
	tprot = BPF_CORE_READ(pkt, tprot);
	return tprot == IPPROTO_ICMP_ || tprot == IPPROTO_ICMPV6_;
}

SEC("fentry/nft_do_chain")
int BPF_PROG(dropspot_nft_enter, struct nft_pktinfo *pkt, void *priv)
{
	struct nft_cpu_state *st;
	__u32 zero = 0;

	if (!nft_want(pkt))
		return 0;
	st = bpf_map_lookup_elem(&nft_cpu, &zero);
	if (!st)
		return 0;
	st->drop_expr = 0;
	st->chains[0] = (__u64)priv;
	st->nchains = 1;
	return 0;
}

SEC("fexit/nft_immediate_eval")
int BPF_PROG(dropspot_nft_imm, const struct nft_expr *expr,
	     struct nft_regs *regs, const struct nft_pktinfo *pkt)
{
	struct nft_cpu_state *st;
	__u32 zero = 0, n;
	int code;

	if (!nft_want(pkt))
		return 0;
	code = (int)BPF_CORE_READ(regs, verdict.code);
	if (code != NF_DROP_ && code != NFT_JUMP_ && code != NFT_GOTO_)
		return 0;
	st = bpf_map_lookup_elem(&nft_cpu, &zero);
	if (!st)
		return 0;
	if (code == NF_DROP_) {
		st->drop_expr = (__u64)expr;
		return 0;
	}
	n = st->nchains;
	if (n < NFT_CHAINS_MAX) {
		st->chains[n] = (__u64)BPF_CORE_READ(regs, verdict.chain);
		st->nchains = n + 1;
	}
	return 0;
}

struct nft_walk {
	__u64 pos;		/* current struct nft_rule_dp */
	__u64 expr;		/* the expression looked for */
	__u64 handle;		/* found: its rule's handle */
	__u32 hdr;		/* sizeof(struct nft_rule_dp) */
};

static long nft_walk_one(__u64 i, void *ctx)
{
	struct nft_walk *w = ctx;
	struct nft_rule_dp *r = (struct nft_rule_dp *)w->pos;
	__u64 is_last, dlen, start;

	is_last = BPF_CORE_READ_BITFIELD_PROBED(r, is_last);
	if (is_last)
		return 1;
	dlen = BPF_CORE_READ_BITFIELD_PROBED(r, dlen);
	start = w->pos + w->hdr;
	if (w->expr >= start && w->expr < start + dlen) {
		w->handle = BPF_CORE_READ_BITFIELD_PROBED(r, handle);
		return 1;
	}
	w->pos = start + dlen;
	return 0;
}

/* The handle of the rule of chain whose expressions hold expr, or 0. */
static __always_inline __u64 nft_rule_handle(const struct nft_chain *chain,
					     __u64 expr)
{
	struct nft_rule_blob *blobs[2];
	struct nft_walk w = {};
	__u64 start, size;
	int i;

	blobs[0] = BPF_CORE_READ(chain, blob_gen_0);
	blobs[1] = BPF_CORE_READ(chain, blob_gen_1);
	for (i = 0; i < 2; i++) {
		if (!blobs[i])
			continue;
		size = BPF_CORE_READ(blobs[i], size);
		start = (__u64)blobs[i] + bpf_core_field_offset(struct nft_rule_blob, data);
		if (expr < start || expr >= start + size)
			continue;
		w.pos = start;
		w.expr = expr;
		w.hdr = bpf_core_type_size(struct nft_rule_dp);
		bpf_loop(NFT_RULES_MAX, nft_walk_one, &w, 0);
		return w.handle;
	}
	return 0;
}

SEC("fexit/nft_do_chain")
int BPF_PROG(dropspot_nft_exit, struct nft_pktinfo *pkt, void *priv,
	     unsigned int ret)
{
	const struct nft_chain *base = priv, *chain = priv, *c;
	struct nft_base_chain *bc;
	struct nft_cpu_state *st;
	struct ds_nft_info info;
	struct nft_table *table;
	__u32 zero = 0, i;
	__u64 key, h;

	if ((ret & 0xff) != NF_DROP_ || !nft_want(pkt))
		return 0;
	st = bpf_map_lookup_elem(&nft_cpu, &zero);
	if (!st)
		return 0;
	__builtin_memset(&info, 0, sizeof(info));
	if (st->drop_expr) {
		info.by = DS_NFT_BY_RULE;
		for (i = 0; i < NFT_CHAINS_MAX; i++) {
			if (i >= st->nchains)
				break;
			c = (const struct nft_chain *)st->chains[i];
			if (!c)
				continue;
			h = nft_rule_handle(c, st->drop_expr);
			if (h) {
				info.handle = h;
				chain = c;
				break;
			}
		}
	} else if (BPF_CORE_READ_BITFIELD_PROBED(base, flags) & NFT_CHAIN_BASE_) {
		bc = (struct nft_base_chain *)((__u64)base -
			bpf_core_field_offset(struct nft_base_chain, chain));
		if (BPF_CORE_READ(bc, policy) == NF_DROP_)
			info.by = DS_NFT_BY_POLICY;
	}
	table = BPF_CORE_READ(base, table);
	info.family = (__u8)BPF_CORE_READ_BITFIELD_PROBED(table, family);
	info.hook = BPF_CORE_READ(pkt, state, hook);
	info.netns_ino = BPF_CORE_READ(pkt, state, net, ns.inum);
	info.ts_ns = bpf_ktime_get_ns();
	info.seen = 1;
	bpf_probe_read_kernel_str(info.table, sizeof(info.table),
				  BPF_CORE_READ(table, name));
	bpf_probe_read_kernel_str(info.chain, sizeof(info.chain),
				  BPF_CORE_READ(chain, name));
	key = (__u64)BPF_CORE_READ(pkt, skb);
	bpf_map_update_elem(&nft_by_skb, &key, &info, BPF_ANY);
	st->drop_expr = 0;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
