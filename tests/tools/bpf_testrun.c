// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_PROG_TEST_RUN driver for bpf/capture.bpf.c: runs every program on
 * crafted packets and checks the verdict (always pass), the ring record
 * (fields and bytes) and that filtered traffic produces no record.  Loading
 * the programs here also proves the verifier accepts them on this kernel.
 *
 * Exit: 0 all checks passed, 1 a check failed, 77 no privileges / no BPF.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/abi.h"
#include "bpf/capture.skel.h"
#include "tests/unit/check.h"

#define MAX_RECS 16
#define XDP_PASS_ 2
#define TC_ACT_UNSPEC_ 0xffffffffu

struct got {
	uint8_t data[DS_SNAPLEN_MAX];
	size_t size;
	struct ds_record hdr;	/* last: it ends in a flexible array */
};

static struct got recs[MAX_RECS];
static int n_recs;

static int on_rec(void *ctx, void *data, size_t size)
{
	if (n_recs >= MAX_RECS || size < sizeof(struct ds_record) ||
	    size > sizeof(struct ds_record) + DS_SNAPLEN_MAX)
		return 0;
	memcpy(&recs[n_recs].hdr, data, sizeof(struct ds_record));
	memcpy(recs[n_recs].data, (uint8_t *)data + sizeof(struct ds_record),
	       size - sizeof(struct ds_record));
	recs[n_recs].size = size;
	n_recs++;
	return 0;
}

struct inst {
	const char *name;
	struct capture *skel;
	struct ring_buffer *rb;
	uint32_t point_id;
};

/*
 * Test runs use the loopback device of our netns: the programs find the
 * point from (netns, ifindex 1) in the "points" map, as they find a live
 * point from its device.
 */
static int map_lo(struct inst *in, uint32_t point_id)
{
	struct ds_point_key k = { .ifindex = 1 };
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return -errno;
	k.netns_ino = (uint32_t)st.st_ino;
	if (bpf_map_update_elem(bpf_map__fd(in->skel->maps.points), &k,
				&point_id, BPF_ANY))
		return -errno;
	return 0;
}

static int inst_load(struct inst *in, const char *name, uint32_t point_id,
		     uint32_t snaplen, uint32_t filter, bool hosts)
{
	int ret;

	in->name = name;
	in->point_id = point_id;
	in->skel = capture__open();
	if (!in->skel)
		return -errno;
	in->skel->rodata->cfg_snaplen = snaplen;
	in->skel->rodata->cfg_filter = filter;
	in->skel->rodata->cfg_use_hosts = hosts;
	bpf_map__set_max_entries(in->skel->maps.ring, 1 << 20);
	ret = capture__load(in->skel);
	if (ret)
		return ret;
	if (point_id != UINT32_MAX) {
		ret = map_lo(in, point_id);
		if (ret)
			return ret;
	}
	in->rb = ring_buffer__new(bpf_map__fd(in->skel->maps.ring), on_rec, NULL, NULL);
	return in->rb ? 0 : -errno;
}

static void inst_free(struct inst *in)
{
	ring_buffer__free(in->rb);
	capture__destroy(in->skel);
}

/* Packet builders. */
static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

static size_t put_eth(uint8_t *p, uint16_t type, int ntags)
{
	size_t off = 12;
	int i;

	memcpy(p, mac_b, 6);
	memcpy(p + 6, mac_a, 6);
	for (i = 0; i < ntags; i++) {
		uint16_t tpid = (ntags == 2 && i == 0) ? 0x88a8 : 0x8100;

		p[off] = tpid >> 8;
		p[off + 1] = tpid & 0xff;
		p[off + 2] = 0;
		p[off + 3] = (uint8_t)(10 + i);
		off += 4;
	}
	p[off] = type >> 8;
	p[off + 1] = type & 0xff;
	return off + 2;
}

static size_t build_ipv4(uint8_t *p, int ntags, uint8_t proto, size_t payload,
			 const uint8_t dst[4])
{
	size_t off = put_eth(p, 0x0800, ntags);
	uint16_t tot = (uint16_t)(20 + payload);
	size_t i;

	p[off] = 0x45;
	p[off + 2] = tot >> 8;
	p[off + 3] = tot & 0xff;
	p[off + 8] = 64;
	p[off + 9] = proto;
	p[off + 12] = 10; p[off + 13] = 0; p[off + 14] = 0; p[off + 15] = 1;
	memcpy(p + off + 16, dst, 4);
	off += 20;
	p[off] = proto == 1 ? 8 : 0;	/* echo request */
	for (i = 1; i < payload; i++)
		p[off + i] = (uint8_t)i;
	return off + payload;
}

static size_t build_arp(uint8_t *p)
{
	size_t off = put_eth(p, 0x0806, 0);
	static const uint8_t arp[28] = {
		0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 0x0a, 10, 0, 0, 1,
		0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
	};

	memcpy(p + off, arp, sizeof(arp));
	return off + sizeof(arp) + 18;	/* padded to 60 like on the wire */
}

static size_t build_ipv6(uint8_t *p, bool hbh, uint8_t proto)
{
	size_t off = put_eth(p, 0x86dd, 0);
	size_t l4 = 16;
	size_t plen = l4 + (hbh ? 8 : 0);

	p[off] = 0x60;
	p[off + 4] = 0;
	p[off + 5] = (uint8_t)plen;
	p[off + 6] = hbh ? 0 : proto;
	p[off + 7] = 1;
	p[off + 8] = 0xfe; p[off + 9] = 0x80; p[off + 23] = 1;
	p[off + 24] = 0xff; p[off + 25] = 0x02; p[off + 39] = 0x16;
	off += 40;
	if (hbh) {
		p[off] = proto;
		p[off + 1] = 0;
		p[off + 2] = 5;	/* router alert */
		p[off + 3] = 2;
		off += 8;
	}
	p[off] = 143;	/* MLDv2 report / arbitrary for non-ICMPv6 protos */
	return off + l4;
}

/*
 * An IPv6 fragment (optionally behind hop-by-hop options) whose fragment
 * header names proto; offlg is the offset | M field.  Its data is not an
 * ICMPv6 header unless it is the first fragment.
 */
static size_t build_ipv6_frag(uint8_t *p, bool hbh, uint8_t proto,
			      uint16_t offlg)
{
	size_t off = put_eth(p, 0x86dd, 0);
	size_t data = 64, plen = data + 8 + (hbh ? 8 : 0), i;

	p[off] = 0x60;
	p[off + 4] = 0;
	p[off + 5] = (uint8_t)plen;
	p[off + 6] = hbh ? 0 : 44;
	p[off + 7] = 64;
	p[off + 8] = 0xfd; p[off + 23] = 1;
	p[off + 24] = 0xfd; p[off + 39] = 2;
	off += 40;
	if (hbh) {
		p[off] = 44;
		p[off + 2] = 1;	/* PadN */
		p[off + 3] = 4;
		off += 8;
	}
	p[off] = proto;
	p[off + 2] = offlg >> 8;
	p[off + 3] = offlg & 0xff;
	p[off + 7] = 0x2a;	/* identification */
	off += 8;
	for (i = 0; i < data; i++)
		p[off + i] = (uint8_t)(0xff - i);
	if (!(offlg & 0xfff8) && proto == 58)
		p[off] = 128;	/* echo request */
	return off + data;
}

/*
 * An IPv6 frame (Ethernet, no tags) made a fragment: a fragment header of
 * offset/flags offlg and identification id between the IPv6 header and
 * what followed it.
 */
static size_t add_frag6(uint8_t *p, size_t len, uint16_t offlg, uint32_t id)
{
	const size_t at = 14 + 40;
	uint16_t plen = (uint16_t)((p[18] << 8 | p[19]) + 8);

	memmove(p + at + 8, p + at, len - at);
	p[at] = p[14 + 6];
	p[at + 1] = 0;
	p[at + 2] = offlg >> 8;
	p[at + 3] = offlg & 0xff;
	p[at + 4] = id >> 24;
	p[at + 5] = (uint8_t)(id >> 16);
	p[at + 6] = (uint8_t)(id >> 8);
	p[at + 7] = (uint8_t)id;
	p[14 + 6] = 44;
	p[18] = plen >> 8;
	p[19] = plen & 0xff;
	return len + 8;
}

/*
 * Encapsulated frames, built from the inside out: an inner frame of
 * inner_proto (1 ICMP, 6 TCP, 0 ARP) wrapped by the tunnel the kind
 * names, over an outer IPv4 or IPv6 header and Ethernet.
 */
enum encap {
	EN_VXLAN, EN_VXLAN8472, EN_GENEVE, EN_GRE_KEY, EN_GRETAP_CSUM,
	EN_IPIP, EN_SIT, EN_IP6IP6, EN_VXLAN_V6, EN_UDP_OTHER, EN_GPE_IP4,
};

static size_t pre(uint8_t *p, size_t len, size_t n)
{
	memmove(p + n, p, len);
	memset(p, 0, n);
	return len + n;
}

static size_t enc_ip4(uint8_t *p, size_t len, uint8_t proto)
{
	len = pre(p, len, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[8] = 64;
	p[9] = proto;
	p[12] = 192; p[13] = 0; p[14] = 2; p[15] = 1;
	p[16] = 192; p[17] = 0; p[18] = 2; p[19] = 2;
	return len;
}

static size_t enc_ip6(uint8_t *p, size_t len, uint8_t nh)
{
	size_t plen = len;

	len = pre(p, len, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	p[6] = nh;
	p[7] = 64;
	p[8] = 0xfd; p[23] = 1;
	p[24] = 0xfd; p[39] = 2;
	return len;
}

static size_t enc_eth(uint8_t *p, size_t len, uint16_t type)
{
	len = pre(p, len, 14);
	memcpy(p, mac_b, 6);
	memcpy(p + 6, mac_a, 6);
	p[12] = type >> 8;
	p[13] = type & 0xff;
	return len;
}

static size_t enc_udp(uint8_t *p, size_t len, uint16_t dport)
{
	len = pre(p, len, 8);
	p[0] = 0xd4;
	p[2] = dport >> 8;
	p[3] = dport & 0xff;
	p[4] = (uint8_t)(len >> 8);
	p[5] = (uint8_t)len;
	return len;
}

static size_t build_encap(uint8_t *p, enum encap kind, uint8_t inner_proto)
{
	static const uint8_t in_dst[4] = { 10, 42, 0, 2 };
	bool v6in = kind == EN_SIT || kind == EN_IP6IP6;
	size_t len;

	/* the inner frame, Ethernet header stripped for L3 tunnels */
	if (inner_proto == 0)
		len = build_arp(p);
	else if (v6in)
		len = build_ipv6(p, false, inner_proto == 1 ? 58 : inner_proto);
	else
		len = build_ipv4(p, 0, inner_proto, 40, in_dst);
	if (kind == EN_GPE_IP4) {
		memmove(p, p + 14, len - 14);
		len = pre(p, len - 14, 8);
		p[0] = 0x0c;	/* I, P */
		p[3] = 1;	/* next protocol: IPv4 */
		p[6] = 42;
		return enc_eth(p, enc_ip4(p, enc_udp(p, len, 4790), 17), 0x0800);
	}
	if (kind != EN_VXLAN && kind != EN_VXLAN8472 && kind != EN_GENEVE &&
	    kind != EN_GRETAP_CSUM && kind != EN_VXLAN_V6 &&
	    kind != EN_UDP_OTHER) {
		memmove(p, p + 14, len - 14);
		len -= 14;
	}
	switch (kind) {
	case EN_VXLAN:
	case EN_VXLAN8472:
	case EN_VXLAN_V6:
	case EN_UDP_OTHER:
		len = pre(p, len, 8);
		p[0] = 0x08;
		p[6] = 42;
		len = enc_udp(p, len, kind == EN_VXLAN8472 ? 8472 :
				      kind == EN_UDP_OTHER ? 4788 : 4789);
		if (kind == EN_VXLAN_V6)
			return enc_eth(p, enc_ip6(p, len, 17), 0x86dd);
		break;
	case EN_GENEVE:
		len = pre(p, len, 8 + 8);	/* one 4-byte option */
		p[0] = 2;
		p[2] = 0x65;
		p[3] = 0x58;
		p[6] = 42;
		p[11] = 1;
		len = enc_udp(p, len, 6081);
		break;
	case EN_GRE_KEY:
		len = pre(p, len, 8);
		p[0] = 0x20;
		p[2] = 0x08;
		p[7] = 42;
		return enc_eth(p, enc_ip4(p, len, 47), 0x0800);
	case EN_GRETAP_CSUM:
		len = pre(p, len, 8);
		p[0] = 0x80;
		p[2] = 0x65;
		p[3] = 0x58;
		return enc_eth(p, enc_ip4(p, len, 47), 0x0800);
	case EN_IPIP:
		return enc_eth(p, enc_ip4(p, len, 4), 0x0800);
	case EN_SIT:
		return enc_eth(p, enc_ip4(p, len, 41), 0x0800);
	case EN_IP6IP6:
		return enc_eth(p, enc_ip6(p, len, 41), 0x86dd);
	case EN_GPE_IP4:
		break;		/* built above */
	}
	return enc_eth(p, enc_ip4(p, len, 17), 0x0800);
}

/*
 * Runs every program of in on pkt; expects one record per program when
 * want_rec, none otherwise.  expect_cap 0 = whole packet.
 */
static void run_progs(struct inst *in, const char *what, const uint8_t *pkt,
		      size_t len, bool want_rec, uint32_t expect_cap,
		      uint32_t point_id, size_t nprogs)
{
	struct {
		struct bpf_program *prog;
		uint32_t verdict;
		uint8_t hook, dir;
	} progs[] = {
		{ in->skel->progs.dropspot_xdp, XDP_PASS_, DS_HOOK_XDP, DS_DIR_IN },
		{ in->skel->progs.dropspot_tc_in, TC_ACT_UNSPEC_, DS_HOOK_TC_INGRESS, DS_DIR_IN },
		{ in->skel->progs.dropspot_tc_out, TC_ACT_UNSPEC_, DS_HOOK_TC_EGRESS, DS_DIR_OUT },
	};
	uint32_t cap = expect_cap ? expect_cap : (uint32_t)len;
	size_t i;

	for (i = 0; i < nprogs && i < sizeof(progs) / sizeof(progs[0]); i++) {
		static uint8_t out[16384];
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
			    .data_size_in = (uint32_t)len, .data_out = out,
			    .data_size_out = sizeof(out), .repeat = 1);
		int ret;

		n_recs = 0;
		ret = bpf_prog_test_run_opts(bpf_program__fd(progs[i].prog), &opts);
		if (ret) {
			fprintf(stderr, "%s/%s: test run failed: %s\n", in->name,
				what, strerror(-ret));
			CHECK(ret == 0);
			continue;
		}
		ring_buffer__consume(in->rb);
		/* verdict: always pass, packet never modified */
		CHECK_EQ_INT(opts.retval, progs[i].verdict);
		CHECK_EQ_INT(opts.data_size_out, len);
		CHECK(memcmp(out, pkt, len) == 0);
		if (!want_rec) {
			if (n_recs)
				fprintf(stderr, "%s/%s/%s: unexpected record\n",
					in->name, what, bpf_program__name(progs[i].prog));
			CHECK_EQ_INT(n_recs, 0);
			continue;
		}
		if (n_recs != 1) {
			fprintf(stderr, "%s/%s/%s: %d records, want 1\n", in->name,
				what, bpf_program__name(progs[i].prog), n_recs);
			CHECK_EQ_INT(n_recs, 1);
			continue;
		}
		CHECK_EQ_INT(recs[0].hdr.version, DROPSPOT_ABI_VERSION);
		CHECK_EQ_INT(recs[0].hdr.hook, progs[i].hook);
		CHECK_EQ_INT(recs[0].hdr.dir, progs[i].dir);
		CHECK_EQ_INT(recs[0].hdr.point_id, point_id);
		CHECK_EQ_INT(recs[0].hdr.ifindex, 1);	/* test runs use lo */
		CHECK_EQ_INT(recs[0].hdr.wire_len, len);
		CHECK_EQ_INT(recs[0].hdr.cap_len, cap);
		CHECK(recs[0].hdr.data_room >= cap);
		CHECK(recs[0].size >= sizeof(struct ds_record) + recs[0].hdr.data_room);
		CHECK_EQ_INT(recs[0].hdr.flags, 0);
		CHECK_EQ_INT(recs[0].hdr.pad, 0);
		CHECK(recs[0].hdr.ts_ns != 0);
		CHECK(memcmp(recs[0].data, pkt, cap) == 0);
	}
}

static void run_all(struct inst *in, const char *what, const uint8_t *pkt,
		    size_t len, bool want_rec, uint32_t expect_cap,
		    uint32_t point_id)
{
	run_progs(in, what, pkt, len, want_rec, expect_cap, point_id, 3);
}

/*
 * What the filter costs on a busy underlay: the average XDP run time over
 * many runs of a frame it filters out (no ring record), printed for the
 * log.  Timing is not asserted: the machine may be shared.
 */
static void cost(struct inst *in, const char *what, const uint8_t *pkt,
		 size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
		    .data_size_in = (uint32_t)len, .repeat = 100000);
	int ret;

	ret = bpf_prog_test_run_opts(bpf_program__fd(in->skel->progs.dropspot_xdp),
				     &opts);
	CHECK(ret == 0);
	if (!ret)
		fprintf(stderr, "filter cost, %-24s %4u ns per frame (xdp)\n",
			what, opts.duration);
}

static uint64_t percpu_sum(int fd, uint32_t key)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *v = calloc((size_t)ncpu, sizeof(*v)), sum = 0;
	int i;

	if (v && !bpf_map_lookup_elem(fd, &key, v))
		for (i = 0; i < ncpu; i++)
			sum += v[i];
	free(v);
	return sum;
}

/* A counter of the instance's point (stats: point * DS_STAT_MAX + idx). */
static uint64_t stat_sum(struct inst *in, uint32_t idx)
{
	return percpu_sum(bpf_map__fd(in->skel->maps.stats),
			  in->point_id * DS_STAT_MAX + idx);
}

int main(void)
{
	static const uint8_t dst_a[4] = { 10, 0, 0, 2 }, dst_h[4] = { 192, 0, 2, 7 };
	static uint8_t pkt[DS_SNAPLEN_MAX + 512];
	struct inst def = {}, allip = {}, hosts = {}, snap = {}, all = {};
	struct inst unmapped = {};
	struct ds_host_key hk = {};
	uint8_t one = 1;
	size_t len;
	int ret;

	if (geteuid() != 0) {
		fprintf(stderr, "skip: needs root\n");
		return 77;
	}
	ret = inst_load(&def, "default", 3, DS_SNAPLEN_DEFAULT, DS_FILTER_DEFAULT, false);
	if (ret == -EPERM || ret == -ENOSYS || ret == -EOPNOTSUPP) {
		fprintf(stderr, "skip: cannot load BPF: %s\n", strerror(-ret));
		return 77;
	}
	if (ret) {
		fprintf(stderr, "load (verifier?) failed: %s\n", strerror(-ret));
		return 1;
	}
	CHECK(inst_load(&allip, "all-ip", 4, DS_SNAPLEN_DEFAULT, DS_FILTER_ALL_IP, false) == 0);
	CHECK(inst_load(&hosts, "hosts", 5, DS_SNAPLEN_DEFAULT, DS_FILTER_DEFAULT, true) == 0);
	CHECK(inst_load(&snap, "snap64", 6, 64, DS_FILTER_DEFAULT, false) == 0);
	CHECK(inst_load(&all, "all", 7, DS_SNAPLEN_DEFAULT, DS_FILTER_ALL, false) == 0);
	/* no entry for lo in its points map */
	CHECK(inst_load(&unmapped, "unmapped", UINT32_MAX, DS_SNAPLEN_DEFAULT,
			DS_FILTER_ALL, false) == 0);
	if (check_failed)
		return check_done();
	hk.addr[10] = 0xff;
	hk.addr[11] = 0xff;
	memcpy(&hk.addr[12], dst_h, 4);
	CHECK(bpf_map_update_elem(bpf_map__fd(hosts.skel->maps.hosts), &hk, &one, 0) == 0);

	/* sent up by default */
	memset(pkt, 0, sizeof(pkt));
	len = build_arp(pkt);
	run_all(&def, "arp", pkt, len, true, 0, 3);
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv4(pkt, 0, 1, 64, dst_a);
	run_all(&def, "icmp", pkt, len, true, 0, 3);
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv4(pkt, 1, 1, 64, dst_a);
	run_all(&def, "icmp-vlan", pkt, len, true, 0, 3);
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv4(pkt, 2, 1, 64, dst_a);
	run_all(&def, "icmp-qinq", pkt, len, true, 0, 3);
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv6(pkt, false, 58);
	run_all(&def, "icmpv6", pkt, len, true, 0, 3);
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv6(pkt, true, 58);
	run_all(&def, "icmpv6-hbh", pkt, len, true, 0, 3);
	/* size classes: each bucket boundary and the largest */
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv4(pkt, 0, 1, 1500 - 20, dst_a);
	run_all(&def, "icmp-1514", pkt, len, true, 0, 3);
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv4(pkt, 0, 1, 3000 - 34, dst_a);
	run_all(&def, "icmp-3000", pkt, len, true, 0, 3);
	/* skb test runs stop at a page; XDP takes frags (xdp.frags) */
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv4(pkt, 0, 1, 9000 - 20, dst_a);
	run_progs(&def, "icmp-9014-frags", pkt, len, true, 0, 3, 1);
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv4(pkt, 0, 1, 9300 - 20, dst_a);
	run_progs(&def, "icmp-9314-snapped", pkt, len, true, DS_SNAPLEN_MAX, 3, 1);
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv4(pkt, 0, 1, 128 - 34, dst_a);
	run_all(&def, "icmp-128", pkt, len, true, 0, 3);
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv4(pkt, 0, 1, 129 - 34, dst_a);
	run_all(&def, "icmp-129", pkt, len, true, 0, 3);
	/*
	 * Fragments of a ping (ping -s 3000): a later fragment has no ICMP
	 * header, but IPv4 still says proto 1 and the IPv6 fragment header
	 * still names ICMPv6; reassembly needs every one of them.
	 */
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv4(pkt, 0, 1, 1480, dst_a);
	pkt[14 + 6] = 0x00;	/* offset 185 (1480 bytes), last fragment */
	pkt[14 + 7] = 185;
	pkt[14 + 20] = 0xff;	/* no ICMP header here */
	run_all(&def, "icmp-frag-nonfirst", pkt, len, true, 0, 3);
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv6_frag(pkt, false, 58, 0x0001);
	run_all(&def, "icmpv6-frag-first", pkt, len, true, 0, 3);
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv6_frag(pkt, false, 58, 1448);
	run_all(&def, "icmpv6-frag-nonfirst", pkt, len, true, 0, 3);
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv6_frag(pkt, true, 58, 1448 | 1);
	run_all(&def, "icmpv6-hbh-frag-nonfirst", pkt, len, true, 0, 3);

	/* filtered by default */
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv4(pkt, 0, 6, 40, dst_a);
	run_all(&def, "tcp", pkt, len, false, 0, 3);
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv4(pkt, 1, 17, 40, dst_a);
	run_all(&def, "udp-vlan", pkt, len, false, 0, 3);
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv6(pkt, false, 17);
	run_all(&def, "udp6", pkt, len, false, 0, 3);
	memset(pkt, 0, sizeof(pkt));
	len = put_eth(pkt, 0x88cc, 0) + 46;	/* LLDP */
	run_all(&def, "lldp", pkt, len, false, 0, 3);
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv6_frag(pkt, false, 17, 1448);
	run_all(&def, "udp6-frag-nonfirst", pkt, len, false, 0, 3);
	CHECK_EQ_INT(stat_sum(&def, DS_STAT_SENT), 44);
	CHECK(stat_sum(&def, DS_STAT_LOST) == 0);

	/*
	 * Tunnels on an underlay device: kept when the inner frame is ICMP,
	 * ICMPv6 or ARP, filtered (but still passed) otherwise.
	 */
	{
		static const struct {
			const char *name;
			enum encap kind;
			uint8_t inner;
			bool keep;
		} enc[] = {
			{ "vxlan-icmp", EN_VXLAN, 1, true },
			{ "vxlan-arp", EN_VXLAN, 0, true },
			{ "vxlan-tcp", EN_VXLAN, 6, false },
			{ "vxlan8472-icmp", EN_VXLAN8472, 1, true },
			{ "vxlan-v6-underlay-icmp", EN_VXLAN_V6, 1, true },
			{ "vxlan-v6-underlay-udp", EN_VXLAN_V6, 17, false },
			{ "geneve-opt-icmp", EN_GENEVE, 1, true },
			{ "geneve-opt-tcp", EN_GENEVE, 6, false },
			{ "gre-key-icmp", EN_GRE_KEY, 1, true },
			{ "gre-key-tcp", EN_GRE_KEY, 6, false },
			{ "gretap-csum-icmp", EN_GRETAP_CSUM, 1, true },
			{ "gretap-csum-udp", EN_GRETAP_CSUM, 17, false },
			{ "ipip-icmp", EN_IPIP, 1, true },
			{ "ipip-tcp", EN_IPIP, 6, false },
			{ "sit-icmpv6", EN_SIT, 1, true },
			{ "sit-udp", EN_SIT, 17, false },
			{ "ip6ip6-icmpv6", EN_IP6IP6, 1, true },
			{ "udp4788-icmp", EN_UDP_OTHER, 1, false },
			{ "vxlan-gpe-ip4-icmp", EN_GPE_IP4, 1, true },
			{ "vxlan-gpe-ip4-tcp", EN_GPE_IP4, 6, false },
		};
		size_t k;

		for (k = 0; k < sizeof(enc) / sizeof(enc[0]); k++) {
			memset(pkt, 0, sizeof(pkt));
			len = build_encap(pkt, enc[k].kind, enc[k].inner);
			run_all(&def, enc[k].name, pkt, len, enc[k].keep, 0, 3);
		}
		/* a later outer fragment has no tunnel header: not read as one */
		memset(pkt, 0, sizeof(pkt));
		len = build_encap(pkt, EN_VXLAN, 1);
		pkt[14 + 7] = 185;
		run_all(&def, "vxlan-outer-frag-nonfirst", pkt, len, false, 0, 3);
		/*
		 * ... unless its first fragment was sent up: the programs
		 * remember that datagram (addresses, id, protocol) and send
		 * up its later fragments, and only its.
		 */
		memset(pkt, 0, sizeof(pkt));
		len = build_encap(pkt, EN_VXLAN, 1);
		pkt[14 + 5] = 0x77;	/* id */
		pkt[14 + 6] = 0x20;	/* MF, offset 0 */
		run_all(&def, "vxlan-outer-frag-first", pkt, len, true, 0, 3);
		pkt[14 + 6] = 0x00;
		pkt[14 + 7] = 185;
		run_all(&def, "vxlan-outer-frag-later", pkt, len, true, 0, 3);
		pkt[14 + 5] = 0x78;
		run_all(&def, "vxlan-outer-frag-other-id", pkt, len, false, 0, 3);
		pkt[14 + 5] = 0x77;
		pkt[14 + 9] = 47;	/* same id, another protocol */
		run_all(&def, "vxlan-outer-frag-other-proto", pkt, len, false, 0, 3);
		/* IPv6 underlay: the UDP header behind a fragment header */
		memset(pkt, 0, sizeof(pkt));
		len = add_frag6(pkt, build_encap(pkt, EN_VXLAN_V6, 1), 0x0001, 0x99);
		run_all(&def, "vxlan6-outer-frag-first", pkt, len, true, 0, 3);
		memset(pkt, 0, sizeof(pkt));
		len = add_frag6(pkt, build_encap(pkt, EN_VXLAN_V6, 1), 1448, 0x99);
		run_all(&def, "vxlan6-outer-frag-later", pkt, len, true, 0, 3);
		memset(pkt, 0, sizeof(pkt));
		len = add_frag6(pkt, build_encap(pkt, EN_VXLAN_V6, 1), 1448, 0x9a);
		run_all(&def, "vxlan6-outer-frag-other-id", pkt, len, false, 0, 3);
		memset(pkt, 0, sizeof(pkt));
		len = build_ipv4(pkt, 0, 6, 40, dst_a);
		cost(&def, "tcp", pkt, len);
		memset(pkt, 0, sizeof(pkt));
		len = build_encap(pkt, EN_UDP_OTHER, 6);
		cost(&def, "udp (other port)", pkt, len);
		memset(pkt, 0, sizeof(pkt));
		len = build_encap(pkt, EN_VXLAN, 6);
		cost(&def, "vxlan with tcp inside", pkt, len);
		memset(pkt, 0, sizeof(pkt));
		len = build_encap(pkt, EN_GENEVE, 6);
		cost(&def, "geneve with tcp inside", pkt, len);
		memset(pkt, 0, sizeof(pkt));
		len = build_encap(pkt, EN_GRE_KEY, 6);
		cost(&def, "gre with tcp inside", pkt, len);
	}

	/* widened: all IP, hosts, everything */
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv4(pkt, 0, 6, 40, dst_a);
	run_all(&allip, "tcp", pkt, len, true, 0, 4);
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv6(pkt, false, 17);
	run_all(&allip, "udp6", pkt, len, true, 0, 4);
	memset(pkt, 0, sizeof(pkt));
	len = put_eth(pkt, 0x88cc, 0) + 46;
	run_all(&allip, "lldp", pkt, len, false, 0, 4);
	run_all(&all, "lldp", pkt, len, true, 0, 7);
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv4(pkt, 0, 17, 40, dst_h);
	run_all(&hosts, "udp-listed", pkt, len, true, 0, 5);
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv4(pkt, 0, 17, 40, dst_a);
	run_all(&hosts, "udp-unlisted", pkt, len, false, 0, 5);

	/* snap length from .rodata */
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv4(pkt, 0, 1, 200, dst_a);
	run_all(&snap, "icmp-snap64", pkt, len, true, 64, 6);

	/*
	 * A device that is not in the points map (not watched, or gone):
	 * frames pass, nothing is sent up, each wanted one is counted.
	 */
	memset(pkt, 0, sizeof(pkt));
	len = build_ipv4(pkt, 0, 1, 64, dst_a);
	run_all(&unmapped, "icmp-unmapped-dev", pkt, len, false, 0, 0);
	CHECK_EQ_INT(percpu_sum(bpf_map__fd(unmapped.skel->maps.misc_stats),
				DS_MISC_UNKNOWN_DEV), 3);
	CHECK_EQ_INT(percpu_sum(bpf_map__fd(def.skel->maps.misc_stats),
				DS_MISC_UNKNOWN_DEV), 0);

	inst_free(&unmapped);
	inst_free(&def);
	inst_free(&allip);
	inst_free(&hosts);
	inst_free(&snap);
	inst_free(&all);
	return check_done();
}
