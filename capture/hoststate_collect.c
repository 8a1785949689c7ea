// SPDX-License-Identifier: GPL-2.0
/*
 * Reads the host state of the netns a trace watched (hoststate.h), without
 * changing anything: /proc/sys/net (per netns: it follows the calling
 * thread's netns), rtnetlink dumps and route lookups on a socket opened in
 * the netns, and `nft list ruleset` run in it.  Netlink answers are
 * walked through a bounded cursor, every loop is capped, and the thread
 * returns to its own netns before anything else runs.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/cursor.h"
#include "hoststate_collect.h"
#include "nlmsg.h"
#include "netns.h"

#define HS_NL_BUF (32 * 1024)
#define HS_NL_RECV 256		/* recv() calls for one request */
#define HS_NL_MSGS 4096		/* messages for one request */
#define HS_NL_ATTRS 256
#define HS_LINKS 128		/* links kept per netns */
#define HS_NS 16		/* netns read */
#define HS_DEVS_NS 16		/* watched devices per netns */
#define HS_FLOWS 4
#define HS_NFT_OUT (256 * 1024)	/* bytes of `nft list ruleset` read */

struct hs_link {
	int index;
	char name[IF_NAMESIZE];
	unsigned int flags;
	uint32_t mtu, master;
	uint8_t oper, carrier;
	bool has_carrier;
	int brport_state;	/* -1: not a bridge port */
	char brport_flags[64];	/* the port's flags off their defaults */
};

struct hs_ns {
	const char *name;
	const char *devs[HS_DEVS_NS];
	size_t n_devs;
	struct hs_link links[HS_LINKS];
	size_t n_links;
	int fd;
	uint32_t seq;
	uint8_t buf[HS_NL_BUF];
};

typedef void (*hs_msg_fn)(struct hs_ns *ns, uint16_t type, struct cursor *pl,
			  void *arg);

/* ---- netlink ---------------------------------------------------------- */

static void attrs(struct cursor *c, struct cursor *tb, size_t max)
{
	nlmsg_attrs(c, tb, max, HS_NL_ATTRS);
}

static bool attr_u32(const struct cursor *a, uint32_t *v)
{
	return nlmsg_attr_u32(a, v);
}

static bool attr_u8(const struct cursor *a, uint8_t *v)
{
	if (!a->base || a->cap < 1)
		return false;
	*v = a->base[0];
	return true;
}

static void attr_str(const struct cursor *a, char *out, size_t n)
{
	size_t len = a->base ? a->cap : 0;

	if (len >= n)
		len = n - 1;
	if (len)
		memcpy(out, a->base, len);
	out[len] = 0;
	out[strnlen(out, len)] = 0;
}

/* hs_msg_fn, called with its netns from the shared walker (nlmsg.c). */
struct hs_call {
	struct hs_ns *ns;
	hs_msg_fn fn;
	void *arg;
};

static int hs_deliver(uint16_t type, struct cursor *pl, void *arg)
{
	struct hs_call *call = arg;

	call->fn(call->ns, type, pl, call->arg);
	return 0;
}

static int talk(struct hs_ns *ns, struct nlmsghdr *nh, hs_msg_fn fn, void *arg)
{
	struct hs_call call = { ns, fn, arg };
	bool dump = nh->nlmsg_flags & NLM_F_DUMP;
	int i, ret;

	nh->nlmsg_seq = ++ns->seq;
	if (send(ns->fd, nh, nh->nlmsg_len, 0) < 0)
		return -errno;
	for (i = 0; i < HS_NL_RECV; i++) {
		ssize_t n = recv(ns->fd, ns->buf, sizeof(ns->buf), 0);

		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		ret = nlmsg_batch(ns->buf, (size_t)n, ns->seq, dump, HS_NL_MSGS,
				  hs_deliver, &call);
		if (ret)
			return ret < 0 ? ret : 0;
	}
	return -E2BIG;
}

/* ---- links ------------------------------------------------------------ */

static void brport_flag(struct hs_link *l, const char *flag)
{
	size_t len = strlen(l->brport_flags);

	snprintf(l->brport_flags + len, sizeof(l->brport_flags) - len, "%s%s",
		 len ? "," : "", flag);
}

static void brport_parse(const struct cursor *linkinfo, struct hs_link *l)
{
	struct cursor c = *linkinfo, tb[IFLA_INFO_MAX + 1], sd;
	struct cursor ptb[IFLA_BRPORT_MAX + 1];
	char kind[16];
	uint8_t st;

	attrs(&c, tb, IFLA_INFO_MAX + 1);
	attr_str(&tb[IFLA_INFO_SLAVE_KIND], kind, sizeof(kind));
	if (strcmp(kind, "bridge") || !tb[IFLA_INFO_SLAVE_DATA].base)
		return;
	sd = tb[IFLA_INFO_SLAVE_DATA];
	attrs(&sd, ptb, IFLA_BRPORT_MAX + 1);
	if (attr_u8(&ptb[IFLA_BRPORT_STATE], &st))
		l->brport_state = st;
	/* what keeps a broadcast from a port: isolation, flooding off */
	if (attr_u8(&ptb[IFLA_BRPORT_ISOLATED], &st) && st)
		brport_flag(l, "isolated");
	if (attr_u8(&ptb[IFLA_BRPORT_BCAST_FLOOD], &st) && !st)
		brport_flag(l, "no_bcast_flood");
	if (attr_u8(&ptb[IFLA_BRPORT_NEIGH_SUPPRESS], &st) && st)
		brport_flag(l, "neigh_suppress");
}

static void link_msg(struct hs_ns *ns, uint16_t type, struct cursor *pl,
		     void *arg)
{
	struct cursor tb[IFLA_MAX + 1];
	struct ifinfomsg ifi;
	struct hs_link *l;

	(void)arg;
	if (type != RTM_NEWLINK || ns->n_links >= HS_LINKS ||
	    !cur_bytes(pl, &ifi, sizeof(ifi)))
		return;
	l = &ns->links[ns->n_links];
	memset(l, 0, sizeof(*l));
	l->brport_state = -1;
	attrs(pl, tb, IFLA_MAX + 1);
	attr_str(&tb[IFLA_IFNAME], l->name, sizeof(l->name));
	if (!l->name[0])
		return;
	l->index = ifi.ifi_index;
	l->flags = ifi.ifi_flags;
	attr_u32(&tb[IFLA_MTU], &l->mtu);
	attr_u32(&tb[IFLA_MASTER], &l->master);
	attr_u8(&tb[IFLA_OPERSTATE], &l->oper);
	l->has_carrier = attr_u8(&tb[IFLA_CARRIER], &l->carrier);
	if (tb[IFLA_LINKINFO].base)
		brport_parse(&tb[IFLA_LINKINFO], l);
	ns->n_links++;
}

static const struct hs_link *link_by_index(const struct hs_ns *ns, int index)
{
	size_t i;

	for (i = 0; i < ns->n_links; i++)
		if (ns->links[i].index == index)
			return &ns->links[i];
	return NULL;
}

static const char *oper_name(uint8_t o)
{
	static const char *const names[] = {
		"unknown", "notpresent", "down", "lowerlayerdown", "testing",
		"dormant", "up",
	};

	return o < sizeof(names) / sizeof(names[0]) ? names[o] : "unknown";
}

static const char *brport_name(int s)
{
	static const char *const names[] = {
		"disabled", "listening", "learning", "forwarding", "blocking",
	};

	return s >= 0 && s < 5 ? names[s] : "unknown";
}

static void links_read(struct host_state *hs, struct hs_ns *ns)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = { 0 };
	const struct hs_link *m;
	char k[HS_KEY_MAX];
	size_t i;
	int ret;

	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.ifi.ifi_family = AF_UNSPEC;
	ret = talk(ns, &req.nh, link_msg, NULL);
	if (ret < 0)
		hs_set(hs, ns->name, "note", "links not read: %s",
		       strerror(-ret));
	for (i = 0; i < ns->n_links; i++) {
		const struct hs_link *l = &ns->links[i];

		snprintf(k, sizeof(k), "link/%s/admin", l->name);
		hs_set(hs, ns->name, k, "%s", l->flags & IFF_UP ? "up" : "down");
		snprintf(k, sizeof(k), "link/%s/oper", l->name);
		hs_set(hs, ns->name, k, "%s", oper_name(l->oper));
		if (l->has_carrier) {
			snprintf(k, sizeof(k), "link/%s/carrier", l->name);
			hs_set(hs, ns->name, k, "%u", l->carrier);
		}
		snprintf(k, sizeof(k), "link/%s/mtu", l->name);
		hs_set(hs, ns->name, k, "%u", l->mtu);
		m = l->master ? link_by_index(ns, (int)l->master) : NULL;
		if (m) {
			snprintf(k, sizeof(k), "link/%s/master", l->name);
			hs_set(hs, ns->name, k, "%s", m->name);
		}
		if (l->brport_state >= 0) {
			snprintf(k, sizeof(k), "link/%s/brport_state", l->name);
			hs_set(hs, ns->name, k, "%s",
			       brport_name(l->brport_state));
		}
		if (l->brport_flags[0]) {
			snprintf(k, sizeof(k), "link/%s/brport_flags", l->name);
			hs_set(hs, ns->name, k, "%s", l->brport_flags);
		}
	}
}

/* ---- routes and neighbours ------------------------------------------- */

struct route_ans {
	int family;
	uint8_t type;
	uint32_t oif;
	bool has_gw;
	uint8_t gw[16];
	uint32_t mtu;
};

static void route_msg(struct hs_ns *ns, uint16_t type, struct cursor *pl,
		      void *arg)
{
	struct route_ans *r = arg;
	struct cursor tb[RTA_MAX + 1], mx, mtb[RTAX_MAX + 1];
	struct rtmsg rtm;
	size_t alen = r->family == 4 ? 4 : 16;

	(void)ns;
	if (type != RTM_NEWROUTE || !cur_bytes(pl, &rtm, sizeof(rtm)))
		return;
	r->type = rtm.rtm_type;
	attrs(pl, tb, RTA_MAX + 1);
	attr_u32(&tb[RTA_OIF], &r->oif);
	if (tb[RTA_GATEWAY].base && tb[RTA_GATEWAY].cap == alen) {
		memcpy(r->gw, tb[RTA_GATEWAY].base, alen);
		r->has_gw = true;
	}
	if (tb[RTA_METRICS].base) {
		mx = tb[RTA_METRICS];
		attrs(&mx, mtb, RTAX_MAX + 1);
		attr_u32(&mtb[RTAX_MTU], &r->mtu);
	}
}

static const char *rtn_name(uint8_t t)
{
	switch (t) {
	case RTN_UNICAST: return "unicast";
	case RTN_LOCAL: return "local";
	case RTN_BROADCAST: return "broadcast";
	case RTN_ANYCAST: return "anycast";
	case RTN_MULTICAST: return "multicast";
	case RTN_BLACKHOLE: return "blackhole";
	case RTN_UNREACHABLE: return "unreachable";
	case RTN_PROHIBIT: return "prohibit";
	case RTN_THROW: return "throw";
	}
	return "other";
}

/* `ip route get DST [from SRC iif IIF]`: 0 with *r, or -errno. */
static int route_get(struct hs_ns *ns, int family, const uint8_t *dst,
		     const uint8_t *src, int iif, struct route_ans *r)
{
	union {
		struct nlmsghdr nh;
		uint8_t raw[NLMSG_SPACE(sizeof(struct rtmsg)) + 64];
	} req;
	size_t alen = family == 4 ? 4 : 16;
	uint32_t ifx = (uint32_t)iif;
	struct rtmsg *rtm;
	int ret;

	memset(&req, 0, sizeof(req));
	memset(r, 0, sizeof(*r));
	r->family = family;
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*rtm));
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	rtm = NLMSG_DATA(&req.nh);
	rtm->rtm_family = family == 4 ? AF_INET : AF_INET6;
	rtm->rtm_dst_len = (uint8_t)(alen * 8);
	nlmsg_put_attr(&req.nh, sizeof(req), RTA_DST, dst, alen);
	if (src && iif > 0) {
		rtm->rtm_src_len = (uint8_t)(alen * 8);
		nlmsg_put_attr(&req.nh, sizeof(req), RTA_SRC, src, alen);
		nlmsg_put_attr(&req.nh, sizeof(req), RTA_IIF, &ifx, sizeof(ifx));
	}
	ret = talk(ns, &req.nh, route_msg, r);
	return ret < 0 ? ret : 0;
}

struct neigh_q {
	int family;
	const uint8_t *addr;
	int ifindex;
	int state;	/* -1 none */
};

static void neigh_msg(struct hs_ns *ns, uint16_t type, struct cursor *pl,
		      void *arg)
{
	struct neigh_q *q = arg;
	struct cursor tb[NDA_MAX + 1];
	struct ndmsg nd;
	size_t alen = q->family == 4 ? 4 : 16;

	(void)ns;
	if (type != RTM_NEWNEIGH || !cur_bytes(pl, &nd, sizeof(nd)) ||
	    nd.ndm_ifindex != q->ifindex)
		return;
	attrs(pl, tb, NDA_MAX + 1);
	if (tb[NDA_DST].base && tb[NDA_DST].cap == alen &&
	    !memcmp(tb[NDA_DST].base, q->addr, alen))
		q->state = nd.ndm_state;
}

static const char *nud_name(int s)
{
	if (s & NUD_FAILED)
		return "FAILED";
	if (s & NUD_INCOMPLETE)
		return "INCOMPLETE";
	if (s & NUD_REACHABLE)
		return "REACHABLE";
	if (s & NUD_STALE)
		return "STALE";
	if (s & NUD_DELAY)
		return "DELAY";
	if (s & NUD_PROBE)
		return "PROBE";
	if (s & NUD_PERMANENT)
		return "PERMANENT";
	if (s & NUD_NOARP)
		return "NOARP";
	return "NONE";
}

static void neigh_read(struct host_state *hs, struct hs_ns *ns, int family,
		       const uint8_t *addr, int ifindex)
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg nd;
	} req = { 0 };
	struct neigh_q q = { family, addr, ifindex, -1 };
	const struct hs_link *l = link_by_index(ns, ifindex);
	char a[INET6_ADDRSTRLEN], k[HS_KEY_MAX];

	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_GETNEIGH;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nd.ndm_family = family == 4 ? AF_INET : AF_INET6;
	if (talk(ns, &req.nh, neigh_msg, &q) < 0 || q.state < 0 || !l)
		return;
	inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, a, sizeof(a));
	snprintf(k, sizeof(k), "neigh/%s/%s", a, l->name);
	hs_set(hs, ns->name, k, "%s", nud_name(q.state));
}

/* The route type an output lookup's error stands for, or NULL. */
static const char *route_error_type(int err)
{
	switch (-err) {
	case ENETUNREACH: return "missing";
	case EHOSTUNREACH: return "unreachable";
	case EACCES: return "prohibit";
	case EINVAL: return "blackhole";
	}
	return NULL;
}

static void route_item(struct host_state *hs, struct hs_ns *ns, int family,
		       const uint8_t *dst, const uint8_t *src, int iif,
		       const char *iif_name)
{
	char d[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN] = "", g[INET6_ADDRSTRLEN];
	char k[HS_KEY_MAX], via[INET6_ADDRSTRLEN + 8] = "", mtu[24] = "";
	int af = family == 4 ? AF_INET : AF_INET6;
	const struct hs_link *out;
	struct route_ans r;
	int ret;

	inet_ntop(af, dst, d, sizeof(d));
	if (src)
		inet_ntop(af, src, s, sizeof(s));
	if (iif > 0)
		snprintf(k, sizeof(k), "route/%s/iif/%s", d, iif_name);
	else
		snprintf(k, sizeof(k), "route/%s", d);
	ret = route_get(ns, family, dst, iif > 0 ? src : NULL, iif, &r);
	if (ret && iif <= 0 && route_error_type(ret)) {
		/* an output lookup fails with the route's own error */
		hs_set(hs, ns->name, k, "type=%s", route_error_type(ret));
		return;
	}
	if (ret) {
		hs_set(hs, ns->name, k, "%s%s%serror=%s", iif > 0 ? "from=" : "",
		       iif > 0 ? s : "", iif > 0 ? " " : "", strerror(-ret));
		return;
	}
	out = link_by_index(ns, (int)r.oif);
	if (r.has_gw) {
		inet_ntop(af, r.gw, g, sizeof(g));
		snprintf(via, sizeof(via), " via=%s", g);
	}
	if (r.mtu)
		snprintf(mtu, sizeof(mtu), " mtu=%u", r.mtu);
	hs_set(hs, ns->name, k, "%s%s%stype=%s%s%s%s%s",
	       iif > 0 ? "from=" : "", iif > 0 ? s : "", iif > 0 ? " " : "",
	       rtn_name(r.type), out ? " dev=" : "", out ? out->name : "",
	       via, mtu);
	/* the next hop's neighbour: a FAILED entry explains a silent loss */
	if (iif <= 0 && r.type == RTN_UNICAST && r.oif)
		neigh_read(hs, ns, family, r.has_gw ? r.gw : dst, (int)r.oif);
}

static int ifindex_of(const struct hs_ns *ns, const char *name)
{
	size_t i;

	for (i = 0; i < ns->n_links; i++)
		if (!strcmp(ns->links[i].name, name))
			return ns->links[i].index;
	return 0;
}

static void routes_read(struct host_state *hs, struct hs_ns *ns,
			const struct hs_flow *flows, size_t n_flows)
{
	size_t i, j;

	for (i = 0; i < n_flows && i < HS_FLOWS; i++) {
		const struct hs_flow *f = &flows[i];

		route_item(hs, ns, f->family, f->dst, NULL, 0, NULL);
		route_item(hs, ns, f->family, f->src, NULL, 0, NULL);
		/* as a packet entering at each watched device, both ways */
		for (j = 0; j < ns->n_devs; j++) {
			int ifx = ifindex_of(ns, ns->devs[j]);

			if (!ifx)
				continue;
			route_item(hs, ns, f->family, f->dst, f->src, ifx,
				   ns->devs[j]);
			route_item(hs, ns, f->family, f->src, f->dst, ifx,
				   ns->devs[j]);
		}
	}
}

/* ---- sysctls ---------------------------------------------------------- */

/* net.ipv4.conf.eth0.rp_filter: dots separate levels, but a device's
 * own dots (eth0.100) stay, so the path is built from its parts. */
static void sysctl_item(struct host_state *hs, const char *ns,
			const char *dir, const char *dev, const char *leaf)
{
	char path[256], key[HS_KEY_MAX], val[64];
	char dotted[32];
	size_t i, n;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/%s%s%s", dir,
		 dev ? dev : "", dev ? "/" : "", leaf);
	fp = fopen(path, "re");
	if (!fp)
		return;
	n = fread(val, 1, sizeof(val) - 1, fp);
	fclose(fp);
	val[n] = 0;
	while (n && (val[n - 1] == '\n' || val[n - 1] == ' '))
		val[--n] = 0;
	snprintf(dotted, sizeof(dotted), "%s", dir);
	for (i = 0; dotted[i]; i++)
		if (dotted[i] == '/')
			dotted[i] = '.';
	snprintf(key, sizeof(key), "net.%.24s.%.16s%s%.24s", dotted,
		 dev ? dev : "", dev ? "." : "", leaf);
	hs_set(hs, ns, key, "%s", val);
}

static void sysctls_read(struct host_state *hs, const struct hs_ns *ns)
{
	static const char *const per_dev[] = {
		"rp_filter", "arp_ignore", "arp_filter", "forwarding",
	};
	size_t i, j;

	sysctl_item(hs, ns->name, "ipv4", NULL, "ip_forward");
	sysctl_item(hs, ns->name, "ipv6/conf", "all", "forwarding");
	/* a host told to ignore pings drops them without a record */
	sysctl_item(hs, ns->name, "ipv4", NULL, "icmp_echo_ignore_all");
	sysctl_item(hs, ns->name, "ipv6/icmp", NULL, "echo_ignore_all");
	/* present only while br_netfilter is loaded */
	sysctl_item(hs, ns->name, "bridge", NULL, "bridge-nf-call-iptables");
	sysctl_item(hs, ns->name, "bridge", NULL, "bridge-nf-call-ip6tables");
	for (j = 0; j < sizeof(per_dev) / sizeof(per_dev[0]); j++)
		sysctl_item(hs, ns->name, "ipv4/conf", "all", per_dev[j]);
	for (i = 0; i < ns->n_devs; i++)
		for (j = 0; j < sizeof(per_dev) / sizeof(per_dev[0]); j++)
			sysctl_item(hs, ns->name, "ipv4/conf", ns->devs[i],
				    per_dev[j]);
}

/* ---- nftables --------------------------------------------------------- */

/*
 * `nft list ruleset`, run in the netns the thread is in (a child inherits
 * it): read-only, and the one tool that reads every family's ruleset.
 * Returns the bytes read (at most cap - 1, terminated) or -errno; 127 in
 * *status when nft could not run.
 */
static ssize_t nft_run(char *out, size_t cap, int *status)
{
	int pipefd[2], devnull;
	size_t got = 0;
	pid_t pid;
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (pid == 0) {
		devnull = open("/dev/null", O_RDWR);
		dup2(pipefd[1], 1);
		if (devnull >= 0)
			dup2(devnull, 2);
		execlp("nft", "nft", "list", "ruleset", (char *)NULL);
		execl("/usr/sbin/nft", "nft", "list", "ruleset", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while (got + 1 < cap) {
		n = read(pipefd[0], out + got, cap - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(pipefd[0]);
	out[got] = 0;
	*status = -1;
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(*status))
		*status = WEXITSTATUS(*status);
	return (ssize_t)got;
}

struct nft_chain {
	char family[16], table[64], chain[64], hook[24], policy[16];
	unsigned int rules;
	bool base;
};

static void nft_chain_item(struct host_state *hs, const char *ns,
			   const struct nft_chain *c)
{
	char k[HS_KEY_MAX];

	if (!c->base)
		return;
	snprintf(k, sizeof(k), "nft/%.15s/%.36s/%.36s", c->family, c->table,
		 c->chain);
	hs_set(hs, ns, k, "hook=%s policy=%s rules=%u", c->hook,
	       c->policy[0] ? c->policy : "accept", c->rules);
}

/* "type filter hook input priority filter; policy drop;" */
static void nft_type_line(const char *line, struct nft_chain *c)
{
	const char *h = strstr(line, "hook "), *p = strstr(line, "policy ");

	if (!h)
		return;
	c->base = true;
	sscanf(h + 5, "%23[a-z_]", c->hook);
	if (p)
		sscanf(p + 7, "%15[a-z]", c->policy);
}

static void nft_parse(struct host_state *hs, const char *ns, char *text)
{
	char table_fam[16] = "", table_name[64] = "", *line, *save = NULL;
	struct nft_chain c;
	int depth = 0, chain_depth = -1;
	unsigned int lines = 0;

	memset(&c, 0, sizeof(c));
	for (line = strtok_r(text, "\n", &save); line && lines++ < 65536;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *s = line + strspn(line, " \t");
		int opens = 0, closes = 0;
		const char *q;

		for (q = s; *q; q++) {
			opens += *q == '{';
			closes += *q == '}';
		}
		if (depth == 0 && sscanf(s, "table %15s %63s", table_fam,
					 table_name) == 2) {
			depth += opens - closes;
			continue;
		}
		if (depth == 1 && chain_depth < 0 &&
		    sscanf(s, "chain %63s", c.chain) == 1) {
			snprintf(c.family, sizeof(c.family), "%s", table_fam);
			snprintf(c.table, sizeof(c.table), "%s", table_name);
			c.hook[0] = c.policy[0] = 0;
			c.rules = 0;
			c.base = false;
			chain_depth = depth + 1;
		} else if (chain_depth >= 0 && depth == chain_depth && *s &&
			   *s != '}') {
			if (!strncmp(s, "type ", 5))
				nft_type_line(s, &c);
			else if (strncmp(s, "comment ", 8) &&
				 strncmp(s, "policy ", 7))
				c.rules++;
		}
		depth += opens - closes;
		if (depth < 0)
			depth = 0;
		if (chain_depth >= 0 && depth < chain_depth) {
			nft_chain_item(hs, ns, &c);
			chain_depth = -1;
		}
	}
}

static void nft_read(struct host_state *hs, const char *ns)
{
	char *out = malloc(HS_NFT_OUT);
	int status = 0;
	ssize_t n;

	if (!out)
		return;
	n = nft_run(out, HS_NFT_OUT, &status);
	if (n < 0 || status == 127)
		hs_set(hs, ns, "note", "nft not available: chain policies not "
		       "read");
	else if (status)
		hs_set(hs, ns, "note", "nft list ruleset failed (status %d): "
		       "chain policies not read", status);
	else
		nft_parse(hs, ns, out);
	free(out);
}

/* ---- per netns --------------------------------------------------------- */

static void ns_read(struct host_state *hs, struct hs_ns *ns,
		    const struct hs_flow *flows, size_t n_flows)
{
	struct timeval tv = { .tv_sec = 2 };

	sysctls_read(hs, ns);
	ns->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (ns->fd < 0) {
		hs_set(hs, ns->name, "note", "rtnetlink: %s", strerror(errno));
	} else {
		setsockopt(ns->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		links_read(hs, ns);
		routes_read(hs, ns, flows, n_flows);
		close(ns->fd);
	}
	nft_read(hs, ns->name);
}

static void ns_visit(struct host_state *hs, struct hs_ns *ns,
		     const struct hs_flow *flows, size_t n_flows)
{
	struct if_target t;
	char spec[HS_NETNS_MAX + 8], err[256];
	int saved = -1, ret;

	if (ns->name[0]) {
		snprintf(spec, sizeof(spec), "%s/lo", ns->name);
		ret = netns_parse_target(spec, &t, err, sizeof(err));
		if (!ret)
			ret = netns_enter(t.netns_path, &saved, err,
					  sizeof(err));
		if (ret) {
			hs_set(hs, ns->name, "note", "not read: %s", err);
			return;
		}
	}
	ns_read(hs, ns, flows, n_flows);
	if (netns_leave(saved)) {
		/* a thread left in a foreign netns would capture there */
		log_error("cannot return to the original netns");
		abort();
	}
}

static bool ns_has_dev(const struct hs_ns *ns, const char *ifname)
{
	size_t i;

	for (i = 0; i < ns->n_devs; i++)
		if (!strcmp(ns->devs[i], ifname))
			return true;
	return false;
}

int hs_collect(struct host_state *hs, const struct hs_dev *devs, size_t n_devs,
	       const struct hs_flow *flows, size_t n_flows)
{
	struct hs_ns *ns;
	size_t i, j, n = 0;

	ns = calloc(HS_NS, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	for (i = 0; i < n_devs; i++) {
		const char *name = devs[i].netns ? devs[i].netns : "";

		if (strlen(name) >= HS_NETNS_MAX)
			continue;
		for (j = 0; j < n && strcmp(ns[j].name, name); j++)
			;
		if (j == n) {
			if (n == HS_NS)
				continue;
			ns[n++].name = name;
		}
		if (devs[i].ifname && devs[i].ifname[0] &&
		    !ns_has_dev(&ns[j], devs[i].ifname) &&
		    ns[j].n_devs < HS_DEVS_NS)
			ns[j].devs[ns[j].n_devs++] = devs[i].ifname;
	}
	for (i = 0; i < n; i++)
		ns_visit(hs, &ns[i], flows, n_flows);
	free(ns);
	return 0;
}
