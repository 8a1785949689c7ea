// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <net/if_arp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/capability.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf_util.h"
#include "bpf/abi.h"
#include "bpf/capture.skel.h"
#include "common/log.h"
#include "linkwatch.h"
#include "live.h"
#include "live_link.h"
#include "live_record.h"
#include "netns.h"

/* Debian's libbpf 1.1 headers predate tcx (kernel 6.6). */
#define DS_ATTACH_TCX_INGRESS 46
#define DS_ATTACH_TCX_EGRESS 47

#define RING_SIZE_DEFAULT (8u << 20)

struct live_point {
	uint32_t point_id;
	uint32_t ifindex;
	char netns_path[NETNS_PATH_MAX];
	char name[POINT_NAME_MAX];
	struct link_info li;
	bool use_xdp;		/* ingress by XDP, else TC */
	dev_t ns_dev;		/* netns identity: paths may differ */
	ino_t ns_ino;
	bool tried;		/* attached, or found unwatchable */
	uint8_t blind;		/* POINT_BLIND_*: directions not watched */
	uint64_t unwritten;	/* records discarded at the end (live_discard) */
	char ifname[16];	/* what a re-created interface is known by */
	bool gone;		/* the interface went away (churn), detached */
	bool resolved;		/* an interface was found: can be attached */
	bool mapped;		/* (netns, ifindex) -> index in "points" */
	int xdp_fd;		/* XDP link fd, -1 = none */
	int tcx_in_fd, tcx_out_fd;	/* tcx link fds, -1 = none */
	/* clsact fallback: exactly what we added */
	bool qdisc_created;
	bool cls_in, cls_out;
	struct bpf_tc_opts cls_in_opts, cls_out_opts;
};

struct live {
	struct live_opts opts;
	struct point_table *points;
	struct live_point *lp;
	size_t n, cap;
	bool tcx;
	bool tp;		/* hooked by the two tracepoints, not links */
	struct bpf_link *tp_in, *tp_out;
	/*
	 * One copy of the programs and maps for every point, loaded by the
	 * first live_attach (when the number of points is known) with room
	 * for map_cap points: their program fds are attached everywhere.
	 */
	struct capture *skel;
	uint32_t map_cap;
	int ring_fd, hosts_fd, points_fd, stats_fd, misc_fd;
	struct ring_buffer *rb;
	int64_t mono_to_real;		/* ns to add to bpf_ktime_get_ns */
	int ncpus;
	uint64_t seq;
	uint64_t bad_records;
	live_frame_fn fn;
	void *fn_ctx;
	bool stopped;
	bool discarding;	/* live_discard: count records, hand none on */
	struct linkwatch *lw;	/* interface churn, NULL = not followed */
	live_link_fn link_fn;
	void *link_ctx;
};

static bool kernel_has_tcx(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool ok;

	if (!btf) {
		log_warn("no kernel BTF (/sys/kernel/btf/vmlinux): assuming no tcx, "
			 "TC hooks use clsact filters");
		return false;
	}
	ok = btf__find_by_name_kind(btf, "tcx_link", BTF_KIND_STRUCT) > 0;
	if (!ok)
		log_info("kernel has no tcx (< 6.6): TC hooks use clsact filters, "
			 "removed on exit (not after SIGKILL)");
	btf__free(btf);
	return ok;
}

void live_check_privileges(char *msg, size_t len)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	bool sys_admin, missing = false;
	size_t off = 0;
	static const struct { int cap; const char *name; } need[] = {
		{ 39, "CAP_BPF" },
		{ 12, "CAP_NET_ADMIN" },
		{ 38, "CAP_PERFMON" },
	};
	size_t i;

	msg[0] = '\0';
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return;
	/* CAP_SYS_ADMIN stands in for CAP_BPF and CAP_PERFMON. */
	sys_admin = data[0].effective & (1u << 21);
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		int c = need[i].cap;
		bool have = data[c / 32].effective & (1u << (c % 32));

		if (have || (sys_admin && c != 12))
			continue;
		off += (size_t)snprintf(msg + off, off < len ? len - off : 0,
					"%s%s", missing ? ", " : "", need[i].name);
		missing = true;
	}
	if (missing && off < len)
		snprintf(msg + off, len - off,
			 " missing: live capture needs CAP_BPF, CAP_NET_ADMIN and "
			 "CAP_PERFMON (or root)");
}

static void explain_load_error(int ret, const char *what, char *err,
			       size_t errlen)
{
	char caps[256];

	if (ret == -EPERM || ret == -EACCES) {
		live_check_privileges(caps, sizeof(caps));
		if (caps[0]) {
			snprintf(err, errlen, "cannot load BPF programs: %s", caps);
			return;
		}
		snprintf(err, errlen,
			 "cannot load BPF programs (%s): %s; the verifier rejected "
			 "them or a lockdown/sysctl forbids BPF (run with -v for the log)",
			 what, strerror(-ret));
		return;
	}
	if (ret == -ENOSYS) {
		snprintf(err, errlen, "this kernel has no BPF support (bpf() is ENOSYS)");
		return;
	}
	snprintf(err, errlen,
		 "cannot load BPF programs (%s): %s; the kernel may lack BPF ring "
		 "buffers / XDP load_bytes (needs >= 5.18 with BTF, run with -v)",
		 what, strerror(-ret));
}

int live_new(const struct live_opts *o, struct point_table *points,
	     struct live **out, char *err, size_t errlen)
{
	struct live *lv;

	*out = NULL;
	if (o->snaplen > DS_SNAPLEN_MAX) {
		snprintf(err, errlen, "snap length %u exceeds the maximum %u",
			 o->snaplen, DS_SNAPLEN_MAX);
		return -EINVAL;
	}
	if (o->ring_size && (o->ring_size < 4096 ||
			     (o->ring_size & (o->ring_size - 1)))) {
		snprintf(err, errlen,
			 "ring size %u must be a power of two >= 4096", o->ring_size);
		return -EINVAL;
	}
	lv = calloc(1, sizeof(*lv));
	if (!lv) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	lv->opts = *o;
	if (!lv->opts.snaplen)
		lv->opts.snaplen = DS_SNAPLEN_DEFAULT;
	if (!lv->opts.ring_size)
		lv->opts.ring_size = RING_SIZE_DEFAULT;
	lv->points = points;
	lv->ring_fd = lv->hosts_fd = lv->points_fd = -1;
	lv->stats_fd = lv->misc_fd = -1;
	lv->ncpus = libbpf_num_possible_cpus();
	if (lv->ncpus <= 0)
		lv->ncpus = 1;
	libbpf_set_print(bpf_util_libbpf_log);
	lv->tcx = !o->force_clsact && kernel_has_tcx();
	lv->mono_to_real = bpf_util_mono_to_real_ns();
	log_debug("live: TC hooks via %s", lv->tcx ? "tcx links" : "clsact");
	*out = lv;
	return 0;
}

/* Parses an address into the hosts map key (IPv4 as ::ffff:a.b.c.d). */
static int host_key(const char *s, struct ds_host_key *k)
{
	memset(k, 0, sizeof(*k));
	if (inet_pton(AF_INET, s, &k->addr[12]) == 1) {
		k->addr[10] = 0xff;
		k->addr[11] = 0xff;
		return 0;
	}
	if (inet_pton(AF_INET6, s, k->addr) == 1)
		return 0;
	return -EINVAL;
}

static int fill_hosts(struct live *lv, char *err, size_t errlen)
{
	uint8_t one = 1;
	size_t i;

	for (i = 0; i < lv->opts.n_hosts; i++) {
		struct ds_host_key k;

		if (host_key(lv->opts.hosts[i], &k)) {
			snprintf(err, errlen, "bad host address '%s'", lv->opts.hosts[i]);
			return -EINVAL;
		}
		if (bpf_map_update_elem(lv->hosts_fd, &k, &one, BPF_ANY)) {
			snprintf(err, errlen, "cannot add host %s: %s",
				 lv->opts.hosts[i], strerror(errno));
			return -errno;
		}
	}
	return 0;
}

static int on_record(void *ctx, void *data, size_t size);

/* Room for this many points in the maps: at least 16, a power of two. */
static uint32_t map_room(size_t n)
{
	uint32_t cap = 16;

	while (cap < n && cap < (1u << 20))
		cap <<= 1;
	return cap;
}

/* Resolved points so far: what the maps and the choice of hooks are for. */
static size_t resolved_points(const struct live *lv)
{
	size_t i, n = 0;

	for (i = 0; i < lv->n; i++)
		n += lv->lp[i].resolved;
	return n;
}

/*
 * Opens, configures and loads the programs: the tracepoint pair (tp), or
 * XDP when a point asks for it and TC in and out always (TC ingress is
 * also the fallback when XDP cannot be attached).  dynptr: the
 * tracepoints read page fragments through an skb dynptr (kernels that
 * allow it in tracing programs; 6.18 does).
 */
static int load_skel(struct live *lv, bool tp, bool dynptr, char *err,
		     size_t errlen)
{
	struct capture *skel;
	bool xdp = false;
	size_t i;
	int ret;

	for (i = 0; i < lv->n; i++)
		xdp |= lv->lp[i].resolved && lv->lp[i].use_xdp;
	skel = capture__open();
	if (!skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open BPF skeleton: %s", strerror(errno));
		return ret;
	}
	skel->rodata->cfg_snaplen = lv->opts.snaplen;
	skel->rodata->cfg_filter = (__u32)lv->opts.filter_mode;
	skel->rodata->cfg_use_hosts = lv->opts.n_hosts > 0;
	skel->rodata->cfg_tp_dynptr = dynptr;

	bpf_program__set_autoload(skel->progs.dropspot_xdp, !tp && xdp);
	bpf_program__set_autoload(skel->progs.dropspot_tc_in, !tp);
	bpf_program__set_autoload(skel->progs.dropspot_tc_out, !tp);
	bpf_program__set_autoload(skel->progs.dropspot_tp_in, tp);
	bpf_program__set_autoload(skel->progs.dropspot_tp_out, tp);
	if (lv->tcx) {
		bpf_program__set_expected_attach_type(skel->progs.dropspot_tc_in,
			(enum bpf_attach_type)DS_ATTACH_TCX_INGRESS);
		bpf_program__set_expected_attach_type(skel->progs.dropspot_tc_out,
			(enum bpf_attach_type)DS_ATTACH_TCX_EGRESS);
	}
	ret = bpf_map__set_max_entries(skel->maps.ring, lv->opts.ring_size);
	if (!ret)
		ret = bpf_map__set_max_entries(skel->maps.points, lv->map_cap);
	if (!ret)
		ret = bpf_map__set_max_entries(skel->maps.stats,
					       lv->map_cap * DS_STAT_MAX);
	if (ret) {
		capture__destroy(skel);
		snprintf(err, errlen, "cannot configure BPF maps: %s", strerror(-ret));
		return ret;
	}
	ret = capture__load(skel);
	if (ret) {
		capture__destroy(skel);
		explain_load_error(ret, "capture", err, errlen);
		return ret;
	}
	lv->skel = skel;
	lv->tp = tp;
	return 0;
}

/* The tracepoint pair, attached once for every point. */
static int attach_tracepoints(struct live *lv, char *err, size_t errlen)
{
	lv->tp_in = bpf_program__attach_trace(lv->skel->progs.dropspot_tp_in);
	if (!lv->tp_in) {
		snprintf(err, errlen, "cannot attach tp_btf/netif_receive_skb: %s",
			 strerror(errno));
		return -errno;
	}
	lv->tp_out = bpf_program__attach_trace(lv->skel->progs.dropspot_tp_out);
	if (!lv->tp_out) {
		snprintf(err, errlen, "cannot attach tp_btf/net_dev_queue: %s",
			 strerror(errno));
		return -errno;
	}
	return 0;
}

static void detach_tracepoints(struct live *lv)
{
	bpf_link__destroy(lv->tp_in);
	bpf_link__destroy(lv->tp_out);
	lv->tp_in = lv->tp_out = NULL;
}

/*
 * Tracepoints, as asked or chosen for many points (see enum live_attach):
 * with the dynptr first, without it on a kernel that refuses it in
 * tracing programs (frames then end at their linear bytes, reported as
 * snapped).  Auto falls back to links when both are refused.
 */
static int load_tracepoints(struct live *lv, char *err, size_t errlen)
{
	int ret;

	ret = load_skel(lv, true, true, err, errlen);
	if (ret) {
		log_debug("live: tracepoints with an skb dynptr refused (%s)", err);
		ret = load_skel(lv, true, false, err, errlen);
		if (!ret)
			log_info("this kernel has no skb dynptr in tracing programs: "
				 "frames are captured up to their linear bytes");
	}
	if (!ret) {
		ret = attach_tracepoints(lv, err, errlen);
		if (ret) {
			detach_tracepoints(lv);
			capture__destroy(lv->skel);
			lv->skel = NULL;
			lv->tp = false;
		}
	}
	return ret;
}

/* Loads once, for every point prepared so far and room for more. */
static int load_programs(struct live *lv, char *err, size_t errlen)
{
	size_t n = resolved_points(lv);
	/* an interface's hooks asked for (--tc-ingress ...) keep links */
	bool tp = lv->opts.attach == LIVE_ATTACH_TRACEPOINTS ||
		  (lv->opts.attach == LIVE_ATTACH_AUTO && n > LIVE_AUTO_TP_POINTS &&
		   lv->opts.ingress == LIVE_INGRESS_AUTO && !lv->opts.force_clsact);
	int ret = -EINVAL;

	lv->map_cap = map_room(lv->n);
	if (tp) {
		ret = load_tracepoints(lv, err, errlen);
		if (ret && lv->opts.attach == LIVE_ATTACH_TRACEPOINTS)
			return ret;
		if (ret)
			log_info("%s; attaching links to each of the %zu points "
				 "instead", err, n);
	}
	if (!lv->skel) {
		ret = load_skel(lv, false, false, err, errlen);
		if (ret)
			return ret;
	}
	lv->ring_fd = bpf_map__fd(lv->skel->maps.ring);
	lv->hosts_fd = bpf_map__fd(lv->skel->maps.hosts);
	lv->points_fd = bpf_map__fd(lv->skel->maps.points);
	lv->stats_fd = bpf_map__fd(lv->skel->maps.stats);
	lv->misc_fd = bpf_map__fd(lv->skel->maps.misc_stats);
	ret = fill_hosts(lv, err, errlen);
	if (ret)
		return ret;
	lv->rb = ring_buffer__new(lv->ring_fd, on_record, lv, NULL);
	if (!lv->rb) {
		ret = -errno;
		snprintf(err, errlen, "cannot map the ring buffer: %s", strerror(errno));
		return ret;
	}
	log_debug("live: programs loaded once for %zu points (room for %u), "
		  "hooked by %s", lv->n, lv->map_cap,
		  lv->tp ? "tracepoints" : "links");
	return 0;
}

/*
 * The point's entry in the "points" map: (netns inode, ifindex) -> the
 * point's index in lv->lp, which the records carry and on_record looks up
 * (not its id in the point table: other sources, the kernel-drops point,
 * may have taken table ids before ours).  Added before the point's hooks
 * are attached, so its first frame is not counted as unknown; removed when
 * the attach failed or the interface went away.
 */
static int map_point(struct live *lv, struct live_point *lp, char *err,
		     size_t errlen)
{
	struct ds_point_key k = {
		.netns_ino = (__u32)lp->ns_ino, .ifindex = lp->ifindex,
	};
	__u32 idx = (__u32)(lp - lv->lp);

	if (idx >= lv->map_cap) {
		snprintf(err, errlen, "%s: more points than the programs were "
			 "loaded for (%u)", lp->name, lv->map_cap);
		return -E2BIG;
	}
	if (bpf_map_update_elem(lv->points_fd, &k, &idx, BPF_ANY)) {
		snprintf(err, errlen, "%s: cannot add it to the points map: %s",
			 lp->name, strerror(errno));
		return -errno;
	}
	lp->mapped = true;
	return 0;
}

static void unmap_point(struct live *lv, struct live_point *lp)
{
	struct ds_point_key k = {
		.netns_ino = (__u32)lp->ns_ino, .ifindex = lp->ifindex,
	};

	if (!lp->mapped)
		return;
	if (bpf_map_delete_elem(lv->points_fd, &k) && errno != ENOENT)
		log_warn("cannot remove %s from the points map: %s", lp->name,
			 strerror(errno));
	lp->mapped = false;
}

/*
 * Why XDP was refused, naming the device whose program is in the way: the
 * kernel says EBUSY when the slot holds a program it will not replace and
 * EEXIST both when an upper device (bridge, bond, VLAN) has XDP and when
 * the device itself has XDP in the other mode (native vs generic).
 */
static void explain_xdp_error(const struct live_point *lp, int e,
			      const char *name, char *why, size_t whylen)
{
	struct link_info now, up;
	uint32_t master = lp->li.master;

	if (e != EBUSY && e != EEXIST) {
		snprintf(why, whylen, "cannot attach XDP to %s: %s", name,
			 strerror(e));
		return;
	}
	/* asked now, in the point's netns: the device itself first */
	if (link_query(lp->ifindex, NULL, &now) == 0) {
		if (now.xdp_prog_id) {
			snprintf(why, whylen, "XDP slot of %s is taken by "
				 "another program (id %u)", name,
				 now.xdp_prog_id);
			return;
		}
		master = now.master;
	}
	if (master && link_query(master, NULL, &up) == 0 && up.xdp_prog_id) {
		snprintf(why, whylen,
			 "%s: its master device has an XDP program (%s, id %u)",
			 name, up.ifname, up.xdp_prog_id);
		return;
	}
	snprintf(why, whylen, "cannot attach XDP to %s: %s (an upper device "
		 "may hold an XDP program)", name, strerror(e));
}

/*
 * XDP through a link, so it goes away with the process.  flags 0 lets the
 * kernel pick native XDP where the driver has it, generic XDP elsewhere.
 */
static int attach_xdp(struct live *lv, struct live_point *lp, uint32_t flags,
		      const char *name, char *why, size_t whylen)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	int prog_fd = bpf_program__fd(lv->skel->progs.dropspot_xdp);
	int fd, e;

	if (prog_fd < 0) {
		snprintf(why, whylen, "%s: the XDP program was not loaded", name);
		return -EOPNOTSUPP;
	}
	fd = bpf_link_create(prog_fd, (int)lp->ifindex, BPF_XDP, &opts);
	if (fd >= 0) {
		lp->xdp_fd = fd;
		return 0;
	}
	e = -fd;
	explain_xdp_error(lp, e, name, why, whylen);
	return -e;
}

static int attach_clsact(struct live_point *lp, int prog_fd, bool egress,
			 const char *name, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)lp->ifindex,
		    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	struct bpf_tc_opts *opts = egress ? &lp->cls_out_opts : &lp->cls_in_opts;
	int ret;

	ret = bpf_tc_hook_create(&hook);
	if (ret == 0)
		lp->qdisc_created = true;
	else if (ret != -EEXIST) {
		snprintf(err, errlen, "cannot create clsact qdisc on %s: %s",
			 name, strerror(-ret));
		return ret;
	}
	hook.attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS;
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts);
	opts->prog_fd = prog_fd;
	ret = bpf_tc_attach(&hook, opts);
	if (ret) {
		snprintf(err, errlen, "cannot attach TC %s filter to %s: %s",
			 egress ? "egress" : "ingress", name, strerror(-ret));
		return ret;
	}
	if (egress)
		lp->cls_out = true;
	else
		lp->cls_in = true;
	return 0;
}

static int attach_tc(struct live *lv, struct live_point *lp, bool egress,
		     const char *name, char *err, size_t errlen)
{
	struct bpf_program *prog = egress ? lv->skel->progs.dropspot_tc_out
					  : lv->skel->progs.dropspot_tc_in;
	int prog_fd = bpf_program__fd(prog);
	int fd;

	if (!lv->tcx)
		return attach_clsact(lp, prog_fd, egress, name, err, errlen);
	fd = bpf_link_create(prog_fd, (int)lp->ifindex,
			     (enum bpf_attach_type)(egress ? DS_ATTACH_TCX_EGRESS
							   : DS_ATTACH_TCX_INGRESS),
			     NULL);
	if (fd < 0) {
		snprintf(err, errlen, "cannot attach tcx %s link to %s: %s%s",
			 egress ? "egress" : "ingress", name, strerror(-fd),
			 fd == -ERANGE ? " (the hook holds as many programs as "
			 "the kernel allows)" : "");
		return fd;
	}
	if (egress)
		lp->tcx_out_fd = fd;
	else
		lp->tcx_in_fd = fd;
	return 0;
}

/* Removes exactly what lp attached; runs inside lp's netns. */
static void detach_point(struct live_point *lp)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)lp->ifindex);
	char err[256];
	int saved = -1;

	if (lp->xdp_fd >= 0)
		close(lp->xdp_fd);
	lp->xdp_fd = -1;
	if (lp->tcx_in_fd >= 0)
		close(lp->tcx_in_fd);
	if (lp->tcx_out_fd >= 0)
		close(lp->tcx_out_fd);
	lp->tcx_in_fd = lp->tcx_out_fd = -1;
	if (!lp->cls_in && !lp->cls_out && !lp->qdisc_created)
		return;
	/* clsact filters are found by ifindex: only in their own netns */
	if (netns_enter(lp->netns_path, &saved, err, sizeof(err))) {
		log_error("cannot remove the TC filters of %s: %s", lp->name, err);
		return;
	}
	if (lp->cls_in) {
		hook.attach_point = BPF_TC_INGRESS;
		lp->cls_in_opts.prog_fd = 0;
		lp->cls_in_opts.prog_id = 0;
		lp->cls_in_opts.flags = 0;
		if (bpf_tc_detach(&hook, &lp->cls_in_opts))
			log_warn("cannot remove TC ingress filter from ifindex %u",
				 lp->ifindex);
		lp->cls_in = false;
	}
	if (lp->cls_out) {
		hook.attach_point = BPF_TC_EGRESS;
		lp->cls_out_opts.prog_fd = 0;
		lp->cls_out_opts.prog_id = 0;
		lp->cls_out_opts.flags = 0;
		if (bpf_tc_detach(&hook, &lp->cls_out_opts))
			log_warn("cannot remove TC egress filter from ifindex %u",
				 lp->ifindex);
		lp->cls_out = false;
	}
	if (lp->qdisc_created) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
		lp->qdisc_created = false;
	}
	if (netns_leave(saved)) {
		log_error("cannot return to the original netns: %s", strerror(errno));
		abort();
	}
}

static bool ingress_uses_xdp(const struct live *lv, const struct link_info *li)
{
	switch (lv->opts.ingress) {
	case LIVE_INGRESS_XDP:
		return true;
	case LIVE_INGRESS_TC:
		return false;
	case LIVE_INGRESS_AUTO:
		break;
	}
	/*
	 * Physical NICs: TC too.  Attaching native XDP makes many drivers
	 * (mlx5, i40e, ixgbe, virtio_net ...) rebuild their rings, a link
	 * flap and lost frames on the very path we are asked to observe;
	 * TC ingress sees the same frames without touching the device.
	 */
	return link_point_kind(li) != POINT_KIND_PHYSICAL &&
	       strcmp(li->kind, "veth") != 0 && strcmp(li->kind, "bridge") != 0;
}

static void describe_point(struct point *p, const struct if_target *t,
			   const struct link_info *li, const struct live *lv)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->ifname, sizeof(p->ifname), "%s", li->ifname);
	snprintf(p->netns, sizeof(p->netns), "%s", t->netns_name);
	if (t->netns_name[0])
		snprintf(p->name, sizeof(p->name), "%.64s/%.16s", t->netns_name,
			 li->ifname);
	else
		snprintf(p->name, sizeof(p->name), "%s", li->ifname);
	snprintf(p->source, sizeof(p->source), "live");
	p->ifindex = li->ifindex;
	p->linktype = LINKTYPE_ETHERNET;
	p->snaplen = lv->opts.snaplen;
	p->tsresol_ns = 1;
	p->kind = link_point_kind(li);
	p->hook = ingress_uses_xdp(lv, li) ? HOOK_XDP : HOOK_TC_INGRESS;
	p->capture_drops_known = true;
}

/*
 * Ingress, in this order, stopping at the first hook the kernel takes:
 *   1. XDP as the kernel picks it (native where the driver has it), for a
 *      point configured for XDP;
 *   2. TC ingress (tcx link; clsact without tcx): it sees every frame XDP
 *      would pass, shares the hook with other programs and changes nothing
 *      on the device, so it is the fallback whatever refused XDP (a driver
 *      without XDP, a foreign program in the slot, XDP on the master);
 *   3. generic XDP (XDP_FLAGS_SKB_MODE) last: it runs on every skb,
 *      linearising the non-linear ones, and while it holds the generic
 *      slot nobody can attach native XDP to the device.
 * Each refusal is appended to why.  Returns 0 or the last error.
 */
static int attach_ingress(struct live *lv, struct live_point *lp,
			  const char *name, char *why, size_t whylen)
{
	struct point *p = point_get(lv->points, lp->point_id);
	char msg[512];
	size_t off = 0;
	int ret = 0, xdp_ret = 0;

	why[0] = '\0';
	if (lp->use_xdp) {
		ret = xdp_ret = attach_xdp(lv, lp, 0, name, msg, sizeof(msg));
		if (!ret)
			return 0;
		off += (size_t)snprintf(why + off, off < whylen ? whylen - off : 0,
					"%s", msg);
	}
	ret = attach_tc(lv, lp, false, name, msg, sizeof(msg));
	if (!ret) {
		if (lp->use_xdp)
			log_info("%s; using TC ingress instead", why);
		if (p)
			p->hook = HOOK_TC_INGRESS;
		return 0;
	}
	off += (size_t)snprintf(why + off, off < whylen ? whylen - off : 0,
				"%s%s", off ? "; " : "", msg);
	/* a foreign program in the way refuses generic XDP just the same */
	if (!lp->use_xdp || xdp_ret == -EBUSY || xdp_ret == -EEXIST)
		return ret;
	ret = attach_xdp(lv, lp, XDP_FLAGS_SKB_MODE, name, msg, sizeof(msg));
	if (!ret) {
		log_info("%s; using generic XDP instead", why);
		if (p)
			p->hook = HOOK_XDP;
		return 0;
	}
	snprintf(why + off, off < whylen ? whylen - off : 0, "; generic XDP: %s",
		 msg);
	return ret;
}

/*
 * Attaches what the kernel takes and records in lp->blind what it does
 * not.  Returns 0 when at least one direction is watched.
 */
static int attach_point(struct live *lv, struct live_point *lp,
			const char *name, char *err, size_t errlen)
{
	char in_why[1024], out_why[512];
	int in_ret, out_ret;

	if (lv->tp) {
		struct point *p = point_get(lv->points, lp->point_id);

		/* the map entry is the attachment */
		if (p)
			p->hook = HOOK_TRACEPOINT;
		return 0;
	}
	in_ret = attach_ingress(lv, lp, name, in_why, sizeof(in_why));
	out_ret = attach_tc(lv, lp, true, name, out_why, sizeof(out_why));
	if (in_ret && out_ret) {
		lp->blind = POINT_BLIND_ALL;
		snprintf(err, errlen, "%s not watched: %s; %s", name, in_why,
			 out_why);
		return in_ret;
	}
	if (in_ret) {
		lp->blind |= POINT_BLIND_IN;
		log_warn("%s: frames it receives are not watched: %s", name,
			 in_why);
	}
	if (out_ret) {
		lp->blind |= POINT_BLIND_OUT;
		log_warn("%s: frames it sends are not watched: %s", name,
			 out_why);
	}
	return 0;
}

/* Marks lp and its point as watched nowhere. */
static void set_blind(struct live *lv, struct live_point *lp)
{
	struct point *p = point_get(lv->points, lp->point_id);

	lp->blind = POINT_BLIND_ALL;
	lp->tried = true;
	if (p) {
		p->blind = POINT_BLIND_ALL;
		p->capture_drops_known = false;
	}
}

/* Room for one more point in lv->lp. */
static int grow_points(struct live *lv, char *err, size_t errlen)
{
	size_t ncap;
	struct live_point *n;

	if (lv->n < lv->cap)
		return 0;
	ncap = lv->cap ? lv->cap * 2 : 8;
	n = realloc(lv->lp, ncap * sizeof(*n));
	if (!n) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	lv->lp = n;
	lv->cap = ncap;
	return 0;
}

/*
 * A target that names no interface we can watch (gone, never there, in a
 * netns that is gone, not Ethernet) still takes its place in the point
 * table: the i-th target stays point i, and the report says it was not
 * watched instead of reading its silence as evidence.
 */
/*
 * The point in the table and its live slot (not yet counted in lv->n, so
 * the caller fills it before live_free may see it), or NULL on ENOMEM.
 */
static struct live_point *add_live_point(struct live *lv,
					 const struct point *pt, int *id,
					 char *err, size_t errlen)
{
	struct live_point *lp;

	*id = point_table_add(lv->points, pt);
	if (*id < 0) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	lp = &lv->lp[lv->n];
	memset(lp, 0, sizeof(*lp));
	lp->point_id = (uint32_t)*id;
	lp->xdp_fd = lp->tcx_in_fd = lp->tcx_out_fd = -1;
	snprintf(lp->name, sizeof(lp->name), "%s", pt->name);
	return lp;
}

static int add_unwatched(struct live *lv, const char *target,
			 const struct point *pt, const char *why, char *err,
			 size_t errlen)
{
	struct live_point *lp;
	struct point tmpl;
	const char *slash = strrchr(target, '/');
	int id, ret;

	ret = grow_points(lv, err, errlen);
	if (ret)
		return ret;
	if (pt) {
		tmpl = *pt;
	} else {
		memset(&tmpl, 0, sizeof(tmpl));
		snprintf(tmpl.name, sizeof(tmpl.name), "%s", target);
		snprintf(tmpl.ifname, sizeof(tmpl.ifname), "%s",
			 slash ? slash + 1 : target);
		if (slash)
			snprintf(tmpl.netns, sizeof(tmpl.netns), "%.*s",
				 (int)(slash - target), target);
		snprintf(tmpl.source, sizeof(tmpl.source), "live");
		tmpl.linktype = LINKTYPE_ETHERNET;
		tmpl.snaplen = lv->opts.snaplen;
		tmpl.tsresol_ns = 1;
		tmpl.kind = POINT_KIND_UNKNOWN;
		tmpl.hook = lv->opts.ingress == LIVE_INGRESS_XDP ? HOOK_XDP :
			    HOOK_TC_INGRESS;
	}
	lp = add_live_point(lv, &tmpl, &id, err, errlen);
	if (!lp)
		return -ENOMEM;
	lv->n++;
	set_blind(lv, lp);
	log_warn("%s not watched: %s", tmpl.name, why);
	return id;
}

int live_prepare(struct live *lv, const char *target, char *err, size_t errlen)
{
	struct if_target t;
	struct link_info li, ml;
	char master[sizeof(ml.ifname)] = "";
	struct live_point *lp;
	struct point pt;
	int saved = -1, ret, id;
	size_t i;

	ret = netns_parse_target(target, &t, err, errlen);
	/* a malformed target is a usage error; a netns that is gone is not */
	if (ret == -EINVAL || ret == -ENAMETOOLONG)
		return ret;
	if (ret)
		return add_unwatched(lv, target, NULL, err, err, errlen);
	ret = grow_points(lv, err, errlen);
	if (ret)
		return ret;
	ret = netns_enter(t.netns_path, &saved, err, errlen);
	if (ret)
		return add_unwatched(lv, target, NULL, err, err, errlen);
	ret = link_query(t.ifindex, t.ifname, &li);
	/* the master's name is only known inside the point's netns */
	if (!ret && li.master && !link_query(li.master, NULL, &ml))
		snprintf(master, sizeof(master), "%s", ml.ifname);
	if (netns_leave(saved)) {
		/* Continuing in a foreign netns would be silently wrong. */
		log_error("cannot return to the original netns: %s", strerror(errno));
		abort();
	}
	if (ret) {
		if (ret == -ENODEV || ret == -EINVAL)
			snprintf(err, errlen, "unknown interface '%s'%s%s", target,
				 t.netns_name[0] ? " in netns " : "", t.netns_name);
		else
			snprintf(err, errlen, "cannot look up interface '%s': %s",
				 target, strerror(-ret));
		return add_unwatched(lv, target, NULL, err, err, errlen);
	}
	if (li.type != ARPHRD_ETHER && li.type != ARPHRD_LOOPBACK) {
		snprintf(err, errlen,
			 "not an Ethernet device (ARPHRD %u): not supported",
			 li.type);
		describe_point(&pt, &t, &li, lv);
		return add_unwatched(lv, target, &pt, err, err, errlen);
	}
	for (i = 0; i < lv->n; i++) {
		if (lv->lp[i].ifindex == li.ifindex &&
		    lv->lp[i].ns_dev == t.ns_dev && lv->lp[i].ns_ino == t.ns_ino) {
			snprintf(err, errlen, "%s is given twice", target);
			return -EEXIST;
		}
	}
	/* IFF_LOWER_UP: a tap has carrier only while a process holds it */
	if (!strcmp(li.kind, "tun") && !(li.flags & 0x10000))
		log_warn("%s: tap device without carrier (no process holds it "
			 "open, or it is down): it passes no frames", target);
	describe_point(&pt, &t, &li, lv);
	snprintf(pt.master, sizeof(pt.master), "%s", master);
	pt.master_known = true;
	lp = add_live_point(lv, &pt, &id, err, errlen);
	if (!lp)
		return -ENOMEM;
	lp->ifindex = li.ifindex;
	lp->li = li;
	snprintf(lp->ifname, sizeof(lp->ifname), "%s", li.ifname);
	lp->use_xdp = pt.hook == HOOK_XDP;
	lp->ns_dev = t.ns_dev;
	lp->ns_ino = t.ns_ino;
	snprintf(lp->netns_path, sizeof(lp->netns_path), "%s", t.netns_path);
	lp->resolved = true;
	lv->n++;	/* from here on live_free cleans it up */
	/* loaded already (live_add after live_attach): only as many as fit */
	if (lv->skel && lv->n > lv->map_cap) {
		set_blind(lv, lp);
		snprintf(err, errlen, "%s: more points than the programs were "
			 "loaded for (%u)", lp->name, lv->map_cap);
		return -E2BIG;
	}
	return id;
}

/* True when another watched point in lp's netns is a port of lp. */
static bool is_watched_master(const struct live *lv, const struct live_point *lp)
{
	size_t i;

	for (i = 0; i < lv->n; i++)
		if (lv->lp[i].li.master == lp->ifindex &&
		    lv->lp[i].ns_dev == lp->ns_dev && lv->lp[i].ns_ino == lp->ns_ino)
			return true;
	return false;
}

/*
 * A point the kernel refuses is reported once and left blind; only a run
 * with no point watched at all is an error.
 */
static void attach_one(struct live *lv, struct live_point *lp)
{
	struct point *p = point_get(lv->points, lp->point_id);
	char err[2048];
	int saved = -1, ret;

	ret = map_point(lv, lp, err, sizeof(err));
	/* tracepoints: the map entry is all, no netns to enter */
	if (!ret && !lv->tp)
		ret = netns_enter(lp->netns_path, &saved, err, sizeof(err));
	if (ret) {
		unmap_point(lv, lp);
		set_blind(lv, lp);
		log_warn("%s not watched: %s", lp->name, err);
		return;
	}
	ret = attach_point(lv, lp, lp->name, err, sizeof(err));
	if (ret)
		detach_point(lp);	/* nothing is attached; be sure */
	if (netns_leave(saved)) {
		log_error("cannot return to the original netns: %s", strerror(errno));
		abort();
	}
	lp->tried = true;
	if (p)
		p->blind = lp->blind;
	if (ret) {
		unmap_point(lv, lp);
		set_blind(lv, lp);
		log_warn("%s", err);
		return;
	}
	log_debug("live: watching %s (ifindex %u, %s) as point %u", lp->name,
		  lp->ifindex, lp->li.kind[0] ? lp->li.kind : "-", lp->point_id);
}

/*
 * Ports before their bridge: the kernel refuses XDP on a device whose
 * master already has an XDP program, so this order keeps XDP on both.
 */
int live_attach(struct live *lv, char *err, size_t errlen)
{
	size_t i, watched = 0;
	int pass, ret;

	if (!lv->skel) {
		ret = load_programs(lv, err, errlen);
		if (ret)
			return ret;
	}
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < lv->n; i++) {
			struct live_point *lp = &lv->lp[i];

			if (lp->tried || is_watched_master(lv, lp) != (pass == 1))
				continue;
			attach_one(lv, lp);
		}
	}
	for (i = 0; i < lv->n; i++)
		if (lv->lp[i].blind != POINT_BLIND_ALL)
			watched++;
	if (!watched) {
		snprintf(err, errlen, "no point could be watched");
		return -ENODEV;
	}
	return 0;
}

int live_add(struct live *lv, const char *target, char *err, size_t errlen)
{
	int id = live_prepare(lv, target, err, errlen);
	int ret;

	if (id < 0)
		return id;
	ret = live_attach(lv, err, errlen);
	return ret ? ret : id;
}

/*
 * The ring record is untrusted input (practice 4): every length is checked
 * against the record size before the frame points into it.
 */
static int on_record(void *ctx, void *data, size_t size)
{
	struct live *lv = ctx;
	struct ds_record r;
	struct live_point *lp;
	struct point *p;
	struct frame f;
	const uint8_t *bytes;

	if (live_record_parse(data, size, (uint32_t)lv->n, &r, &bytes))
		goto bad;
	lp = &lv->lp[r.point_id];
	if (lp->ifindex != r.ifindex)
		goto bad;
	if (lv->discarding) {
		lp->unwritten++;
		return 0;
	}

	memset(&f, 0, sizeof(f));
	f.data = bytes;
	f.caplen = r.cap_len;
	f.wirelen = r.wire_len;
	f.ts_ns = (uint64_t)((int64_t)r.ts_ns + lv->mono_to_real);
	f.number = ++lv->seq;
	f.point = lp->point_id;
	f.linktype = LINKTYPE_ETHERNET;
	f.dir = r.dir;
	if (r.flags & DS_REC_F_HW_VLAN) {
		f.flags |= FRAME_F_HW_VLAN;
		f.hw_vlan_tci = r.vlan_tci;
	}
	p = point_get(lv->points, lp->point_id);
	if (p) {
		p->frames++;
		p->bytes += f.wirelen;
		if (f.caplen < f.wirelen)
			p->snapped++;
		if (f.dir == DIR_IN)
			p->frames_in++;
		else
			p->frames_out++;
	}
	if (lv->fn && lv->fn(&f, lv->fn_ctx)) {
		lv->stopped = true;
		return -ECANCELED;
	}
	return 0;
bad:
	lv->bad_records++;
	return 0;
}

int live_poll(struct live *lv, int timeout_ms, live_frame_fn fn, void *ctx)
{
	int ret;

	if (!lv->rb)
		return -ENOTCONN;
	lv->fn = fn;
	lv->fn_ctx = ctx;
	ret = ring_buffer__poll(lv->rb, timeout_ms);
	if (ret == -ECANCELED && lv->stopped)
		return 1;
	return ret;
}

int live_drain(struct live *lv, live_frame_fn fn, void *ctx)
{
	int ret;

	if (!lv->rb)
		return 0;
	/* the caller decides to drain, whatever stopped the last poll */
	lv->stopped = false;
	lv->fn = fn;
	lv->fn_ctx = ctx;
	ret = ring_buffer__consume(lv->rb);
	if (ret == -ECANCELED && lv->stopped)
		return 1;
	return ret;
}

/*
 * Every point's hooks off: links closed, clsact filters removed; the
 * programs and maps, one copy for all, go in live_free.  What is left is
 * the kernel's own cost: removing a tcx link (adding one too, and native
 * XDP on a veth) waits for an RCU grace period while holding RTNL, so
 * about one grace period per link, whatever the number of threads.
 */
static void detach_all(struct live *lv)
{
	size_t i;

	detach_tracepoints(lv);
	for (i = 0; i < lv->n; i++)
		detach_point(&lv->lp[i]);
}

void live_detach(struct live *lv)
{
	if (!lv)
		return;
	detach_all(lv);
	/*
	 * A program that was running when its link went still commits its
	 * record (reserve to submit takes microseconds): a moment here lets
	 * the drain take it, rather than the discard count it as unwritten.
	 */
	usleep(10000);
}

uint64_t live_discard(struct live *lv)
{
	uint64_t before = 0, after = 0;
	size_t i;

	if (!lv || !lv->rb)
		return 0;
	for (i = 0; i < lv->n; i++)
		before += lv->lp[i].unwritten;
	lv->discarding = true;
	ring_buffer__consume(lv->rb);
	lv->discarding = false;
	for (i = 0; i < lv->n; i++)
		after += lv->lp[i].unwritten;
	return after - before;
}

bool live_stopped(const struct live *lv)
{
	return lv->stopped;
}

/* Sum over CPUs of a per-CPU counter. */
static uint64_t read_percpu(struct live *lv, int fd, uint32_t key)
{
	uint64_t *vals, sum = 0;
	int i;

	if (fd < 0)
		return 0;
	vals = calloc((size_t)lv->ncpus, sizeof(*vals));
	if (!vals)
		return 0;
	if (bpf_map_lookup_elem(fd, &key, vals) == 0)
		for (i = 0; i < lv->ncpus; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

static uint64_t read_stat(struct live *lv, struct live_point *lp, uint32_t idx)
{
	if (!lp->resolved || !lv->skel)
		return 0;
	return read_percpu(lv, lv->stats_fd,
			   (uint32_t)(lp - lv->lp) * DS_STAT_MAX + idx);
}

uint64_t live_unknown_dev(struct live *lv)
{
	return lv->skel ? read_percpu(lv, lv->misc_fd, DS_MISC_UNKNOWN_DEV) : 0;
}

void live_update_stats(struct live *lv)
{
	size_t i;

	for (i = 0; i < lv->n; i++) {
		struct point *p = point_get(lv->points, lv->lp[i].point_id);

		if (!p || lv->lp[i].blind == POINT_BLIND_ALL)
			continue;
		/* records the end could not write are lost as surely */
		p->capture_drops = read_stat(lv, &lv->lp[i], DS_STAT_LOST) +
				   read_stat(lv, &lv->lp[i], DS_STAT_LOAD_ERR) +
				   lv->lp[i].unwritten;
		p->capture_drops_known = true;
	}
}

uint64_t live_lost_total(const struct live *lv)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < lv->n; i++) {
		const struct point *p = point_get_const(lv->points, lv->lp[i].point_id);

		if (p)
			sum += p->capture_drops;
	}
	return sum;
}

uint64_t live_bad_records(const struct live *lv)
{
	return lv->bad_records;
}

bool live_uses_tcx(const struct live *lv)
{
	return lv->tcx;
}

bool live_uses_tracepoints(const struct live *lv)
{
	return lv->tp;
}

int live_attach_parse(const char *s, enum live_attach *out)
{
	if (!strcmp(s, "auto"))
		*out = LIVE_ATTACH_AUTO;
	else if (!strcmp(s, "links"))
		*out = LIVE_ATTACH_LINKS;
	else if (!strcmp(s, "tracepoints"))
		*out = LIVE_ATTACH_TRACEPOINTS;
	else
		return -EINVAL;
	return 0;
}

/* ---- interface churn ------------------------------------------------- */

static uint64_t real_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* "12:34:56.789", local time, as the per-frame lines print it. */
static void time_of_day(uint64_t ns, char *buf, size_t len)
{
	time_t sec = (time_t)(ns / 1000000000ull);
	struct tm tm;

	if (!localtime_r(&sec, &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min,
		 tm.tm_sec, (unsigned)(ns % 1000000000ull / 1000000));
}

static void tell(struct live *lv, const struct live_point *lp, bool present,
		 uint64_t ts)
{
	struct live_link_event ev = {
		.point_id = lp->point_id, .present = present, .ts_ns = ts,
	};

	if (lv->link_fn)
		lv->link_fn(&ev, lv->link_ctx);
}

/*
 * The interface went away: its links went with it (closing them is all
 * that is left to do) and so did a clsact qdisc of ours, so nothing is
 * removed in the kernel.  The watch window closes now.
 */
static void link_gone(struct live *lv, struct live_point *lp)
{
	struct point *p = point_get(lv->points, lp->point_id);
	uint64_t ts = real_now_ns();
	char when[32];

	if (lp->xdp_fd >= 0)
		close(lp->xdp_fd);
	if (lp->tcx_in_fd >= 0)
		close(lp->tcx_in_fd);
	if (lp->tcx_out_fd >= 0)
		close(lp->tcx_out_fd);
	lp->xdp_fd = lp->tcx_in_fd = lp->tcx_out_fd = -1;
	lp->cls_in = lp->cls_out = lp->qdisc_created = false;
	unmap_point(lv, lp);
	lp->gone = true;
	if (p)
		point_gap_open(p, ts);
	time_of_day(ts, when, sizeof(when));
	log_warn("%s in ns %s went away at %s; its watch window is closed",
		 lp->ifname, p && p->netns[0] ? p->netns : "(host)", when);
	tell(lv, lp, false, ts);
}

/*
 * An interface of the same name appeared in the point's netns: the
 * programs (still loaded) attach to it through the usual path, and a new
 * watch window opens.  One that cannot be watched stays gone.
 */
static void link_back(struct live *lv, struct live_point *lp,
		      const struct link_info *li)
{
	struct point *p = point_get(lv->points, lp->point_id);
	char err[2048], when[32];
	int saved = -1, ret;
	uint64_t ts;

	ret = netns_enter(lp->netns_path, &saved, err, sizeof(err));
	if (ret) {
		log_warn("%s came back but cannot be watched: %s", lp->name, err);
		return;
	}
	lp->ifindex = li->ifindex;
	lp->li = *li;
	lp->blind = 0;
	ret = map_point(lv, lp, err, sizeof(err));
	if (!ret)
		ret = attach_point(lv, lp, lp->name, err, sizeof(err));
	if (ret)
		detach_point(lp);
	if (netns_leave(saved)) {
		log_error("cannot return to the original netns: %s", strerror(errno));
		abort();
	}
	if (ret) {
		unmap_point(lv, lp);
		log_warn("%s came back but cannot be watched: %s", lp->name, err);
		return;
	}
	ts = real_now_ns();
	lp->gone = false;
	if (p) {
		p->ifindex = li->ifindex;
		p->blind = lp->blind;
		point_gap_close(p, ts);
	}
	time_of_day(ts, when, sizeof(when));
	log_warn("%s in ns %s came back at %s (ifindex %u); watched again, in "
		 "a new watch window", lp->ifname,
		 p && p->netns[0] ? p->netns : "(host)", when, li->ifindex);
	tell(lv, lp, true, ts);
}

static void on_link(void *ctx, dev_t ns_dev, ino_t ns_ino, bool present,
		    const struct link_info *li)
{
	struct live *lv = ctx;
	size_t i;

	for (i = 0; i < lv->n; i++) {
		struct live_point *lp = &lv->lp[i];

		/* only points whose programs were loaded can be watched again */
		if (!lp->resolved || !lp->ifname[0] || lp->ns_dev != ns_dev ||
		    lp->ns_ino != ns_ino)
			continue;
		if (!present && !lp->gone && lp->ifindex == li->ifindex)
			link_gone(lv, lp);
		else if (present && lp->gone && !strcmp(lp->ifname, li->ifname))
			link_back(lv, lp, li);
	}
}

/*
 * The stream of notifications cannot be trusted (it overran, or the
 * socket was opened after the attach): each point's interface is looked
 * up again, by index while watched, by name while gone.
 */
static void resync_links(struct live *lv)
{
	size_t i;

	for (i = 0; i < lv->n; i++) {
		struct live_point *lp = &lv->lp[i];
		struct link_info li;
		char err[256];
		int saved = -1, ret;

		if (!lp->resolved || !lp->ifname[0] ||
		    (!lp->gone && lp->blind == POINT_BLIND_ALL))
			continue;
		if (netns_enter(lp->netns_path, &saved, err, sizeof(err)))
			continue;
		ret = lp->gone ? link_query(0, lp->ifname, &li) :
				 link_query(lp->ifindex, NULL, &li);
		if (netns_leave(saved)) {
			log_error("cannot return to the original netns: %s",
				  strerror(errno));
			abort();
		}
		if (!lp->gone && ret == -ENODEV)
			link_gone(lv, lp);
		else if (lp->gone && !ret)
			link_back(lv, lp, &li);
	}
}

int live_follow_links(struct live *lv, live_link_fn fn, void *ctx, char *err,
		      size_t errlen)
{
	size_t i;
	int ret;

	lv->link_fn = fn;
	lv->link_ctx = ctx;
	lv->lw = linkwatch_new();
	if (!lv->lw) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < lv->n; i++) {
		const struct live_point *lp = &lv->lp[i];

		if (!lp->resolved)
			continue;
		ret = linkwatch_add(lv->lw, lp->netns_path, lp->ns_dev,
				    lp->ns_ino, err, errlen);
		if (ret) {
			linkwatch_free(lv->lw);
			lv->lw = NULL;
			return ret;
		}
	}
	/* what went between the attach and the subscription */
	resync_links(lv);
	return 0;
}

int live_check_links(struct live *lv)
{
	int ret;

	if (!lv->lw)
		return 0;
	/*
	 * Records of an interface that went are all in the ring by now (its
	 * hooks went with it): taken first, so they are handed on before
	 * its window closes and are not mistaken for records of the new
	 * interface, whose index differs.
	 */
	if (lv->rb && lv->fn && !lv->stopped)
		ring_buffer__consume(lv->rb);
	ret = linkwatch_read(lv->lw, on_link, lv);
	if (ret == -ENOBUFS) {
		log_info("rtnetlink notifications were lost; looking at the "
			 "watched interfaces again");
		resync_links(lv);
	}
	return 0;
}

void live_free(struct live *lv)
{
	if (!lv)
		return;
	/* Links first, so no program runs while the ring goes away. */
	detach_all(lv);
	linkwatch_free(lv->lw);
	if (lv->skel && log_get_level() >= LOG_DEBUG)
		log_debug("live: %llu wanted frames of devices not watched",
			  (unsigned long long)live_unknown_dev(lv));
	ring_buffer__free(lv->rb);
	capture__destroy(lv->skel);
	free(lv->lp);
	free(lv);
}
