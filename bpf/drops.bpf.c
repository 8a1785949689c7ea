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
		return want_ipv6(nh, avail);
	if (avail < sizeof(ip) || bpf_probe_read_kernel(&ip, sizeof(ip), nh))
		return false;
	return ip.proto == IPPROTO_ICMP_;
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

static __always_inline void handle(struct sk_buff *skb, void *location,
				   __u32 reason, __u8 flags)
{
	struct ds_drop_record *rec;
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

	rec = bpf_ringbuf_reserve(&drop_ring, sizeof(*rec), 0);
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
	handle(skb, location, (__u32)reason, 0);
	return 0;
}

/* Kernels before 5.17: no reason argument (the verifier would refuse to
 * read a third one), every kfree_skb is a drop of unknown reason. */
SEC("tp_btf/kfree_skb")
int BPF_PROG(dropspot_kfree_skb_noreason, struct sk_buff *skb,
	     void *location)
{
	handle(skb, location, 0, DS_DROP_F_NO_REASON);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
