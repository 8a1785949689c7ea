// SPDX-License-Identifier: GPL-2.0
/*
 * Live capture programs: XDP for ingress, TC (tcx or clsact) for egress and,
 * where XDP is unsuitable, for ingress.  All of them are observers: they
 * always pass the packet on and never write to it.
 *
 * The programs are loaded once per session and the same program is attached
 * to every watched point: the point a frame belongs to is found in the
 * "points" map from the frame's device, by (netns, ifindex), since an
 * ifindex is unique only inside its netns.  The netns is the device's own
 * (dev->nd_net, read through the kernel context of bpf_cast_to_kern_ctx):
 * bpf_get_netns_cookie is not offered to XDP, and in TC it answers with the
 * netns of skb->sk, or init_net for a frame without a socket (forwarded,
 * crossing a veth), so it cannot tell a point.  A frame of a device not in
 * the map (its entry removed while a link was still going, a device
 * without a netns) is counted in "misc_stats" and not sent up.  The
 * per-CPU "stats" array counts per point: point id * DS_STAT_MAX + counter.
 *
 * Unrelated traffic should cost almost nothing: headers are read with the
 * load_bytes helpers into the stack (works for non-linear skbs and XDP frags
 * alike), and only ARP / ICMP / ICMPv6 (optionally all IP or given hosts)
 * are copied into the ring, bare or inside a VXLAN, Geneve, GRE or IPIP
 * tunnel (an underlay device carries the overlay's pings encapsulated).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

#include "abi.h"
#include "net_headers.h"

#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_IPV6 0x86dd
#define IPPROTO_ICMP_ 1
#define IPPROTO_ICMPV6_ 58

#define XDP_PASS_ 2
#define TC_ACT_UNSPEC_ (-1)

const volatile __u32 cfg_snaplen = DS_SNAPLEN_DEFAULT;
const volatile __u32 cfg_filter = DS_FILTER_DEFAULT;
const volatile __u32 cfg_use_hosts = 0;
/* tracepoints: read page fragments through an skb dynptr (where allowed) */
const volatile __u32 cfg_tp_dynptr = 1;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} ring SEC(".maps");

/* max_entries of points and stats: the loader sizes them for its points */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct ds_point_key);
	__type(value, __u32);
} points SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 64 * DS_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DS_MISC_MAX);
	__type(key, __u32);
	__type(value, __u64);
} misc_stats SEC(".maps");

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags,
			       struct bpf_dynptr *ptr__uninit) __ksym __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DS_HOSTS_MAX);
	__type(key, struct ds_host_key);
	__type(value, __u8);
} hosts SEC(".maps");

static __always_inline void stat_inc(__u32 point, __u32 idx)
{
	__u32 k = point * DS_STAT_MAX + idx;
	__u64 *v = bpf_map_lookup_elem(&stats, &k);

	if (v)
		*v += 1;
}

static __always_inline void misc_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&misc_stats, &idx);

	if (v)
		*v += 1;
}

/*
 * Where a program reads the frame from: the XDP buffer, the TC skb, or
 * (tracepoints) an skb in kernel memory, see struct tp_src.
 */
enum src_kind {
	SRC_SKB,
	SRC_XDP,
	SRC_TP,
};

/*
 * A tracepoint's frame: its linear bytes from the MAC header (probe reads,
 * bounds checked here) and, for the whole frame when a driver left part
 * of it in page fragments, a read-only skb dynptr starting at skb->data,
 * mac_len bytes after the MAC header.
 */
struct tp_src {
	const __u8 *mac;
	__u32 linear;		/* bytes readable from mac without frags */
	__u32 mac_len;		/* skb->data - mac: 14 in, 0 out */
	bool dyn;		/* dptr valid */
	struct bpf_dynptr dptr;
};

/*
 * kind is a compile-time constant after inlining: the other helpers are
 * eliminated, so each program only calls what its type allows.
 */
static __always_inline long load(void *ctx, int kind, __u32 off, void *to,
				 __u32 len)
{
	const struct tp_src *s = ctx;

	if (kind == SRC_XDP)
		return bpf_xdp_load_bytes(ctx, off, to, len);
	if (kind == SRC_SKB)
		return bpf_skb_load_bytes(ctx, off, to, len);
	if (off < s->linear && len <= s->linear - off)
		return bpf_probe_read_kernel(to, len, s->mac + off);
	if (s->dyn && off >= s->mac_len)
		return bpf_dynptr_read(to, len, &s->dptr, off - s->mac_len, 0);
	return -1;
}

static __always_inline bool host_listed(const __u8 *addr, bool v4)
{
	struct ds_host_key k = {};

	if (v4) {
		k.addr[10] = 0xff;
		k.addr[11] = 0xff;
		__builtin_memcpy(&k.addr[12], addr, 4);
	} else {
		__builtin_memcpy(k.addr, addr, 16);
	}
	return bpf_map_lookup_elem(&hosts, &k) != NULL;
}

/* The tunnel walk, reading through load() (tunnel_walk.h). */
struct tun_src {
	void *ctx;
	int kind;
};

static __always_inline int tun_read(const struct tun_src *s, __u32 off,
				    void *to, __u32 len)
{
	return load(s->ctx, s->kind, off, to, len);
}

#include "tunnel_walk.h"

static __always_inline bool tunnel_wanted(void *ctx, int kind, __u32 off,
					  __u8 proto)
{
	struct tun_src s = { .ctx = ctx, .kind = kind };

	return tun_wanted(&s, off, proto);
}

/*
 * Fragments of a tunnel's outer datagram: only the first carries the UDP
 * or GRE header that tells a tunnel, so a first fragment sent up leaves
 * its datagram's key here and the later ones (their offset non-zero, no
 * header to read) are sent up when they find it.  Without them the
 * datagram cannot be reassembled and its inner probe goes unseen at the
 * underlay points.  LRU: an entry is never removed, only pushed out.
 */
struct frag_key {
	__u8 saddr[16], daddr[16];
	__u32 id;		/* IPv4: 16 bits; IPv6: the fragment header's */
	__u8 family, proto;	/* proto: IPv4 only (IPv6 ids are per pair) */
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct frag_key);
	__type(value, __u8);
} frag_follow SEC(".maps");

static __always_inline void frag_key_fill(struct frag_key *k,
					  const __u8 *saddr, const __u8 *daddr,
					  __u32 alen, __u32 id, __u8 proto)
{
	__builtin_memset(k, 0, sizeof(*k));
	if (alen == 4) {
		__builtin_memcpy(k->saddr, saddr, 4);
		__builtin_memcpy(k->daddr, daddr, 4);
	} else {
		__builtin_memcpy(k->saddr, saddr, 16);
		__builtin_memcpy(k->daddr, daddr, 16);
	}
	k->id = id;
	k->family = alen == 4 ? 4 : 6;
	k->proto = proto;
}

/* A first fragment sent up: its later fragments will be too. */
static __always_inline void frag_remember(const struct frag_key *k)
{
	__u8 one = 1;

	bpf_map_update_elem(&frag_follow, k, &one, BPF_ANY);
}

static __always_inline bool frag_followed(const struct frag_key *k)
{
	return bpf_map_lookup_elem(&frag_follow, k) != NULL;
}

static __always_inline bool want_ipv4(void *ctx, int kind, __u32 off)
{
	struct frag_key fk;
	struct ip4h ip;

	if (load(ctx, kind, off, &ip, sizeof(ip)))
		return cfg_filter != DS_FILTER_DEFAULT;
	if (ip.proto == IPPROTO_ICMP_ || cfg_filter != DS_FILTER_DEFAULT)
		return true;
	if (cfg_use_hosts &&
	    (host_listed(ip.saddr, true) || host_listed(ip.daddr, true)))
		return true;
	frag_key_fill(&fk, ip.saddr, ip.daddr, 4, ip.id, ip.proto);
	/* a later fragment carries no tunnel header to read */
	if (ip.frag & bpf_htons(0x1fff))
		return frag_followed(&fk);
	if (!tunnel_wanted(ctx, kind, off + (ip.vihl & 0x0f) * 4, ip.proto))
		return false;
	if (ip.frag & bpf_htons(0x2000))	/* MF: more to come */
		frag_remember(&fk);
	return true;
}

/*
 * ICMPv6 may sit behind extension headers (MLD behind hop-by-hop), a
 * tunnel's UDP behind a fragment header.
 */
static __always_inline bool want_ipv6(void *ctx, int kind, __u32 off)
{
	struct frag_key fk;
	struct ip6h ip;
	__u8 ext[8];
	bool frag = false, more = false;
	__u32 id = 0;
	__u8 nh;
	int i;

	if (load(ctx, kind, off, &ip, sizeof(ip)))
		return cfg_filter != DS_FILTER_DEFAULT;
	if (cfg_filter != DS_FILTER_DEFAULT)
		return true;
	if (cfg_use_hosts &&
	    (host_listed(ip.saddr, false) || host_listed(ip.daddr, false)))
		return true;
	nh = ip.nexthdr;
	off += sizeof(ip);
	for (i = 0; i < 3; i++) {
		if (nh != 0 && nh != 43 && nh != 44 && nh != 60)
			break;
		if (load(ctx, kind, off, ext, nh == 44 ? 8 : 2))
			return false;
		if (nh == 44) {
			__u16 fo = ((__u16)ext[2] << 8) | ext[3];

			frag = true;
			more = fo & 1;
			__builtin_memcpy(&id, &ext[4], 4);
			/* a later fragment: ICMPv6 says so, a tunnel does not */
			if (fo & 0xfff8) {
				if (ext[0] == IPPROTO_ICMPV6_)
					return true;
				frag_key_fill(&fk, ip.saddr, ip.daddr, 16, id, 0);
				return frag_followed(&fk);
			}
		}
		off += nh == 44 ? 8 : ((__u32)ext[1] + 1) * 8;
		nh = ext[0];
	}
	if (nh == IPPROTO_ICMPV6_)
		return true;
	if (!tunnel_wanted(ctx, kind, off, nh))
		return false;
	if (frag && more) {
		frag_key_fill(&fk, ip.saddr, ip.daddr, 16, id, 0);
		frag_remember(&fk);
	}
	return true;
}

static __always_inline bool want(void *ctx, int kind)
{
	__u8 eth[14];
	__be16 tag[2];
	__u16 proto;
	__u32 off = 14;
	int i;

	if (cfg_filter == DS_FILTER_ALL)
		return true;
	if (load(ctx, kind, 0, eth, sizeof(eth)))
		return false;
	proto = ((__u16)eth[12] << 8) | eth[13];
	for (i = 0; i < 2; i++) {
		if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
			break;
		if (load(ctx, kind, off, tag, sizeof(tag)))
			return false;
		proto = bpf_ntohs(tag[1]);
		off += 4;
	}
	if (proto == ETH_P_ARP)
		return true;
	if (proto == ETH_P_IP)
		return want_ipv4(ctx, kind, off);
	if (proto == ETH_P_IPV6)
		return want_ipv6(ctx, kind, off);
	return false;
}

struct meta {
	__u64 ts;
	__u32 point_id;
	__u32 ifindex;
	__u32 wire_len;
	__u16 vlan_tci, vlan_proto;
	__u8 hook, dir, flags;
};

/*
 * Clamps v to [1, max] in one register, in assembly, so clang cannot hand
 * the helper an unchecked copy of it (a classic verifier rejection).
 */
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

/*
 * Room kept in front of a tracepoint frame's skb part for its MAC header
 * (the bytes before skb->data: 14, or more behind tags the driver did not
 * pull); a frame with a longer one is sent from its linear bytes only.
 */
#define TP_MAC_MAX 32

/*
 * A tracepoint frame into the record: all from the linear bytes when they
 * hold it, else the MAC header by a probe read and the rest from the skb
 * dynptr (which reads page fragments too) right behind it.  The second
 * copy starts at a variable offset below TP_MAC_MAX and is at most
 * room - TP_MAC_MAX long, which is what the verifier can prove in bounds.
 * Returns the bytes copied, 0 on a failed read.
 */
static __always_inline __u32 copy_tp(const struct tp_src *s, __u8 *to,
				     const __u32 room, __u32 cap)
{
	__u32 ml = s->mac_len, rest;

	if (cap <= s->linear || !s->dyn || ml >= TP_MAC_MAX) {
		cap = bound(cap < s->linear ? cap : s->linear, room);
		return bpf_probe_read_kernel(to, cap, s->mac) ? 0 : cap;
	}
	ml &= TP_MAC_MAX - 1;
	if (ml && bpf_probe_read_kernel(to, ml, s->mac))
		return 0;
	rest = bound(cap - ml, room - TP_MAC_MAX);
	if (bpf_dynptr_read(to + ml, rest, &s->dptr, 0, 0))
		return 0;
	return ml + rest;
}

/*
 * bpf_ringbuf_reserve needs a constant size, so records come in a few size
 * classes (room) and cap is re-bounded right before the copy so the
 * verifier sees 1 <= cap <= room on the register it checks.
 */
static __always_inline void emit(void *ctx, int kind, const __u32 room,
				 const struct meta *m, __u32 cap)
{
	struct ds_record *rec;

	rec = bpf_ringbuf_reserve(&ring, sizeof(*rec) + room, 0);
	if (!rec) {
		stat_inc(m->point_id, DS_STAT_LOST);
		return;
	}
	__builtin_memset(rec, 0, sizeof(*rec));
	rec->ts_ns = m->ts;
	rec->point_id = m->point_id;
	rec->ifindex = m->ifindex;
	rec->wire_len = m->wire_len;
	rec->data_room = room;
	rec->vlan_tci = m->vlan_tci;
	rec->vlan_proto = m->vlan_proto;
	rec->hook = m->hook;
	rec->dir = m->dir;
	rec->flags = m->flags;
	rec->version = DROPSPOT_ABI_VERSION;
	if (kind == SRC_TP) {
		cap = copy_tp(ctx, rec->data, room, cap);
	} else {
		cap = bound(cap, room);
		if (load(ctx, kind, 0, rec->data, cap))
			cap = 0;
	}
	if (!cap) {
		stat_inc(m->point_id, DS_STAT_LOAD_ERR);
		bpf_ringbuf_discard(rec, 0);
		return;
	}
	rec->cap_len = cap;
	bpf_ringbuf_submit(rec, 0);
	stat_inc(m->point_id, DS_STAT_SENT);
}

/* The device's point, by (netns inode, ifindex); NULL when not watched. */
static __always_inline __u32 *point_of(struct net_device *dev, __u32 ifindex)
{
	struct ds_point_key k = { .ifindex = ifindex };

	k.netns_ino = dev->nd_net.net->ns.inum;
	return bpf_map_lookup_elem(&points, &k);
}

/*
 * The point of the frame's device; false (counted) for a device we do not
 * watch.  kind is a constant after inlining, so each program keeps only
 * the walk its context has.
 */
static __always_inline bool find_point(void *ctx, int kind, struct meta *m)
{
	struct net_device *dev;
	__u32 *id;

	if (kind == SRC_XDP) {
		struct xdp_buff *x = bpf_cast_to_kern_ctx(ctx);

		dev = x->rxq->dev;
	} else {
		struct sk_buff *skb = bpf_cast_to_kern_ctx(ctx);

		dev = skb->dev;
	}
	id = dev ? point_of(dev, m->ifindex) : NULL;
	if (!id) {
		misc_inc(DS_MISC_UNKNOWN_DEV);
		return false;
	}
	m->point_id = *id;
	return true;
}

/* The room class of a record of cap bytes, then the record. */
static __always_inline void emit_sized(void *ctx, int kind, struct meta *m,
				       __u32 cap)
{
	/* a tracepoint copy may need TP_MAC_MAX more room, see copy_tp */
	__u32 need = kind == SRC_TP ? cap + TP_MAC_MAX : cap;

	if (need <= 128)
		emit(ctx, kind, 128, m, cap);
	else if (need <= 256)
		emit(ctx, kind, 256, m, cap);
	else if (need <= 512)
		emit(ctx, kind, 512, m, cap);
	else if (need <= 1024)
		emit(ctx, kind, 1024, m, cap);
	else if (need <= 1536)
		emit(ctx, kind, 1536, m, cap);
	else if (need <= 2048)
		emit(ctx, kind, 2048, m, cap);
	else if (need <= 4096)
		emit(ctx, kind, 4096, m, cap);
	else if (kind == SRC_TP)
		emit(ctx, kind, DS_SNAPLEN_MAX + TP_MAC_MAX, m, cap);
	else
		emit(ctx, kind, DS_SNAPLEN_MAX, m, cap);
}

static __always_inline void capture(void *ctx, int kind, struct meta *m)
{
	__u32 cap = m->wire_len;

	if (cap > cfg_snaplen)
		cap = cfg_snaplen;
	if (cap == 0)
		return;
	/* the filter first: unrelated traffic costs no map lookup */
	if (!want(ctx, kind) || !find_point(ctx, kind, m))
		return;
	emit_sized(ctx, kind, m, cap);
}

SEC("xdp.frags")
int dropspot_xdp(struct xdp_md *ctx)
{
	struct meta m = {
		.ts = bpf_ktime_get_ns(),
		.ifindex = ctx->ingress_ifindex,
		.wire_len = (__u32)bpf_xdp_get_buff_len(ctx),
		.hook = DS_HOOK_XDP,
		.dir = DS_DIR_IN,
	};

	capture(ctx, SRC_XDP, &m);
	return XDP_PASS_;
}

static __always_inline int tc_common(struct __sk_buff *skb, __u8 hook,
				     __u8 dir)
{
	struct meta m = {
		.ts = bpf_ktime_get_ns(),
		.ifindex = skb->ifindex,
		.wire_len = skb->len,
		.hook = hook,
		.dir = dir,
	};

	if (skb->vlan_present) {
		m.flags = DS_REC_F_HW_VLAN;
		m.vlan_tci = (__u16)skb->vlan_tci;
		m.vlan_proto = bpf_ntohs((__u16)skb->vlan_proto);
	}
	capture(skb, SRC_SKB, &m);
	/* tcx: "next" lets later programs and the stack decide, like clsact's
	 * unspecified action. */
	return TC_ACT_UNSPEC_;
}

SEC("tc")
int dropspot_tc_out(struct __sk_buff *skb)
{
	return tc_common(skb, DS_HOOK_TC_EGRESS, DS_DIR_OUT);
}

SEC("tc")
int dropspot_tc_in(struct __sk_buff *skb)
{
	return tc_common(skb, DS_HOOK_TC_INGRESS, DS_DIR_IN);
}

/*
 * Tracepoint hooks, for many points: two host-wide attachments instead of
 * two links per interface (each of which costs an RCU grace period under
 * RTNL to add and to remove).  netif_receive_skb fires for every skb a
 * device receives, before TC ingress and the bridge, where XDP and TC
 * ingress see it; net_dev_queue fires in __dev_queue_xmit after TC egress,
 * before the qdisc and where tcpdump sees it.  Every packet of the host
 * runs them, so the device's point is looked up first and a device not
 * watched costs one map lookup and is not counted.
 */
static __always_inline void tp_common(struct sk_buff *skb, __u8 hook,
				      __u8 dir)
{
	struct meta m = { .hook = hook, .dir = dir };
	struct net_device *dev = skb->dev;
	struct tp_src s = {};
	unsigned char *head, *data;
	__u32 *id, tail, cap;
	__u16 mac_off;

	if (!dev)
		return;
	m.ifindex = dev->ifindex;
	id = point_of(dev, m.ifindex);
	if (!id)
		return;
	m.point_id = *id;
	m.ts = bpf_ktime_get_ns();
	head = BPF_CORE_READ(skb, head);
	data = BPF_CORE_READ(skb, data);
	mac_off = skb->mac_header;
	tail = skb->tail;
	/* (u16)~0: no MAC header set; a MAC header past data: not a frame */
	if (!head || mac_off == (__u16)~0U || head + mac_off > data) {
		stat_inc(m.point_id, DS_STAT_LOAD_ERR);
		return;
	}
	s.mac = head + mac_off;
	s.mac_len = (__u32)(data - s.mac);
	s.linear = tail > mac_off ? tail - mac_off : 0;
	m.wire_len = skb->len + s.mac_len;
	if (s.linear > m.wire_len)
		s.linear = m.wire_len;
	if (skb->vlan_all) {
		m.flags = DS_REC_F_HW_VLAN;
		m.vlan_tci = skb->vlan_tci;
		m.vlan_proto = bpf_ntohs(skb->vlan_proto);
	}
	if (s.linear < m.wire_len && cfg_tp_dynptr)
		s.dyn = !bpf_dynptr_from_skb((struct __sk_buff *)skb, 0, &s.dptr);
	cap = m.wire_len < cfg_snaplen ? m.wire_len : cfg_snaplen;
	if (!s.dyn && cap > s.linear)
		cap = s.linear;		/* what is readable: a snapped record */
	if (!cap || !want(&s, SRC_TP))
		return;
	emit_sized(&s, SRC_TP, &m, cap);
}

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(dropspot_tp_in, struct sk_buff *skb)
{
	tp_common(skb, DS_HOOK_TP_IN, DS_DIR_IN);
	return 0;
}

SEC("tp_btf/net_dev_queue")
int BPF_PROG(dropspot_tp_out, struct sk_buff *skb)
{
	tp_common(skb, DS_HOOK_TP_OUT, DS_DIR_OUT);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
