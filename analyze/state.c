// SPDX-License-Identifier: GPL-2.0
/*
 * Host state as evidence: of everything the snapshot holds (capture/
 * hoststate.h), only what bears on the place a group was lost becomes a
 * fact: the netns of the last point that saw it, of the next one, and of
 * the kernel's drop device; the devices of those points and the device the
 * route there leaves by.  A state item anywhere else says nothing about
 * this loss, however wrong it looks.
 *
 * The snapshot may come from a file: values are untrusted text, compared
 * as strings and parsed with bounds, never trusted to be well formed.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hoststate.h"
#include "internal.h"

#define STATE_LINES 6
#define STATE_PLACES 3
#define IFNAMSIZ_MAX 32

/* A place a loss may be: a netns and a device in it ("" unknown). */
struct place {
	const char *netns;
	const char *dev;
	int point;		/* the point it is, or -1 */
};

struct state_ctx {
	const struct engine *e;
	const struct host_state *hs;
	const struct group *g;
	struct place pl[STATE_PLACES];	/* after, before, drop device */
	char from[64], to[64];		/* the lost packet's addresses */
	uint32_t size;			/* its IP length */
	char lines[STATE_LINES][160];	/* what the finding will say */
	int line_point[STATE_LINES];
	unsigned int n_lines;
};

static const char *ns_label(const char *ns)
{
	return ns[0] ? ns : "host";
}

static void line_add(struct state_ctx *c, int point, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void line_add(struct state_ctx *c, int point, const char *fmt, ...)
{
	va_list ap;

	if (c->n_lines == STATE_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(c->lines[c->n_lines], sizeof(c->lines[0]), fmt, ap);
	va_end(ap);
	c->line_point[c->n_lines++] = point;
}

/* "k=v" in a value of space-separated fields; false when absent. */
static bool field(const char *value, const char *k, char *out, size_t n)
{
	size_t klen = strlen(k);
	const char *p = value;

	while (p && *p) {
		if (!strncmp(p, k, klen) && p[klen] == '=') {
			size_t len = strcspn(p + klen + 1, " ");

			if (len >= n)
				len = n - 1;
			memcpy(out, p + klen + 1, len);
			out[len] = 0;
			return true;
		}
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return false;
}

/* The value of the item keyed pre + x + post in ns, or NULL. */
static const char *item(const struct state_ctx *c, const char *ns,
			const char *pre, const char *x, const char *post)
{
	char key[HS_KEY_MAX];

	snprintf(key, sizeof(key), "%s%.64s%s", pre, x, post);
	return hs_get(c->hs, ns, key);
}

/* The output route's type to addr in ns ("" when not read). */
static void route_type(const struct state_ctx *c, const char *ns,
		       const char *addr, char *type, size_t n)
{
	const char *v = item(c, ns, "route/", addr, "");

	type[0] = 0;
	if (v)
		field(v, "type", type, n);
}

static bool addr_local(const struct state_ctx *c, const char *ns,
		       const char *addr)
{
	char t[24];

	route_type(c, ns, addr, t, sizeof(t));
	return !strcmp(t, "local");
}

/* The device the output route to addr leaves ns by ("" unknown). */
static void route_out(const struct state_ctx *c, const char *ns,
		      const char *addr, char *dev, size_t n)
{
	const char *v = item(c, ns, "route/", addr, "");

	dev[0] = 0;
	if (v)
		field(v, "dev", dev, n);
}

/*
 * ns routes the packet: both routes were read, neither end is local, and
 * the way to its destination is not the segment it came from (a bridge
 * between guest and peer switches, it does not route).
 */
static bool must_forward(const struct state_ctx *c, const char *ns)
{
	char t1[24], t2[24], d1[IFNAMSIZ_MAX], d2[IFNAMSIZ_MAX];

	route_type(c, ns, c->from, t1, sizeof(t1));
	route_type(c, ns, c->to, t2, sizeof(t2));
	if (!t1[0] || !t2[0] || !strcmp(t1, "local") || !strcmp(t2, "local"))
		return false;
	route_out(c, ns, c->from, d1, sizeof(d1));
	route_out(c, ns, c->to, d2, sizeof(d2));
	return strcmp(d1, d2) != 0;
}

/* ... or switches it on one segment (a bridge's own netns). */
static bool switches(const struct state_ctx *c, const char *ns)
{
	char t1[24], t2[24], d1[IFNAMSIZ_MAX], d2[IFNAMSIZ_MAX];

	route_type(c, ns, c->from, t1, sizeof(t1));
	route_type(c, ns, c->to, t2, sizeof(t2));
	if (strcmp(t1, "unicast") || strcmp(t2, "unicast"))
		return false;
	route_out(c, ns, c->from, d1, sizeof(d1));
	route_out(c, ns, c->to, d2, sizeof(d2));
	return d1[0] && !strcmp(d1, d2);
}

/* ns takes a routing decision for it: it forwards it or sends it. */
static bool routes_here(const struct state_ctx *c, const char *ns)
{
	return must_forward(c, ns) || addr_local(c, ns, c->from);
}

/* Each distinct netns of the places, in their order: i-th or NULL. */
static const struct place *ns_place(const struct state_ctx *c, int i)
{
	int k, j, seen = 0;

	for (k = 0; k < STATE_PLACES; k++) {
		if (!c->pl[k].netns)
			continue;
		for (j = 0; j < k; j++)
			if (c->pl[j].netns &&
			    !strcmp(c->pl[j].netns, c->pl[k].netns))
				break;
		if (j < k)
			continue;
		if (seen++ == i)
			return &c->pl[k];
	}
	return NULL;
}

/* ---- the facts, in the table's order ------------------------------- */

static bool dev_down(const struct state_ctx *c, const char *ns,
		     const char *dev, char *why, size_t n)
{
	const char *admin = item(c, ns, "link/", dev, "/admin");
	const char *oper = item(c, ns, "link/", dev, "/oper");
	const char *carrier = item(c, ns, "link/", dev, "/carrier");

	if (admin && !strcmp(admin, "down"))
		snprintf(why, n, "administratively down");
	else if (oper && (!strcmp(oper, "down") ||
			  !strcmp(oper, "lowerlayerdown") ||
			  !strcmp(oper, "notpresent")))
		snprintf(why, n, "operstate %s%s", oper,
			 carrier && !strcmp(carrier, "0") ? ", no carrier" : "");
	else
		return false;
	return true;
}

/*
 * The device the route to the lost packet's destination leaves ns by,
 * where ns routes it (a netns that only switches it never asks).
 */
static bool route_dev(const struct state_ctx *c, const char *ns, char *dev,
		      size_t n)
{
	const char *v = item(c, ns, "route/", c->to, "");

	return v && routes_here(c, ns) && field(v, "dev", dev, n) && dev[0];
}

static void link_fact(struct state_ctx *c, struct cause_facts *cf)
{
	/* where it should have gone: the next point, the drop device, and
	 * the route out of the netns that saw it last */
	const struct place *cand[3] = { &c->pl[1], &c->pl[2], NULL };
	char dev[IFNAMSIZ_MAX], why[64];
	int i;

	for (i = 0; i < 3; i++) {
		const char *ns, *d;

		if (cand[i]) {
			if (!cand[i]->netns || !cand[i]->dev[0])
				continue;
			ns = cand[i]->netns;
			d = cand[i]->dev;
		} else {
			if (!c->pl[0].netns ||
			    !route_dev(c, c->pl[0].netns, dev, sizeof(dev)))
				continue;
			ns = c->pl[0].netns;
			d = dev;
		}
		if (!dev_down(c, ns, d, why, sizeof(why)))
			continue;
		cf->bits |= CF_HS_LINK_DOWN;
		facts_set(cf, "link_device", "%s%s%s", ns, ns[0] ? "/" : "", d);
		facts_set(cf, "link_state", "%s", why);
		line_add(c, c->g->after, "%s in netns %s is %s", d,
			 ns_label(ns), why);
		return;
	}
}

static void stp_fact(struct state_ctx *c, struct cause_facts *cf)
{
	int i;

	/* a port in listening drops what enters by it and sends nothing:
	 * the last point (ingress) and the next (egress) both count */
	for (i = 0; i < STATE_PLACES; i++) {
		const struct place *p = &c->pl[i];
		const char *st, *br;

		if (!p->netns || !p->dev[0])
			continue;
		st = item(c, p->netns, "link/", p->dev, "/brport_state");
		if (!st || !strcmp(st, "forwarding"))
			continue;
		br = item(c, p->netns, "link/", p->dev, "/master");
		cf->bits |= CF_HS_STP_BLOCKING;
		facts_set(cf, "port", "%s", p->dev);
		facts_set(cf, "bridge", "%s", br ? br : "its bridge");
		facts_set(cf, "stp_state", "%s", st);
		line_add(c, p->point, "port %s of %s in netns %s is in STP "
			 "state %s", p->dev, br ? br : "?", ns_label(p->netns),
			 st);
		return;
	}
}

/*
 * The first netns of the places where the sysctl key has value and which
 * plays the part in question (where(c, ns)), or NULL.
 */
static const struct place *sysctl_place(const struct state_ctx *c,
					const char *key, const char *value,
					bool (*where)(const struct state_ctx *,
						      const char *))
{
	const struct place *p;
	const char *v;
	int i;

	for (i = 0; (p = ns_place(c, i)); i++) {
		v = hs_get(c->hs, p->netns, key);
		if (v && !strcmp(v, value) && where(c, p->netns))
			return p;
	}
	return NULL;
}

/*
 * IPv4 forwards what arrives on a device whose own forwarding is on: with
 * ip_forward = 1, net.ipv4.conf.DEV.forwarding = 0 on the device the
 * request came in by (the way back to its source) still stops it.  The
 * snapshot holds it for the watched devices.  IPv6 has no such switch.
 */
static const struct place *dev_forward_off(const struct state_ctx *c,
					   char *key, size_t len)
{
	char d[IFNAMSIZ_MAX];
	const struct place *p;
	const char *v;
	int i;

	if (c->g->family == 6)
		return NULL;
	for (i = 0; (p = ns_place(c, i)); i++) {
		if (!must_forward(c, p->netns))
			continue;
		route_out(c, p->netns, c->from, d, sizeof(d));
		if (!d[0])
			continue;
		snprintf(key, len, "net.ipv4.conf.%s.forwarding", d);
		v = hs_get(c->hs, p->netns, key);
		if (v && !strcmp(v, "0"))
			return p;
	}
	return NULL;
}

static void forward_fact(struct state_ctx *c, struct cause_facts *cf)
{
	char dev_key[64 + IFNAMSIZ_MAX];
	const char *key = c->g->family == 6 ? "net.ipv6.conf.all.forwarding"
					    : "net.ipv4.ip_forward";
	const struct place *p = sysctl_place(c, key, "0", must_forward);

	if (!p) {
		p = dev_forward_off(c, dev_key, sizeof(dev_key));
		key = dev_key;
	}
	if (!p)
		return;
	cf->bits |= CF_HS_FORWARD_OFF;
	facts_set(cf, "fwd_netns", "%s", ns_label(p->netns));
	facts_set(cf, "fwd_sysctl", "%s", key);
	line_add(c, p->point, "%s = 0 in netns %s", key, ns_label(p->netns));
}

static void route_fact(struct state_ctx *c, struct cause_facts *cf)
{
	const struct place *p;
	char t[24];
	int i;

	for (i = 0; (p = ns_place(c, i)); i++) {
		if (!routes_here(c, p->netns))
			continue;
		route_type(c, p->netns, c->to, t, sizeof(t));
		if (strcmp(t, "unreachable") && strcmp(t, "prohibit") &&
		    strcmp(t, "blackhole") && strcmp(t, "throw") &&
		    strcmp(t, "missing"))
			continue;
		cf->bits |= CF_HS_ROUTE_BAD;
		if (!strcmp(t, "prohibit"))
			cf->bits |= CF_HS_ROUTE_PROHIBIT;
		facts_set(cf, "route_netns", "%s", ns_label(p->netns));
		facts_set(cf, "route_target", "%s", c->to);
		facts_set(cf, "route_type", "%s", t);
		line_add(c, p->point, "route to %s in netns %s: %s", c->to,
			 ns_label(p->netns), t);
		return;
	}
}

/* The MTU the saved state gives device d of netns ns, 0 if none. */
static unsigned long dev_mtu(struct state_ctx *c, const char *ns,
			     const char *d)
{
	const char *v = item(c, ns, "link/", d, "/mtu");

	return v ? strtoul(v, NULL, 10) : 0;
}

/*
 * A request sent without DF left the last point in fragments (its MTU is
 * below the probe) and nothing came back: the target answers with one
 * reply of the request's size, whole when its own side of the link takes
 * it, and a device drops a frame above its MTU on receive (veth, bridge,
 * tap; most NICs).  So a link whose two ends differ in MTU passes the
 * request and eats the reply, and no point past this one shows it.
 */
static void reply_mtu_fact(struct state_ctx *c, struct cause_facts *cf)
{
	const struct place *p = &c->pl[0];
	unsigned long mtu;

	if (!c->size || !c->g->fragmentable || c->g->reply_dir ||
	    !p->netns || !p->dev[0])
		return;
	mtu = dev_mtu(c, p->netns, p->dev);
	if (!mtu || mtu >= c->size)
		return;
	cf->bits |= CF_HS_REPLY_MTU;
	facts_set(cf, "mtu_device", "%s%s%s", p->netns, p->netns[0] ? "/" : "",
		  p->dev);
	facts_set(cf, "dev_mtu", "%lu", mtu);
	facts_set(cf, "size", "%u", c->size);
	line_add(c, p->point, "%s in netns %s has MTU %lu, the probe is %u "
		 "bytes (sent without DF)", p->dev, ns_label(p->netns), mtu,
		 c->size);
}

static void mtu_fact(struct state_ctx *c, struct cause_facts *cf)
{
	char dev[IFNAMSIZ_MAX];
	const char *ns, *d;
	unsigned long mtu;
	int i;

	/* without DF a smaller MTU fragments the probe; it drops nothing */
	if (!c->size)
		return;
	if (c->g->fragmentable) {
		reply_mtu_fact(c, cf);
		return;
	}
	for (i = 0; i < 3; i++) {
		if (i < 2) {
			const struct place *p = &c->pl[i ? 2 : 1];

			if (!p->netns || !p->dev[0])
				continue;
			ns = p->netns;
			d = p->dev;
		} else {
			if (!c->pl[0].netns ||
			    !route_dev(c, c->pl[0].netns, dev, sizeof(dev)))
				continue;
			ns = c->pl[0].netns;
			d = dev;
		}
		mtu = dev_mtu(c, ns, d);
		if (!mtu || mtu >= c->size)
			continue;
		cf->bits |= CF_HS_MTU_SMALL;
		facts_set(cf, "mtu_device", "%s%s%s", ns, ns[0] ? "/" : "", d);
		facts_set(cf, "dev_mtu", "%lu", mtu);
		facts_set(cf, "size", "%u", c->size);
		line_add(c, c->g->after, "%s in netns %s has MTU %lu, the "
			 "probe is %u bytes", d, ns_label(ns), mtu, c->size);
		return;
	}
}

/*
 * The requests reached the netns that owns the target, which answers no
 * ping: icmp_echo_ignore_all (the kernel consumes them, no drop record).
 */
static bool owns_target(const struct state_ctx *c, const char *ns)
{
	return addr_local(c, ns, c->to);
}

static void echo_fact(struct state_ctx *c, struct cause_facts *cf)
{
	const char *key = c->g->family == 6 ? "net.ipv6.icmp.echo_ignore_all"
					    : "net.ipv4.icmp_echo_ignore_all";
	const struct place *p;

	if (c->g->reply_dir ||
	    !(p = sysctl_place(c, key, "1", owns_target)))
		return;
	cf->bits |= CF_HS_ECHO_IGNORED;
	facts_set(cf, "echo_netns", "%s", ns_label(p->netns));
	facts_set(cf, "echo_sysctl", "%s", key);
	line_add(c, p->point, "%s = 1 in netns %s, where %s is local", key,
		 ns_label(p->netns), c->to);
}

/* The rp_filter in force on dev: the larger of all and the device's. */
static int rpf_of(const struct state_ctx *c, const char *ns, const char *dev)
{
	const char *a = item(c, ns, "net.ipv4.conf.all.rp_filter", "", "");
	const char *d = item(c, ns, "net.ipv4.conf.", dev, ".rp_filter");
	int va = a ? atoi(a) : 0, vd = d ? atoi(d) : 0;

	return va > vd ? va : vd;
}

static void rpf_fact(struct state_ctx *c, struct cause_facts *cf)
{
	const struct place *p = &c->pl[2];
	char dev[IFNAMSIZ_MAX];
	const char *v, *reason;

	if (c->g->family != 4)
		return;
	/* the kernel's IP_RPFILTER on a device: which setting did it */
	reason = c->g->drop_reason >= 0 ?
		 engine_reason(c->e, c->g->drop_reason) : "";
	if (strcmp(reason, "IP_RPFILTER") || !p->netns || !p->dev[0]) {
		/* else: strict on the device it entered by, whose route
		 * back to its source leaves by another device */
		p = &c->pl[1];
		if (!p->netns || !p->dev[0])
			return;
		v = item(c, p->netns, "route/", c->from, "");
		if (!v || !field(v, "dev", dev, sizeof(dev)) ||
		    !strcmp(dev, p->dev))
			return;
	}
	if (rpf_of(c, p->netns, p->dev) != 1)
		return;
	cf->bits |= CF_HS_RPF_STRICT;
	facts_set(cf, "rpf_device", "%s", p->dev);
	facts_set(cf, "rpf_sysctl", "net.ipv4.conf.%s.rp_filter", p->dev);
	facts_set(cf, "rpf", "1");
	facts_set(cf, "rpf_source", "%s", c->from);
	line_add(c, p->point, "rp_filter = 1 (strict) on %s in netns %s",
		 p->dev, ns_label(p->netns));
}

static bool bridge_nf(const struct state_ctx *c, const char *ns)
{
	const char *v = hs_get(c->hs, ns, c->g->family == 6 ?
			       "net.bridge.bridge-nf-call-ip6tables" :
			       "net.bridge.bridge-nf-call-iptables");

	return v && !strcmp(v, "1");
}

/* The hooks a packet of this loss crosses in ns. */
static bool hook_relevant(const struct state_ctx *c, const char *ns,
			  const char *hook)
{
	if (!strcmp(hook, "prerouting") || !strcmp(hook, "postrouting"))
		return true;
	if (!strcmp(hook, "input"))
		return addr_local(c, ns, c->to);
	if (!strcmp(hook, "output"))
		return addr_local(c, ns, c->from);
	if (!strcmp(hook, "forward"))
		/* bridged packets too, while br_netfilter hands them over */
		return must_forward(c, ns) ||
		       (switches(c, ns) && bridge_nf(c, ns));
	return false;
}

static bool family_relevant(int family, const char *nf)
{
	return !strcmp(nf, "inet") ||
	       !strcmp(nf, family == 6 ? "ip6" : "ip");
}

static void policy_fact(struct state_ctx *c, struct cause_facts *cf)
{
	char fam[16], tab[64], ch[64], hook[24], pol[16], rules[16];
	const struct place *p;
	uint32_t k;
	int i;

	for (i = 0; (p = ns_place(c, i)); i++) {
		for (k = 0; k < c->hs->n; k++) {
			const struct hs_item *it = &c->hs->items[k];

			if (strcmp(it->netns, p->netns) ||
			    sscanf(it->key, "nft/%15[^/]/%63[^/]/%63s", fam, tab,
				   ch) != 3 ||
			    !field(it->value, "hook", hook, sizeof(hook)) ||
			    !field(it->value, "policy", pol, sizeof(pol)) ||
			    !field(it->value, "rules", rules, sizeof(rules)))
				continue;
			if (strcmp(pol, "drop") || strcmp(rules, "0") ||
			    !family_relevant(c->g->family, fam) ||
			    !hook_relevant(c, p->netns, hook))
				continue;
			cf->bits |= CF_HS_POLICY_DROP;
			facts_set(cf, "nf_netns", "%s", ns_label(p->netns));
			facts_set(cf, "nf_family", "%s", fam);
			facts_set(cf, "nf_table", "%s", tab);
			facts_set(cf, "nf_chain", "%s", ch);
			facts_set(cf, "nf_hook", "%s", hook);
			line_add(c, p->point, "nft chain %s %s %s (hook %s) "
				 "has policy drop and no rule, in netns %s",
				 fam, tab, ch, hook, ns_label(p->netns));
			return;
		}
	}
}

static void neigh_fact(struct state_ctx *c, struct cause_facts *cf)
{
	char dev[IFNAMSIZ_MAX], via[64], key[HS_KEY_MAX + 32];
	const char *ns = c->pl[0].netns, *v, *st;

	/* the host resolves a next hop only where it routes the packet */
	if (!ns || !routes_here(c, ns))
		return;
	v = item(c, ns, "route/", c->to, "");
	if (!v || !field(v, "dev", dev, sizeof(dev)))
		return;
	if (!field(v, "via", via, sizeof(via)))
		snprintf(via, sizeof(via), "%s", c->to);
	snprintf(key, sizeof(key), "neigh/%.56s/%.16s", via, dev);
	st = hs_get(c->hs, ns, key);
	if (!st || (strcmp(st, "FAILED") && strcmp(st, "INCOMPLETE")))
		return;
	cf->bits |= CF_HS_NEIGH_FAILED;
	facts_set(cf, "next_hop", "%s", via);
	facts_set(cf, "neigh_device", "%s", dev);
	facts_set(cf, "neigh_state", "%s", st);
	line_add(c, c->g->after, "neighbour %s on %s in netns %s is %s", via,
		 dev, ns_label(ns), st);
}

/* ---- the places of a group ------------------------------------------ */

static void place_of_point(const struct engine *e, int id, struct place *p)
{
	const struct point *pt = id >= 0 ?
		point_get_const(e->points, (uint32_t)id) : NULL;

	p->netns = NULL;
	p->dev = "";
	p->point = id;
	if (!pt || pt->hook == HOOK_KFREE_SKB)
		return;
	p->netns = pt->netns;
	p->dev = pt->ifname;
}

static bool ctx_init(struct state_ctx *c, const struct engine *e,
		     const struct group *g)
{
	const struct flow *f = &e->flows[g->flow];
	bool reply = g->reply_dir || (g->drop_reason >= 0 && g->drop_reply);

	memset(c, 0, sizeof(*c));
	if (!e->hs || !e->hs->n)
		return false;
	c->e = e;
	c->hs = e->hs;
	c->g = g;
	place_of_point(e, g->after, &c->pl[0]);
	place_of_point(e, g->before, &c->pl[1]);
	c->pl[2].point = drop_device_point(e, g);
	/*
	 * A drop in a netns no point watches, past a NAT: the packet there
	 * carries the rewritten addresses, not the flow's, so the state of
	 * that netns (its routes, its forwarding) is not asked about them.
	 */
	if (c->pl[2].point == DROP_DEV_UNWATCHED && nat_of_flow(e, g->flow))
		c->pl[2].point = DROP_DEV_NONE;
	if (c->pl[2].point != DROP_DEV_NONE && g->drop_reason >= 0 &&
	    engine_reason_device(e, g->drop_reason)[0]) {
		c->pl[2].netns = engine_reason_netns(e, g->drop_reason);
		c->pl[2].dev = engine_reason_device(e, g->drop_reason);
		if (c->pl[2].point < 0)
			c->pl[2].point = g->after;
	} else {
		c->pl[2].dev = "";
	}
	fmt_ip(reply ? c->from : c->to, sizeof(c->to), f->family, f->dst);
	fmt_ip(reply ? c->to : c->from, sizeof(c->to), f->family, f->src);
	/* echo data + ICMP header + IP header */
	if (g->min_len)
		c->size = g->min_len + 8 + (f->family == 6 ? 40 : 20);
	return true;
}

static void ctx_facts(struct state_ctx *c, struct cause_facts *cf)
{
	/* in the table's order, so the lines read strongest first */
	link_fact(c, cf);
	stp_fact(c, cf);
	forward_fact(c, cf);
	route_fact(c, cf);
	echo_fact(c, cf);
	mtu_fact(c, cf);
	rpf_fact(c, cf);
	policy_fact(c, cf);
	neigh_fact(c, cf);
}

void state_facts(const struct engine *e, const struct group *g,
		 struct cause_facts *cf)
{
	struct state_ctx *c = malloc(sizeof(*c));

	if (c && ctx_init(c, e, g))
		ctx_facts(c, cf);
	free(c);
}

void state_evidence(const struct engine *e, const struct group *g,
		    struct finding *f)
{
	struct state_ctx *c = malloc(sizeof(*c));
	struct cause_facts cf;
	unsigned int i;

	if (c && ctx_init(c, e, g)) {
		memset(&cf, 0, sizeof(cf));
		ctx_facts(c, &cf);
		for (i = 0; i < c->n_lines; i++)
			finding_evidence(f, c->line_point[i], 0, 0, 0, "%s",
					 c->lines[i]);
		if (c->n_lines)
			finding_str(f, "host_state", "%s", c->lines[0]);
	}
	free(c);
}

/* ---- broadcasts a bridge did not flood -------------------------------- */

/* dev's bridge in ns: its master, or dev itself when ports name it. */
static const char *bridge_of(const struct engine *e, const char *ns,
			     const char *dev, char *out, size_t n)
{
	char key[128];
	const char *v;
	uint32_t i;

	snprintf(key, sizeof(key), "link/%s/master", dev);
	v = hs_get(e->hs, ns, key);
	if (v) {
		snprintf(out, n, "%s", v);
		return out;
	}
	for (i = 0; i < e->points->count && i < ENGINE_MAX_POINTS; i++) {
		const struct point *p = &e->points->items[i];

		snprintf(key, sizeof(key), "link/%s/master", p->ifname);
		v = hs_get(e->hs, ns, key);
		if (v && !strcmp(p->netns, ns) && !strcmp(v, dev)) {
			snprintf(out, n, "%s", dev);
			return out;
		}
	}
	return NULL;
}

static bool port_flag(const struct engine *e, const char *ns, const char *dev,
		      const char *flag)
{
	char key[128];
	const char *v;
	size_t n = strlen(flag);

	snprintf(key, sizeof(key), "link/%s/brport_flags", dev);
	v = hs_get(e->hs, ns, key);
	for (; v && *v; v += strcspn(v, ","), v += *v == ',')
		if (!strncmp(v, flag, n) && (v[n] == ',' || !v[n]))
			return true;
	return false;
}

/* Why the bridge kept the broadcast from out_dev, from the ports' flags. */
static enum cause_id cut_cause(const struct engine *e, const char *ns,
			       const struct bridge_cut *bc)
{
	if (port_flag(e, ns, bc->out_dev, "isolated") &&
	    port_flag(e, ns, bc->in_dev, "isolated"))
		return CAUSE_BRIDGE_PORTS_ISOLATED;
	if (port_flag(e, ns, bc->out_dev, "no_bcast_flood"))
		return CAUSE_BRIDGE_BCAST_FLOOD_OFF;
	return CAUSE_BRIDGE_NOT_FLOODED;
}

bool state_bridge_cut(const struct engine *e, uint64_t seen, uint64_t from,
		      uint64_t to, struct bridge_cut *bc)
{
	char br[24], other[24];
	uint32_t i, j;

	if (!e->hs || !e->hs->n)
		return false;
	for (i = 0; i < e->points->count && i < ENGINE_MAX_POINTS; i++) {
		const struct point *p = &e->points->items[i];

		if (!(seen & (1ull << i)) || !point_on_wire(p) ||
		    !bridge_of(e, p->netns, p->ifname, br, sizeof(br)))
			continue;
		for (j = 0; j < e->points->count && j < ENGINE_MAX_POINTS; j++) {
			const struct point *q = &e->points->items[j];

			/* a port of that bridge, watching, that never saw it */
			if ((seen & (1ull << j)) || !point_on_wire(q) ||
			    point_unwatched_during(q, from, to) ||
			    strcmp(q->netns, p->netns) ||
			    !strcmp(q->ifname, br) ||
			    !bridge_of(e, q->netns, q->ifname, other,
				       sizeof(other)) ||
			    strcmp(other, br))
				continue;
			bc->in_point = (int)i;
			bc->out_point = (int)j;
			snprintf(bc->bridge, sizeof(bc->bridge), "%.23s", br);
			snprintf(bc->in_dev, sizeof(bc->in_dev), "%.23s", p->ifname);
			snprintf(bc->out_dev, sizeof(bc->out_dev), "%.23s",
				 q->ifname);
			bc->cause = cut_cause(e, p->netns, bc);
			return true;
		}
	}
	return false;
}

/*
 * The kernel answers an ARP request arriving on DEV only when
 * max(net.ipv4.conf.all.arp_ignore, net.ipv4.conf.DEV.arp_ignore) allows
 * it; 8 allows none.  (1 and 2 depend on the addresses of DEV, which the
 * snapshot does not hold: they are not judged.)
 */
bool state_arp_ignored(const struct engine *e, uint64_t seen,
		       struct arp_ignored *out)
{
	char key[64 + IFNAMSIZ_MAX];
	uint32_t i;

	if (!e->hs || !e->hs->n)
		return false;
	for (i = 0; i < e->points->count && i < ENGINE_MAX_POINTS; i++) {
		const struct point *p = &e->points->items[i];
		const char *all, *dev;
		long v;

		/* a bridge's port hands ARP to its bridge, which answers */
		if (!(seen & (1ull << i)) || !point_on_wire(p) ||
		    !p->ifname[0] || p->master[0] ||
		    p->kind == POINT_KIND_BRIDGE_PORT)
			continue;
		all = hs_get(e->hs, p->netns, "net.ipv4.conf.all.arp_ignore");
		snprintf(key, sizeof(key), "net.ipv4.conf.%s.arp_ignore",
			 p->ifname);
		dev = hs_get(e->hs, p->netns, key);
		v = dev ? strtol(dev, NULL, 10) : 0;
		if (all && strtol(all, NULL, 10) > v) {
			v = strtol(all, NULL, 10);
			snprintf(key, sizeof(key), "net.ipv4.conf.all.arp_ignore");
		}
		if (v != 8)
			continue;
		out->point = (int)i;
		snprintf(out->netns, sizeof(out->netns), "%s", ns_label(p->netns));
		snprintf(out->dev, sizeof(out->dev), "%.23s", p->ifname);
		snprintf(out->sysctl, sizeof(out->sysctl), "%s", key);
		return true;
	}
	return false;
}
