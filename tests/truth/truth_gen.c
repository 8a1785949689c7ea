// SPDX-License-Identifier: GPL-2.0
/*
 * truth_gen: the ground-truth tier (DESIGN.md practice 9).
 *
 * Each case is a random capture whose truth is known because this program
 * made it up: a chain of 2-5 capture points between senders and targets
 * (optionally a masquerading NAT between two of them), senders pinging in
 * the styles real tools use (Linux iputils, Windows, fping), losses on
 * chosen links, dead targets, duplicates, files written out of time order
 * across interfaces, ARP, short capture tails.  The capture is written as users feed dropspot: one
 * pcapng with an interface per point (with or without interface statistics),
 * one classic pcap per point, or one SLL2 pcap (tcpdump -i any) -- no
 * marker frames, nothing a user's capture lacks.  The files go through the
 * same pipeline as `dropspot analyze` (source -> merger -> dissect_frame ->
 * engine_feed -> engine_finish -> report_json), and the JSON report is
 * checked flow by flow against the truth: probes, answered, lost,
 * unfinished, and where every lost probe stopped.
 *
 *   truth_gen [--seed S] [--cases N] [--only LIST] [--keep DIR] [-v]
 *   truth_gen --replay CASESEED:FEATURES [--keep DIR] [-v]
 *
 * Every case has its own seed (derived from --seed and its number) and a
 * feature set drawn from the allowed classes (--only); a failing case is
 * printed with the --replay argument that rebuilds exactly its files.
 * Failures are counted per feature class, so a class that fails alone
 * points at the engine's weak spot.  Exit 1 when any case failed.
 *
 * The truth, from the frames in the files only:
 *  - a probe is one echo request seen at the first point (P0); its flow is
 *    sender -> target as P0 saw it (before any NAT);
 *  - answered: its reply was seen back at P0;
 *  - a reply seen somewhere but not at P0: lost on the reply path, after =
 *    the last point (in reply order) that saw it, before = the next one;
 *  - no reply anywhere: unfinished if sent (seen at P0) less than the flow's
 *    slowest observed round trip at P0 before the end of evidence (for a
 *    flow with no answered probe: less than the timeout, 3 s); else lost on
 *    the request path, after = the last point that saw the request, before
 *    = the next point (null beyond the last point).  When no request of any
 *    flow was ever seen at that next point its order is unknowable: before
 *    is then the one point this flow never reached if there is exactly one,
 *    else null;
 *  - the end of evidence is the earliest isb_endtime when every point has
 *    an interface statistics block, else the last frame's time;
 *  - without a watch window (no ISB), a point whose first frame comes after
 *    a lost probe may not have been capturing yet: that probe may be
 *    reported as evidence_incomplete ("cannot locate") instead of a drop;
 *  - behind a NAT, when identical probes of several senders to one target
 *    cross it at the same time and no reply ever crossed it for one of them
 *    apart from its twins' (that reveals the NAT's id mapping), the file
 *    cannot say whose probe vanished past the NAT: those flows' losses are
 *    compared summed, lost and unfinished may trade places between them,
 *    and a loss may be told at an unfinished twin's place (check_drops()).
 *
 * The generator never makes what the file cannot tell: it does not cut a
 * reply half-way back at the end of the capture, a watch window (ISB) never
 * claims a time whose frames were left out, and identical fingerprints
 * appear only in the classes that ask for them (same, windows, fping).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyze/engine.h"
#include "analyze/report.h"
#include "capture/source.h"
#include "common/json.h"
#include "common/log.h"
#include "dissect/packet.h"

#define MAX_PTS		5
#define MAX_SENDERS	12
#define MAX_TARGETS	4
#define MAX_FLOWS_T	(MAX_SENDERS * MAX_TARGETS)
#define MAX_LOCS	16
#define MAX_DATA	64
#define MAX_FRAME	160
#define SNAPLEN		262144

#define NS		((uint64_t)1)
#define US		((uint64_t)1000)
#define MS		((uint64_t)1000000)
#define SEC		((uint64_t)1000000000)
#define TIMEOUT_NS	(3 * SEC)	/* dropspot analyze's default */
#define START_NS	(1700000000ull * SEC)

/* ---- deterministic PRNG (splitmix64) ---------------------------------- */

struct rng {
	uint64_t s;
};

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd(struct rng *r)
{
	return mix64(r->s += 0x9e3779b97f4a7c15ull);
}

/* Uniform enough in [0, n) for the small n used here. */
static uint32_t below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(((rnd(r) >> 32) * n) >> 32) : 0;
}

/* [lo, hi] inclusive. */
static uint64_t between(struct rng *r, uint64_t lo, uint64_t hi)
{
	return hi <= lo ? lo : lo + rnd(r) % (hi - lo + 1);
}

static bool chance(struct rng *r, unsigned pct)
{
	return below(r, 100) < pct;
}

/* Log-uniform in [lo, hi]: round trips from 50 us to 50 ms alike. */
static uint64_t log_between(struct rng *r, uint64_t lo, uint64_t hi)
{
	double u = (double)below(r, 1000000) / 1e6;
	double v = (double)lo * __builtin_pow((double)hi / (double)lo, u);

	return (uint64_t)v;
}

/* ---- feature classes --------------------------------------------------- */

/*
 * Each case enables a random subset of the allowed classes; exactly one
 * output format is chosen among the allowed formats.
 */
enum feature {
	F_NAT = 0,	/* masquerade between two consecutive points */
	F_NATID,	/* ... rewriting every ICMP id, not only conflicts */
	F_WINDOWS,	/* Windows ping: id 1, shared seq counter, fixed data */
	F_FPING,	/* fping: zeroed data, one id per sender, global seq */
	F_SAME,		/* senders start at the same instant, same seq/data */
	F_MULTI,	/* senders ping several targets */
	F_DEAD,		/* some targets never answer */
	F_LOSS,		/* requests or replies lost on given links */
	F_DUP,		/* the same frame captured twice at a point */
	F_REORDER,	/* one file, blocks out of time order across points */
	F_ARP,		/* ARP exchanges (and unanswered ARP for dead targets) */
	F_ENDS,		/* the capture ends less than the timeout after the last probe */
	F_MANY,		/* more than 32 flows */
	F_PCAPNG,	/* format: one pcapng, an IDB per point, no ISB */
	F_ISB,		/* format: same, with ISBs (watch window) */
	F_PCAP,		/* format: one classic pcap per point */
	F_SLL2,		/* format: one classic pcap, LINKTYPE_LINUX_SLL2 (-i any) */
	F_COUNT
};

#define FORMAT_MASK ((1u << F_PCAPNG) | (1u << F_ISB) | (1u << F_PCAP) | \
		     (1u << F_SLL2))

static const char *const feature_names[F_COUNT] = {
	[F_NAT] = "nat",	[F_NATID] = "natid",
	[F_WINDOWS] = "windows", [F_FPING] = "fping",
	[F_SAME] = "same",	[F_MULTI] = "multi",
	[F_DEAD] = "dead",	[F_LOSS] = "loss",
	[F_DUP] = "dup",	[F_REORDER] = "reorder",
	[F_ARP] = "arp",	[F_ENDS] = "ends",
	[F_MANY] = "many",	[F_PCAPNG] = "pcapng",
	[F_ISB] = "isb",	[F_PCAP] = "pcap",
	[F_SLL2] = "sll2",
};

static bool has(uint32_t mask, enum feature f)
{
	return mask & (1u << f);
}

/* "nat,windows" -> mask; "all" = every class; -1 on an unknown name. */
static int parse_features(const char *s, uint32_t *out)
{
	char buf[256], *tok, *save = NULL;
	uint32_t m = 0;
	int i;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			m |= (1u << F_COUNT) - 1;
			continue;
		}
		if (!strcmp(tok, "none") || !strcmp(tok, "base"))
			continue;
		for (i = 0; i < F_COUNT; i++)
			if (!strcmp(tok, feature_names[i]))
				break;
		if (i == F_COUNT) {
			fprintf(stderr, "truth_gen: unknown class '%s'\n", tok);
			return -1;
		}
		m |= 1u << i;
	}
	*out = m;
	return 0;
}

static void format_features(uint32_t m, char *buf, size_t n)
{
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < F_COUNT; i++)
		if (has(m, (enum feature)i))
			len += (size_t)snprintf(buf + len, len < n ? n - len : 0,
						"%s%s", len ? "," : "",
						feature_names[i]);
	if (!len)
		snprintf(buf, n, "base");
}

/* ---- the case model ----------------------------------------------------- */

enum style { ST_LINUX = 0, ST_WINDOWS, ST_FPING };
static const char *const style_names[] = { "linux", "windows", "fping" };

struct sender {
	uint32_t ip;
	uint8_t mac[6];
	enum style style;
	uint16_t fping_id;	/* fping: one id per process */
	uint16_t counter;	/* windows, fping: next sequence number */
	uint32_t dlen;		/* echo data bytes */
	uint8_t ttl;
	uint64_t wire_ns;	/* sender -> P0 */
	uint64_t start_ns;
	uint64_t interval_ns;	/* linux, windows: between probes of one target */
	int count;		/* probes per target */
	uint32_t targets;	/* mask of targets pinged */
};

struct target {
	uint32_t ip;
	uint8_t mac[6];
	bool dead;
	uint64_t rtt_ns;	/* round trip seen at the last point */
};

/* A lossy link: requests (or replies) of matching flows vanish there. */
struct lossy {
	bool reply;
	int link;	/* request: lost after P(link) (n-1: beyond the last
			 * point, -1: before P0); reply: lost after P(link+1)
			 * (n-1: between the target and the last point) */
	unsigned pct;
	int only_sender, only_target;	/* -1 = any */
};

#define MAX_LOSSY 3

enum ev_kind { EV_REQ = 0, EV_REP, EV_ARP_REQ, EV_ARP_REP, EV_UDP };

struct event {
	uint64_t ts;
	uint64_t wkey;		/* when the writer wrote it (reorder) */
	uint32_t order;		/* creation order: ties stay stable */
	int16_t point;
	uint8_t kind;
	bool dup;
	int32_t probe;		/* EV_REQ/EV_REP */
	/* ARP */
	uint32_t sip, tip;
	uint8_t smac[6], tmac[6];
};

struct probe_t {
	int sender, target;
	uint16_t id, ext_id, seq;
	uint32_t dlen;
	uint8_t data[MAX_DATA];
	uint64_t sent_ns;	/* sender clock */
	/* sightings as generated (0 = none), then as kept in the files */
	uint64_t req_t[MAX_PTS], rep_t[MAX_PTS];
	bool in_req[MAX_PTS], in_rep[MAX_PTS];
};

struct tloc {
	int after, before;	/* chain indexes, -1 = none */
	bool reply;
	uint32_t count;		/* probes lost here */
	uint32_t strict;	/* ... that must be a drop, not incomplete */
	/* the engine's answer */
	uint32_t drop, incomplete;
	bool matched;
};

struct tflow {
	int sender, target;
	uint32_t probes, answered, lost, unfinished;
	uint64_t max_rtt;
	bool any_answered;
	struct tloc loc[MAX_LOCS];
	int nloc;
	/*
	 * Flows whose lost probes past the NAT cannot be told apart (see
	 * confusion_groups()) share a group: their losses are compared
	 * together, location by location.
	 */
	int group;
	/* the engine's answer */
	bool seen;
	uint64_t e_probes, e_answered, e_lost, e_unfinished;
};

enum format { FMT_PCAPNG = 0, FMT_ISB, FMT_PCAP, FMT_SLL2 };

struct tcase {
	uint64_t seed;
	uint32_t feat;
	struct rng r;
	int npts;
	char ptname[MAX_PTS][16];
	uint32_t ifindex[MAX_PTS];
	uint64_t hop_ns[MAX_PTS];	/* P(k) -> P(k+1) */
	int nat_at;			/* NAT between P(nat_at) and the next; -1 */
	uint32_t router_ip, gw_ip;
	uint8_t router_mac[6], gw_mac[6];
	int nsend, ntarg;
	struct sender snd[MAX_SENDERS];
	struct target tgt[MAX_TARGETS];
	struct lossy loss[MAX_LOSSY];
	int nloss;
	unsigned dup_pct;
	uint64_t reorder_ns;

	struct probe_t *pr;
	size_t npr, cap_pr;
	struct event *ev;
	size_t nev, cap_ev;

	enum format fmt;
	uint64_t tsres;			/* ns per timestamp unit: 1 or 1000 */
	uint64_t end_ns;		/* frames after this are not written */
	uint64_t evidence_end;
	uint64_t win_start[MAX_PTS], win_end[MAX_PTS];	/* ISB */
	bool point_exists[MAX_PTS];	/* SLL2: an index exists once it has a frame */
	uint64_t first_frame[MAX_PTS];	/* 0 = none */
	bool dead_arp;			/* unanswered ARP in the files */

	struct tflow flows[MAX_FLOWS_T];
	int nflows;
	int expect_exit;

	/* files */
	char dir[256];
	char path[MAX_PTS][300];
	int npaths;
	int path_point[MAX_PTS];	/* pcap per point: file -> point */
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (!q) {
		fprintf(stderr, "truth_gen: out of memory\n");
		exit(2);
	}
	return q;
}

static struct event *add_event(struct tcase *c, uint64_t ts, int point,
			       enum ev_kind kind)
{
	struct event *e;

	if (c->nev == c->cap_ev) {
		c->cap_ev = c->cap_ev ? c->cap_ev * 2 : 1024;
		c->ev = xrealloc(c->ev, c->cap_ev * sizeof(*c->ev));
	}
	e = &c->ev[c->nev];
	memset(e, 0, sizeof(*e));
	e->ts = ts;
	e->order = (uint32_t)c->nev;
	e->point = (int16_t)point;
	e->kind = (uint8_t)kind;
	e->probe = -1;
	c->nev++;
	return e;
}

static struct probe_t *add_probe(struct tcase *c)
{
	struct probe_t *p;

	if (c->npr == c->cap_pr) {
		c->cap_pr = c->cap_pr ? c->cap_pr * 2 : 256;
		c->pr = xrealloc(c->pr, c->cap_pr * sizeof(*c->pr));
	}
	p = &c->pr[c->npr++];
	memset(p, 0, sizeof(*p));
	return p;
}

/* ---- building the scenario ---------------------------------------------- */

static const char *const names_by_len[MAX_PTS + 1][MAX_PTS] = {
	[2] = { "tap0", "eth0" },
	[3] = { "tap0", "br0", "eth0" },
	[4] = { "tap0", "br0", "veth-r", "eth0" },
	[5] = { "tap0", "br0", "veth-r", "bond0", "eth0" },
};

static void random_mac(struct rng *r, uint8_t mac[6])
{
	uint64_t v = rnd(r);
	int i;

	mac[0] = 0x02;		/* locally administered, unicast */
	for (i = 1; i < 6; i++)
		mac[i] = (uint8_t)(v >> (8 * i));
}

static bool ip_used(const struct tcase *c, uint32_t ip)
{
	int i;

	if (ip == c->router_ip || ip == c->gw_ip)
		return true;
	for (i = 0; i < c->nsend; i++)
		if (c->snd[i].ip == ip)
			return true;
	for (i = 0; i < c->ntarg; i++)
		if (c->tgt[i].ip == ip)
			return true;
	return false;
}

/* Senders in 10.X.Y.0/24 behind the gateway, targets anywhere else. */
static uint32_t new_ip(struct tcase *c, uint32_t net, uint32_t mask)
{
	uint32_t ip;

	do {
		ip = net | ((uint32_t)rnd(&c->r) & ~mask);
	} while ((ip & 0xff) == 0 || (ip & 0xff) == 0xff || (ip & 0xff) == 1 ||
		 ip_used(c, ip));
	return ip;
}

static void build_topology(struct tcase *c)
{
	struct rng *r = &c->r;
	uint32_t lan = 0x0a000000u | (between(r, 0, 255) << 16) |
		       (between(r, 0, 255) << 8);
	int k;

	c->npts = (int)between(r, 2, MAX_PTS);
	for (k = 0; k < c->npts; k++) {
		snprintf(c->ptname[k], sizeof(c->ptname[k]), "%s",
			 names_by_len[c->npts][k]);
		/* distinct interface indexes, not in chain order */
		c->ifindex[k] = 2 + (uint32_t)k * 3 + below(r, 3);
		c->hop_ns[k] = between(r, 3 * US, 300 * US);
	}
	for (k = 0; k < c->npts; k++) {
		int j = (int)below(r, (uint32_t)c->npts);
		uint32_t t = c->ifindex[k];

		c->ifindex[k] = c->ifindex[j];
		c->ifindex[j] = t;
	}
	c->nat_at = has(c->feat, F_NAT) ? (int)below(r, (uint32_t)c->npts - 1)
					: -1;
	c->gw_ip = lan | 1;
	c->router_ip = 0xc0a80000u | (between(r, 1, 254) << 8) |
		       (uint32_t)between(r, 2, 254);
	random_mac(r, c->gw_mac);
	random_mac(r, c->router_mac);
	c->nsend = 0;
	c->ntarg = 0;

	/* hosts */
	if (has(c->feat, F_MANY)) {
		c->ntarg = MAX_TARGETS;
		c->nsend = (int)between(r, 9, MAX_SENDERS);	/* 36..48 flows */
	} else {
		c->ntarg = (int)between(r, 1, MAX_TARGETS);
		c->nsend = (int)between(r, 1, 6);
	}
	for (k = 0; k < c->nsend; k++) {
		c->snd[k].ip = 0;
		c->snd[k].ip = new_ip(c, lan, 0xffffff00u);
		random_mac(r, c->snd[k].mac);
	}
	for (k = 0; k < c->ntarg; k++) {
		uint32_t nets[] = { 0x08080000u, 0xac100000u, 0x5db80000u,
				    0xc6336400u };

		c->tgt[k].ip = 0;
		c->tgt[k].ip = new_ip(c, nets[below(r, 4)], 0xffff0000u);
		random_mac(r, c->tgt[k].mac);
		c->tgt[k].rtt_ns = log_between(r, 50 * US, 50 * MS);
	}
	if (has(c->feat, F_DEAD)) {
		int alive = 0;

		for (k = 0; k < c->ntarg; k++) {
			c->tgt[k].dead = chance(r, 50);
			alive += !c->tgt[k].dead;
		}
		/* at least one dead; one alive beside it when there is room */
		if (alive == c->ntarg)
			c->tgt[below(r, (uint32_t)c->ntarg)].dead = true;
		if (!alive && c->ntarg > 1)
			c->tgt[0].dead = false;
	}
}

static enum style pick_style(struct tcase *c)
{
	enum style allowed[4];
	int n = 0;

	allowed[n++] = ST_LINUX;
	if (has(c->feat, F_WINDOWS)) {
		allowed[n++] = ST_WINDOWS;
		allowed[n++] = ST_WINDOWS;	/* make the confusing case common */
	}
	if (has(c->feat, F_FPING))
		allowed[n++] = ST_FPING;
	return allowed[below(&c->r, (uint32_t)n)];
}

static void build_senders(struct tcase *c)
{
	struct rng *r = &c->r;
	bool same = has(c->feat, F_SAME);
	uint64_t common_start = START_NS + between(r, 500 * MS, 1500 * MS);
	uint64_t common_wire = between(r, 5 * US, 60 * US);
	uint16_t common_counter = (uint16_t)between(r, 1, 60000);
	uint32_t common_targets = 0;
	int common_count = (int)between(r, 1, 8);
	int i, k;

	for (i = 0; i < c->nsend; i++) {
		struct sender *s = &c->snd[i];

		s->style = pick_style(c);
		switch (s->style) {
		case ST_LINUX:
			s->dlen = 56;
			s->ttl = 64;
			s->interval_ns = chance(r, 70) ? SEC : 200 * MS;
			break;
		case ST_WINDOWS:
			s->dlen = 32;
			s->ttl = 128;
			s->interval_ns = SEC;
			break;
		case ST_FPING:
			s->dlen = chance(r, 50) ? 56 : 64;
			s->ttl = 64;
			s->interval_ns = chance(r, 70) ? SEC : 500 * MS;
			s->fping_id = (uint16_t)between(r, 1, 65535);
			break;
		}
		s->counter = (uint16_t)between(r, 1, 60000);
		s->count = (int)between(r, 1, 8);
		s->wire_ns = between(r, 5 * US, 60 * US);
		s->start_ns = START_NS + between(r, 500 * MS, 2500 * MS);
		if (same && (i == 0 || chance(r, 80))) {
			/* the same instant, the same counter, the same data */
			s->start_ns = common_start;
			s->wire_ns = common_wire;
			s->counter = common_counter;
			s->count = common_count;
			if (s->style == ST_LINUX)
				s->interval_ns = SEC;
			if (s->style == ST_FPING) {
				s->interval_ns = SEC;
				s->dlen = 56;
			}
		}
		if (s->style == ST_FPING)
			s->counter = same ? 0 : (uint16_t)between(r, 0, 3);

		/* targets: one (base), several (multi), all (many) */
		if (has(c->feat, F_MANY)) {
			s->targets = (1u << c->ntarg) - 1;
			/* 36-48 flows are the point, not their length */
			s->count = (int)between(r, 1, 3);
		} else if (has(c->feat, F_MULTI)) {
			do {
				s->targets = (uint32_t)below(r, 1u << c->ntarg);
			} while (!s->targets);
		} else {
			s->targets = 1u << (i % c->ntarg);
		}
		if (same && i == 0)
			common_targets = s->targets;
		else if (same && chance(r, 60))
			s->targets = common_targets;
	}
	/* every target is pinged by someone */
	for (k = 0; k < c->ntarg; k++) {
		bool pinged = false;

		for (i = 0; i < c->nsend; i++)
			pinged |= (c->snd[i].targets >> k) & 1;
		if (!pinged)
			c->snd[below(r, (uint32_t)c->nsend)].targets |= 1u << k;
	}
}

static void build_losses(struct tcase *c)
{
	struct rng *r = &c->r;
	int i;

	c->nloss = 0;
	if (!has(c->feat, F_LOSS))
		return;
	c->nloss = (int)between(r, 1, MAX_LOSSY);
	for (i = 0; i < c->nloss; i++) {
		struct lossy *l = &c->loss[i];
		static const unsigned pcts[] = { 15, 30, 50, 100 };

		l->reply = chance(r, 40);
		l->link = (int)below(r, (uint32_t)c->npts);
		if (!l->reply && chance(r, 5))
			l->link = -1;	/* before P0: never seen at all */
		l->pct = pcts[below(r, 4)];
		l->only_sender = chance(r, 40) ? (int)below(r, (uint32_t)c->nsend) : -1;
		l->only_target = chance(r, 30) ? (int)below(r, (uint32_t)c->ntarg) : -1;
	}
}

/*
 * Masquerade: the source becomes the router's address past the NAT; the
 * ICMP id is kept unless another (sender, id) already holds it towards the
 * same target (Linux conntrack), or always rewritten (natid).
 */
static uint16_t nat_id(struct tcase *c, size_t upto, int sender, int target,
		       uint16_t id)
{
	bool rewrite_all = has(c->feat, F_NATID);
	uint16_t cand;
	size_t i;

	/* the same session keeps its mapping */
	for (i = 0; i < upto; i++) {
		const struct probe_t *p = &c->pr[i];

		if (p->sender == sender && p->target == target && p->id == id)
			return p->ext_id;
	}
	cand = rewrite_all ? (uint16_t)between(&c->r, 1, 65535) : id;
	for (;;) {
		bool taken = false;

		for (i = 0; i < upto; i++) {
			const struct probe_t *p = &c->pr[i];

			if (p->target == target && p->ext_id == cand &&
			    !(p->sender == sender && p->id == id))
				taken = true;
		}
		if (!taken)
			return cand;
		cand = (uint16_t)between(&c->r, 1, 65535);
	}
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void fill_data(struct probe_t *p, enum style st, uint64_t sent)
{
	static const char win[] = "abcdefghijklmnopqrstuvwabcdefghi";
	uint32_t i;

	switch (st) {
	case ST_LINUX:
		/* iputils: a timeval (sec, usec), then 0x08, 0x09, ... */
		put_le32(p->data, (uint32_t)(sent / SEC));
		put_le32(p->data + 4, (uint32_t)(sent / US % 1000000));
		for (i = 8; i < p->dlen; i++)
			p->data[i] = (uint8_t)i;
		break;
	case ST_WINDOWS:
		memcpy(p->data, win, 32);
		break;
	case ST_FPING:
		memset(p->data, 0, p->dlen);
		break;
	}
}

/* True (lost) when a matching lossy link drops this packet at `link`. */
static bool lost_at(struct tcase *c, bool reply, int link, int sender,
		    int target)
{
	int i;

	for (i = 0; i < c->nloss; i++) {
		const struct lossy *l = &c->loss[i];

		if (l->reply != reply || l->link != link)
			continue;
		if (l->only_sender >= 0 && l->only_sender != sender)
			continue;
		if (l->only_target >= 0 && l->only_target != target)
			continue;
		if (chance(&c->r, l->pct))
			return true;
	}
	return false;
}

/* Small per-frame jitter on a hop: timestamps are never that regular. */
static uint64_t jitter(struct tcase *c)
{
	return between(&c->r, 0, 2 * US);
}

/* One probe's journey: request along the chain, reply back. */
static void walk_probe(struct tcase *c, struct probe_t *p)
{
	const struct target *t = &c->tgt[p->target];
	const struct sender *s = &c->snd[p->sender];
	uint64_t ts = p->sent_ns + s->wire_ns;
	int n = c->npts, k;
	bool arrived = true;

	if (lost_at(c, false, -1, p->sender, p->target))
		return;		/* never left the sender's side */
	for (k = 0; k < n; k++) {
		p->req_t[k] = ts;
		if (lost_at(c, false, k, p->sender, p->target)) {
			arrived = false;
			break;
		}
		ts += c->hop_ns[k] + jitter(c);
	}
	if (!arrived || t->dead)
		return;
	/* the round trip at the last point, within 5 % */
	ts = p->req_t[n - 1] + t->rtt_ns + t->rtt_ns * below(&c->r, 50) / 1000;
	if (lost_at(c, true, n - 1, p->sender, p->target))
		return;
	for (k = n - 1; k >= 0; k--) {
		p->rep_t[k] = ts;
		if (k && lost_at(c, true, k - 1, p->sender, p->target))
			break;
		if (k)
			ts += c->hop_ns[k - 1] + jitter(c);
	}
}

struct send {
	uint64_t t;
	int target;
	int round;
};

static int cmp_send(const void *a, const void *b)
{
	const struct send *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->target - y->target;
}

/* Every probe of every sender, in the sender's own send order. */
static void build_probes(struct tcase *c)
{
	struct send sends[MAX_TARGETS * 16];
	uint16_t linux_id[MAX_TARGETS];
	int i, k, n, j;

	for (i = 0; i < c->nsend; i++) {
		struct sender *s = &c->snd[i];
		int nt = 0;

		n = 0;
		for (k = 0; k < c->ntarg; k++) {
			uint64_t lag = between(&c->r, 1, 3) * MS;

			if (has(c->feat, F_SAME) && chance(&c->r, 50))
				lag = 0;
			if (!((s->targets >> k) & 1))
				continue;
			linux_id[k] = (uint16_t)between(&c->r, 1, 65535);
			for (j = 0; j < s->count; j++) {
				struct send *sd = &sends[n++];

				sd->target = k;
				sd->round = j;
				if (s->style == ST_FPING)
					/* fping: 10 ms between targets */
					sd->t = s->start_ns + (uint64_t)j * s->interval_ns +
						(uint64_t)nt * 10 * MS;
				else
					/* one ping process per target,
					 * started a little apart (same:
					 * often in the same instant) */
					sd->t = s->start_ns + (uint64_t)j * s->interval_ns +
						(uint64_t)nt * lag;
			}
			nt++;
		}
		qsort(sends, (size_t)n, sizeof(sends[0]), cmp_send);
		for (j = 0; j < n; j++) {
			struct probe_t *p = add_probe(c);

			p->sender = i;
			p->target = sends[j].target;
			p->sent_ns = sends[j].t;
			p->dlen = s->dlen;
			switch (s->style) {
			case ST_LINUX:
				p->id = linux_id[p->target];
				p->seq = (uint16_t)(sends[j].round + 1);
				break;
			case ST_WINDOWS:
				/* one counter for the host, little-endian on
				 * the wire: 0x0100, 0x0200... */
				p->id = 1;
				p->seq = (uint16_t)(s->counter << 8 | s->counter >> 8);
				s->counter++;
				break;
			case ST_FPING:
				p->id = s->fping_id;
				p->seq = s->counter++;
				break;
			}
			fill_data(p, s->style, p->sent_ns);
		}
	}
	/* NAT ids in global send order, as conntrack sees them */
	{
		size_t a;

		for (a = 0; a < c->npr; a++)
			c->pr[a].ext_id = c->pr[a].id;
		if (c->nat_at >= 0) {
			/* order of first packets through the NAT ~ send order */
			size_t *ord = xrealloc(NULL, c->npr * sizeof(*ord));
			size_t b, x;

			for (a = 0; a < c->npr; a++)
				ord[a] = a;
			for (a = 1; a < c->npr; a++)
				for (b = a; b > 0 && c->pr[ord[b - 1]].sent_ns >
						     c->pr[ord[b]].sent_ns; b--) {
					x = ord[b];
					ord[b] = ord[b - 1];
					ord[b - 1] = x;
				}
			/* nat_id() scans probes [0, upto): rebuild in order */
			{
				struct probe_t *sorted =
					xrealloc(NULL, c->npr * sizeof(*sorted));

				for (a = 0; a < c->npr; a++)
					sorted[a] = c->pr[ord[a]];
				memcpy(c->pr, sorted, c->npr * sizeof(*sorted));
				free(sorted);
			}
			free(ord);
			for (a = 0; a < c->npr; a++) {
				struct probe_t *p = &c->pr[a];

				p->ext_id = nat_id(c, a, p->sender, p->target,
						   p->id);
			}
		}
	}
	for (i = 0; i < (int)c->npr; i++)
		walk_probe(c, &c->pr[i]);
}

/* ---- frames in time: duplicates, reordering, ARP, the end ----------------- */

static uint64_t quantize(const struct tcase *c, uint64_t t)
{
	return t / c->tsres * c->tsres;
}

static void probe_events(struct tcase *c)
{
	size_t i;
	int k;

	for (i = 0; i < c->npr; i++) {
		struct probe_t *p = &c->pr[i];

		for (k = 0; k < c->npts; k++) {
			p->req_t[k] = p->req_t[k] ? quantize(c, p->req_t[k]) : 0;
			p->rep_t[k] = p->rep_t[k] ? quantize(c, p->rep_t[k]) : 0;
		}
		for (k = 0; k < c->npts; k++) {
			enum ev_kind kind;

			for (kind = EV_REQ; kind <= EV_REP; kind++) {
				uint64_t t = kind == EV_REQ ? p->req_t[k] : p->rep_t[k];
				struct event *e;

				if (!t)
					continue;
				e = add_event(c, t, k, kind);
				e->probe = (int32_t)i;
				if (!has(c->feat, F_DUP) || !chance(&c->r, c->dup_pct))
					continue;
				/* the same frame once more, a moment later */
				t = quantize(c, t + between(&c->r, 0, 3 * US));
				e = add_event(c, t, k, kind);
				e->probe = (int32_t)i;
				e->dup = true;
			}
		}
	}
}

static void arp_pair(struct tcase *c, uint64_t t, int from, int to,
		     uint32_t sip, const uint8_t *smac, uint32_t tip,
		     const uint8_t *tmac, bool answered)
{
	uint64_t rt = t + between(&c->r, 50 * US, 500 * US);
	int k;

	for (k = from; k <= to; k++) {
		struct event *e = add_event(c, quantize(c, t + (uint64_t)(k - from) * 5 * US),
					    k, EV_ARP_REQ);

		e->sip = sip;
		e->tip = tip;
		memcpy(e->smac, smac, 6);
		if (!answered)
			continue;
		e = add_event(c, quantize(c, rt + (uint64_t)(to - k) * 5 * US), k,
			      EV_ARP_REP);
		e->sip = tip;
		e->tip = sip;
		memcpy(e->smac, tmac, 6);
		memcpy(e->tmac, smac, 6);
	}
}

/*
 * The neighbour traffic around a ping: each sender resolves its gateway
 * before its first probe (seen up to the router), the last hop resolves each
 * target before the first request reaches it; a dead target never answers
 * (three tries, a second apart).
 */
static void arp_events(struct tcase *c)
{
	int last = c->npts - 1, lan_end = c->nat_at >= 0 ? c->nat_at : 0;
	/* the last hop: the router's outside, or the gateway itself */
	uint32_t asker = c->nat_at >= 0 ? c->router_ip : c->gw_ip;
	const uint8_t *asker_mac = c->nat_at >= 0 ? c->router_mac : c->gw_mac;
	int i, k;
	size_t j;

	for (i = 0; i < c->nsend; i++) {
		uint64_t first = 0;

		for (j = 0; j < c->npr; j++)
			if (c->pr[j].sender == i &&
			    (!first || c->pr[j].sent_ns < first))
				first = c->pr[j].sent_ns;
		if (!first)
			continue;
		arp_pair(c, first - between(&c->r, 1 * MS, 20 * MS), 0, lan_end,
			 c->snd[i].ip, c->snd[i].mac, c->gw_ip, c->gw_mac, true);
	}
	for (i = 0; i < c->ntarg; i++) {
		uint64_t first = 0;

		for (j = 0; j < c->npr; j++)
			if (c->pr[j].target == i && c->pr[j].req_t[last] &&
			    (!first || c->pr[j].req_t[last] < first))
				first = c->pr[j].req_t[last];
		if (!first)
			continue;
		if (!c->tgt[i].dead) {
			arp_pair(c, first - between(&c->r, 100 * US, 900 * US),
				 last, last, asker, asker_mac, c->tgt[i].ip,
				 c->tgt[i].mac, true);
			continue;
		}
		for (k = 0; k < 3; k++)
			arp_pair(c, first + (uint64_t)k * SEC, last, last, asker,
				 asker_mac, c->tgt[i].ip, NULL, false);
	}
}

/*
 * Where the capture stops.  It never cuts a reply in the middle of its way
 * back (the end rule speaks of requests without reply; a reply half in the
 * file would be a case of its own), and a request cut on its way out is
 * cut at a point of the chain, not at a reordered one.
 */
static void settle_end(struct tcase *c)
{
	bool changed = true;
	size_t i;
	int k;

	while (changed) {
		changed = false;
		for (i = 0; i < c->npr; i++) {
			const struct probe_t *p = &c->pr[i];
			uint64_t rep_max = 0, need = 0, req_max = 0;
			bool rep_in = false;

			for (k = 0; k < c->npts; k++) {
				if (p->rep_t[k] && p->rep_t[k] <= c->end_ns)
					rep_in = true;
				if (p->rep_t[k] > rep_max)
					rep_max = p->rep_t[k];
				/* request sightings kept must be a prefix */
				if (p->req_t[k] > req_max)
					req_max = p->req_t[k];
				if (p->req_t[k] && p->req_t[k] <= c->end_ns &&
				    req_max > need)
					need = req_max;
			}
			if (rep_in && rep_max > need)
				need = rep_max;
			if (need > c->end_ns) {
				c->end_ns = need;
				changed = true;
			}
		}
	}
}

static void cut_and_window(struct tcase *c)
{
	uint64_t last_sent = 0, tail, last_frame = 0;
	size_t i, n = 0;
	int k;

	for (i = 0; i < c->npr; i++)
		if (c->pr[i].req_t[0] > last_sent)
			last_sent = c->pr[i].req_t[0];
	if (!last_sent)
		last_sent = START_NS + SEC;
	if (has(c->feat, F_ENDS))
		tail = chance(&c->r, 50) ? between(&c->r, 0, 100 * MS)
					 : between(&c->r, 0, TIMEOUT_NS);
	else
		tail = between(&c->r, TIMEOUT_NS + MS, TIMEOUT_NS + 2 * SEC);
	c->end_ns = quantize(c, last_sent + tail);
	/*
	 * Some other traffic at the very end (a user's capture is not only
	 * pings): the last frame is then the end of the evidence.  Only the
	 * ends class lets the last probe be the last frame: otherwise every
	 * probe had its full chance, and no other class tests the end rule.
	 */
	if (!has(c->feat, F_ENDS) || chance(&c->r, 50)) {
		struct event *e = add_event(c, c->end_ns,
					    (int)below(&c->r, (uint32_t)c->npts),
					    EV_UDP);

		e->sip = c->snd[0].ip;
		e->tip = c->gw_ip;
		memcpy(e->smac, c->snd[0].mac, 6);
	}
	settle_end(c);
	/*
	 * A point's watch window (ISB) may outlast the cut, but never past a
	 * frame it would have seen: the file keeps every frame of its window.
	 */
	for (k = 0; k < c->npts; k++) {
		uint64_t extra = chance(&c->r, 30) ? between(&c->r, 0, 2 * SEC)
						   : between(&c->r, 0, 50 * MS);

		c->win_start[k] = quantize(c, START_NS + between(&c->r, 0, 400 * MS));
		c->win_end[k] = quantize(c, c->end_ns + extra);
	}
	for (i = 0; i < c->nev; i++) {
		const struct event *e = &c->ev[i];

		if (e->ts > c->end_ns && e->ts <= c->win_end[e->point])
			c->win_end[e->point] = e->ts - c->tsres > c->end_ns ?
					       e->ts - c->tsres : c->end_ns;
	}
	for (i = 0; i < c->nev; i++) {
		if (c->ev[i].ts > c->end_ns)
			continue;
		if (c->ev[i].ts > last_frame)
			last_frame = c->ev[i].ts;
		c->ev[n++] = c->ev[i];
	}
	c->nev = n;
	for (i = 0; i < c->npr; i++) {
		struct probe_t *p = &c->pr[i];

		for (k = 0; k < c->npts; k++) {
			p->in_req[k] = p->req_t[k] && p->req_t[k] <= c->end_ns;
			p->in_rep[k] = p->rep_t[k] && p->rep_t[k] <= c->end_ns;
		}
	}
	memset(c->first_frame, 0, sizeof(c->first_frame));
	memset(c->point_exists, 0, sizeof(c->point_exists));
	c->dead_arp = false;
	for (i = 0; i < c->nev; i++) {
		const struct event *e = &c->ev[i];

		if (!c->first_frame[e->point] || e->ts < c->first_frame[e->point])
			c->first_frame[e->point] = e->ts;
		c->point_exists[e->point] = true;
		if (e->kind == EV_ARP_REQ) {
			int t;

			for (t = 0; t < c->ntarg; t++)
				if (c->tgt[t].dead && e->tip == c->tgt[t].ip)
					c->dead_arp = true;
		}
	}
	if (c->fmt != FMT_SLL2)
		for (k = 0; k < c->npts; k++)
			c->point_exists[k] = true;	/* an IDB or a file each */
	if (c->fmt == FMT_ISB) {
		c->evidence_end = c->win_end[0];
		for (k = 1; k < c->npts; k++)
			if (c->win_end[k] < c->evidence_end)
				c->evidence_end = c->win_end[k];
	} else {
		c->evidence_end = last_frame;
	}
}

/* ---- the truth --------------------------------------------------------- */

static struct tflow *flow_of(struct tcase *c, int sender, int target)
{
	struct tflow *f;
	int i;

	for (i = 0; i < c->nflows; i++)
		if (c->flows[i].sender == sender && c->flows[i].target == target)
			return &c->flows[i];
	f = &c->flows[c->nflows++];
	memset(f, 0, sizeof(*f));
	f->sender = sender;
	f->target = target;
	return f;
}

static void add_loss(struct tflow *f, int after, int before, bool reply,
		     bool strict)
{
	struct tloc *l;
	int i;

	f->lost++;
	for (i = 0; i < f->nloc; i++) {
		l = &f->loc[i];
		if (l->after == after && l->before == before && l->reply == reply)
			goto found;
	}
	l = &f->loc[f->nloc++];
	memset(l, 0, sizeof(*l));
	l->after = after;
	l->before = before;
	l->reply = reply;
found:
	l->count++;
	l->strict += strict;
}

/*
 * Without a watch window, a point whose first frame comes after the probe
 * may simply not have been capturing yet: "cannot locate" is honest then.
 */
static bool may_be_incomplete(const struct tcase *c, const struct probe_t *p,
			      int before)
{
	if (c->fmt == FMT_ISB || before < 0)
		return false;
	return c->first_frame[before] > p->req_t[0];
}

static void compute_truth(struct tcase *c)
{
	bool req_at[MAX_PTS] = { false };
	uint64_t reached[MAX_FLOWS_T] = { 0 };
	int n = c->npts, k;
	size_t i;

	c->nflows = 0;
	for (i = 0; i < c->npr; i++) {
		const struct probe_t *p = &c->pr[i];
		struct tflow *f;

		if (!p->in_req[0])
			continue;
		f = flow_of(c, p->sender, p->target);
		for (k = 0; k < n; k++) {
			if (p->in_req[k])
				req_at[k] = true;
			if (p->in_req[k] || p->in_rep[k])
				reached[f - c->flows] |= 1u << k;
		}
		if (p->in_rep[0]) {
			uint64_t rtt = p->rep_t[0] - p->req_t[0];

			f->any_answered = true;
			if (rtt > f->max_rtt)
				f->max_rtt = rtt;
		}
	}
	/* no probe at all is a finding too (no_probes, or an empty capture) */
	c->expect_exit = c->dead_arp || !c->nflows ? 1 : 0;
	for (i = 0; i < c->npr; i++) {
		const struct probe_t *p = &c->pr[i];
		struct tflow *f;
		int after, before, m;
		bool any_rep = false;

		if (!p->in_req[0])
			continue;
		f = flow_of(c, p->sender, p->target);
		f->probes++;
		if (p->in_rep[0]) {
			f->answered++;
			continue;
		}
		c->expect_exit = 1;
		for (k = 0; k < n; k++)
			any_rep |= p->in_rep[k];
		if (any_rep) {
			/* the reply's last point on its way back */
			for (after = 0; !p->in_rep[after]; after++)
				;
			add_loss(f, after, after - 1, true,
				 !may_be_incomplete(c, p, after - 1));
			continue;
		}
		if (c->evidence_end - p->req_t[0] <
		    (f->any_answered ? f->max_rtt : TIMEOUT_NS)) {
			f->unfinished++;
			continue;
		}
		for (after = n - 1; !p->in_req[after]; after--)
			;
		before = after + 1 < n ? after + 1 : -1;
		if (before >= 0 && !req_at[before]) {
			/* nothing ever crossed it: its place is unknowable */
			uint64_t others = 0;

			for (m = 0; m < n; m++)
				if (c->point_exists[m] &&
				    !(reached[f - c->flows] & (1u << m)))
					others |= 1u << m;
			before = others && !(others & (others - 1)) ?
				 __builtin_ctzll(others) : -1;
		}
		add_loss(f, after, before, false,
			 !may_be_incomplete(c, p, before));
	}
}

static int group_root(struct tcase *c, int i)
{
	while (c->flows[i].group != i)
		i = c->flows[i].group = c->flows[c->flows[i].group].group;
	return i;
}

static bool same_fingerprint(const struct probe_t *p, const struct probe_t *q)
{
	return p->seq == q->seq && p->dlen == q->dlen &&
	       !memcmp(p->data, q->data, p->dlen);
}

/*
 * Replies of twins (identical fingerprints from other senders to the same
 * target) seen past the NAT within this of each other cross it in an
 * order no file can tell: each hop adds up to 2 us of jitter, and the
 * timestamps have their resolution.
 */
static uint64_t crossing_tie_ns(const struct tcase *c)
{
	return 4 * US + 2 * c->tsres;
}

/* p's reply crossed the NAT apart from every twin's: it reveals p's id. */
static bool crossed_clear(const struct tcase *c, const struct probe_t *p)
{
	int a = c->nat_at;
	size_t z;

	if (!p->in_rep[a] || !p->in_rep[a + 1])
		return false;
	for (z = 0; z < c->npr; z++) {
		const struct probe_t *r = &c->pr[z];
		uint64_t d;

		if (r == p || !r->in_rep[a + 1] || r->sender == p->sender ||
		    r->target != p->target || !same_fingerprint(p, r))
			continue;
		d = p->rep_t[a + 1] > r->rep_t[a + 1] ?
		    p->rep_t[a + 1] - r->rep_t[a + 1] :
		    r->rep_t[a + 1] - p->rep_t[a + 1];
		if (d <= crossing_tie_ns(c))
			return false;
	}
	return true;
}

/*
 * Behind a NAT, probes of different senders to the same target with the
 * same fingerprint at about the same time differ only by the ICMP id the
 * NAT chose.  Which sender a post-NAT sighting belongs to is then known only
 * once a reply crossed the NAT for that sender's session (the reply is
 * rewritten back to the sender), apart in time from its twins' replies
 * (crossed_clear()).  Without one, the file cannot say whose probe vanished
 * past the NAT: the flows' losses are compared as a group, and so is what
 * that decides of their counts (lost or unfinished, group_swaps_ends()).
 * Answered and sent stay exact per flow: the request before the NAT names
 * its sender, and so does its reply there.
 */
static void confusion_groups(struct tcase *c)
{
	int a = c->nat_at, i, fp, fq;
	size_t x, y, z;
	bool *clear;

	for (i = 0; i < c->nflows; i++)
		c->flows[i].group = i;
	if (a < 0)
		return;
	clear = xrealloc(NULL, c->npr * sizeof(*clear) + 1);
	for (z = 0; z < c->npr; z++)
		clear[z] = crossed_clear(c, &c->pr[z]);
	for (x = 0; x < c->npr; x++) {
		const struct probe_t *p = &c->pr[x];
		bool px, qx;

		if (!p->in_req[0])
			continue;
		for (y = x + 1; y < c->npr; y++) {
			const struct probe_t *q = &c->pr[y];
			uint64_t d;

			if (!q->in_req[0] || q->sender == p->sender ||
			    q->target != p->target || !same_fingerprint(p, q))
				continue;
			d = p->req_t[0] > q->req_t[0] ? p->req_t[0] - q->req_t[0]
						       : q->req_t[0] - p->req_t[0];
			if (d >= SEC)
				continue;
			/* a reply across the NAT reveals a session's mapping */
			px = qx = false;
			for (z = 0; z < c->npr; z++) {
				const struct probe_t *r = &c->pr[z];
				bool crossed = clear[z];

				if (crossed && r->sender == p->sender &&
				    r->target == p->target && r->id == p->id)
					px = true;
				if (crossed && r->sender == q->sender &&
				    r->target == q->target && r->id == q->id)
					qx = true;
			}
			if (px && qx)
				continue;
			fp = (int)(flow_of(c, p->sender, p->target) - c->flows);
			fq = (int)(flow_of(c, q->sender, q->target) - c->flows);
			c->flows[group_root(c, fp)].group = group_root(c, fq);
		}
	}
	free(clear);
	for (i = 0; i < c->nflows; i++)
		c->flows[i].group = group_root(c, i);
}

/* ---- the whole case ------------------------------------------------------ */

static void case_free(struct tcase *c)
{
	free(c->pr);
	free(c->ev);
	c->pr = NULL;
	c->ev = NULL;
}

/* File order: by write time, then point, then timestamp. */
static int cmp_event(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	if (x->wkey != y->wkey)
		return x->wkey < y->wkey ? -1 : 1;
	if (x->wkey != x->ts && x->point != y->point)
		return x->point - y->point;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * A writer with one buffer per interface (dumpcap over several interfaces,
 * a ring per CPU) writes each buffer when it flushes: timestamps stay true,
 * each interface's frames stay in order, but across interfaces the file
 * goes back in time by up to the flush interval.  Classic pcap per point
 * is one file per interface: nothing to reorder there.
 */
static void write_order(struct tcase *c)
{
	uint64_t phase[MAX_PTS];
	size_t i;
	int k;

	for (k = 0; k < c->npts; k++)
		phase[k] = between(&c->r, 0, c->reorder_ns - 1);
	for (i = 0; i < c->nev; i++) {
		struct event *e = &c->ev[i];
		uint64_t ph = phase[e->point], t = e->ts;

		e->wkey = t;
		if (!has(c->feat, F_REORDER) || c->fmt == FMT_PCAP || t < ph)
			continue;
		e->wkey = ph + (t - ph + c->reorder_ns - 1) / c->reorder_ns *
			       c->reorder_ns;
	}
}

static void build_case(struct tcase *c, uint64_t seed, uint32_t feat)
{
	struct rng *r = &c->r;
	uint32_t formats = feat & FORMAT_MASK;
	int k;

	memset(c, 0, sizeof(*c));
	c->seed = seed;
	c->feat = feat;
	r->s = seed;
	/* exactly one format; none allowed means the plain pcapng */
	if (!formats) {
		c->fmt = FMT_PCAPNG;
	} else {
		int n = __builtin_popcount(formats), pick = (int)below(r, (uint32_t)n);

		for (k = F_PCAPNG; k <= F_SLL2; k++)
			if (has(formats, (enum feature)k) && !pick--)
				break;
		c->fmt = (enum format)(k - F_PCAPNG);
	}
	if (c->fmt == FMT_PCAPNG || c->fmt == FMT_ISB)
		c->tsres = chance(r, 70) ? 1 : 1000;
	else
		c->tsres = chance(r, 60) ? 1000 : 1;
	build_topology(c);
	build_senders(c);
	build_losses(c);
	c->dup_pct = (unsigned)between(r, 2, 20);
	{
		static const uint64_t rr[] = { 200 * US, 1 * MS, 3 * MS };

		c->reorder_ns = rr[below(r, 3)];
	}
	build_probes(c);
	probe_events(c);
	if (has(c->feat, F_ARP))
		arp_events(c);
	cut_and_window(c);
	write_order(c);
	if (c->nev)	/* every probe lost before P0, nothing else: empty */
		qsort(c->ev, c->nev, sizeof(*c->ev), cmp_event);
	compute_truth(c);
	confusion_groups(c);
}

/* ---- frames on the wire -------------------------------------------------- */

struct fbuf {
	uint8_t b[MAX_FRAME];
	size_t len;
};

static void put8(struct fbuf *f, uint8_t v)
{
	if (f->len >= sizeof(f->b)) {
		fprintf(stderr, "truth_gen: frame overflow (bug)\n");
		abort();
	}
	f->b[f->len++] = v;
}

static void put16(struct fbuf *f, uint16_t v)
{
	put8(f, (uint8_t)(v >> 8));
	put8(f, (uint8_t)v);
}

static void put32(struct fbuf *f, uint32_t v)
{
	put16(f, (uint16_t)(v >> 16));
	put16(f, (uint16_t)v);
}

static void put_bytes(struct fbuf *f, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		put8(f, p[i]);
}

static void set16(struct fbuf *f, size_t off, uint16_t v)
{
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero_mac[6];

/* Ethernet, or the SLL2 header tcpdump -i any writes (interface index). */
static void put_l2(const struct tcase *c, struct fbuf *f, int point,
		   const uint8_t *dst, const uint8_t *src, uint16_t proto,
		   uint8_t pkttype)
{
	if (c->fmt != FMT_SLL2) {
		put_bytes(f, dst, 6);
		put_bytes(f, src, 6);
		put16(f, proto);
		return;
	}
	put16(f, proto);
	put16(f, 0);
	put32(f, c->ifindex[point]);
	put16(f, 1);		/* ARPHRD_ETHER */
	put8(f, pkttype);
	put8(f, 6);
	put_bytes(f, src, 6);
	put16(f, 0);
}

static size_t put_ip(struct fbuf *f, uint32_t src, uint32_t dst, uint8_t ttl,
		     uint8_t proto, uint16_t ipid, bool df)
{
	size_t off = f->len;

	put8(f, 0x45);
	put8(f, 0);
	put16(f, 0);		/* total length, patched */
	put16(f, ipid);
	put16(f, df ? 0x4000 : 0);
	put8(f, ttl);
	put8(f, proto);
	put16(f, 0);		/* checksum, patched */
	put32(f, src);
	put32(f, dst);
	return off;
}

static void finish_ip(struct fbuf *f, size_t ip)
{
	set16(f, ip + 2, (uint16_t)(f->len - ip));
	set16(f, ip + 10, csum(f->b + ip, 20));
}

/* One echo request or reply as point k sees it (NAT applied past it). */
static void frame_echo(const struct tcase *c, const struct event *e,
		       struct fbuf *f)
{
	const struct probe_t *p = &c->pr[e->probe];
	const struct sender *s = &c->snd[p->sender];
	const struct target *t = &c->tgt[p->target];
	bool outside = c->nat_at >= 0 && e->point > c->nat_at;
	bool req = e->kind == EV_REQ;
	uint32_t inner = outside ? c->router_ip : s->ip;
	const uint8_t *near = outside ? c->router_mac : s->mac;
	const uint8_t *far = c->nat_at >= 0 && !outside ? c->gw_mac : t->mac;
	uint16_t ipid = (uint16_t)mix64((uint64_t)e->probe * 2 + req);
	uint8_t ttl;
	size_t ip, icmp;

	if (req)
		ttl = (uint8_t)(s->ttl - outside);
	else
		ttl = (uint8_t)(64 - (c->nat_at >= 0 && !outside));
	f->len = 0;
	if (req)
		put_l2(c, f, e->point, far, near, 0x0800, 0);
	else
		put_l2(c, f, e->point, near, far, 0x0800, 4);
	ip = req ? put_ip(f, inner, t->ip, ttl, 1, ipid, s->style != ST_WINDOWS)
		 : put_ip(f, t->ip, inner, ttl, 1, ipid, false);
	icmp = f->len;
	put8(f, req ? 8 : 0);
	put8(f, 0);
	put16(f, 0);
	put16(f, outside ? p->ext_id : p->id);
	put16(f, p->seq);
	put_bytes(f, p->data, p->dlen);
	set16(f, icmp + 2, csum(f->b + icmp, f->len - icmp));
	finish_ip(f, ip);
}

static void frame_arp(const struct tcase *c, const struct event *e,
		      struct fbuf *f)
{
	bool req = e->kind == EV_ARP_REQ;

	f->len = 0;
	put_l2(c, f, e->point, req ? bcast : e->tmac, e->smac, 0x0806,
	       req ? 1 : 0);
	put16(f, 1);
	put16(f, 0x0800);
	put8(f, 6);
	put8(f, 4);
	put16(f, req ? 1 : 2);
	put_bytes(f, e->smac, 6);
	put32(f, e->sip);
	put_bytes(f, req ? zero_mac : e->tmac, 6);
	put32(f, e->tip);
}

/* Some other traffic: an NTP query to the gateway. */
static void frame_udp(const struct tcase *c, const struct event *e,
		      struct fbuf *f)
{
	size_t ip, udp;
	int i;

	f->len = 0;
	put_l2(c, f, e->point, c->gw_mac, e->smac, 0x0800, 0);
	ip = put_ip(f, e->sip, e->tip, 64, 17, 0x1234, true);
	udp = f->len;
	put16(f, 123);
	put16(f, 123);
	put16(f, 8 + 48);
	put16(f, 0);		/* no checksum: allowed over IPv4 */
	put8(f, 0x23);
	for (i = 1; i < 48; i++)
		put8(f, 0);
	(void)udp;
	finish_ip(f, ip);
}

static void frame_of(const struct tcase *c, const struct event *e,
		     struct fbuf *f)
{
	if (e->kind == EV_REQ || e->kind == EV_REP)
		frame_echo(c, e, f);
	else if (e->kind == EV_UDP)
		frame_udp(c, e, f);
	else
		frame_arp(c, e, f);
}

/* ---- writers: what tcpdump, dumpcap and dropspot capture write ------------ */

static void w32(FILE *fp, uint32_t v)
{
	fwrite(&v, 4, 1, fp);
}

static void w16(FILE *fp, uint16_t v)
{
	fwrite(&v, 2, 1, fp);
}

static void wpad(FILE *fp, size_t n)
{
	static const uint8_t zero[4];

	fwrite(zero, 1, (4 - n % 4) % 4, fp);
}

static void pcap_header(const struct tcase *c, FILE *fp, uint32_t linktype)
{
	w32(fp, c->tsres == 1 ? 0xa1b23c4d : 0xa1b2c3d4);
	w16(fp, 2);
	w16(fp, 4);
	w32(fp, 0);
	w32(fp, 0);
	w32(fp, SNAPLEN);
	w32(fp, linktype);
}

static void pcap_record(const struct tcase *c, FILE *fp, uint64_t ts,
			const struct fbuf *f)
{
	uint64_t div = c->tsres == 1 ? SEC : 1000000;
	uint64_t units = ts / c->tsres;

	w32(fp, (uint32_t)(units / div));
	w32(fp, (uint32_t)(units % div));
	w32(fp, (uint32_t)f->len);
	w32(fp, (uint32_t)f->len);
	fwrite(f->b, 1, f->len, fp);
}

static void ng_opt(FILE *fp, uint16_t code, const void *v, uint16_t len)
{
	w16(fp, code);
	w16(fp, len);
	fwrite(v, 1, len, fp);
	wpad(fp, len);
}

static void ng_ts_opt(FILE *fp, uint16_t code, uint64_t units)
{
	uint32_t v[2] = { (uint32_t)(units >> 32), (uint32_t)units };

	ng_opt(fp, code, v, 8);
}

static void pcapng_write(const struct tcase *c, FILE *fp)
{
	static const char appl[] = "truth_gen";
	uint8_t tsresol = c->tsres == 1 ? 9 : 6;
	struct fbuf f;
	size_t i;
	int k;

	/* SHB with the writing application */
	w32(fp, 0x0a0d0d0a);
	w32(fp, 28 + 4 + 12 + 4);
	w32(fp, 0x1a2b3c4d);
	w16(fp, 1);
	w16(fp, 0);
	w32(fp, 0xffffffff);
	w32(fp, 0xffffffff);
	ng_opt(fp, 4, appl, (uint16_t)(sizeof(appl) - 1));
	w32(fp, 0);
	w32(fp, 28 + 4 + 12 + 4);
	for (k = 0; k < c->npts; k++) {
		size_t nl = strlen(c->ptname[k]);
		uint32_t len = 20 + 4 + (uint32_t)((nl + 3) & ~3u) + 8 + 4;

		w32(fp, 1);
		w32(fp, len);
		w16(fp, 1);		/* LINKTYPE_ETHERNET */
		w16(fp, 0);
		w32(fp, SNAPLEN);
		ng_opt(fp, 2, c->ptname[k], (uint16_t)nl);
		ng_opt(fp, 9, &tsresol, 1);
		w32(fp, 0);
		w32(fp, len);
	}
	for (i = 0; i < c->nev; i++) {
		const struct event *e = &c->ev[i];
		uint64_t units = e->ts / c->tsres;
		uint32_t len;

		frame_of(c, e, &f);
		len = 28 + (uint32_t)((f.len + 3) & ~3u) + 4;
		w32(fp, 6);
		w32(fp, len);
		w32(fp, (uint32_t)e->point);
		w32(fp, (uint32_t)(units >> 32));
		w32(fp, (uint32_t)units);
		w32(fp, (uint32_t)f.len);
		w32(fp, (uint32_t)f.len);
		fwrite(f.b, 1, f.len, fp);
		wpad(fp, f.len);
		w32(fp, len);
	}
	if (c->fmt != FMT_ISB)
		return;
	for (k = 0; k < c->npts; k++) {
		uint64_t end = c->win_end[k] / c->tsres;
		uint64_t zero = 0;
		bool drops = (k + c->seed) & 1;		/* isb_ifdrop 0, or absent */
		uint32_t len = 20 + 12 * 2 + (drops ? 12 : 0) + 4 + 4;

		w32(fp, 5);
		w32(fp, len);
		w32(fp, (uint32_t)k);
		w32(fp, (uint32_t)(end >> 32));
		w32(fp, (uint32_t)end);
		ng_ts_opt(fp, 2, c->win_start[k] / c->tsres);
		ng_ts_opt(fp, 3, end);
		if (drops)
			ng_opt(fp, 5, &zero, 8);
		w32(fp, 0);
		w32(fp, len);
	}
}

static int write_files(struct tcase *c, const char *dir)
{
	struct fbuf f;
	FILE *fp;
	size_t i;
	int k;

	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	c->npaths = 0;
	if (c->fmt == FMT_PCAPNG || c->fmt == FMT_ISB || c->fmt == FMT_SLL2) {
		snprintf(c->path[0], sizeof(c->path[0]), "%s/%s", dir,
			 c->fmt == FMT_SLL2 ? "any.pcap" : "capture.pcapng");
		fp = fopen(c->path[0], "wb");
		if (!fp)
			goto fail;
		if (c->fmt == FMT_SLL2) {
			pcap_header(c, fp, 276);
			for (i = 0; i < c->nev; i++) {
				frame_of(c, &c->ev[i], &f);
				pcap_record(c, fp, c->ev[i].ts, &f);
			}
		} else {
			pcapng_write(c, fp);
		}
		if (fclose(fp))
			goto fail;
		c->npaths = 1;
		return 0;
	}
	/* tcpdump -i IFACE per point; the files are named in any order */
	for (k = 0; k < c->npts; k++)
		c->path_point[k] = k;
	for (k = c->npts - 1; k > 0; k--) {
		int j = (int)below(&c->r, (uint32_t)k + 1), t = c->path_point[k];

		c->path_point[k] = c->path_point[j];
		c->path_point[j] = t;
	}
	for (k = 0; k < c->npts; k++) {
		int pt = c->path_point[k];

		snprintf(c->path[k], sizeof(c->path[k]), "%s/%s.pcap", dir,
			 c->ptname[pt]);
		fp = fopen(c->path[k], "wb");
		if (!fp)
			goto fail;
		pcap_header(c, fp, 1);
		for (i = 0; i < c->nev; i++) {
			if (c->ev[i].point != pt)
				continue;
			frame_of(c, &c->ev[i], &f);
			pcap_record(c, fp, c->ev[i].ts, &f);
		}
		if (fclose(fp))
			goto fail;
		c->npaths++;
	}
	return 0;
fail:
	fprintf(stderr, "truth_gen: writing in %s: %s\n", dir, strerror(errno));
	return -1;
}

static void remove_files(const struct tcase *c)
{
	int i;

	for (i = 0; i < c->npaths; i++)
		unlink(c->path[i]);
}

/* ---- the engine, as `dropspot analyze` runs it ---------------------------- */

/* Returns the JSON report (malloc'd) or NULL with a message in err. */
static char *run_engine(const struct tcase *c, size_t *len, char *err,
			size_t errlen)
{
	struct source *src[MAX_PTS] = { NULL };
	struct point_table points;
	struct engine_opts eo;
	struct merger *m = NULL;
	struct engine *e = NULL;
	struct packet pkt;
	struct frame f;
	struct source *failed;
	char *json = NULL;
	FILE *mem;
	int i, ret;

	point_table_init(&points);
	for (i = 0; i < c->npaths; i++) {
		if (source_open_file(c->path[i], &points, &src[i], err,
				     errlen) < 0)
			goto cleanup;
	}
	if (merger_new(src, (size_t)c->npaths, &m)) {
		snprintf(err, errlen, "out of memory");
		goto cleanup;
	}
	engine_opts_default(&eo);
	eo.timeout_ns = TIMEOUT_NS;
	e = engine_new(&points, &eo);
	if (!e) {
		snprintf(err, errlen, "out of memory");
		goto cleanup;
	}
	while ((ret = merger_next(m, &f, &failed)) != 0) {
		if (ret < 0) {
			snprintf(err, errlen, "reading: %s", source_error(failed));
			goto cleanup;
		}
		dissect_frame(&f, &pkt);
		engine_feed(e, &pkt);
	}
	point_table_short_names(&points);
	engine_finish(e);
	mem = open_memstream(&json, len);
	if (!mem) {
		snprintf(err, errlen, "open_memstream: %s", strerror(errno));
		goto cleanup;
	}
	ret = report_json(e, mem);
	if (fclose(mem) || ret) {
		snprintf(err, errlen, "report_json failed");
		free(json);
		json = NULL;
	}
cleanup:
	engine_free(e);
	merger_free(m);
	for (i = 0; i < c->npaths; i++)
		source_close(src[i]);
	point_table_free(&points);
	return json;
}

/* ---- checking the report against the truth -------------------------------- */

static void fmt_ip4(char *buf, size_t n, uint32_t ip)
{
	snprintf(buf, n, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
		 (ip >> 8) & 0xff, ip & 0xff);
}

static uint64_t jnum(const struct json *obj, const char *key)
{
	const struct json *v = json_get(obj, key);

	return v && v->type == JSON_NUMBER && v->is_u64 ? v->u64 : UINT64_MAX;
}

static const char *jstr(const struct json *obj, const char *key)
{
	const struct json *v = json_get(obj, key);

	return v && v->type == JSON_STRING ? v->str : NULL;
}

/* Point id in the report -> chain index (-1: not a point of the chain). */
#define MAX_REPORT_POINTS 64

struct answer {
	int point_chain[MAX_REPORT_POINTS];
	int npoints;
	/* engine findings that match no truth location, for the diagnosis */
	char extra[2048];
	size_t extra_len;
	char problems[4096];
	size_t problems_len;
	bool failed;
};

static void problem(struct answer *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct answer *a, const char *fmt, ...)
{
	va_list ap;
	size_t room = sizeof(a->problems) - a->problems_len;

	a->failed = true;
	if (room <= 1)
		return;
	va_start(ap, fmt);
	a->problems_len += (size_t)vsnprintf(a->problems + a->problems_len,
					     room, fmt, ap);
	va_end(ap);
	if (a->problems_len >= sizeof(a->problems))
		a->problems_len = sizeof(a->problems) - 1;
}

static void map_points(const struct tcase *c, const struct json *points,
		       struct answer *a)
{
	const struct json *p;
	int k;

	a->npoints = 0;
	for (p = points ? points->child : NULL; p; p = p->next) {
		uint64_t id = jnum(p, "id");
		const char *ifname = jstr(p, "ifname");
		const char *source = jstr(p, "source");
		uint64_t ifindex = jnum(p, "ifindex");
		int chain = -1;

		if (id >= MAX_REPORT_POINTS)
			continue;
		for (k = 0; k < c->npts; k++) {
			if ((c->fmt == FMT_PCAPNG || c->fmt == FMT_ISB) &&
			    ifname && !strcmp(ifname, c->ptname[k]))
				chain = k;
			if (c->fmt == FMT_SLL2 && ifindex == c->ifindex[k])
				chain = k;
		}
		if (c->fmt == FMT_PCAP && source)
			for (k = 0; k < c->npaths; k++)
				if (!strcmp(source, c->path[k]))
					chain = c->path_point[k];
		a->point_chain[id] = chain;
		if ((int)id + 1 > a->npoints)
			a->npoints = (int)id + 1;
	}
}

/* A location field: point id -> chain index; null -> -1; else -2. */
static int loc_point(const struct answer *a, const struct json *loc,
		     const char *key)
{
	const struct json *v = json_get(loc, key);

	if (!v || v->type == JSON_NULL)
		return -1;
	if (v->type != JSON_NUMBER || !v->is_u64 || v->u64 >= (uint64_t)a->npoints)
		return -2;
	return a->point_chain[v->u64] < 0 ? -2 : a->point_chain[v->u64];
}

static const char *chain_name(const struct tcase *c, int k)
{
	return k == -1 ? "null" : k < 0 ? "?" : c->ptname[k];
}

static struct tflow *flow_by_addr(struct tcase *c, const char *src,
				  const char *dst)
{
	char s[32], d[32];
	int i;

	for (i = 0; i < c->nflows; i++) {
		fmt_ip4(s, sizeof(s), c->snd[c->flows[i].sender].ip);
		fmt_ip4(d, sizeof(d), c->tgt[c->flows[i].target].ip);
		if (!strcmp(s, src) && !strcmp(d, dst))
			return &c->flows[i];
	}
	return NULL;
}

/*
 * A request with no reply home, sent shortly before the end, is lost when
 * its reply was seen on the way (it needed only the hops between watched
 * points to come home), unfinished when no reply was seen at all.  Past a
 * NAT, in a NAT-confusable group, whose reply that was is unknowable: the
 * group's flows may trade lost for unfinished, their sums must hold.
 */
static bool group_swaps_ends(const struct tcase *c, const struct tflow *f)
{
	uint64_t lost = 0, unfinished = 0, e_lost = 0, e_unfinished = 0;
	int i, n = 0;

	for (i = 0; i < c->nflows; i++) {
		const struct tflow *g = &c->flows[i];

		if (g->group != f->group)
			continue;
		n++;
		lost += g->lost;
		unfinished += g->unfinished;
		e_lost += g->e_lost;
		e_unfinished += g->e_unfinished;
	}
	return n > 1 && lost == e_lost && unfinished == e_unfinished;
}

static void check_flows(struct tcase *c, const struct json *flows,
			struct answer *a)
{
	const struct json *fl;
	char s[32], d[32];
	int i;

	for (fl = flows ? flows->child : NULL; fl; fl = fl->next) {
		const char *src = jstr(fl, "src"), *dst = jstr(fl, "dst");
		struct tflow *f = src && dst ? flow_by_addr(c, src, dst) : NULL;

		if (!f) {
			problem(a, "  engine flow %s > %s: %" PRIu64 " probes, %"
				PRIu64 " answered, %" PRIu64 " lost, %" PRIu64
				" unfinished -- no such flow in the truth\n",
				src ? src : "?", dst ? dst : "?",
				jnum(fl, "probes"), jnum(fl, "answered"),
				jnum(fl, "lost"), jnum(fl, "unfinished"));
			continue;
		}
		f->seen = true;
		f->e_probes = jnum(fl, "probes");
		f->e_answered = jnum(fl, "answered");
		f->e_lost = jnum(fl, "lost");
		f->e_unfinished = jnum(fl, "unfinished");
	}
	for (i = 0; i < c->nflows; i++) {
		struct tflow *f = &c->flows[i];

		fmt_ip4(s, sizeof(s), c->snd[f->sender].ip);
		fmt_ip4(d, sizeof(d), c->tgt[f->target].ip);
		if (!f->seen) {
			problem(a, "  flow %s > %s (%s): missing from the report "
				"(truth: %u probes, %u answered, %u lost, %u "
				"unfinished)\n", s, d,
				style_names[c->snd[f->sender].style], f->probes,
				f->answered, f->lost, f->unfinished);
			continue;
		}
		if (f->e_probes != f->probes || f->e_answered != f->answered ||
		    f->e_lost + f->e_unfinished != f->lost + f->unfinished ||
		    (!group_swaps_ends(c, f) &&
		     (f->e_lost != f->lost || f->e_unfinished != f->unfinished)))
			problem(a, "  flow %s > %s (%s%s): truth %u probes, %u "
				"answered, %u lost, %u unfinished; engine %"
				PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 "\n",
				s, d, style_names[c->snd[f->sender].style],
				c->tgt[f->target].dead ? ", dead target" : "",
				f->probes, f->answered, f->lost, f->unfinished,
				f->e_probes, f->e_answered, f->e_lost,
				f->e_unfinished);
	}
}

/*
 * The truth location an engine finding counts towards: the flow's own, or
 * when its flow is in a NAT-confusion group, the first flow of the group
 * with a loss there (group sums are what is compared then).
 */
static struct tloc *find_loc(struct tcase *c, struct tflow *f, int after,
			     int before, bool reply)
{
	int i, j;

	for (j = 0; j < f->nloc; j++)
		if (f->loc[j].after == after && f->loc[j].before == before &&
		    f->loc[j].reply == reply)
			return &f->loc[j];
	for (i = 0; i < c->nflows; i++) {
		struct tflow *g = &c->flows[i];

		if (g->group != f->group)
			continue;
		for (j = 0; j < g->nloc; j++)
			if (g->loc[j].after == after &&
			    g->loc[j].before == before && g->loc[j].reply == reply)
				return &g->loc[j];
	}
	return NULL;
}

/* Sums a location over the flows of a group, marking it compared. */
static void group_sums(struct tcase *c, int group, const struct tloc *key,
		       uint32_t *count, uint32_t *strict, uint32_t *drop,
		       uint32_t *incomplete)
{
	int i, j;

	for (i = 0; i < c->nflows; i++) {
		struct tflow *g = &c->flows[i];

		if (g->group != group)
			continue;
		for (j = 0; j < g->nloc; j++) {
			struct tloc *l = &g->loc[j];

			if (l->after != key->after || l->before != key->before ||
			    l->reply != key->reply)
				continue;
			*count += l->count;
			*strict += l->strict;
			*drop += l->drop;
			*incomplete += l->incomplete;
			l->matched = true;
		}
	}
}

/* drop findings (and evidence_incomplete ones that stand for a drop) */
/*
 * How many probes of a NAT-confusable group may have their loss told at
 * another place than the truth's: its unfinished ones.  Which of two
 * identical pings the NAT passed on is unknowable there (no reply ever
 * crossed it for one of the two conversations), and when the one not
 * passed on is still within its reply window at the end, it has no loss
 * place at all: taken the other way round, the place of the flow's lost
 * probe moves to the unfinished one's side of the NAT.  Both readings fit
 * the file, so the judge accepts either, up to that many probes.
 */
static uint32_t group_slack(const struct tcase *c, int group)
{
	uint32_t unfinished = 0;
	int i, n = 0;

	for (i = 0; i < c->nflows; i++) {
		if (c->flows[i].group != group)
			continue;
		n++;
		unfinished += c->flows[i].unfinished;
	}
	return n > 1 ? unfinished : 0;
}

static void check_drops(struct tcase *c, const struct json *findings,
			struct answer *a)
{
	uint64_t excess[MAX_FLOWS_T] = { 0 }, deficit[MAX_FLOWS_T] = { 0 };
	const struct json *fd;
	char s[32], d[32];
	int i, j;

	for (fd = findings ? findings->child : NULL; fd; fd = fd->next) {
		const char *kind = jstr(fd, "kind");
		const struct json *det = json_get(fd, "details");
		const struct json *loc = json_get(fd, "location");
		const char *flow = det ? jstr(det, "flow") : NULL;
		const char *dir = loc ? jstr(loc, "direction") : NULL;
		char fsrc[64], fdst[64];
		bool drop, reply;
		int after, before;
		struct tflow *f;
		struct tloc *l;
		uint64_t count = jnum(fd, "count");

		if (!kind)
			continue;
		drop = !strcmp(kind, "drop");
		if (!drop && (strcmp(kind, "evidence_incomplete") || !flow))
			continue;
		if (!flow || sscanf(flow, "%63s > %63s", fsrc, fdst) != 2) {
			problem(a, "  %s finding without details.flow\n", kind);
			continue;
		}
		reply = dir && !strcmp(dir, "reply");
		after = loc ? loc_point(a, loc, "after") : -2;
		before = loc ? loc_point(a, loc, "before") : -2;
		f = flow_by_addr(c, fsrc, fdst);
		if (!f) {
			problem(a, "  %s %s: %s -> %s (%s) x%" PRIu64
				" -- no such flow in the truth\n", kind, flow,
				chain_name(c, after), chain_name(c, before),
				reply ? "reply" : "request", count);
			continue;
		}
		l = find_loc(c, f, after, before, reply);
		if (!l && group_slack(c, f->group)) {
			excess[f->group] += count;
			continue;
		}
		if (!l) {
			problem(a, "  %s %s: after %s before %s (%s) x%" PRIu64
				" -- the truth has no loss there\n", kind, flow,
				chain_name(c, after), chain_name(c, before),
				reply ? "reply" : "request", count);
			continue;
		}
		if (drop)
			l->drop += (uint32_t)count;
		else
			l->incomplete += (uint32_t)count;
	}
	for (i = 0; i < c->nflows; i++) {
		const struct tflow *f = &c->flows[i];

		fmt_ip4(s, sizeof(s), c->snd[f->sender].ip);
		fmt_ip4(d, sizeof(d), c->tgt[f->target].ip);
		for (j = 0; j < f->nloc; j++) {
			const struct tloc *l = &f->loc[j];
			uint32_t count = 0, strict = 0, dr = 0, inc = 0;

			if (l->matched)
				continue;
			group_sums(c, f->group, l, &count, &strict, &dr, &inc);
			if (dr + inc == count && dr >= strict)
				continue;
			if (group_slack(c, f->group)) {
				if (dr + inc > count)
					excess[f->group] += dr + inc - count;
				else
					deficit[f->group] += count - dr - inc;
				continue;
			}
			problem(a, "  drop %s > %s: truth %u lost after %s before "
				"%s (%s)%s%s; engine: %u as drop, %u as "
				"evidence_incomplete there\n", s, d, count,
				chain_name(c, l->after), chain_name(c, l->before),
				l->reply ? "reply" : "request",
				strict == count ? "" : " (may be incomplete)",
				count == l->count ? "" : " (NAT-confusable flows summed)",
				dr, inc);
		}
	}
	for (i = 0; i < c->nflows; i++) {
		uint32_t slack = group_slack(c, i);

		if (c->flows[i].group != i || !slack ||
		    (excess[i] <= slack && excess[i] == deficit[i]))
			continue;
		fmt_ip4(s, sizeof(s), c->snd[c->flows[i].sender].ip);
		fmt_ip4(d, sizeof(d), c->tgt[c->flows[i].target].ip);
		problem(a, "  drop %s > %s and its NAT-confusable flows: %"
			PRIu64 " lost probes told elsewhere than the truth "
			"and %" PRIu64 " missing, more than their %u "
			"unfinished probes can account for\n", s, d,
			excess[i], deficit[i], slack);
	}
}

static int check_report(struct tcase *c, const char *json, size_t len,
			struct answer *a)
{
	struct json_doc *doc;
	const struct json *root;
	char err[256];

	doc = json_parse(json, len, err, sizeof(err));
	if (!doc) {
		problem(a, "  the report is not valid JSON: %s\n", err);
		return -1;
	}
	root = json_root(doc);
	map_points(c, json_get(root, "points"), a);
	check_flows(c, json_get(root, "flows"), a);
	check_drops(c, json_get(root, "findings"), a);
	json_free(doc);
	return 0;
}

/* ---- the CLI binary, for its exit status ------------------------------------ */

static int run_cli(const struct tcase *c, const char *dropspot)
{
	char *argv[MAX_PTS + 5];
	int status, i, n = 0;
	pid_t pid;

	argv[n++] = (char *)dropspot;
	argv[n++] = (char *)"analyze";
	argv[n++] = (char *)"--json";
	for (i = 0; i < c->npaths; i++)
		argv[n++] = (char *)c->path[i];
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(dropspot, argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* ---- describing a case (for a failure, or -v) -------------------------------- */

static void describe_case(const struct tcase *c, FILE *fp)
{
	static const char *const fmt_names[] = {
		"pcapng (no ISB)", "pcapng with ISB", "pcap per point",
		"pcap SLL2 (-i any)",
	};
	char a[32], b[32];
	int i, j, k;

	fprintf(fp, "    format %s, %s timestamps; points:", fmt_names[c->fmt],
		c->tsres == 1 ? "ns" : "us");
	for (k = 0; k < c->npts; k++)
		fprintf(fp, " %s%s", c->ptname[k],
			k == c->nat_at ? " [NAT]" : "");
	if (c->fmt == FMT_SLL2) {
		fprintf(fp, " (ifindex");
		for (k = 0; k < c->npts; k++)
			fprintf(fp, " %u", c->ifindex[k]);
		fprintf(fp, ")");
	}
	fprintf(fp, "\n");
	if (c->nat_at >= 0) {
		fmt_ip4(a, sizeof(a), c->router_ip);
		fprintf(fp, "    NAT between %s and %s: source -> %s%s\n",
			c->ptname[c->nat_at], c->ptname[c->nat_at + 1], a,
			has(c->feat, F_NATID) ? ", every id rewritten" : "");
	}
	for (i = 0; i < c->nsend; i++) {
		const struct sender *s = &c->snd[i];

		fmt_ip4(a, sizeof(a), s->ip);
		fprintf(fp, "    sender %s %s: %d probe(s) per target every "
			"%" PRIu64 " ms from +%.6f s, to", a,
			style_names[s->style], s->count, s->interval_ns / MS,
			(double)(s->start_ns - START_NS) / 1e9);
		for (k = 0; k < c->ntarg; k++)
			if ((s->targets >> k) & 1) {
				fmt_ip4(b, sizeof(b), c->tgt[k].ip);
				fprintf(fp, " %s", b);
			}
		fprintf(fp, "\n");
	}
	for (k = 0; k < c->ntarg; k++) {
		fmt_ip4(b, sizeof(b), c->tgt[k].ip);
		fprintf(fp, "    target %s: %s, rtt %.3f ms\n", b,
			c->tgt[k].dead ? "DEAD" : "alive",
			(double)c->tgt[k].rtt_ns / 1e6);
	}
	for (i = 0; i < c->nloss; i++) {
		const struct lossy *l = &c->loss[i];

		fprintf(fp, "    loss %u%% of %s ", l->pct,
			l->reply ? "replies" : "requests");
		if (l->reply)
			fprintf(fp, "between %s and %s",
				l->link == c->npts - 1 ? "target" :
				c->ptname[l->link + 1],
				l->link == c->npts - 1 ? c->ptname[c->npts - 1] :
				c->ptname[l->link]);
		else
			fprintf(fp, "after %s",
				l->link < 0 ? "the sender" : c->ptname[l->link]);
		if (l->only_sender >= 0) {
			fmt_ip4(a, sizeof(a), c->snd[l->only_sender].ip);
			fprintf(fp, ", sender %s only", a);
		}
		if (l->only_target >= 0) {
			fmt_ip4(b, sizeof(b), c->tgt[l->only_target].ip);
			fprintf(fp, ", target %s only", b);
		}
		fprintf(fp, "\n");
	}
	if (has(c->feat, F_DUP))
		fprintf(fp, "    duplicates: %u%% of frames\n", c->dup_pct);
	if (has(c->feat, F_REORDER) && c->fmt != FMT_PCAP)
		fprintf(fp, "    written out of time order across points: "
			"buffers flushed every %.1f ms\n",
			(double)c->reorder_ns / 1e6);
	fprintf(fp, "    %zu frames; end of evidence +%.6f s (capture cut at +%.6f s)\n",
		c->nev, (double)(c->evidence_end - START_NS) / 1e9,
		(double)(c->end_ns - START_NS) / 1e9);
	fprintf(fp, "    truth (expected exit %d):\n", c->expect_exit);
	for (i = 0; i < c->nflows; i++) {
		const struct tflow *f = &c->flows[i];

		fmt_ip4(a, sizeof(a), c->snd[f->sender].ip);
		fmt_ip4(b, sizeof(b), c->tgt[f->target].ip);
		fprintf(fp, "      %s > %s: %u probes, %u answered, %u lost, %u "
			"unfinished", a, b, f->probes, f->answered, f->lost,
			f->unfinished);
		if (f->any_answered)
			fprintf(fp, ", slowest rtt %.3f ms",
				(double)f->max_rtt / 1e6);
		if (f->group != i) {
			fmt_ip4(a, sizeof(a), c->snd[c->flows[f->group].sender].ip);
			fmt_ip4(b, sizeof(b), c->tgt[c->flows[f->group].target].ip);
			fprintf(fp, "; past the NAT confusable with %s > %s", a, b);
		}
		fprintf(fp, "\n");
		for (j = 0; j < f->nloc; j++) {
			const struct tloc *l = &f->loc[j];

			fprintf(fp, "        lost %u after %s before %s (%s)%s\n",
				l->count, chain_name(c, l->after),
				chain_name(c, l->before),
				l->reply ? "reply" : "request",
				l->strict == l->count ? "" :
				" (may be evidence_incomplete)");
		}
	}
}

/*
 * Every probe as generated, for the kept truth.txt: who sent it, the id
 * past the NAT, and which points saw its request and reply (times relative
 * to the start), so a misplaced sighting can be traced by hand.
 */
static void describe_probes(const struct tcase *c, FILE *fp)
{
	char a[32], b[32];
	size_t i;
	int k;

	fprintf(fp, "    probes (sender > target id/ext_id seq: request "
		"times per point | reply times, ms):\n");
	for (i = 0; i < c->npr; i++) {
		const struct probe_t *p = &c->pr[i];

		fmt_ip4(a, sizeof(a), c->snd[p->sender].ip);
		fmt_ip4(b, sizeof(b), c->tgt[p->target].ip);
		fprintf(fp, "      %s > %s id %u/%u seq %u:", a, b, p->id,
			p->ext_id, p->seq);
		for (k = 0; k < c->npts; k++)
			fprintf(fp, p->in_req[k] ? " %.3f" : " -",
				(double)(p->req_t[k] - START_NS) / 1e6);
		fprintf(fp, " |");
		for (k = 0; k < c->npts; k++)
			fprintf(fp, p->in_rep[k] ? " %.3f" : " -",
				(double)(p->rep_t[k] - START_NS) / 1e6);
		fprintf(fp, "\n");
	}
}

/* ---- main -------------------------------------------------------------------- */

struct run_opts {
	uint64_t seed;
	unsigned long cases;
	uint32_t allowed;
	bool replay;
	uint64_t replay_seed;
	uint32_t replay_feat;
	const char *keep;
	const char *dropspot;
	unsigned cli_every;
	unsigned max_detail;
	bool verbose;
};

struct stats {
	unsigned long cases[F_COUNT + 1], failed[F_COUNT + 1];
	uint64_t first_seed[F_COUNT + 1];
	uint32_t first_feat[F_COUNT + 1];
	unsigned long cli_runs, cli_failed;
	uint64_t frames;
};

static uint32_t draw_features(uint64_t case_seed, uint32_t allowed)
{
	struct rng r = { mix64(case_seed ^ 0x5eed5eed5eedull) };
	uint32_t formats = allowed & FORMAT_MASK, feat = 0;
	int i;

	for (i = 0; i < F_COUNT; i++) {
		if (!has(allowed & ~FORMAT_MASK, (enum feature)i))
			continue;
		/* many is slow and narrow: rarer */
		if (chance(&r, i == F_MANY ? 10 : 40))
			feat |= 1u << i;
	}
	if (has(feat, F_NATID))
		feat |= 1u << F_NAT;
	if (formats) {
		int n = __builtin_popcount(formats), pick = (int)below(&r, (uint32_t)n);

		for (i = F_PCAPNG; i <= F_SLL2; i++)
			if (has(formats, (enum feature)i) && !pick--)
				break;
		feat |= 1u << i;
	}
	return feat;
}

/* Writes the failing case's files, truth and report into DIR/case-SEED. */
static void keep_case(const struct run_opts *o, uint64_t seed, uint32_t feat,
		      const char *json, size_t len)
{
	struct tcase *c = calloc(1, sizeof(*c));
	char dir[256], path[320], list[256];
	FILE *fp;
	int i;

	if (!c)
		return;
	mkdir(o->keep, 0755);
	snprintf(dir, sizeof(dir), "%s/case-%016" PRIx64, o->keep, seed);
	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "truth_gen: %s: %s\n", dir, strerror(errno));
		free(c);
		return;
	}
	build_case(c, seed, feat);
	if (write_files(c, dir) == 0) {
		format_features(feat, list, sizeof(list));
		snprintf(path, sizeof(path), "%s/truth.txt", dir);
		fp = fopen(path, "w");
		if (fp) {
			fprintf(fp, "replay: truth_gen --replay 0x%016" PRIx64
				":%s\nfiles:", seed, list);
			for (i = 0; i < c->npaths; i++)
				fprintf(fp, " %s", c->path[i]);
			fprintf(fp, "\n");
			describe_case(c, fp);
			describe_probes(c, fp);
			fclose(fp);
		}
		snprintf(path, sizeof(path), "%s/report.json", dir);
		fp = fopen(path, "w");
		if (fp) {
			fwrite(json, 1, len, fp);
			fclose(fp);
		}
		fprintf(stderr, "    kept in %s\n", dir);
	}
	case_free(c);
	free(c);
}

static void count_case(struct stats *st, uint64_t seed, uint32_t feat,
		       bool failed)
{
	int i;

	for (i = 0; i <= F_COUNT; i++) {
		/* slot F_COUNT: cases with no class but their format */
		bool in = i < F_COUNT ? has(feat, (enum feature)i)
				      : !(feat & ~FORMAT_MASK);

		if (!in)
			continue;
		st->cases[i]++;
		if (!failed)
			continue;
		if (!st->failed[i]++) {
			st->first_seed[i] = seed;
			st->first_feat[i] = feat;
		}
	}
}

/* Returns 1 when the case failed, 0 when it passed, -1 on a setup error. */
static int run_case(const struct run_opts *o, struct stats *st,
		    const char *tmpdir, uint64_t seed, uint32_t feat,
		    unsigned long index, unsigned long *printed)
{
	struct tcase *c = calloc(1, sizeof(*c));
	struct answer *a = calloc(1, sizeof(*a));
	char err[SOURCE_ERR_MAX], list[256];
	char *json = NULL;
	size_t len = 0;
	int ret = -1;

	if (!c || !a)
		goto cleanup;
	build_case(c, seed, feat);
	st->frames += c->nev;
	if (write_files(c, tmpdir))
		goto cleanup;
	json = run_engine(c, &len, err, sizeof(err));
	if (!json)
		problem(a, "  the engine failed: %s\n", err);
	else
		check_report(c, json, len, a);
	if (o->dropspot && o->cli_every && (index % o->cli_every == 0 ||
					    o->replay)) {
		int code = run_cli(c, o->dropspot);

		st->cli_runs++;
		if (code != c->expect_exit) {
			st->cli_failed++;
			problem(a, "  dropspot analyze exited %d, expected %d\n",
				code, c->expect_exit);
		}
	}
	remove_files(c);
	format_features(feat, list, sizeof(list));
	if (a->failed) {
		(*printed)++;
		fprintf(stdout, "FAIL case %lu: replay: truth_gen --replay "
			"0x%016" PRIx64 ":%s\n", index, seed, list);
		if (*printed <= o->max_detail || o->verbose) {
			fputs(a->problems, stdout);
			describe_case(c, stdout);
		}
	} else if (o->verbose) {
		fprintf(stdout, "ok case %lu (%s, seed 0x%016" PRIx64 ")\n",
			index, list, seed);
		describe_case(c, stdout);
	}
	/* a replay keeps its files even when it passes */
	if (o->keep && (a->failed || o->replay))
		keep_case(o, seed, feat, json ? json : "", json ? len : 0);
	count_case(st, seed, feat, a->failed);
	ret = a->failed;
cleanup:
	free(json);
	if (c)
		case_free(c);
	free(c);
	free(a);
	return ret;
}

static void print_stats(const struct stats *st)
{
	char list[256];
	int i;

	printf("\nper class (a case has several): class cases failed "
	       "first-failing-replay\n");
	for (i = 0; i <= F_COUNT; i++) {
		if (!st->cases[i])
			continue;
		printf("  %-8s %6lu %6lu", i < F_COUNT ? feature_names[i] : "base",
		       st->cases[i], st->failed[i]);
		if (st->failed[i]) {
			format_features(st->first_feat[i], list, sizeof(list));
			printf("   --replay 0x%016" PRIx64 ":%s",
			       st->first_seed[i], list);
		}
		printf("\n");
	}
	if (st->cli_runs)
		printf("  cli exit status: %lu run(s), %lu wrong\n", st->cli_runs,
		       st->cli_failed);
}

static void usage(FILE *fp)
{
	int i;

	fprintf(fp,
		"usage: truth_gen [--seed S] [--cases N] [--only LIST] [--keep DIR] [-v]\n"
		"       truth_gen --replay SEED:LIST [--keep DIR] [-v]\n"
		"  --seed S        run seed (default 1): same seed, same cases\n"
		"  --cases N       cases to run (default 1000)\n"
		"  --only LIST     classes a case may use (default all), comma-separated;\n"
		"                  'base' alone = Linux pings, no loss, any format\n"
		"  --replay S:L    one case: its seed and its exact classes, as printed\n"
		"  --keep DIR      keep the files, truth and report of failing cases\n"
		"                  (of the replayed case, with --replay)\n"
		"  --dropspot BIN  CLI binary for the exit status check (default $DROPSPOT)\n"
		"  --cli-every N   run the CLI on one case in N (default 50, 0 = never)\n"
		"  --details N     failures printed in full (default 5; -v: all)\n"
		"  -v, --verbose   describe every case\n"
		"classes:");
	for (i = 0; i < F_COUNT; i++)
		fprintf(fp, " %s", feature_names[i]);
	fprintf(fp, "\n(pcapng, isb, pcap, sll2 are the formats: one per case)\n");
}

static int parse_args(int argc, char **argv, struct run_opts *o)
{
	enum { O_SEED = 256, O_CASES, O_ONLY, O_REPLAY, O_KEEP, O_DROPSPOT,
	       O_CLI, O_DETAILS };
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, O_SEED },
		{ "cases", required_argument, NULL, O_CASES },
		{ "only", required_argument, NULL, O_ONLY },
		{ "replay", required_argument, NULL, O_REPLAY },
		{ "keep", required_argument, NULL, O_KEEP },
		{ "dropspot", required_argument, NULL, O_DROPSPOT },
		{ "cli-every", required_argument, NULL, O_CLI },
		{ "details", required_argument, NULL, O_DETAILS },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int ch;

	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->cases = 1000;
	o->allowed = (1u << F_COUNT) - 1;
	o->cli_every = 50;
	o->max_detail = 5;
	o->dropspot = getenv("DROPSPOT");
	if (o->dropspot && !*o->dropspot)
		o->dropspot = NULL;
	while ((ch = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (ch) {
		case O_SEED:
			o->seed = strtoull(optarg, &end, 0);
			if (*end || !*optarg)
				goto bad;
			break;
		case O_CASES:
			o->cases = strtoul(optarg, &end, 10);
			if (*end || !*optarg)
				goto bad;
			break;
		case O_ONLY:
			if (parse_features(optarg, &o->allowed))
				return -1;
			break;
		case O_REPLAY:
			o->replay = true;
			o->replay_seed = strtoull(optarg, &end, 0);
			if (*end != ':' || parse_features(end + 1, &o->replay_feat))
				goto bad;
			break;
		case O_KEEP:
			o->keep = optarg;
			break;
		case O_DROPSPOT:
			o->dropspot = optarg;
			break;
		case O_CLI:
			o->cli_every = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !*optarg)
				goto bad;
			break;
		case O_DETAILS:
			o->max_detail = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !*optarg)
				goto bad;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc)
		goto bad;
	return 0;
bad:
	fprintf(stderr, "truth_gen: bad argument '%s'\n",
		optind < argc ? argv[optind] : optarg ? optarg : "?");
	usage(stderr);
	return -1;
}

static int make_tmpdir(char *buf, size_t n)
{
	const char *base = getenv("TMPDIR");

	snprintf(buf, n, "%s/truth_gen.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(buf)) {
		fprintf(stderr, "truth_gen: mkdtemp %s: %s\n", buf, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct run_opts o;
	struct stats st;
	char tmpdir[300];
	unsigned long i, passed = 0, failed = 0, printed = 0;
	struct timespec t0, t1;
	double secs;
	int ret;

	if (parse_args(argc, argv, &o))
		return 2;
	/* the engine's own warnings would drown the verdicts */
	log_set_level(LOG_ERROR);
	if (make_tmpdir(tmpdir, sizeof(tmpdir)))
		return 2;
	memset(&st, 0, sizeof(st));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (o.replay) {
		ret = run_case(&o, &st, tmpdir, o.replay_seed, o.replay_feat, 0,
			       &printed);
		if (ret < 0) {
			rmdir(tmpdir);
			return 2;
		}
		failed += ret == 1;
		passed += ret == 0;
	}
	for (i = 0; !o.replay && i < o.cases; i++) {
		uint64_t seed = mix64(o.seed * 0x100000001b3ull + i + 1);
		uint32_t feat = draw_features(seed, o.allowed);

		ret = run_case(&o, &st, tmpdir, seed, feat, i, &printed);
		if (ret < 0) {
			rmdir(tmpdir);
			return 2;
		}
		if (ret)
			failed++;
		else
			passed++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rmdir(tmpdir);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (!o.replay)
		print_stats(&st);
	fprintf(stderr, "truth_gen: %lu case(s), %" PRIu64 " frames in %.2f s "
		"(%.0f cases/s)\n", passed + failed, st.frames, secs,
		secs > 0 ? (double)(passed + failed) / secs : 0.0);
	printf("%lu passed, %lu failed\n", passed, failed);
	return failed ? 1 : 0;
}
