// SPDX-License-Identifier: GPL-2.0
/*
 * Topology discovery for `dropspot trace --auto`: a bounded walk over the
 * interface graph, asked from rtnetlink one netns at a time.
 *
 *   route to TARGET in the start netns -> output interface
 *   veth            -> its peer (IFLA_LINK + IFLA_LINK_NETNSID -> netns name)
 *   tap             -> the other taps of the process that holds it (a VMM,
 *                      or the lab's tap_relay), found through /proc
 *   bridge port     -> its bridge (IFLA_MASTER)
 *   bridge          -> the route from the bridge's netns: the bridge itself
 *                      (target on this segment: walk its ports) or an
 *                      uplink (routed / NAT: continue there)
 *   entering a netns through an interface -> route from there, and so on.
 *   a frame a bridge switches (its L2 next hop is not the bridge's netns)
 *                   -> the FDB's port for the next hop's MAC, every port
 *                      when unknown; the host's routes are not asked.
 *
 * Then the way back, from the target's netns and each netns that routed
 * the request: the reply's route (`ip route get SRC from TARGET iif IN`),
 * followed the same way into the netns beyond; and, in those netns, every
 * other interface holding a route to the source or the target.
 *
 * The walk never stays in a foreign netns: for every netns it meets it
 * enters once, opens a NETLINK_ROUTE socket (which stays bound to that
 * netns) and goes straight back, so all later questions are asked from the
 * caller's netns and a failure cannot strand the thread elsewhere.
 *
 * Every netlink message is untrusted: headers and attributes are read
 * through common/cursor.h with their lengths checked, every loop (messages,
 * attributes, recv calls, /proc entries, hops, points) is capped.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/if_tunnel.h>
#include <linux/neighbour.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "common/log.h"
#include "common/cursor.h"
#include "live_link.h"
#include "nlmsg.h"
#include "topology.h"

#define NETNS_RUN_DIR "/var/run/netns"

#define NL_BUF (64 * 1024)	/* one recv(); dumps come in smaller skbs */
#define NL_MAX_RECV 512		/* recv() calls for one request */
#define NL_MAX_MSGS 8192	/* messages for one request */
#define NL_MAX_ATTRS 1024	/* attributes in one nest */
#define NL_TIMEOUT_S 2		/* a silent kernel must not hang us */

#define TOPO_MAX_NS 16		/* namespaces the walk may enter */
#define TOPO_MAX_SEEN 128	/* interfaces visited, kept or not */
#define TOPO_MAX_DEPTH 16	/* hops from the start interface */
#define TOPO_MAX_PORTS 64	/* ports of one bridge we look at */
#define TOPO_MAX_BRANCH 8	/* relay peers of one tap */
#define TOPO_MAX_HOPS 32	/* netns routing decisions on the way there */
#define DIR_MAX_ENTRIES 4096	/* names under /var/run/netns */
#define PROC_MAX_PIDS 65536	/* processes scanned for a tap holder */
#define PROC_MAX_FDS 4096	/* fds per process */

/* How far a branch of the walk got. */
enum reach {
	REACH_NO = 0,	/* dead end: no route on, or back the way it came */
	REACH_MAYBE,	/* cannot look further (wire, VM, unnamed netns) */
	REACH_YES,	/* ends in the netns that owns the target */
};

struct topo_ns {
	char name[128];		/* "" = the caller's netns */
	dev_t dev;
	ino_t ino;
	int nsfd;		/* the netns file, for RTM_GETNSID */
	int rtnl;		/* NETLINK_ROUTE socket bound to this netns */
};

struct topo_link {
	int ifindex;
	char ifname[IFNAMSIZ];
	char kind[32];		/* IFLA_INFO_KIND */
	char slave_kind[32];	/* IFLA_INFO_SLAVE_KIND */
	int master;		/* IFLA_MASTER, 0 = none */
	int link;		/* IFLA_LINK: veth peer index, 0 = none */
	int link_nsid;		/* IFLA_LINK_NETNSID, -1 = same netns */
	unsigned short type;	/* ARPHRD_* */
	unsigned int flags;	/* IFF_* */
	/* a tunnel's configuration (IFLA_INFO_DATA), tun_family 0 = none */
	int tun_family;		/* of local / remote: AF_INET, AF_INET6 */
	bool has_remote, has_local, has_id;
	uint8_t remote[16], local[16];
	uint32_t tun_id;	/* VNI or GRE output key */
	int tun_link;		/* lower device (vxlan dev, tunnel link) */
};

struct walk;

struct route {
	const struct walk *w;	/* for the address length */
	int oif;
	unsigned char type;	/* RTN_* */
	bool has_gw, has_prefsrc;
	uint8_t gw[16];		/* RTA_GATEWAY, if any */
	uint8_t prefsrc[16];	/* RTA_PREFSRC: the source a probe gets */
};

struct seen {
	int ns;
	int ifindex;
};

/*
 * The address the last router resolves for the frame (its gateway, or the
 * destination on-link), in which netns and on which interface: a bridge
 * further on switches the frame by that address's MAC.
 */
struct l2hop {
	uint8_t addr[16];
	int ns, oif;
	bool set;
};

/* A netns that routed the request, and where the request left it. */
struct hop {
	int ns;
	int out_if;
	bool local;		/* the target is an address of this netns */
};

struct walk {
	char target[INET6_ADDRSTRLEN];
	int family;
	unsigned char addr[16];
	int alen;
	int self_fd;		/* the caller's netns, to setns back */
	struct topo_ns ns[TOPO_MAX_NS];
	size_t nns;
	struct seen seen[TOPO_MAX_SEEN];
	size_t nseen;
	struct topo_result *out;
	enum topo_dir dir;	/* what the points added now are */
	uint8_t src[16];	/* the probe's source: where replies go */
	char src_txt[INET6_ADDRSTRLEN];
	int target_ns;		/* the target's netns, -1 = unseen */
	struct l2hop l2;	/* the frame's L2 next hop on this branch */
	struct hop hops[TOPO_MAX_HOPS];
	size_t nhops;
	bool ret_done[TOPO_MAX_NS];	/* reply route asked already */
	uint32_t seq;
	uint8_t buf[NL_BUF];
};

/* ---- netlink plumbing ------------------------------------------------ */

typedef nlmsg_fn nl_msg_fn;

/* Copies a string attribute, stopping at its NUL or its length. */
static void attr_str(const struct cursor *a, char *out, size_t outlen)
{
	size_t n = a->cap;

	if (!outlen)
		return;
	if (n >= outlen)
		n = outlen - 1;
	if (n)
		memcpy(out, a->base, n);
	out[n] = '\0';
}

static bool attr_u32(const struct cursor *a, uint32_t *v)
{
	return nlmsg_attr_u32(a, v);
}

static void attrs_parse(struct cursor *c, struct cursor *tb, size_t max)
{
	nlmsg_attrs(c, tb, max, NL_MAX_ATTRS);
}

/* Sends the request in nh on fd and feeds the answer to fn. */
static int nl_talk(struct walk *w, int fd, struct nlmsghdr *nh, nl_msg_fn fn,
		   void *arg)
{
	bool dump = nh->nlmsg_flags & NLM_F_DUMP;
	int i;

	nh->nlmsg_seq = ++w->seq;
	if (send(fd, nh, nh->nlmsg_len, 0) < 0)
		return -errno;
	for (i = 0; i < NL_MAX_RECV; i++) {
		struct sockaddr_nl from = { 0 };
		struct iovec iov = { w->buf, sizeof(w->buf) };
		struct msghdr mh = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
		};
		ssize_t n = recvmsg(fd, &mh, 0);
		int ret;

		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if (mh.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		if (from.nl_pid != 0)
			continue;	/* only the kernel answers rtnetlink */
		ret = nlmsg_batch(w->buf, (size_t)n, w->seq, dump, NL_MAX_MSGS,
				  fn, arg);
		if (ret)
			return ret < 0 ? ret : 0;
	}
	return -E2BIG;
}

/* ---- namespaces -------------------------------------------------------- */

static int ns_enter_fd(int fd)
{
	return setns(fd, CLONE_NEWNET) ? -errno : 0;
}

/* A NETLINK_ROUTE socket bound to the netns behind nsfd. */
static int rtnl_open_in(struct walk *w, int nsfd)
{
	struct timeval tv = { .tv_sec = NL_TIMEOUT_S };
	int fd, ret;

	if (nsfd != w->self_fd) {
		ret = ns_enter_fd(nsfd);
		if (ret)
			return ret;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	ret = fd < 0 ? -errno : 0;
	/*
	 * Back at once: nothing else runs in a foreign netns.  A thread that
	 * cannot return would attach, send and resolve in the wrong place;
	 * stopping is the only safe answer (as capture/live.c does).
	 */
	if (nsfd != w->self_fd && ns_enter_fd(w->self_fd)) {
		log_error("cannot return to the original netns: %s",
			  strerror(errno));
		abort();
	}
	if (ret)
		return ret;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Index of the netns with this identity in w->ns, or -1. */
static int ns_find(const struct walk *w, dev_t dev, ino_t ino)
{
	size_t i;

	for (i = 0; i < w->nns; i++)
		if (w->ns[i].dev == dev && w->ns[i].ino == ino)
			return (int)i;
	return -1;
}

/*
 * Adds the netns open at nsfd (taken over) as `name`; returns its index
 * (an existing one if the same netns is known already) or -errno.
 */
static int ns_add(struct walk *w, int nsfd, const char *name)
{
	struct topo_ns *n;
	struct stat st;
	int idx, fd;

	if (fstat(nsfd, &st)) {
		idx = -errno;
		close(nsfd);
		return idx;
	}
	idx = ns_find(w, st.st_dev, st.st_ino);
	if (idx >= 0) {
		close(nsfd);
		return idx;
	}
	if (w->nns >= TOPO_MAX_NS) {
		close(nsfd);
		return -ENOSPC;
	}
	fd = rtnl_open_in(w, nsfd);
	if (fd < 0) {
		close(nsfd);
		return fd;
	}
	n = &w->ns[w->nns];
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->dev = st.st_dev;
	n->ino = st.st_ino;
	n->nsfd = nsfd;
	n->rtnl = fd;
	return (int)w->nns++;
}

static bool ns_name_ok(const char *name)
{
	return *name && strlen(name) < sizeof(((struct topo_ns *)0)->name) &&
	       !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

/* Opens NETNS_RUN_DIR/name, or -errno. */
static int ns_open_name(const char *name)
{
	char path[sizeof(NETNS_RUN_DIR) + 1 + 128];
	int fd;

	if (!ns_name_ok(name))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * The name under /var/run/netns of the netns (dev, ino), for a netns the
 * walk met through a tap fd.  Returns the index in w->ns or -ENOENT.
 */
static int ns_by_identity(struct walk *w, dev_t dev, ino_t ino)
{
	int idx = ns_find(w, dev, ino), guard = 0;
	struct dirent *de;
	DIR *d;

	if (idx >= 0)
		return idx;
	d = opendir(NETNS_RUN_DIR);
	if (!d)
		return -ENOENT;
	idx = -ENOENT;
	while ((de = readdir(d)) && guard++ < DIR_MAX_ENTRIES) {
		struct stat st;

		if (!ns_name_ok(de->d_name) ||
		    fstatat(dirfd(d), de->d_name, &st, 0) ||
		    st.st_dev != dev || st.st_ino != ino)
			continue;
		idx = ns_open_name(de->d_name);
		if (idx >= 0)
			idx = ns_add(w, idx, de->d_name);
		break;
	}
	closedir(d);
	return idx;
}

static int nsid_msg(uint16_t type, struct cursor *pl, void *arg)
{
	struct cursor tb[NETNSA_MAX + 1];
	uint32_t v;

	if (type != RTM_NEWNSID ||
	    !cur_skip(pl, NLMSG_ALIGN(sizeof(struct rtgenmsg))))
		return -EPROTO;
	attrs_parse(pl, tb, NETNSA_MAX + 1);
	if (!attr_u32(&tb[NETNSA_NSID], &v))
		return -EPROTO;
	*(int32_t *)arg = (int32_t)v;
	return 0;
}

/* The id that netns `from` gives the netns open at fd (-1 = none). */
static int nsid_of(struct walk *w, int from, int fd, int32_t *nsid)
{
	struct {
		struct nlmsghdr nh;
		struct rtgenmsg g;
		char pad[3];
		char attrs[16];
	} req;
	uint32_t v = (uint32_t)fd;
	int ret;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(req.g)));
	req.nh.nlmsg_type = RTM_GETNSID;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.g.rtgen_family = AF_UNSPEC;
	ret = nlmsg_put_attr(&req.nh, sizeof(req), NETNSA_FD, &v, sizeof(v));
	if (ret)
		return ret;
	*nsid = -1;
	return nl_talk(w, w->ns[from].rtnl, &req.nh, nsid_msg, nsid);
}

/*
 * Resolves a peer's IFLA_LINK_NETNSID, an id in the space of netns `from`,
 * to a netns of ours: the known ones first (the caller's included, which
 * has no name when it is the root netns), then /var/run/netns.
 */
static int ns_by_nsid(struct walk *w, int from, int32_t nsid)
{
	struct dirent *de;
	int idx = -ENOENT, guard = 0;
	int32_t id;
	size_t i;
	DIR *d;

	for (i = 0; i < w->nns; i++)
		if (!nsid_of(w, from, w->ns[i].nsfd, &id) && id == nsid)
			return (int)i;
	d = opendir(NETNS_RUN_DIR);
	if (!d)
		return -ENOENT;
	while ((de = readdir(d)) && guard++ < DIR_MAX_ENTRIES) {
		int fd;

		if (!ns_name_ok(de->d_name))
			continue;
		fd = ns_open_name(de->d_name);
		if (fd < 0)
			continue;
		if (nsid_of(w, from, fd, &id) || id != nsid) {
			close(fd);
			continue;
		}
		idx = ns_add(w, fd, de->d_name);
		break;
	}
	closedir(d);
	return idx;
}

/* ---- links and routes ---------------------------------------------------- */

/* ---- tunnels (issue 16): the underlay below an overlay device ---------- */

/* Attribute numbers of one tunnel kind's IFLA_INFO_DATA. */
struct tun_attrs {
	const char *kind;
	int id, link, local, local6, remote, remote6;	/* 0 = none */
};

#define TUN_DATA_MAX 64		/* above every *_MAX used below */

static const struct tun_attrs tun_kinds[] = {
	{ "vxlan", IFLA_VXLAN_ID, IFLA_VXLAN_LINK, IFLA_VXLAN_LOCAL,
	  IFLA_VXLAN_LOCAL6, IFLA_VXLAN_GROUP, IFLA_VXLAN_GROUP6 },
	{ "geneve", IFLA_GENEVE_ID, 0, 0, 0, IFLA_GENEVE_REMOTE,
	  IFLA_GENEVE_REMOTE6 },
	/* GRE and IP tunnels carry 4 or 16 bytes in one attribute */
	{ "gre", IFLA_GRE_OKEY, IFLA_GRE_LINK, IFLA_GRE_LOCAL, 0,
	  IFLA_GRE_REMOTE, 0 },
	{ "gretap", IFLA_GRE_OKEY, IFLA_GRE_LINK, IFLA_GRE_LOCAL, 0,
	  IFLA_GRE_REMOTE, 0 },
	{ "ip6gre", IFLA_GRE_OKEY, IFLA_GRE_LINK, IFLA_GRE_LOCAL, 0,
	  IFLA_GRE_REMOTE, 0 },
	{ "ip6gretap", IFLA_GRE_OKEY, IFLA_GRE_LINK, IFLA_GRE_LOCAL, 0,
	  IFLA_GRE_REMOTE, 0 },
	{ "ipip", 0, IFLA_IPTUN_LINK, IFLA_IPTUN_LOCAL, 0, IFLA_IPTUN_REMOTE,
	  0 },
	{ "sit", 0, IFLA_IPTUN_LINK, IFLA_IPTUN_LOCAL, 0, IFLA_IPTUN_REMOTE,
	  0 },
	{ "ip6tnl", 0, IFLA_IPTUN_LINK, IFLA_IPTUN_LOCAL, 0,
	  IFLA_IPTUN_REMOTE, 0 },
};

static const struct tun_attrs *tun_kind(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(tun_kinds) / sizeof(tun_kinds[0]); i++)
		if (!strcmp(kind, tun_kinds[i].kind))
			return &tun_kinds[i];
	return NULL;
}

/* An address attribute of 4 or 16 bytes, not all zero (unset). */
static int tun_addr(const struct cursor *a, uint8_t *out)
{
	static const uint8_t zero[16];

	if (!a->base || (a->cap != 4 && a->cap != 16) ||
	    !memcmp(a->base, zero, a->cap))
		return 0;
	memset(out, 0, 16);
	memcpy(out, a->base, a->cap);
	return a->cap == 4 ? AF_INET : AF_INET6;
}

static void tun_parse(struct cursor *data, const struct tun_attrs *k,
		      struct topo_link *l)
{
	struct cursor tb[TUN_DATA_MAX];
	uint32_t v;
	int fam;

	attrs_parse(data, tb, TUN_DATA_MAX);
	if (k->id && attr_u32(&tb[k->id], &v)) {
		l->tun_id = k->id == IFLA_GRE_OKEY ? ntohl(v) : v;
		l->has_id = k->id != IFLA_GRE_OKEY || v;
	}
	if (k->link && attr_u32(&tb[k->link], &v))
		l->tun_link = (int)v;
	fam = tun_addr(&tb[k->remote], l->remote);
	if (!fam && k->remote6)
		fam = tun_addr(&tb[k->remote6], l->remote);
	if (fam) {
		l->has_remote = true;
		l->tun_family = fam;
	}
	fam = k->local ? tun_addr(&tb[k->local], l->local) : 0;
	if (!fam && k->local6)
		fam = tun_addr(&tb[k->local6], l->local);
	if (fam && (!l->tun_family || fam == l->tun_family)) {
		l->has_local = true;
		l->tun_family = fam;
	}
}

static void linkinfo_parse(struct cursor *nest, struct topo_link *l)
{
	struct cursor tb[IFLA_INFO_MAX + 1];
	const struct tun_attrs *k;

	attrs_parse(nest, tb, IFLA_INFO_MAX + 1);
	if (tb[IFLA_INFO_KIND].base)
		attr_str(&tb[IFLA_INFO_KIND], l->kind, sizeof(l->kind));
	if (tb[IFLA_INFO_SLAVE_KIND].base)
		attr_str(&tb[IFLA_INFO_SLAVE_KIND], l->slave_kind,
			 sizeof(l->slave_kind));
	k = tun_kind(l->kind);
	if (k && tb[IFLA_INFO_DATA].base)
		tun_parse(&tb[IFLA_INFO_DATA], k, l);
}

/* One RTM_NEWLINK payload into l; -EPROTO if it is not one. */
static int link_parse(uint16_t type, struct cursor *pl, struct topo_link *l)
{
	struct cursor tb[IFLA_MAX + 1];
	struct ifinfomsg ifi;
	uint32_t v;

	memset(l, 0, sizeof(*l));
	l->link_nsid = -1;
	if (type != RTM_NEWLINK || !cur_bytes(pl, &ifi, sizeof(ifi)) ||
	    !cur_skip(pl, NLMSG_ALIGN(sizeof(ifi)) - sizeof(ifi)))
		return -EPROTO;
	l->ifindex = ifi.ifi_index;
	l->type = ifi.ifi_type;
	l->flags = ifi.ifi_flags;
	attrs_parse(pl, tb, IFLA_MAX + 1);
	if (tb[IFLA_IFNAME].base)
		attr_str(&tb[IFLA_IFNAME], l->ifname, sizeof(l->ifname));
	if (attr_u32(&tb[IFLA_MASTER], &v))
		l->master = (int)v;
	if (attr_u32(&tb[IFLA_LINK], &v))
		l->link = (int)v;
	if (attr_u32(&tb[IFLA_LINK_NETNSID], &v))
		l->link_nsid = (int32_t)v;
	if (tb[IFLA_LINKINFO].base)
		linkinfo_parse(&tb[IFLA_LINKINFO], l);
	if (l->ifindex <= 0 || !l->ifname[0])
		return -EPROTO;
	return 0;
}

static int link_msg(uint16_t type, struct cursor *pl, void *arg)
{
	return link_parse(type, pl, arg);
}

/* Link ifindex (or, when 0, link name) of netns ns; -ENODEV if absent. */
static int link_get(struct walk *w, int ns, int ifindex, const char *name,
		    struct topo_link *l)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		char attrs[32];
	} req;
	int ret;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = ifindex;
	if (!ifindex) {
		if (!name || !*name || strlen(name) >= IFNAMSIZ)
			return -ENODEV;
		ret = nlmsg_put_attr(&req.nh, sizeof(req), IFLA_IFNAME, name,
			       strlen(name) + 1);
		if (ret)
			return ret;
	}
	memset(l, 0, sizeof(*l));
	ret = nl_talk(w, w->ns[ns].rtnl, &req.nh, link_msg, l);
	if (!ret && (ifindex ? l->ifindex != ifindex : strcmp(l->ifname, name)))
		ret = -ENODEV;
	return ret;
}

struct port_list {
	int master;
	int idx[TOPO_MAX_PORTS];
	size_t n;
};

static int port_msg(uint16_t type, struct cursor *pl, void *arg)
{
	struct port_list *pl_out = arg;
	struct topo_link l;

	if (type != RTM_NEWLINK || link_parse(type, pl, &l))
		return 0;	/* skip what we cannot read, keep the rest */
	if (l.master == pl_out->master && l.ifindex != pl_out->master &&
	    pl_out->n < TOPO_MAX_PORTS)
		pl_out->idx[pl_out->n++] = l.ifindex;
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* The ports of bridge br in netns ns, by ascending ifindex. */
static int ports_get(struct walk *w, int ns, int br, struct port_list *out)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		char attrs[16];
	} req;
	uint32_t v = (uint32_t)br;
	int ret;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.ifi.ifi_family = AF_UNSPEC;
	/* the kernel filters the dump by master; we check again anyway */
	ret = nlmsg_put_attr(&req.nh, sizeof(req), IFLA_MASTER, &v, sizeof(v));
	if (ret)
		return ret;
	out->master = br;
	out->n = 0;
	ret = nl_talk(w, w->ns[ns].rtnl, &req.nh, port_msg, out);
	if (!ret)
		qsort(out->idx, out->n, sizeof(out->idx[0]), cmp_int);
	return ret;
}

/* A route attribute holding an address of the walk's family into out. */
static bool attr_addr(const struct walk *w, const struct cursor *a,
		      uint8_t *out)
{
	if (!a->base || a->cap != (uint32_t)w->alen)
		return false;
	memcpy(out, a->base, (size_t)w->alen);
	return true;
}

static int route_msg(uint16_t type, struct cursor *pl, void *arg)
{
	struct cursor tb[RTA_MAX + 1];
	struct route *r = arg;
	struct rtmsg rtm;
	uint32_t v;

	if (type != RTM_NEWROUTE || !cur_bytes(pl, &rtm, sizeof(rtm)) ||
	    !cur_skip(pl, NLMSG_ALIGN(sizeof(rtm)) - sizeof(rtm)))
		return -EPROTO;
	attrs_parse(pl, tb, RTA_MAX + 1);
	r->type = rtm.rtm_type;
	if (attr_u32(&tb[RTA_OIF], &v))
		r->oif = (int)v;
	r->has_gw = attr_addr(r->w, &tb[RTA_GATEWAY], r->gw);
	r->has_prefsrc = attr_addr(r->w, &tb[RTA_PREFSRC], r->prefsrc);
	return 0;
}

/*
 * The route netns ns picks for dst, as `ip route get DST [from SRC]
 * [iif IIF] [oif OIF]` asks it: src and iif (NULL / 0 = none) make it the
 * lookup of a packet from src arriving on iif, so policy rules keyed on
 * them count; oif pins the output interface (a link-local next hop).
 */
static int route_query(struct walk *w, int ns, const uint8_t *dst,
		       const uint8_t *src, int iif, int oif, struct route *r)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rtm;
		char attrs[96];
	} req;
	uint32_t v;
	int ret;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.rtm));
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.rtm.rtm_family = (unsigned char)w->family;
	req.rtm.rtm_dst_len = (unsigned char)(w->alen * 8);
	ret = nlmsg_put_attr(&req.nh, sizeof(req), RTA_DST, dst, (size_t)w->alen);
	if (!ret && src) {
		req.rtm.rtm_src_len = (unsigned char)(w->alen * 8);
		ret = nlmsg_put_attr(&req.nh, sizeof(req), RTA_SRC, src,
			       (size_t)w->alen);
	}
	v = (uint32_t)iif;
	if (!ret && iif > 0)
		ret = nlmsg_put_attr(&req.nh, sizeof(req), RTA_IIF, &v, sizeof(v));
	v = (uint32_t)oif;
	if (!ret && oif > 0)
		ret = nlmsg_put_attr(&req.nh, sizeof(req), RTA_OIF, &v, sizeof(v));
	if (ret)
		return ret;
	memset(r, 0, sizeof(*r));
	r->w = w;
	ret = nl_talk(w, w->ns[ns].rtnl, &req.nh, route_msg, r);
	if (ret)
		return ret;
	/* no way on from here; broadcast/multicast still leave by oif */
	if (r->type == RTN_UNREACHABLE || r->type == RTN_BLACKHOLE ||
	    r->type == RTN_PROHIBIT || r->type == RTN_THROW)
		return -ENETUNREACH;
	if (r->type == RTN_LOCAL)
		return 0;	/* an input lookup names no output interface */
	return r->oif > 0 ? 0 : -ENETUNREACH;
}

/*
 * The route netns ns would pick for a packet it sends to the target.  For
 * an intermediate netns this is the output lookup, not the forwarding one
 * (no iif): the same answer unless policy routing keys on the input port.
 */
static int route_get(struct walk *w, int ns, struct route *r)
{
	return route_query(w, ns, w->addr, NULL, 0, 0, r);
}

/* ---- neighbours and the bridge FDB ----------------------------------- */

struct neigh_q {
	const struct walk *w;
	const uint8_t *addr;
	int ifindex;		/* 0 = any interface */
	uint16_t family;	/* AF_BRIDGE: an FDB question */
	int master;		/* the bridge, for an FDB question */
	uint8_t mac[6];
	int found;		/* ifindex of the answer, 0 = none */
};

static int neigh_msg(uint16_t type, struct cursor *pl, void *arg)
{
	struct cursor tb[NDA_MAX + 1];
	struct neigh_q *q = arg;
	struct ndmsg ndm;
	uint32_t master;

	if (type != RTM_NEWNEIGH || q->found ||
	    !cur_bytes(pl, &ndm, sizeof(ndm)) ||
	    !cur_skip(pl, NLMSG_ALIGN(sizeof(ndm)) - sizeof(ndm)))
		return 0;	/* skip what we cannot read, keep the rest */
	attrs_parse(pl, tb, NDA_MAX + 1);
	if (ndm.ndm_family != q->family || ndm.ndm_ifindex <= 0 ||
	    !tb[NDA_LLADDR].base || tb[NDA_LLADDR].cap != sizeof(q->mac))
		return 0;
	if (q->family == AF_BRIDGE) {
		/* the bridge's own entry means the host, not a port */
		if (!attr_u32(&tb[NDA_MASTER], &master) ||
		    (int)master != q->master || ndm.ndm_ifindex == q->master ||
		    memcmp(tb[NDA_LLADDR].base, q->mac, sizeof(q->mac)))
			return 0;
		q->found = ndm.ndm_ifindex;
		return 0;
	}
	if ((q->ifindex && ndm.ndm_ifindex != q->ifindex) ||
	    (ndm.ndm_state & (NUD_INCOMPLETE | NUD_FAILED)) ||
	    !tb[NDA_DST].base || tb[NDA_DST].cap != (uint32_t)q->w->alen ||
	    memcmp(tb[NDA_DST].base, q->addr, (size_t)q->w->alen))
		return 0;
	memcpy(q->mac, tb[NDA_LLADDR].base, sizeof(q->mac));
	q->found = ndm.ndm_ifindex;
	return 0;
}

static int neigh_dump(struct walk *w, int ns, struct neigh_q *q)
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg ndm;
		char attrs[16];
	} req;
	uint32_t v = (uint32_t)q->master;
	int ret = 0;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ndm));
	req.nh.nlmsg_type = RTM_GETNEIGH;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.ndm.ndm_family = (uint8_t)q->family;
	/* the kernel filters the FDB dump by bridge; we check again anyway */
	if (q->family == AF_BRIDGE)
		ret = nlmsg_put_attr(&req.nh, sizeof(req), NDA_MASTER, &v, sizeof(v));
	if (ret)
		return ret;
	q->found = 0;
	return nl_talk(w, w->ns[ns].rtnl, &req.nh, neigh_msg, q);
}

/* The MAC netns ns knows for addr (on ifindex, 0 = any); false if none. */
static bool neigh_mac(struct walk *w, int ns, const uint8_t *addr, int ifindex,
		      uint8_t mac[6])
{
	struct neigh_q q = {
		.w = w, .addr = addr, .ifindex = ifindex,
		.family = (uint16_t)w->family,
	};

	if (neigh_dump(w, ns, &q) || !q.found)
		return false;
	memcpy(mac, q.mac, sizeof(q.mac));
	return true;
}

/* The port of bridge br (netns ns) its FDB holds mac on, 0 = none. */
static int fdb_port(struct walk *w, int ns, int br, const uint8_t mac[6])
{
	struct neigh_q q = { .w = w, .family = AF_BRIDGE, .master = br };

	memcpy(q.mac, mac, sizeof(q.mac));
	if (neigh_dump(w, ns, &q))
		return 0;
	return q.found;
}

/* ---- every route that covers an address ------------------------------ */

#define TOPO_MAX_TABLES 16	/* routing tables policy rules reach */
#define TOPO_MAX_COVER 64	/* covering routes kept from one dump */

struct cover {
	const struct walk *w;
	const uint8_t *addr;
	uint32_t tables[TOPO_MAX_TABLES];
	size_t ntables;
	struct {
		uint32_t table;
		int plen;
		int oif;
	} hit[TOPO_MAX_COVER];
	size_t nhit;
};

static int rule_msg(uint16_t type, struct cursor *pl, void *arg)
{
	struct cursor tb[FRA_MAX + 1];
	struct cover *c = arg;
	struct fib_rule_hdr frh;
	uint32_t table;
	size_t i;

	if (type != RTM_NEWRULE || !cur_bytes(pl, &frh, sizeof(frh)) ||
	    !cur_skip(pl, NLMSG_ALIGN(sizeof(frh)) - sizeof(frh)))
		return 0;
	attrs_parse(pl, tb, FRA_MAX + 1);
	if (frh.action != FR_ACT_TO_TBL)
		return 0;
	if (!attr_u32(&tb[FRA_TABLE], &table))
		table = frh.table;
	if (table == RT_TABLE_LOCAL || table == RT_TABLE_UNSPEC)
		return 0;	/* local delivery, not a way out */
	for (i = 0; i < c->ntables; i++)
		if (c->tables[i] == table)
			return 0;
	if (c->ntables < TOPO_MAX_TABLES)
		c->tables[c->ntables++] = table;
	return 0;
}

/* Whether the first plen bits of a and b agree. */
static bool prefix_match(const uint8_t *a, const uint8_t *b, int plen)
{
	int full = plen / 8, rest = plen % 8;

	if (memcmp(a, b, (size_t)full))
		return false;
	return !rest || !((a[full] ^ b[full]) & (0xff00 >> rest));
}

static void cover_add(struct cover *c, uint32_t table, int plen, int oif)
{
	if (oif > 0 && c->nhit < TOPO_MAX_COVER) {
		c->hit[c->nhit].table = table;
		c->hit[c->nhit].plen = plen;
		c->hit[c->nhit].oif = oif;
		c->nhit++;
	}
}

/* The nexthops of an RTA_MULTIPATH attribute (ECMP), each an oif. */
static void cover_multipath(struct cover *c, const struct cursor *mp,
			    uint32_t table, int plen)
{
	struct cursor m = *mp;
	int guard = 0;

	while (cur_left(&m) >= sizeof(struct rtnexthop) &&
	       guard++ < NL_MAX_ATTRS) {
		struct rtnexthop nh;
		uint32_t step;

		memcpy(&nh, cur_peek(&m, sizeof(nh)), sizeof(nh));
		if (nh.rtnh_len < sizeof(nh) || nh.rtnh_len > cur_left(&m))
			return;
		cover_add(c, table, plen, nh.rtnh_ifindex);
		step = RTNH_ALIGN(nh.rtnh_len);
		if (step > cur_left(&m))
			return;
		m.off += step;
	}
}

static int cover_msg(uint16_t type, struct cursor *pl, void *arg)
{
	struct cursor tb[RTA_MAX + 1];
	struct cover *c = arg;
	uint8_t dst[16] = { 0 };
	struct rtmsg rtm;
	uint32_t table, v;
	size_t i;

	if (type != RTM_NEWROUTE || !cur_bytes(pl, &rtm, sizeof(rtm)) ||
	    !cur_skip(pl, NLMSG_ALIGN(sizeof(rtm)) - sizeof(rtm)))
		return 0;
	attrs_parse(pl, tb, RTA_MAX + 1);
	if (rtm.rtm_type != RTN_UNICAST || (rtm.rtm_flags & RTM_F_CLONED) ||
	    rtm.rtm_dst_len > c->w->alen * 8)
		return 0;
	if (rtm.rtm_dst_len && !attr_addr(c->w, &tb[RTA_DST], dst))
		return 0;
	if (!prefix_match(dst, c->addr, rtm.rtm_dst_len))
		return 0;
	if (!attr_u32(&tb[RTA_TABLE], &table))
		table = rtm.rtm_table;
	for (i = 0; i < c->ntables && c->tables[i] != table; i++)
		;
	if (i == c->ntables)
		return 0;	/* no rule reaches this table */
	if (attr_u32(&tb[RTA_OIF], &v))
		cover_add(c, table, rtm.rtm_dst_len, (int)v);
	if (tb[RTA_MULTIPATH].base)
		cover_multipath(c, &tb[RTA_MULTIPATH], table, rtm.rtm_dst_len);
	return 0;
}

/*
 * The interfaces of netns ns that hold a route to addr: in each table a
 * policy rule reaches, the most specific routes covering it, whatever
 * their metric (a second uplink's default route is a way too), and every
 * nexthop of a multipath route.  Returns how many oifs it put in oifs.
 */
static size_t routes_cover(struct walk *w, int ns, const uint8_t *addr,
			   int *oifs, uint32_t *tables, size_t max)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rtm;
	} req;
	struct cover *c;
	size_t i, j, n = 0;

	c = calloc(1, sizeof(*c));
	if (!c)
		return 0;
	c->w = w;
	c->addr = addr;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.rtm));
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.rtm.rtm_family = (unsigned char)w->family;
	req.nh.nlmsg_type = RTM_GETRULE;
	if (nl_talk(w, w->ns[ns].rtnl, &req.nh, rule_msg, c) || !c->ntables) {
		/* no rules to read: the main table alone */
		c->tables[0] = RT_TABLE_MAIN;
		c->ntables = 1;
	}
	req.nh.nlmsg_type = RTM_GETROUTE;
	if (nl_talk(w, w->ns[ns].rtnl, &req.nh, cover_msg, c))
		goto out;
	for (i = 0; i < c->nhit && n < max; i++) {
		bool keep = true;

		for (j = 0; j < c->nhit && keep; j++)
			if (c->hit[j].table == c->hit[i].table &&
			    c->hit[j].plen > c->hit[i].plen)
				keep = false;	/* more specific wins */
		for (j = 0; j < n && keep; j++)
			if (oifs[j] == c->hit[i].oif)
				keep = false;
		if (keep) {
			tables[n] = c->hit[i].table;
			oifs[n++] = c->hit[i].oif;
		}
	}
out:
	free(c);
	return n;
}

/* ---- taps: follow the VMM -------------------------------------------- */

/* The netns a tun/tap fd's device lives in, as (dev, ino). */
static int tun_fd_netns(int pid, int fd, dev_t *dev, ino_t *ino)
{
	int pidfd, copy, nsfd, ret = 0;
	struct stat st;

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -errno;
	copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (copy < 0) {
		ret = -errno;
		goto close_pidfd;
	}
	nsfd = ioctl(copy, TUNGETDEVNETNS);
	if (nsfd < 0) {
		ret = -errno;
		goto close_copy;
	}
	if (fstat(nsfd, &st)) {
		ret = -errno;
	} else {
		*dev = st.st_dev;
		*ino = st.st_ino;
	}
	close(nsfd);
close_copy:
	close(copy);
close_pidfd:
	close(pidfd);
	return ret;
}

/* The tap name in /proc/PID/fdinfo/FD ("iff:\tNAME"), false if none. */
static bool tun_fd_name(int pid, int fd, char *name, size_t len)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return false;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strstr(buf, "iff:\t");
	if (!p || (p != buf && p[-1] != '\n'))
		return false;
	p += 5;
	snprintf(name, len, "%.*s", (int)strcspn(p, "\n"), p);
	return name[0] != '\0';
}

struct tun_fd {
	char ifname[IFNAMSIZ];
	dev_t dev;
	ino_t ino;
};

/* The tun fds process pid holds (at most max), from /proc. */
static size_t proc_tun_fds(int pid, struct tun_fd *out, size_t max)
{
	char path[64], link[32];
	struct dirent *de;
	size_t n = 0;
	int guard = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)) && guard++ < PROC_MAX_FDS && n < max) {
		ssize_t l;
		int fd;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		l = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
		if (l <= 0)
			continue;
		link[l] = '\0';
		if (strcmp(link, "/dev/net/tun"))
			continue;
		fd = atoi(de->d_name);
		if (!tun_fd_name(pid, fd, out[n].ifname, sizeof(out[n].ifname)) ||
		    tun_fd_netns(pid, fd, &out[n].dev, &out[n].ino))
			continue;
		n++;
	}
	closedir(d);
	return n;
}

/*
 * A tap has no peer in netlink: its other end is a process (a VMM, the
 * lab's tap_relay).  Finds the process holding tap ifname of netns ns and
 * returns the other taps it holds, which is where the frames go next.
 */
static size_t tap_peers(struct walk *w, int ns, const char *ifname,
			struct tun_fd *peers, size_t max)
{
	struct tun_fd fds[TOPO_MAX_BRANCH + 1];
	struct dirent *de;
	size_t n = 0;
	int guard = 0;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return 0;
	while ((de = readdir(d)) && guard++ < PROC_MAX_PIDS) {
		size_t i, nfd;
		bool holds = false;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		nfd = proc_tun_fds(atoi(de->d_name), fds, TOPO_MAX_BRANCH + 1);
		for (i = 0; i < nfd; i++)
			if (!strcmp(fds[i].ifname, ifname) &&
			    fds[i].dev == w->ns[ns].dev &&
			    fds[i].ino == w->ns[ns].ino)
				holds = true;
		if (!holds)
			continue;
		/*
		 * Only taps in another netns: a relay crosses namespaces,
		 * while a VMM's other taps beside this one (same netns) are
		 * other NICs of the guest, not where these frames go.
		 */
		for (i = 0; i < nfd && n < max; i++)
			if (fds[i].dev != w->ns[ns].dev ||
			    fds[i].ino != w->ns[ns].ino)
				peers[n++] = fds[i];
		break;	/* one holder: a tap has one queue owner here */
	}
	closedir(d);
	return n;
}

/* ---- the walk ------------------------------------------------------------ */

static bool seen_add(struct walk *w, int ns, int ifindex)
{
	size_t i;

	for (i = 0; i < w->nseen; i++)
		if (w->seen[i].ns == ns && w->seen[i].ifindex == ifindex)
			return false;
	if (w->nseen >= TOPO_MAX_SEEN)
		return false;	/* full: treat as seen, the walk stops */
	w->seen[w->nseen].ns = ns;
	w->seen[w->nseen].ifindex = ifindex;
	w->nseen++;
	return true;
}

static enum point_kind kind_of(const struct topo_link *l)
{
	struct link_info li;

	/* the same rules the live capture uses for the points it watches */
	memset(&li, 0, sizeof(li));
	li.ifindex = (uint32_t)l->ifindex;
	snprintf(li.ifname, sizeof(li.ifname), "%s", l->ifname);
	snprintf(li.kind, sizeof(li.kind), "%s", l->kind);
	snprintf(li.slave_kind, sizeof(li.slave_kind), "%s", l->slave_kind);
	li.master = (uint32_t)l->master;
	li.type = l->type;
	li.flags = l->flags;
	return link_point_kind(&li);
}

/* Appends a point; returns its index, or -1 when the result is full. */
static int point_add(struct walk *w, int ns, const struct topo_link *l,
		     const char *role)
{
	struct topo_result *r = w->out;
	struct topo_point *p;

	if (r->n >= TOPO_MAX_POINTS)
		return -1;
	p = &r->pts[r->n];
	memset(p, 0, sizeof(*p));
	snprintf(p->netns, sizeof(p->netns), "%s", w->ns[ns].name);
	snprintf(p->ifname, sizeof(p->ifname), "%s", l->ifname);
	if (w->ns[ns].name[0])
		snprintf(p->spec, sizeof(p->spec), "%s/%s", w->ns[ns].name,
			 l->ifname);
	else
		snprintf(p->spec, sizeof(p->spec), "%s", l->ifname);
	p->ifindex = l->ifindex;
	p->kind = kind_of(l);
	p->dir = w->dir;
	snprintf(p->role, sizeof(p->role), "%s", role);
	return (int)r->n++;
}

static void role_set(struct walk *w, int idx, const char *role)
{
	if (idx >= 0)
		snprintf(w->out->pts[idx].role, sizeof(w->out->pts[idx].role),
			 "%s", role);
}

static enum reach enter_ns(struct walk *w, int ns, int ifindex,
			   const char *role, int depth);
static enum reach leave_via(struct walk *w, int ns, int ifindex,
			    const char *role, int depth);

static void hop_add(struct walk *w, int ns, int out_if, bool local)
{
	if (w->nhops < TOPO_MAX_HOPS) {
		w->hops[w->nhops].ns = ns;
		w->hops[w->nhops].out_if = out_if;
		w->hops[w->nhops].local = local;
		w->nhops++;
	}
	if (local && w->target_ns < 0)
		w->target_ns = ns;
}

/* Netns ns routed the frame by rt towards dst: who it hands the frame to. */
static void nh_note(struct walk *w, int ns, const struct route *rt,
		    const uint8_t *dst)
{
	memcpy(w->l2.addr, rt->has_gw ? rt->gw : dst, (size_t)w->alen);
	w->l2.ns = ns;
	w->l2.oif = rt->oif;
	w->l2.set = true;
}

/*
 * Whether bridge br of netns ns switches the frame rather than handing it
 * to its own netns: its L2 next hop is not an address of that netns.
 * Unknown (no next hop, failed lookup) counts as not switched: the
 * bridge's routes then decide, as before.
 */
static bool nh_switched(struct walk *w, int ns, int br)
{
	struct route rt;

	if (!w->l2.set || route_query(w, ns, w->l2.addr, NULL, 0, br, &rt))
		return false;
	return rt.type != RTN_LOCAL;
}

/*
 * The port of bridge br (netns ns) a frame for the L2 next hop leaves by:
 * the next hop's MAC from the neighbour table of the netns that resolved
 * it (else the bridge's own), then the FDB.  0 = unknown: it floods.
 */
static int nh_port(struct walk *w, int ns, int br, int in_port, char *mac_txt,
		   size_t len)
{
	uint8_t mac[6];
	int port;

	if (!w->l2.set)
		return 0;
	if (!neigh_mac(w, w->l2.ns, w->l2.addr, w->l2.oif, mac) &&
	    !neigh_mac(w, ns, w->l2.addr, br, mac))
		return 0;
	port = fdb_port(w, ns, br, mac);
	if (port == in_port)
		return 0;	/* learnt behind where it came from: flood */
	snprintf(mac_txt, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	return port;
}

struct end {
	int ns;
	int ifindex;
	const char *how;
};

/*
 * The far ends of interface l of netns ns: its veth peer, or the relay
 * taps held by the process that holds it.  Returns how many (at most
 * max), or -1 when there is none we can see (a VM behind the tap, a peer
 * in a netns without a name, a wire).
 */
static int far_ends(struct walk *w, int ns, const struct topo_link *l,
		    struct end *e, size_t max)
{
	struct tun_fd peers[TOPO_MAX_BRANCH];
	size_t i, n;
	int k = 0;

	if (!max)
		return -1;
	if (!strcmp(l->kind, "veth") && l->link > 0) {
		e->ns = ns;
		if (l->link_nsid >= 0)
			e->ns = ns_by_nsid(w, ns, l->link_nsid);
		e->ifindex = l->link;
		e->how = "veth peer";
		return e->ns < 0 ? -1 : 1;
	}
	if (strcmp(l->kind, "tun"))
		return -1;
	n = tap_peers(w, ns, l->ifname, peers, TOPO_MAX_BRANCH);
	for (i = 0; i < n && (size_t)k < max; i++) {
		struct topo_link pl;
		int pns = ns_by_identity(w, peers[i].dev, peers[i].ino);

		if (pns < 0 || link_get(w, pns, 0, peers[i].ifname, &pl))
			continue;
		e[k].ns = pns;
		e[k].ifindex = pl.ifindex;
		e[k].how = "tap peer (VMM relay)";
		k++;
	}
	return k ? k : -1;
}

/*
 * The far end of interface l of netns ns (veth peer or relay tap), walked
 * as the way into its netns.  REACH_MAYBE when there is no far end we can
 * see (a VM behind the tap, a peer in an unnamed netns).
 */
static enum reach far_end(struct walk *w, int ns, const struct topo_link *l,
			  int depth)
{
	struct end e[TOPO_MAX_BRANCH];
	enum reach best = REACH_NO, r;
	struct l2hop l2 = w->l2;
	int i, n;

	n = far_ends(w, ns, l, e, TOPO_MAX_BRANCH);
	if (n < 0)
		return REACH_MAYBE;
	for (i = 0; i < n; i++) {
		/* each branch starts from the next hop the frame has here */
		w->l2 = l2;
		r = enter_ns(w, e[i].ns, e[i].ifindex, e[i].how, depth + 1);
		if (r > best)
			best = r;
	}
	return best;
}

/* Port of a bridge, walked past: how far its branch got. */
static enum reach leave_port(struct walk *w, int ns, int port,
			     const char *role, int depth)
{
	struct topo_link l;

	if (depth > TOPO_MAX_DEPTH || link_get(w, ns, port, NULL, &l) ||
	    !seen_add(w, ns, port))
		return REACH_NO;
	if (point_add(w, ns, &l, role) < 0)
		return REACH_NO;
	return far_end(w, ns, &l, depth);
}

struct branch {
	size_t start, end;	/* its points in out->pts */
	enum reach reach;
};

/*
 * Puts the branches past a bridge in the order a probe takes them: those
 * that reach the target first, then those we cannot see past, then dead
 * ends, of which only the port itself stays (it still sees flooded frames).
 */
static void branches_order(struct walk *w, const struct branch *b, size_t nb)
{
	struct topo_result *r = w->out;
	struct topo_point *tmp;
	size_t i, n = 0, first;
	int pass;

	if (!nb)
		return;
	first = b[0].start;
	tmp = calloc(TOPO_MAX_POINTS, sizeof(*tmp));
	if (!tmp)
		return;		/* keep discovery order */
	for (pass = REACH_YES; pass >= REACH_NO; pass--) {
		for (i = 0; i < nb; i++) {
			size_t end = b[i].reach == REACH_NO ?
				     b[i].start + 1 : b[i].end;
			size_t j;

			if ((int)b[i].reach != pass)
				continue;
			for (j = b[i].start; j < end && n < TOPO_MAX_POINTS; j++)
				tmp[n++] = r->pts[j];
		}
	}
	if (first + n <= TOPO_MAX_POINTS) {
		memcpy(&r->pts[first], tmp, n * sizeof(*tmp));
		r->n = first + n;
	}
	free(tmp);
}

/*
 * Bridge br of netns ns, reached from port in_port (0 = routed to it).
 * A frame from a port whose L2 next hop is not this netns is switched:
 * out of the FDB's port for that MAC, or every port when unknown; the
 * host's routes play no part (its uplink never sees the frame).  Else the
 * route from the bridge's netns says what happens next: the bridge itself
 * (the target is on this segment: the frame goes out of a port), an
 * uplink (routed or NATed on: continue there), or local.
 */
static enum reach via_bridge(struct walk *w, int ns, int br, int in_port,
			     int depth)
{
	struct branch b[TOPO_MAX_PORTS];
	enum reach reach = REACH_NO;
	struct port_list ports;
	struct topo_link bl, pl;
	bool on_segment = false;
	char mac[32], role[96];
	struct l2hop l2;
	struct route rt;
	size_t i, nb = 0;
	int idx, fdb = 0;

	if (depth > TOPO_MAX_DEPTH || link_get(w, ns, br, NULL, &bl) ||
	    !seen_add(w, ns, br))
		return REACH_NO;
	idx = point_add(w, ns, &bl, "bridge");
	if (idx < 0)
		return REACH_NO;
	if (in_port && nh_switched(w, ns, br)) {
		on_segment = true;
	} else if (!route_get(w, ns, &rt)) {
		hop_add(w, ns, rt.oif, rt.type == RTN_LOCAL);
		if (rt.type == RTN_LOCAL) {
			role_set(w, idx, "bridge (target is local here)");
			reach = REACH_YES;
		} else if (rt.oif == br) {
			nh_note(w, ns, &rt, w->addr);
			on_segment = true;
		} else {
			nh_note(w, ns, &rt, w->addr);
			reach = leave_via(w, ns, rt.oif, "uplink", depth + 1);
		}
	}
	if (on_segment)
		fdb = nh_port(w, ns, br, in_port, mac, sizeof(mac));
	if (ports_get(w, ns, br, &ports))
		return reach;
	l2 = w->l2;
	for (i = 0; i < ports.n; i++) {
		w->l2 = l2;	/* not the next hop of another branch */
		if (ports.idx[i] == in_port)
			continue;
		if (on_segment) {
			if (fdb && ports.idx[i] != fdb)
				continue;	/* the FDB says: not here */
			if (fdb)
				snprintf(role, sizeof(role),
					 "bridge port of %s towards %s (fdb)",
					 bl.ifname, mac);
			else
				snprintf(role, sizeof(role),
					 "bridge port of %s %s", bl.ifname,
					 "(flood: MAC unknown)");
			b[nb].start = w->out->n;
			b[nb].reach = leave_port(w, ns, ports.idx[i], role,
						 depth + 1);
			b[nb].end = w->out->n;
			if (b[nb].end > b[nb].start)
				nb++;
			continue;
		}
		/* off the path, but a port of the bridge the probe crosses */
		if (link_get(w, ns, ports.idx[i], NULL, &pl) ||
		    !seen_add(w, ns, ports.idx[i]))
			continue;
		snprintf(role, sizeof(role), "bridge port of %s", bl.ifname);
		point_add(w, ns, &pl, role);
	}
	if (!on_segment)
		return reach;
	branches_order(w, b, nb);
	reach = nb ? REACH_NO : REACH_MAYBE;
	for (i = 0; i < nb; i++)
		if (b[i].reach > reach)
			reach = b[i].reach;
	return reach;
}

static int bridge_msg(uint16_t type, struct cursor *pl, void *arg)
{
	struct topo_link l;

	if (!link_parse(type, pl, &l) && !strcmp(l.kind, "bridge"))
		*(bool *)arg = true;
	return 0;
}

/* Whether netns ns holds a bridge: then it is a host, not a guest. */
static bool ns_has_bridge(struct walk *w, int ns)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req;
	bool found = false;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.ifi.ifi_family = AF_UNSPEC;
	if (nl_talk(w, w->ns[ns].rtnl, &req.nh, bridge_msg, &found))
		return false;
	return found;
}

/*
 * Start role: what the first interface is, seen from where the ping
 * starts.  A netns without a bridge is taken for the guest's; one with a
 * bridge is a host, whose way out is its uplink.
 */
static const char *start_role(struct walk *w, int ns, const struct topo_link *l)
{
	bool guest = !ns_has_bridge(w, ns);

	if (l->flags & IFF_LOOPBACK)
		return "local (target is in this netns)";
	if (!strcmp(l->kind, "tun"))
		return guest ? "guest tap" : "tap (route to target)";
	if (!strcmp(l->kind, "veth"))
		return guest ? "guest veth" : "uplink";
	if (!l->kind[0])
		return guest ? "guest nic" : "uplink";
	return "route to target";
}

/* ---- the underlay of a tunnel ------------------------------------------ */

/* The tunnel device of netns ns that receives what device `from` sends. */
struct far_tun_q {
	const struct topo_link *from;
	struct topo_link best;
	int score;		/* 2: same id, 1: same kind and local, 0: none */
};

static int far_tun_msg(uint16_t type, struct cursor *pl, void *arg)
{
	struct far_tun_q *q = arg;
	const struct topo_link *f = q->from;
	struct topo_link l;
	bool local_ok;
	int score;

	if (link_parse(type, pl, &l) || strcmp(l.kind, f->kind))
		return 0;
	/* bound to the address the sender's packets go to, or to none */
	local_ok = !l.has_local || (l.tun_family == f->tun_family &&
				    !memcmp(l.local, f->remote, 16));
	if (!local_ok)
		return 0;
	score = l.has_id == f->has_id && l.tun_id == f->tun_id ? 2 :
		l.has_local ? 1 : 0;
	if (score > q->score) {
		q->best = l;
		q->score = score;
	}
	return 0;
}

static bool far_tunnel(struct walk *w, int ns, const struct topo_link *from,
		       struct topo_link *out)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req;
	struct far_tun_q q;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.ifi.ifi_family = AF_UNSPEC;
	memset(&q, 0, sizeof(q));
	q.from = from;
	if (nl_talk(w, w->ns[ns].rtnl, &req.nh, far_tun_msg, &q) || !q.score)
		return false;
	*out = q.best;
	return true;
}

/*
 * A VXLAN device without a remote (flannel, EVPN: one FDB entry per peer)
 * sends a frame to the VTEP its FDB holds for the frame's destination
 * MAC: the `bridge fdb` entry of that MAC on the device (its NDA_DST).
 */
struct vxfdb_q {
	int ifindex;
	uint8_t mac[6];
	int family;		/* of dst, 0 = not found */
	uint8_t dst[16];
};

static int vxfdb_msg(uint16_t type, struct cursor *pl, void *arg)
{
	struct cursor tb[NDA_MAX + 1];
	struct vxfdb_q *q = arg;
	struct ndmsg ndm;
	int fam;

	if (type != RTM_NEWNEIGH || q->family ||
	    !cur_bytes(pl, &ndm, sizeof(ndm)) ||
	    !cur_skip(pl, NLMSG_ALIGN(sizeof(ndm)) - sizeof(ndm)))
		return 0;
	attrs_parse(pl, tb, NDA_MAX + 1);
	if (ndm.ndm_family != AF_BRIDGE || ndm.ndm_ifindex != q->ifindex ||
	    !tb[NDA_LLADDR].base || tb[NDA_LLADDR].cap != sizeof(q->mac) ||
	    memcmp(tb[NDA_LLADDR].base, q->mac, sizeof(q->mac)))
		return 0;
	fam = tun_addr(&tb[NDA_DST], q->dst);
	if (fam)
		q->family = fam;
	return 0;
}

/* Fills l's remote from its FDB, for the frame's L2 next hop; false if
 * the next hop's MAC or its entry is unknown. */
static bool vxlan_fdb_remote(struct walk *w, int ns, struct topo_link *l)
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg ndm;
	} req;
	struct vxfdb_q q;

	if (strcmp(l->kind, "vxlan") || !w->l2.set)
		return false;
	memset(&q, 0, sizeof(q));
	q.ifindex = l->ifindex;
	if (!neigh_mac(w, w->l2.ns, w->l2.addr, l->ifindex, q.mac))
		return false;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ndm));
	req.nh.nlmsg_type = RTM_GETNEIGH;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.ndm.ndm_family = AF_BRIDGE;
	if (nl_talk(w, w->ns[ns].rtnl, &req.nh, vxfdb_msg, &q) || !q.family)
		return false;
	memcpy(l->remote, q.dst, sizeof(l->remote));
	l->tun_family = q.family;
	l->has_remote = true;
	return true;
}

/* What the walk is heading for, swapped while it follows an underlay. */
struct walk_goal {
	int family, alen;
	uint8_t addr[16];
	char target[INET6_ADDRSTRLEN];
	struct l2hop l2;
	size_t nhops;
	int target_ns;
};

static void goal_save(const struct walk *w, struct walk_goal *g)
{
	g->family = w->family;
	g->alen = w->alen;
	memcpy(g->addr, w->addr, sizeof(g->addr));
	memcpy(g->target, w->target, sizeof(g->target));
	g->l2 = w->l2;
	g->nhops = w->nhops;
	g->target_ns = w->target_ns;
}

static void goal_restore(struct walk *w, const struct walk_goal *g)
{
	w->family = g->family;
	w->alen = g->alen;
	memcpy(w->addr, g->addr, sizeof(g->addr));
	memcpy(w->target, g->target, sizeof(g->target));
	w->l2 = g->l2;
	w->nhops = g->nhops;
	w->target_ns = g->target_ns;
}

/* "vxlan 42 to 192.168.100.2" */
static void tun_label(const struct topo_link *l, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";
	char id[16] = "";

	inet_ntop(l->tun_family, l->remote, a, sizeof(a));
	if (l->has_id)
		snprintf(id, sizeof(id), " %u", l->tun_id);
	snprintf(buf, len, "%s%s to %s", l->kind, id, a);
}

/*
 * Tunnel device l of netns ns (point idx) sends the probe encapsulated to
 * its remote: the walk follows the underlay as if the remote were the
 * target (its route, veth peers, bridges, routers: the same rules), and
 * names those points the underlay's.  In the netns that holds the remote,
 * the tunnel device of the same kind (and id) bound to it decapsulates:
 * the overlay walk goes on from there.  A tunnel without a remote (FDB
 * or metadata driven) is not followed.
 */
static enum reach via_tunnel(struct walk *w, int ns,
			     const struct topo_link *dev, int idx, int depth)
{
	struct topo_link tl = *dev, *l = &tl, far;
	struct walk_goal g;
	struct route rt;
	enum reach r;
	char label[80], role[96];
	size_t i, start = w->out->n;
	int far_ns, fidx;
	bool fdb = false;

	if (!l->has_remote)
		fdb = vxlan_fdb_remote(w, ns, l);
	if (!l->has_remote)
		return REACH_MAYBE;
	tun_label(l, label, sizeof(label));
	if (fdb)
		snprintf(label + strlen(label), sizeof(label) - strlen(label),
			 " (FDB)");
	snprintf(role, sizeof(role), "%.40s, %.50s", w->out->pts[idx].role,
		 label);
	role_set(w, idx, role);
	goal_save(w, &g);
	w->family = l->tun_family;
	w->alen = l->tun_family == AF_INET ? 4 : 16;
	memcpy(w->addr, l->remote, 16);
	inet_ntop(w->family, w->addr, w->target, sizeof(w->target));
	w->target_ns = -1;
	/* the lower device (vxlan's dev, the tunnel's link) pins the route */
	if (route_query(w, ns, w->addr, NULL, 0, l->tun_link, &rt) &&
	    (!l->tun_link || route_query(w, ns, w->addr, NULL, 0, 0, &rt))) {
		goal_restore(w, &g);
		return REACH_MAYBE;
	}
	if (rt.type == RTN_LOCAL) {
		goal_restore(w, &g);
		return REACH_MAYBE;	/* a tunnel to ourselves */
	}
	nh_note(w, ns, &rt, w->addr);
	r = leave_via(w, ns, rt.oif, "underlay", depth + 1);
	far_ns = w->target_ns;
	for (i = start; i < w->out->n; i++) {
		struct topo_point *p = &w->out->pts[i];

		if (!strcmp(p->role, "target side"))
			snprintf(role, sizeof(role), "underlay, far VTEP %s",
				 w->target);
		else if (strncmp(p->role, "underlay", 8))
			snprintf(role, sizeof(role), "underlay %.80s", p->role);
		else
			continue;
		role_set(w, (int)i, role);
	}
	goal_restore(w, &g);
	if (r != REACH_YES || far_ns < 0)
		return r == REACH_NO ? REACH_NO : REACH_MAYBE;
	if (!far_tunnel(w, far_ns, l, &far))
		return REACH_MAYBE;	/* nothing there decapsulates it */
	fidx = (int)w->out->n;
	r = enter_ns(w, far_ns, far.ifindex, "far tunnel end", depth + 1);
	if (fidx < (int)w->out->n) {
		char id[16] = "";

		if (far.has_id)
			snprintf(id, sizeof(id), " %u", far.tun_id);
		snprintf(role, sizeof(role), "far tunnel end (%s%s)%s",
			 far.kind, id, r == REACH_YES ? ", target side" : "");
		role_set(w, fidx, role);
	}
	return r;
}

/*
 * Leaving netns ns through ifindex (the route's output interface).
 * role NULL: the start interface, named from its kind.
 */
static enum reach leave_via(struct walk *w, int ns, int ifindex,
			    const char *role, int depth)
{
	struct topo_link l;
	int idx;

	if (depth > TOPO_MAX_DEPTH || link_get(w, ns, ifindex, NULL, &l))
		return REACH_NO;
	if (!strcmp(l.kind, "bridge"))
		return via_bridge(w, ns, ifindex, 0, depth);
	if (!seen_add(w, ns, ifindex))
		return REACH_NO;
	if (!role)
		role = start_role(w, ns, &l);
	idx = point_add(w, ns, &l, role);
	if (idx < 0)
		return REACH_NO;
	if (l.flags & IFF_LOOPBACK)
		return REACH_YES;
	if (tun_kind(l.kind))
		return via_tunnel(w, ns, &l, idx, depth);
	return far_end(w, ns, &l, depth);
}

/*
 * Entering netns ns through ifindex (a veth peer, a relayed tap): a bridge
 * port hands the frame to its bridge; anything else to the netns' routing.
 */
static enum reach enter_ns(struct walk *w, int ns, int ifindex,
			   const char *role, int depth)
{
	struct topo_link l, m;
	struct route rt;
	char brole[96];
	int idx;

	if (depth > TOPO_MAX_DEPTH || link_get(w, ns, ifindex, NULL, &l) ||
	    !seen_add(w, ns, ifindex))
		return REACH_NO;
	idx = point_add(w, ns, &l, role);
	if (idx < 0)
		return REACH_NO;
	if (l.master > 0) {
		if (link_get(w, ns, l.master, NULL, &m))
			return REACH_MAYBE;
		snprintf(brole, sizeof(brole), "bridge port of %s", m.ifname);
		role_set(w, idx, brole);
		return via_bridge(w, ns, l.master, ifindex, depth + 1);
	}
	if (route_get(w, ns, &rt))
		return REACH_NO;
	hop_add(w, ns, rt.oif, rt.type == RTN_LOCAL);
	if (rt.type == RTN_LOCAL) {
		role_set(w, idx, "target side");
		return REACH_YES;
	}
	if (rt.oif == ifindex)
		return REACH_NO;	/* would go back the way it came */
	nh_note(w, ns, &rt, w->addr);
	return leave_via(w, ns, rt.oif, "uplink", depth + 1);
}

/* ---- the way back ------------------------------------------------------ */

static void ret_from(struct walk *w, int ns, int iif, int depth);
static void ret_leave(struct walk *w, int ns, int oif, int depth);

/* Adds interface l of netns ns as a point of the way back, unless seen. */
static void ret_point(struct walk *w, int ns, const struct topo_link *l,
		      const char *role)
{
	if (seen_add(w, ns, l->ifindex))
		point_add(w, ns, l, role);
}

/* Entering netns ns through ifindex on the way back. */
static void ret_enter(struct walk *w, int ns, int ifindex, const char *how,
		      int depth);

static void ret_far(struct walk *w, int ns, const struct topo_link *l,
		    int depth)
{
	struct end e[TOPO_MAX_BRANCH];
	struct l2hop l2 = w->l2;
	int i, n;

	n = far_ends(w, ns, l, e, TOPO_MAX_BRANCH);
	for (i = 0; i < n; i++) {
		w->l2 = l2;
		ret_enter(w, e[i].ns, e[i].ifindex, e[i].how, depth + 1);
	}
}

/*
 * A reply in bridge br of netns ns, from port in_port (0 = routed onto
 * it): handed to the netns when its L2 next hop is the netns, else
 * switched out of the FDB's port (every port when unknown).
 */
static void ret_bridge(struct walk *w, int ns, int br, int in_port, int depth)
{
	struct port_list ports;
	struct topo_link bl, pl;
	char mac[32], role[96];
	struct l2hop l2;
	size_t i;
	int fdb;

	if (depth > TOPO_MAX_DEPTH || link_get(w, ns, br, NULL, &bl))
		return;
	ret_point(w, ns, &bl, "bridge on the return");
	if (in_port && !nh_switched(w, ns, br)) {
		ret_from(w, ns, br, depth + 1);
		return;
	}
	fdb = nh_port(w, ns, br, in_port, mac, sizeof(mac));
	if (ports_get(w, ns, br, &ports))
		return;
	l2 = w->l2;
	for (i = 0; i < ports.n; i++) {
		w->l2 = l2;
		if (ports.idx[i] == in_port || (fdb && ports.idx[i] != fdb) ||
		    link_get(w, ns, ports.idx[i], NULL, &pl))
			continue;
		if (fdb)
			snprintf(role, sizeof(role),
				 "bridge port towards %s (fdb, return)", mac);
		else
			snprintf(role, sizeof(role),
				 "bridge port of %s (return)", bl.ifname);
		ret_point(w, ns, &pl, role);
		ret_far(w, ns, &pl, depth + 1);
	}
}

static void ret_enter(struct walk *w, int ns, int ifindex, const char *how,
		      int depth)
{
	struct topo_link l;
	char role[96];

	if (depth > TOPO_MAX_DEPTH || link_get(w, ns, ifindex, NULL, &l))
		return;
	snprintf(role, sizeof(role), "%s (return)", how);
	ret_point(w, ns, &l, role);
	if (l.master > 0)
		ret_bridge(w, ns, l.master, ifindex, depth + 1);
	else
		ret_from(w, ns, ifindex, depth + 1);
}

/* The reply leaving netns ns through oif. */
static void ret_leave(struct walk *w, int ns, int oif, int depth)
{
	struct topo_link l;
	char role[96];

	if (depth > TOPO_MAX_DEPTH || link_get(w, ns, oif, NULL, &l))
		return;
	if (!strcmp(l.kind, "bridge")) {
		ret_bridge(w, ns, oif, 0, depth);
		return;
	}
	snprintf(role, sizeof(role), "return route to %s via %s", w->src_txt,
		 l.ifname);
	ret_point(w, ns, &l, role);
	if (!(l.flags & IFF_LOOPBACK))
		ret_far(w, ns, &l, depth);
}

/*
 * The route netns ns gives the reply (from the target to the source)
 * arriving on iif, as `ip route get SRC from TARGET iif IIF` answers; iif
 * 0 = sent by ns itself (the target's netns).  A netns that does not
 * forward, or whose rp_filter refuses the input, still has an output
 * route: that is where it would send the reply, so it is watched.
 */
static int ret_route(struct walk *w, int ns, int iif, struct route *rt)
{
	if (!route_query(w, ns, w->src, w->addr, iif, 0, rt))
		return 0;
	return route_query(w, ns, w->src, NULL, 0, 0, rt);
}

static void ret_from(struct walk *w, int ns, int iif, int depth)
{
	struct route rt;

	if (depth > TOPO_MAX_DEPTH || w->ret_done[ns])
		return;
	w->ret_done[ns] = true;	/* one answer per netns: bounded */
	if (ret_route(w, ns, iif, &rt) || rt.type == RTN_LOCAL)
		return;	/* no way back from here, or delivered */
	nh_note(w, ns, &rt, w->src);
	ret_leave(w, ns, rt.oif, depth + 1);
}

/*
 * Other interfaces of netns ns with a route to addr (a second uplink,
 * a policy table's way, an ECMP nexthop): a reply may take them.
 */
static void alt_routes(struct walk *w, int ns, const uint8_t *addr,
		       const char *addr_txt)
{
	uint32_t tables[TOPO_MAX_PORTS];
	int oifs[TOPO_MAX_PORTS];
	struct topo_link l;
	char role[96];
	size_t i, n;

	n = routes_cover(w, ns, addr, oifs, tables, TOPO_MAX_PORTS);
	for (i = 0; i < n; i++) {
		if (link_get(w, ns, oifs[i], NULL, &l) ||
		    (l.flags & IFF_LOOPBACK))
			continue;
		if (tables[i] == RT_TABLE_MAIN)
			snprintf(role, sizeof(role), "also a route to %s",
				 addr_txt);
		else
			snprintf(role, sizeof(role),
				 "also a route to %s (table %u)", addr_txt,
				 tables[i]);
		ret_point(w, ns, &l, role);
	}
}

/* Whether addr is an address of netns ns. */
static bool addr_local(struct walk *w, int ns, const uint8_t *addr)
{
	struct route rt;

	return !route_query(w, ns, addr, NULL, 0, 0, &rt) &&
	       rt.type == RTN_LOCAL;
}

/*
 * The way back, after the way there: the reply's route in the target's
 * netns, then in each netns the request was routed by, from the target
 * side back (the reply enters where the request left, unless the walk
 * back already found how it enters); then, in those netns, the other
 * routes to the source and to the target.
 */
static void ret_walk(struct walk *w)
{
	size_t i, k, nh = w->nhops;

	w->dir = TOPO_RET;
	if (w->target_ns >= 0)
		ret_from(w, w->target_ns, 0, 0);
	for (i = nh; i-- > 0;)
		if (!w->hops[i].local)
			ret_from(w, w->hops[i].ns, w->hops[i].out_if, 0);
	w->dir = TOPO_ALT;
	for (k = 0; k < w->nns; k++) {
		bool hop = false;

		for (i = 0; i < nh; i++)
			hop |= w->hops[i].ns == (int)k;
		if (!hop && !w->ret_done[k])
			continue;	/* only switched through, or not met */
		if (!addr_local(w, (int)k, w->src))
			alt_routes(w, (int)k, w->src, w->src_txt);
		if ((int)k != w->target_ns && !addr_local(w, (int)k, w->addr))
			alt_routes(w, (int)k, w->addr, w->target);
	}
	w->dir = TOPO_FWD;
}

/* ---- API ---------------------------------------------------------------- */

static int target_parse(struct walk *w, const char *target)
{
	if (!target)
		return -EINVAL;
	if (inet_pton(AF_INET, target, w->addr) == 1) {
		w->family = AF_INET;
		w->alen = 4;
	} else if (inet_pton(AF_INET6, target, w->addr) == 1) {
		w->family = AF_INET6;
		w->alen = 16;
	} else {
		return -EINVAL;
	}
	inet_ntop(w->family, w->addr, w->target, sizeof(w->target));
	return 0;
}

/* Index in w->ns of the start netns, or -errno with err filled. */
static int start_ns(struct walk *w, const char *from, char *err, size_t errlen)
{
	int fd;

	if (!from || !*from)
		return 0;
	fd = ns_open_name(from);
	if (fd < 0) {
		snprintf(err, errlen, "unknown network namespace '%s' (%s/%s: %s)",
			 from, NETNS_RUN_DIR, from,
			 fd == -EINVAL ? "not a netns name" : strerror(-fd));
		return fd;
	}
	fd = ns_add(w, fd, from);
	if (fd < 0)
		snprintf(err, errlen, "cannot open netlink in netns '%s': %s",
			 from, strerror(-fd));
	return fd;
}

/*
 * A socket's route is looked up twice: once to pick the source address,
 * then again from that source (ip_route_connect), so a policy rule keyed
 * on the source decides where the probe really leaves.  Asks the same.
 */
static void start_route(struct walk *w, int ns, struct route *rt)
{
	struct route again;
	uint8_t src[16];

	if (rt->type == RTN_LOCAL || !rt->has_prefsrc)
		return;
	memcpy(src, rt->prefsrc, (size_t)w->alen);
	if (route_query(w, ns, w->addr, src, 0, 0, &again) ||
	    again.type == RTN_LOCAL)
		return;
	if (!again.has_prefsrc) {
		again.has_prefsrc = true;
		memcpy(again.prefsrc, src, (size_t)w->alen);
	}
	*rt = again;
}

int topology_discover(const char *target, const char *from_netns,
		      struct topo_result *out, char *err, size_t errlen)
{
	struct walk *w;
	struct route rt;
	int ret, ns, self;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = '\0';
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "topology: out of memory");
		return -ENOMEM;
	}
	w->out = out;
	w->self_fd = -1;
	w->target_ns = -1;
	ret = target_parse(w, target);
	if (ret) {
		snprintf(err, errlen, "bad target address '%s' (want IPv4 or IPv6)",
			 target ? target : "");
		goto cleanup;
	}
	/* thread-self: setns moves this thread only, so save this thread's */
	w->self_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (w->self_fd < 0 || self < 0) {
		ret = -errno;
		if (self >= 0)
			close(self);
		snprintf(err, errlen, "cannot open own netns: %s", strerror(-ret));
		goto cleanup;
	}
	ret = ns_add(w, self, "");	/* index 0: the caller's netns */
	if (ret < 0) {
		snprintf(err, errlen, "cannot open rtnetlink: %s", strerror(-ret));
		goto cleanup;
	}
	ns = start_ns(w, from_netns, err, errlen);
	if (ns < 0) {
		ret = ns;
		goto cleanup;
	}
	ret = route_get(w, ns, &rt);
	if (ret) {
		snprintf(err, errlen, "no route to %s in %s%s%s (%s)", w->target,
			 ns ? "netns '" : "this netns", w->ns[ns].name,
			 ns ? "'" : "", strerror(-ret));
		goto cleanup;
	}
	start_route(w, ns, &rt);
	hop_add(w, ns, rt.oif, rt.type == RTN_LOCAL);
	if (rt.type != RTN_LOCAL)
		nh_note(w, ns, &rt, w->addr);
	leave_via(w, ns, rt.oif, NULL, 0);
	if (!out->n) {
		ret = -ENODEV;
		snprintf(err, errlen, "route to %s leaves through ifindex %d, "
			 "which cannot be read", w->target, rt.oif);
		goto cleanup;
	}
	/* replies go to the source the route gives the probe */
	if (rt.has_prefsrc && rt.type != RTN_LOCAL &&
	    memcmp(rt.prefsrc, w->addr, (size_t)w->alen)) {
		memcpy(w->src, rt.prefsrc, (size_t)w->alen);
		inet_ntop(w->family, w->src, w->src_txt, sizeof(w->src_txt));
		snprintf(out->src, sizeof(out->src), "%s", w->src_txt);
		ret_walk(w);
	}
cleanup:
	for (i = 0; i < w->nns; i++) {
		close(w->ns[i].rtnl);
		close(w->ns[i].nsfd);
	}
	if (w->self_fd >= 0) {
		/* we only ever leave it inside rtnl_open_in; make sure anyway */
		setns(w->self_fd, CLONE_NEWNET);
		close(w->self_fd);
	}
	free(w);
	return ret < 0 ? ret : 0;
}

/*
 * Appends the specs of the points of direction dir to buf at *off,
 * joined by sep, after head; false when buf is full.
 */
static bool summary_dir(const struct topo_result *r, enum topo_dir dir,
			const char *head, const char *sep, char *buf,
			size_t buflen, size_t *off)
{
	size_t i;
	bool first = true;

	for (i = 0; i < r->n && i < TOPO_MAX_POINTS; i++) {
		int n;

		if (r->pts[i].dir != dir)
			continue;
		n = snprintf(buf + *off, buflen - *off, "%s%s",
			     first ? head : sep, r->pts[i].spec);
		if (n < 0 || (size_t)n >= buflen - *off)
			return false;
		*off += (size_t)n;
		first = false;
	}
	return true;
}

static bool has_dir(const struct topo_result *r, enum topo_dir dir)
{
	size_t i;

	for (i = 0; i < r->n && i < TOPO_MAX_POINTS; i++)
		if (r->pts[i].dir == dir)
			return true;
	return false;
}

void topology_summary(const struct topo_result *r, char *buf, size_t buflen)
{
	bool ret = has_dir(r, TOPO_RET), alt = has_dir(r, TOPO_ALT);
	char head[96];
	size_t off = 0;

	if (!buflen)
		return;
	buf[0] = '\0';
	snprintf(head, sizeof(head), " (return to %s: ", r->src);
	if (!summary_dir(r, TOPO_FWD, "", " -> ", buf, buflen, &off) ||
	    (ret &&
	     !summary_dir(r, TOPO_RET, head, " -> ", buf, buflen, &off)) ||
	    (alt && !summary_dir(r, TOPO_ALT, ret ? "; also: " : " (also: ",
				 ", ", buf, buflen, &off)) ||
	    ((ret || alt) && off + 2 > buflen)) {
		if (buflen > 4)
			memcpy(buf + buflen - 4, "...", 4);
		return;
	}
	if (ret || alt)
		memcpy(buf + off, ")", 2);
}

void topology_print(const struct topo_result *r, FILE *fp)
{
	char line[2048];
	size_t i, off = 0;

	for (i = 0; i < r->n && i < TOPO_MAX_POINTS; i++)
		fprintf(fp, "%2zu  %-32s %-12s %s\n", i + 1, r->pts[i].spec,
			point_kind_name(r->pts[i].kind), r->pts[i].role);
	line[0] = '\0';
	if (!summary_dir(r, TOPO_FWD, "", " -> ", line, sizeof(line), &off))
		memcpy(line + sizeof(line) - 4, "...", 4);
	fprintf(fp, "path: %s\n", r->n ? line : "(none)");
	off = 0;
	line[0] = '\0';
	if (has_dir(r, TOPO_RET) &&
	    summary_dir(r, TOPO_RET, "", " -> ", line, sizeof(line), &off))
		fprintf(fp, "return to %s: %s\n", r->src, line);
	off = 0;
	line[0] = '\0';
	if (has_dir(r, TOPO_ALT) &&
	    summary_dir(r, TOPO_ALT, "", ", ", line, sizeof(line), &off))
		fprintf(fp, "other routes back: %s\n", line);
}
