// SPDX-License-Identifier: GPL-2.0
/*
 * Engine entry points: dispatch each packet to the probe table or the
 * neighbour layer, keep per point statistics (coverage in time, VLAN tags,
 * checksums, broadcast rate), and at the end build paths and findings.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hoststate.h"
#include "common/cursor.h"
#include "dissect/ipfrag.h"
#include "dissect/names.h"
#include "internal.h"

/*
 * Fragmented pings (ping -s 3000) are reassembled per point by
 * dissect/ipfrag.c; a datagram that arrived whole at a point is then fed
 * exactly like an unfragmented one, under the frame number of its first
 * fragment and the time of its last.
 *
 * A datagram that times out incomplete is NOT made a sighting, even when
 * its first fragment (with the echo header) was there.  A missing fragment
 * is evidence, but of a loss *before* this point: the point before saw the
 * fragment, this one did not, so the datagram died between them, and the
 * receiver will never see it.  A partial sighting here would move the loss
 * one point downstream and be reported as cut by the snap length, which it
 * was not.  Bytes that only the snap length cut are another matter: every
 * fragment arrived, the datagram passed, and ipfrag hands it out whole
 * with caplen < wirelen, a partial fingerprint like any snapped echo.
 * What expires incomplete is counted by the reassembler (its stats).
 */
struct engine_frag {
	struct ipfrag_table *t;
	struct frame out;	/* the datagram handed out last ... */
	struct packet pkt;	/* ... dissected (too big for the stack) */
	/*
	 * An outer datagram reassembled whole may carry an inner fragment
	 * (fragmented inside the tunnel, then again on the underlay): it goes
	 * round once more, from a copy, since out belongs to the table.
	 */
	uint8_t *again;
	size_t again_cap;
	/*
	 * A fragment was fed: before that the table is empty and expiring it
	 * every frame (most captures hold no fragment) is a call for nothing.
	 */
	bool fed;
};

void engine_opts_default(struct engine_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_ns = 3000000000ull;
	o->max_live = 32768;
	o->keep_probes = 256;
	o->storm_rate = 500;
}

struct engine *engine_new(const struct point_table *points,
			  const struct engine_opts *o)
{
	struct engine *e = calloc(1, sizeof(*e));
	size_t i;

	if (!e)
		return NULL;
	e->points = points;
	e->socket_point = -1;
	if (o)
		e->o = *o;
	else
		engine_opts_default(&e->o);
	if (!e->o.timeout_ns)
		e->o.timeout_ns = 3000000000ull;
	if (!e->o.max_live)
		e->o.max_live = 32768;
	if (!e->o.storm_rate)
		e->o.storm_rate = 500;
	/* a saved trace's unsent probes count as they did live */
	e->unsent = e->o.unsent;
	e->unsent_err = e->o.unsent_err;
	for (i = 0; o && o->path && i < o->path_len && i < ENGINE_MAX_POINTS; i++)
		e->path_user[i] = o->path[i];
	e->path_user_len = i;
	e->o.path = NULL;
	e->neigh = calloc(MAX_NEIGH, sizeof(*e->neigh));
	if (!e->neigh) {
		free(e);
		return NULL;
	}
	memset(e->neigh_index, 0xff, sizeof(e->neigh_index));
	e->frag = calloc(1, sizeof(*e->frag));
	if (e->frag)
		e->frag->t = ipfrag_new(NULL);
	if (!e->frag || !e->frag->t) {
		engine_free(e);
		return NULL;
	}
	return e;
}

void engine_set_points(struct engine *e, const struct point_table *points)
{
	e->points = points;
}

int engine_set_path(struct engine *e, const uint32_t *ids, size_t n)
{
	size_t i;

	if (n > ENGINE_MAX_POINTS)
		return -1;
	for (i = 0; i < n; i++) {
		if (ids[i] >= ENGINE_MAX_POINTS)
			return -1;
		e->path_user[i] = ids[i];
	}
	e->path_user_len = n;
	return 0;
}

void engine_set_probe_callback(struct engine *e, probe_done_fn fn, void *ctx)
{
	e->done_fn = fn;
	e->done_ctx = ctx;
}

void engine_set_listener(struct engine *e, const struct engine_listener *ops,
			 void *ctx)
{
	e->lis = ops;
	e->lis_ctx = ctx;
}

void engine_free(struct engine *e)
{
	uint32_t i;

	if (!e)
		return;
	if (e->hs)
		hs_free(e->hs);
	free(e->hs);
	probe_table_free(e);
	identity_free(e);
	neigh_free(e);
	for (i = 0; i < e->n_reasons; i++)
		free(e->reasons[i]);
	free(e->reasons);
	free(e->other_drops);
	free(e->neigh);
	free(e->findings);
	latency_free(e);
	free(e->flows);
	free(e->flow_index);
	free(e->groups);
	if (e->frag) {
		ipfrag_free(e->frag->t);
		free(e->frag->again);
	}
	free(e->frag);
	free(e);
}

static bool is_echo(int family, uint8_t type)
{
	return family == 4 ? (type == 0 || type == 8)
			   : (type == 128 || type == 129);
}

static bool quotes_echo_request(const struct packet *p)
{
	if (!(p->layers & LAYER_QUOTED))
		return false;
	if (p->quoted_layers & LAYER_ICMP)
		return p->quoted.icmp.type == 8;
	if (p->quoted_layers & LAYER_ICMPV6)
		return p->quoted.icmp.type == 128;
	return false;
}

static void note_sender(struct point_stat *ps, const uint8_t mac[6])
{
	uint32_t i;

	for (i = 0; i < ps->n_senders; i++) {
		if (!memcmp(ps->senders[i].mac, mac, 6)) {
			ps->senders[i].count++;
			return;
		}
	}
	if (ps->n_senders < TOP_SENDERS) {
		memcpy(ps->senders[ps->n_senders].mac, mac, 6);
		ps->senders[ps->n_senders++].count = 1;
	}
}

static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Broadcast frames (ARP requests included) per second, and who sends them. */
static void note_broadcast(struct engine *e, struct point_stat *ps,
			   const struct packet *p)
{
	uint64_t sec;

	if (!(p->layers & LAYER_ETH) || memcmp(p->eth.dst, bcast_mac, 6))
		return;
	ps->bcast++;
	sec = e->now / 1000000000ull;
	if (sec != ps->cur_sec) {
		ps->cur_sec = sec;
		ps->cur_sec_count = 0;
	}
	if (++ps->cur_sec_count > ps->max_rate) {
		ps->max_rate = ps->cur_sec_count;
		ps->max_rate_sec = sec;
	}
	note_sender(ps, p->eth.src);
}

static void note_vlan(struct point_stat *ps, const struct packet *p)
{
	uint16_t vid;
	uint8_t i;

	if (!p->n_vlan && !(p->frame->flags & FRAME_F_HW_VLAN)) {
		if (p->layers & (LAYER_IPV4 | LAYER_IPV6 | LAYER_ARP))
			ps->untagged_ip++;
		return;
	}
	vid = p->n_vlan ? p->vlan[0].vid : p->frame->hw_vlan_tci & 0x0fff;
	for (i = 0; i < ps->n_vids; i++) {
		if (ps->vid[i] == vid) {
			ps->vid_count[i]++;
			return;
		}
	}
	if (ps->n_vids < MAX_VIDS) {
		ps->vid[ps->n_vids] = vid;
		ps->vid_count[ps->n_vids] = 1;
		ps->vid_first_frame[ps->n_vids] = p->frame->number;
		ps->n_vids++;
	}
}

static void note_checksum(struct point_stat *ps, const struct packet *p)
{
	bool bad = false;

	if ((p->layers & LAYER_IPV4) && p->net.ip.hdr_csum == CSUM_BAD)
		bad = true;
	if ((p->layers & (LAYER_ICMP | LAYER_ICMPV6)) &&
	    p->net.icmp.csum == CSUM_BAD)
		bad = true;
	if (!bad)
		return;
	if (ps->n_csum_examples < 4)
		ps->csum_bad_frame[ps->n_csum_examples++] = p->frame->number;
	ps->csum_bad++;
}

/* A kernel drop of watched traffic that is no echo probe: only counted. */
static void note_other_drop(struct engine *e, const struct frame *f)
{
	int r = probe_drop_reason(e, f);

	e->other_drops_total++;
	if (r >= 0)
		e->other_drops[r]++;
}

/*
 * An echo (request, reply or kernel drop of one) or an error quoting a
 * request: true when the packet is consumed.
 */
/*
 * Whether the echo data of n (the packet's own datagram or the one an
 * error quotes) starts with the session's prefix.  Data not captured far
 * enough cannot say: it counts as ours rather than vanish.
 */
static bool echo_is_own(const struct engine *e, const struct packet *p,
			const struct net_info *n)
{
	const struct frame *f = p->frame;
	const uint8_t *d;
	struct cursor c;

	if (!e->o.own_prefix_len || !f || !f->data)
		return true;
	cur_init(&c, f->data, f->caplen, f->wirelen);
	if (!cur_skip(&c, n->l3_offset + n->ip.hdr_len + 8))
		return true;
	d = cur_peek(&c, (uint32_t)e->o.own_prefix_len);
	return !d || !memcmp(d, e->o.own_prefix, e->o.own_prefix_len);
}

/*
 * trace's probe socket among the points, or -1.  A file's interfaces are
 * read as its packets come, so the table is looked at again when it grew.
 */
int engine_socket_point(struct engine *e)
{
	size_t i;

	if (e->socket_point >= 0 || e->points->count == e->points_seen)
		return e->socket_point;
	for (i = e->points_seen; i < e->points->count &&
	     i < ENGINE_MAX_POINTS; i++)
		if (e->points->items[i].kind == POINT_KIND_SOCKET)
			e->socket_point = (int)i;
	e->points_seen = e->points->count;
	return e->socket_point;
}

static bool feed_icmp(struct engine *e, const struct packet *p, int family)
{
	uint16_t point = (uint16_t)p->frame->point;

	if (is_echo(family, p->net.icmp.type)) {
		if (echo_is_own(e, p, &p->net))
			return probe_feed(e, p, point);
		e->other_pings++;
		return true;
	}
	if (quotes_echo_request(p) && echo_is_own(e, p, &p->quoted))
		probe_feed_error(e, p, point);
	return false;
}

void engine_note_unsent(struct engine *e, int err)
{
	if (!e->unsent++)
		e->unsent_err = err;
}

/* "dropspot-session unsent=N errno=E": written over room kept for it. */
static void unsent_from_comment(struct engine_opts *o, const char *comment)
{
	static const char key[] = "dropspot-session unsent=";
	const char *h = comment ? strstr(comment, key) : NULL;
	unsigned long long n;
	int err = 0;

	if (!h || sscanf(h + sizeof(key) - 1, "%llu errno=%d", &n, &err) < 1)
		return;
	/* a file's word: bounded, so the totals it joins cannot wrap */
	o->unsent = n < UINT32_MAX ? n : UINT32_MAX;
	o->unsent_err = err > 0 && err < 4096 ? err : EIO;
}

/* "dropspot-session probes=HEX" anywhere in a saved trace's comment. */
bool engine_opts_own_from_comment(struct engine_opts *o, const char *comment)
{
	static const char key[] = "dropspot-session probes=";
	const char *h = comment ? strstr(comment, key) : NULL;
	size_t n = 0;
	unsigned v;

	unsent_from_comment(o, comment);
	if (!h)
		return false;
	for (h += sizeof(key) - 1; n < sizeof(o->own_prefix) &&
	     sscanf(h, "%2x", &v) == 1 && isxdigit((unsigned char)h[1]); h += 2)
		o->own_prefix[n++] = (uint8_t)v;
	o->own_prefix_len = n;
	return n > 0;
}

const struct ipfrag_stats *engine_frag_stats(const struct engine *e)
{
	return ipfrag_stats(e->frag->t);
}

static void frag_expire(struct engine *e, uint64_t now)
{
	if (!e->frag->fed)
		return;
	while (ipfrag_expire(e->frag->t, now, &e->frag->out) > 0)
		;	/* incomplete: see above */
}

/* The inner fragment an outer reassembly handed out, fed once more. */
static bool frag_feed_inner(struct engine *e)
{
	struct engine_frag *fr = e->frag;
	struct frame f = fr->out;

	if (!(fr->pkt.layers & LAYER_TUNNEL) || !f.caplen)
		return false;
	if (f.caplen > fr->again_cap) {
		uint8_t *b = realloc(fr->again, f.caplen);

		if (!b)
			return false;
		fr->again = b;
		fr->again_cap = f.caplen;
	}
	memcpy(fr->again, f.data, f.caplen);
	f.data = fr->again;
	dissect_frame(&f, &fr->pkt);
	if (ipfrag_feed(fr->t, &fr->pkt, e->now, &fr->out) != 1)
		return false;
	dissect_frame(&fr->out, &fr->pkt);
	return true;
}

static void frag_feed(struct engine *e, const struct packet *p)
{
	struct engine_frag *fr = e->frag;
	const struct packet *q = &fr->pkt;

	fr->fed = true;
	if (ipfrag_feed(fr->t, p, e->now, &fr->out) != 1)
		return;
	dissect_frame(&fr->out, &fr->pkt);
	if (q->net.ip.is_fragment && !frag_feed_inner(e))
		return;
	if (q->net.ip.is_fragment)
		return;		/* cannot be: both levels were rewritten */
	if (q->layers & LAYER_ICMP)
		feed_icmp(e, q, 4);
	else if (q->layers & LAYER_ICMPV6)
		feed_icmp(e, q, 6);
}

void engine_feed(struct engine *e, const struct packet *p)
{
	const struct frame *f = p->frame;
	struct point_stat *ps;
	int family;

	if (!f || e->finished)
		return;
	if (f->point >= ENGINE_MAX_POINTS) {
		e->points_overflow++;
		return;
	}
	/*
	 * A link type the dissectors cannot read says nothing about the
	 * network: the frame is only counted, and its point is treated as
	 * not watched (path.c) and reported as such (findings.c).
	 */
	if (p->n_anom && packet_has_anomaly(p, ANOM_LINKTYPE_UNKNOWN)) {
		e->pstat[f->point].undecodable++;
		return;
	}
	e->packets++;
	if (f->ts_ns > e->now)
		e->now = f->ts_ns;
	ps = &e->pstat[f->point];
	if (!ps->frames++)
		ps->first_ts = f->ts_ns;
	ps->last_ts = f->ts_ns;
	frag_expire(e, e->now);
	probe_expire(e, false);

	if (!(f->flags & FRAME_F_KERNEL_DROP)) {
		note_broadcast(e, ps, p);
		note_vlan(ps, p);
		note_checksum(ps, p);
		macs_feed(e, p, (uint16_t)f->point);
	}
	if (p->layers & LAYER_ICMP)
		family = 4;
	else if (p->layers & LAYER_ICMPV6)
		family = 6;
	else
		family = 0;
	/*
	 * A kernel drop of a fragment is not reassembled: the first one holds
	 * the echo header and joins its probe (identity_key.first_fragment);
	 * the others carry no echo header and stay other drops.
	 */
	if (p->net.ip.is_fragment && !(f->flags & FRAME_F_KERNEL_DROP)) {
		frag_feed(e, p);
	} else if (family && feed_icmp(e, p, family)) {
		return;
	}
	if (f->flags & FRAME_F_KERNEL_DROP) {
		/* an ARP/ND answer's joins its exchange, others are counted */
		if (!neigh_feed_drop(e, p))
			note_other_drop(e, f);
	} else {
		neigh_feed(e, p, (uint16_t)f->point);
	}
}

/*
 * When every point says how long it was watched (pcapng ISB end times, a
 * live capture), the evidence ends there, not at the last frame: a probe
 * sent 0.2 s before the last frame but watched for 1.2 s more had its
 * chance to be answered.  The earliest end counts; one point that does not
 * say keeps the last frame as the end.
 */
static uint64_t evidence_end(const struct engine *e)
{
	uint64_t end = 0;
	size_t i;

	for (i = 0; i < e->points->count; i++) {
		const struct point *p = &e->points->items[i];

		if (!point_on_wire(p))
			continue;
		if (!p->watch_end_ns)
			return e->now;
		if (!end || p->watch_end_ns < end)
			end = p->watch_end_ns;
	}
	return end > e->now ? end : e->now;
}

void engine_finish(struct engine *e)
{
	if (e->finished)
		return;
	e->now = evidence_end(e);
	frag_expire(e, UINT64_MAX);
	probe_expire(e, true);
	e->finished = true;
	path_build(e);
	path_locate(e);
	findings_build(e);
	if (e->lis && e->lis->finding) {
		size_t i;

		for (i = 0; i < e->n_findings; i++)
			e->lis->finding(e->lis_ctx, e, i);
	}
}

void engine_totals(const struct engine *e, struct engine_totals *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	/* a probe the kernel refused to send was sent and lost, for ping */
	t->probes = e->outcome[PO_ANSWERED] + e->outcome[PO_LOST_REQUEST] +
		    e->outcome[PO_LOST_REPLY] + e->outcome[PO_UNFINISHED] +
		    e->unsent;
	t->answered = e->outcome[PO_ANSWERED];
	t->lost = e->outcome[PO_LOST_REQUEST] + e->outcome[PO_LOST_REPLY] +
		  e->unsent;
	t->unfinished = e->outcome[PO_UNFINISHED];
	t->orphan_replies = e->outcome[PO_ORPHAN_REPLY];
	t->findings = e->n_findings;
	for (i = 0; i < e->n_findings; i++) {
		const struct finding *fd = &e->findings[i];

		if (fd->sev >= SEV_WARNING)
			t->problems++;
		if (fd->kind == FK_DROP)
			t->has_drop = true;
		if (fd->kind == FK_EVIDENCE_INCOMPLETE && fd->group >= 0)
			t->incomplete += fd->count;
	}
}

uint64_t engine_undecodable(const struct engine *e, uint32_t point)
{
	return point < ENGINE_MAX_POINTS ? e->pstat[point].undecodable : 0;
}

uint64_t engine_packets(const struct engine *e)
{
	return e->packets;
}

void engine_note_late_frames(struct engine *e, uint64_t n)
{
	e->late_frames += n;
}

/* ---- helpers shared by the reports ----------------------------------- */

const char *point_label(const struct engine *e, int id)
{
	const struct point *pt;

	if (id < 0)
		return "?";
	pt = point_get_const(e->points, (uint32_t)id);
	if (!pt)
		return "?";
	if (pt->name[0])
		return pt->name;
	if (pt->ifname[0])
		return pt->ifname;
	return "?";
}

void fmt_ip(char *buf, size_t n, int family, const uint8_t *a)
{
	if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)n))
		snprintf(buf, n, "?");
}

void fmt_mac(char *buf, size_t n, const uint8_t *m)
{
	snprintf(buf, n, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

/* RFC 1918, RFC 6598 shared space, and IPv6 unique local addresses. */
bool ip_is_private(int family, const uint8_t *a)
{
	if (family == 6)
		return (a[0] & 0xfe) == 0xfc;
	return a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	       (a[0] == 192 && a[1] == 168) ||
	       (a[0] == 100 && (a[1] & 0xc0) == 64);
}

int engine_note_host_state(struct engine *e, const struct host_state *hs)
{
	if (!hs)
		return 0;
	if (!e->hs) {
		e->hs = malloc(sizeof(*e->hs));
		if (!e->hs)
			return -ENOMEM;
		hs_init(e->hs);
	}
	return hs_merge(e->hs, hs);
}

size_t engine_flow_addrs(const struct engine *e, struct hs_flow *out,
			 size_t max)
{
	size_t n = 0;
	uint32_t i;
	int pass;

	/* lost flows first: their routes are the ones worth asking */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < e->n_flows && n < max; i++) {
			const struct flow *f = &e->flows[i];
			bool lost = f->outcome[PO_LOST_REQUEST] ||
				    f->outcome[PO_LOST_REPLY] ||
				    f->outcome[PO_UNFINISHED];

			if (lost != (pass == 0))
				continue;
			out[n].family = f->family;
			memcpy(out[n].src, f->src, 16);
			memcpy(out[n].dst, f->dst, 16);
			n++;
		}
	}
	return n;
}

size_t engine_drop_places(const struct engine *e, struct hs_dev *out,
			  size_t max)
{
	size_t n = 0, j;
	uint32_t i;

	for (i = 0; i < e->n_reasons && n < max; i++) {
		const char *dev = engine_reason_device(e, (int)i);
		const char *ns = engine_reason_netns(e, (int)i);

		if (!dev[0])
			continue;
		for (j = 0; j < n; j++)
			if (!strcmp(out[j].ifname, dev) &&
			    !strcmp(out[j].netns, ns))
				break;
		if (j < n)
			continue;
		out[n].netns = ns;
		out[n].ifname = dev;
		n++;
	}
	return n;
}
