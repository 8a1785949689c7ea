/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Engine internals shared by the files of analyze/ (probe table, neighbour
 * layer, paths, findings, reports).  Nothing outside analyze/ includes this.
 */
#ifndef DROPSPOT_ANALYZE_INTERNAL_H
#define DROPSPOT_ANALYZE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cause.h"
#include "engine.h"

/* ---- probes ---------------------------------------------------------- */

enum sight_kind {
	SK_REQ = 0,	/* the echo request */
	SK_REP,		/* its echo reply */
	SK_ERR,		/* an ICMP error quoting the request */
	SK_DROP,	/* a kernel drop record of the request or reply */
};

#define SF_CSUM_BAD 0x01	/* IP or ICMP checksum wrong at this point */
#define SF_SNAPPED 0x02		/* echo data cut by the snap length */
#define SF_VLAN 0x04		/* vlan holds a tag */
#define SF_DROP_REPLY 0x08	/* SK_DROP of the reply, not the request */
/* IPv4 without DF: a smaller MTU on the way fragments it, drops nothing */
#define SF_FRAGMENTABLE 0x10
#define SF_OUTER_DF 0x80	/* encapsulated with DF set on the outer IP */

/* One appearance of a probe at a point; compact, no packet bytes. */
struct sighting {
	uint64_t ts_ns;
	uint64_t frame_no;
	uint8_t src[16], dst[16];	/* SK_ERR: src = who reported */
	uint16_t point;
	uint8_t kind;			/* enum sight_kind */
	uint8_t flags;			/* SF_* */
	uint16_t echo_id;		/* SK_ERR: type << 8 | code */
	uint16_t vlan;			/* VLAN id when SF_VLAN */
	uint16_t aux;			/* SK_ERR: mtu; SK_DROP: reason index */
	uint8_t ttl;			/* TTL / hop limit here */
	uint8_t min_ttl;		/* lowest TTL over duplicates */
	uint8_t dups;			/* more copies here, saturating */
	uint8_t dir;			/* enum direction, as the source says */
	uint8_t encap;			/* engine encaps index + 1, 0 none,
					 * ENCAP_UNKNOWN past the table */
	uint16_t outer_len;		/* outer IP length when encap */
};

/*
 * Tunnels a probe was seen inside (probe.c): a sighting names one by
 * index.  A ping crosses few distinct tunnels, so a small table is kept
 * and anything beyond it is reported as an unnamed encapsulation.
 */
#define ENCAP_MAX 32
#define ENCAP_UNKNOWN 0xff

struct encap_seen {
	uint8_t type;			/* enum tunnel_type */
	bool has_id;
	uint32_t id;			/* VNI / key */
	uint8_t family;			/* of the outer addresses */
	uint8_t src[16], dst[16];	/* outer (VTEP) addresses */
};

#define PF_PARTIAL_FP 0x01	/* matched on a snapped payload hash */
#define PF_SIGHT_OVERFLOW 0x02	/* more sightings than kept */
#define PF_FORCED 0x04		/* forced out of the live table early */
#define PF_LOOP 0x08		/* seen again at a point with a lower TTL */
#define PF_DATA_DIFFERS 0x10	/* a reply carried other data than its request */
#define PF_ENDED 0x20		/* lost: no reply before the capture ended,
				 * sooner after the request than the timeout */
#define PF_DELIVERY_DROP 0x40	/* the reply came home, then the kernel
				 * dropped it before the socket */

enum probe_outcome {
	PO_ANSWERED = 0,	/* reply made it back to the sender's side */
	PO_LOST_REQUEST,	/* no reply anywhere */
	PO_LOST_REPLY,		/* reply seen, but not all the way back */
	PO_UNFINISHED,		/* capture ended inside the reply window */
	PO_ORPHAN_REPLY,	/* reply without any request seen */
	PO_COUNT
};

struct probe {
	struct probe *hnext;		/* hash chain */
	struct probe **hpprev;		/* what points to us in the chain */
	struct probe *older, *newer;	/* live list, by creation */
	uint64_t id;			/* 1-based, by first sighting */
	uint64_t hash;			/* FNV of the echo data (captured) */
	uint32_t len;			/* echo data bytes per the IP length */
	uint32_t hash_caplen;		/* echo bytes the hash covers */
	uint16_t seq;
	uint8_t family;			/* 4 or 6 */
	uint8_t flags;			/* PF_* */
	uint8_t outcome;		/* enum probe_outcome, once closed */
	bool answered_list;		/* on the answered FIFO */
	uint32_t flow;			/* index in the flow table */
	uint16_t n_sight, cap_sight;
	uint64_t first_ts, last_ts;
	uint64_t req_mask, rep_mask, err_mask, drop_mask;
	struct sighting *s;
};

/* ---- probe identity (identity.c) ------------------------------------ */

/* Source, target and ICMP id as the request carries them. */
struct tuple {
	uint8_t src[16], dst[16];
	uint16_t id;
};

/* Two tuples of one conversation on either side of a NAT. */
struct nat_bind {
	struct tuple a, b;
	uint8_t family;
	uint64_t last_ts;
	int32_t next[2];	/* hash chains by a and by b */
};

/* What a new sighting says about itself, for identity_find(). */
struct identity_key {
	const struct icmp_info *ic;	/* echo fields (quoted ones for errors) */
	struct tuple t;			/* request-oriented */
	uint8_t family;
	uint8_t kind;			/* enum sight_kind */
	uint16_t point;
	/*
	 * The first fragment of a datagram (a kernel drop record): its echo
	 * data is the datagram's prefix and its length only a lower bound.
	 */
	bool first_fragment;
};

/* ---- flows and paths ------------------------------------------------- */

/*
 * Flows grow as needed up to this many; the probes of any further flow
 * are counted in the totals and reported as evidence incomplete, never
 * folded into another flow.
 */
#define FLOWS_LIMIT 16384
#define FLOW_NONE UINT32_MAX
/* Points whose order a flow learns (its path); more are reported. */
#define FLOW_SLOTS 16

/*
 * A flow is one sender talking to one target, as the first point saw it
 * (before any NAT).  Each flow learns its own path: point order from the
 * first-seen times of its requests (and of its replies).
 */
struct flow {
	uint8_t family;
	uint8_t src[16], dst[16];
	uint64_t probes;
	uint64_t outcome[PO_COUNT];
	uint64_t req_mask, rep_mask;	/* points that saw requests/replies */
	/*
	 * prec[i][j]: probes seen at slot i before slot j (request / reply);
	 * slot k is point slot_point[k].  Counters halve when one saturates,
	 * which keeps the majorities.
	 */
	uint8_t slot_point[FLOW_SLOTS];
	uint8_t n_slots;
	bool slots_full;		/* the flow crossed more points */
	uint16_t req_prec[FLOW_SLOTS][FLOW_SLOTS];
	uint16_t rep_prec[FLOW_SLOTS][FLOW_SLOTS];
	uint8_t req_path[ENGINE_MAX_POINTS], rep_path[ENGINE_MAX_POINTS];
	uint8_t req_len, rep_len;
	uint8_t rep_seen_len;		/* rep_path[0..]: seen with replies */
	double rtt_sum_ms, rtt_min_ms, rtt_max_ms;
	uint64_t rtt_n;
	uint64_t rtt_max_ns;		/* slowest round trip at the first point */
	int32_t last_group;		/* group the last closed probe joined */
	int32_t first_group;		/* its groups, chained by next_in_flow */
	struct flow_latency *lat;	/* latency.c, allocated lazily */
};

/* Probes seen at point a before point b in the flow (0 when unknown). */
uint32_t flow_prec(const struct flow *f, bool reply, int a, int b);

/*
 * Closed probes with the same fate fold into one group: same flow, same
 * points seen, same error or kernel drop reason.  The drop point is then
 * computed once per group, after the paths are known.
 */
#define GROUPS_LIMIT 65536
#define GROUP_EXAMPLES 6

struct group {
	uint32_t flow;
	uint8_t outcome;
	uint8_t family;
	uint64_t req_mask, rep_mask, err_mask;
	uint16_t err;			/* type << 8 | code, 0 = none */
	uint8_t err_src[16];
	uint16_t err_mtu;
	int16_t drop_reason;		/* -1 none */
	bool drop_reply;		/* ... and the kernel dropped the reply */
	bool csum_bad;			/* bad checksum at the last point */
	bool incomplete_fp;
	bool forced;
	bool loop;			/* came back with a lower TTL */
	bool delivery;			/* reply home, then dropped by the kernel */
	bool fragmentable;		/* its requests left without DF (IPv4)
					 * or in fragments (IPv6) */
	uint16_t vlan_last;		/* tag at the last point seen, 0 none */
	uint64_t count;
	/* lost only because the capture ended before the timeout */
	uint64_t ended;
	uint64_t ended_gap_ns;		/* shortest request-to-end time of those */
	int32_t next_in_flow;		/* next group of the same flow, -1 */
	uint32_t min_len, max_len;
	uint64_t first_ts, last_ts;
	uint64_t example_id[GROUP_EXAMPLES];
	uint64_t example_frame[GROUP_EXAMPLES];
	uint16_t example_point[GROUP_EXAMPLES];
	uint64_t example_ts[GROUP_EXAMPLES];
	uint8_t n_examples;
	/* filled by path analysis */
	int after, before;		/* point ids, -1 = none/unknown */
	uint64_t missing_mask;		/* watched points it never reached */
	bool reply_dir;			/* location is on the reply path */
	bool not_watched;		/* next point was not capturing then */
	bool at_owner;			/* reached where its target lives */
};

/* Sizes seen, for size-dependent loss (MTU black hole). */
#define MAX_SIZES 64
struct size_stat {
	uint32_t len;
	uint64_t answered, lost;
	int16_t after, before;		/* where the first lost one stopped */
};

/* NAT rewrite between two points, aggregated. */
#define MAX_NATS 32
struct nat_rewrite {
	uint32_t flow;
	uint8_t kind;			/* SK_REQ or SK_REP */
	uint16_t from, to;		/* points, set by nat_resolve() */
	uint64_t mask0, mask1;		/* points that saw tuple 0 / tuple 1 */
	uint8_t family;
	uint8_t src0[16], dst0[16], src1[16], dst1[16];
	uint16_t id0, id1;
	uint64_t count;
	uint64_t frame_from, frame_to;
	uint64_t ts;
};

/* ---- neighbour layer ------------------------------------------------- */

#define MAX_NEIGH 1024
#define NEIGH_MACS 4

struct neigh_claim {
	uint8_t mac[6];
	uint16_t point;
	uint64_t mask;			/* every point that saw this claim */
	uint64_t frame_no, ts;
	uint64_t count;
};

struct neigh {
	uint8_t family;
	uint8_t ip[16];
	/* resolution requests for ip */
	uint64_t requests;		/* at the point that saw most */
	uint32_t req_per_point[ENGINE_MAX_POINTS];
	uint64_t req_mask;
	uint8_t asker_ip[16], asker_mac[6];
	uint32_t askers;		/* distinct asker MACs (approx.) */
	uint64_t first_req_ts, last_req_ts, first_req_frame;
	uint16_t first_req_point;
	uint64_t replies;
	/*
	 * Requests since the last answer, at the point that saw most: an
	 * address that was answered once and then no more (the neighbour
	 * went away, the asker's frames changed) still fails at the end.
	 */
	uint32_t since_reply[ENGINE_MAX_POINTS];
	uint64_t since_mask;		/* points whose since_reply is not 0 */
	uint64_t streak_first_ts, streak_first_frame;
	uint16_t streak_first_point;
	uint16_t req_vlan;		/* VLAN id + 1 of the last request, 0 = none */
	uint16_t req_vlan_point;	/* ... and where it was seen tagged */
	/* who claims ip (replies, announcements, requests' sender) */
	uint64_t claim_ts;		/* earliest claim of ip ... */
	uint64_t claim_mask;		/* ... and the points that saw it then */
	struct neigh_claim claim[NEIGH_MACS];
	uint8_t n_claim;
	uint64_t gratuitous;
	uint8_t grat_mac[6];
	uint64_t grat_frame, grat_ts;
	uint16_t grat_point;
	/*
	 * A kernel drop record of one of its requests (ARP request, neighbour
	 * solicitation): the engine's reason index + 1, 0 = none, and how
	 * many: the kernel's own word on why nobody answers.
	 */
	int16_t req_drop;
	uint32_t req_drops;
};

/*
 * Neighbour exchanges (exchange.c): an ARP/ND request and its answer,
 * followed across the points like an echo probe.  A series is one asker
 * (address + MAC) asking for one target; its current exchange gathers the
 * request's copies and the answer, and when the request is sent again the
 * exchange's fate (where its answer was last seen, where it was expected
 * next) folds into the series' fates.  Bounded: series beyond the limit
 * are counted (evidence_incomplete, too_many_exchanges).
 */
#define EXCH_SERIES_LIMIT 1024
#define EXCH_BUCKETS 2048	/* power of two */
#define EXCH_ORDER 16		/* request points kept in sighting order */
#define EXCH_FATES 4		/* distinct lost fates kept per series */

struct exch_fate {
	int16_t after, before;		/* last point seen / next one */
	int16_t reason;			/* the answer's drop, -1 none */
	uint8_t answer_mac[6];
	bool has_mac;
	uint16_t point;			/* the answer's first sighting */
	uint64_t ts, frame;		/* (or the request's) */
	uint64_t first_ts, last_ts;	/* of the first / last such */
	uint64_t count;			/* exchanges with this fate */
	uint64_t req_mask;		/* points that saw their requests */
};

struct exch {
	uint64_t req_mask, rep_mask;
	uint8_t order[EXCH_ORDER];	/* points, as the request came */
	uint8_t order_dir[EXCH_ORDER];	/* its direction there */
	uint8_t n_order;
	bool has_mac;
	uint8_t answer_mac[6];
	int16_t rep_point;		/* first answer sighting, -1 none */
	uint64_t rep_ts, rep_frame;
	int16_t drop_reason;		/* the answer's drop, -1 none */
	uint64_t drop_ts, drop_frame;
	uint64_t home_ts;		/* the answer at order[0], 0 not yet */
	uint64_t first_ts, first_frame;
	uint16_t first_point;
};

struct exch_series {
	uint8_t family;
	uint8_t target[16], asker_ip[16], asker_mac[6];
	int32_t hnext;			/* chain in its bucket, -1 end */
	bool open;			/* cur holds an exchange */
	struct exch cur;
	struct exch_fate fate[EXCH_FATES];
	uint8_t n_fate;
	uint64_t exchanges, delivered, fates_overflow;
};

struct exch_table {
	struct exch_series s[EXCH_SERIES_LIMIT];
	uint32_t n;
	int32_t bucket[EXCH_BUCKETS];
	uint64_t overflow;		/* frames of series beyond it */
};

/*
 * Layer-2 identity (macs.c): where each source MAC enters a bridge.  A
 * MAC received on two ports of one bridge within MAC_WINDOW_NS (cloned
 * guests that kept their MAC, a loop) is a conflict.
 */
#define MACS_LIMIT 4096
#define MAC_BUCKETS 8192	/* power of two */
#define MAC_WINDOW_NS 10000000000ull
#define MAC_CONFLICTS 32	/* conflicts a lost group is checked against */

struct mac_seen {
	uint8_t mac[6];
	uint16_t domain;		/* the bridge (point id naming it) */
	uint16_t port[2];
	uint64_t first_ts[2], last_ts[2], frame[2];
	uint8_t n_port;
	bool conflict;
	uint64_t flips;			/* port switches in the window */
	uint64_t conflict_ts;
	int32_t hnext;
};

struct mac_table {
	struct mac_seen m[MACS_LIMIT];
	uint32_t n;
	int32_t bucket[MAC_BUCKETS];
	int16_t domain[ENGINE_MAX_POINTS];	/* -2 not computed, -1 none */
	uint64_t overflow;		/* frames of MACs beyond the limit */
	uint32_t conflict[MAC_CONFLICTS];	/* entries in conflict ... */
	uint32_t n_conflict;		/* ... (more are still findings) */
};

#define TOP_SENDERS 256
struct sender_count {
	uint8_t mac[6];
	uint64_t count;
};

#define MAX_VIDS 8
struct point_stat {
	uint64_t frames;
	uint64_t first_ts, last_ts;
	uint64_t probes_req, probes_rep;
	/* broadcast / ARP storm */
	uint64_t bcast;
	uint64_t cur_sec, cur_sec_count;
	uint64_t max_rate, max_rate_sec;
	struct sender_count senders[TOP_SENDERS];
	uint32_t n_senders;
	/* VLAN tags */
	uint64_t untagged_ip;
	uint16_t vid[MAX_VIDS];
	uint64_t vid_count[MAX_VIDS];
	uint64_t vid_first_frame[MAX_VIDS];
	uint8_t n_vids;
	/* checksums */
	uint64_t csum_bad;
	uint64_t csum_bad_frame[4];
	uint8_t n_csum_examples;
	/* honesty */
	uint64_t snapped_probes;
	uint64_t undecodable;		/* frames of a link type not decoded */
};

/* ---- findings -------------------------------------------------------- */

enum finding_kind {
#define FINDING_KIND(id, name, cat, located, ...) FK_##id,
#include "kinds.def"
#undef FINDING_KIND
	FK_COUNT
};

const char *finding_kind_name(enum finding_kind k);

enum severity { SEV_INFO = 0, SEV_WARNING, SEV_ERROR };
const char *severity_name(enum severity s);

enum loc_dir { LOC_NONE = 0, LOC_REQUEST, LOC_REPLY };

#define FINDING_EVIDENCE 8
#define FINDING_DETAILS 12

struct evidence {
	int point;		/* -1 none */
	uint64_t ts_ns;
	uint64_t frame_no;
	uint64_t probe;		/* 0 none */
	char what[96];
};

struct detail {
	const char *key;	/* static string */
	bool is_num;
	uint64_t num;
	char str[64];
};

struct finding {
	enum finding_kind kind;
	enum severity sev;
	char summary[1024];
	char cause[512];	/* its sentence, rendered from cref; "" if none */
	struct cause_ref cref;	/* the cause as data (cause.h) */
	int after, before;	/* point ids, -1 none */
	enum loc_dir dir;
	uint64_t count;
	uint64_t probes_mask_dummy;
	struct evidence ev[FINDING_EVIDENCE];
	uint8_t n_ev;
	struct detail det[FINDING_DETAILS];
	uint8_t n_det;
	int group;		/* group index for drop findings, -1 */
	/* the kernel's drop device: its name, and the point it is or
	 * DROP_DEV_UNWATCHED; "" / DROP_DEV_NONE when the drop names none */
	char drop_dev[96];
	int drop_dev_point;
};

/* finding.group of the probes this session could not send */
#define FINDING_UNSENT (-3)

/* ---- the engine ------------------------------------------------------ */

#define REASONS_LIMIT 1024

struct clock_domains;

struct engine {
	const struct point_table *points;
	/* clock domains of the files (clock.h), NULL: one clock; not owned */
	const struct clock_domains *clock;
	struct engine_opts o;
	uint32_t path_user[ENGINE_MAX_POINTS];
	size_t path_user_len;
	probe_done_fn done_fn;
	void *done_ctx;
	const struct engine_listener *lis;	/* engine_set_listener */
	void *lis_ctx;
	uint64_t now;
	uint64_t packets;
	bool finished;

	/* live probes */
	struct probe **buckets;
	uint32_t n_buckets;		/* power of two */
	uint32_t n_live;
	/*
	 * Two FIFOs of open probes: waiting ones by creation (they time
	 * out in that order) and answered ones by answer time (closed after
	 * a short grace), so a lost probe never holds answered ones back.
	 */
	struct probe *oldest, *newest;
	struct probe *ans_oldest, *ans_newest;
	uint64_t next_probe_id;
	struct probe *free_probes;	/* closed ones for reuse (hnext chain) */
	uint32_t n_free;

	/* closed probes */
	struct probe **kept;
	uint32_t n_kept, cap_kept;
	uint64_t kept_skipped;
	struct flow *flows;
	uint32_t n_flows, cap_flows;
	int32_t *flow_index;		/* open addressing, -1 empty */
	uint32_t flow_index_size;	/* power of two, >= 2 * cap_flows */
	/* probes of flows beyond FLOWS_LIMIT, by outcome */
	uint64_t flows_overflow[PO_COUNT];
	struct group *groups;
	uint32_t n_groups, cap_groups;
	uint64_t groups_overflow;	/* lost probes in no group */
	struct size_stat sizes[MAX_SIZES];
	uint32_t n_sizes;
	struct nat_rewrite nats[MAX_NATS];
	uint32_t n_nats;
	uint64_t outcome[PO_COUNT];
	/* probes seen again at a point with a lower TTL (loops) */
	uint64_t loops;
	uint64_t loop_probe, loop_frame, loop_ts;
	uint16_t loop_point;
	uint8_t loop_ttl_first, loop_ttl_min, loop_dups;
	uint64_t forced;
	uint64_t late_errors;		/* ICMP errors quoting no known probe */
	uint64_t data_differs;		/* replies paired despite other data */
	uint64_t nats_overflow;		/* rewrites beyond MAX_NATS, not listed */
	uint64_t sizes_overflow;	/* probes of sizes beyond MAX_SIZES */

	/* NAT bindings learnt from answered probes (identity.c) */
	struct nat_bind *binds;
	uint32_t n_binds, cap_binds;
	int32_t *bind_bucket[2];
	uint32_t n_bind_buckets;
	uint64_t binds_dropped;
	uint64_t nat_swaps;		/* swaps past a NAT undone (identity.c) */
	/* PAIR_* bits: what a pair of points did to the tuples crossing it */
	uint8_t pair_nat[ENGINE_MAX_POINTS][ENGINE_MAX_POINTS];
	/* identity.c: reply delay learnt over each NAT pair of points (ns) */
	uint32_t pair_delay[ENGINE_MAX_POINTS][ENGINE_MAX_POINTS];

	/* errors not tied to a probe we know: still reported */
	uint64_t icmp_err_unmatched;

	char **reasons;
	uint32_t n_reasons, cap_reasons;
	uint64_t reasons_overflow;	/* drops whose reason found no slot */
	/* kernel drops of watched traffic that is no probe (ARP, other
	 * ICMP): counted by reason, summarised, not listed */
	uint64_t *other_drops;		/* cap_reasons entries */
	uint64_t other_drops_total;

	/* neighbour layer and per point state */
	struct neigh *neigh;
	int32_t neigh_index[2 * MAX_NEIGH];	/* open addressing, -1 empty */
	uint32_t n_neigh;
	uint64_t neigh_overflow;
	struct exch_table *exch;	/* exchange.c, allocated on first use */
	struct mac_table *macs;		/* macs.c, allocated on use */
	struct point_stat pstat[ENGINE_MAX_POINTS];
	uint64_t points_overflow;	/* frames of points beyond the max */

	uint32_t lat_flows;		/* flows with latency allocated */

	/* results */
	struct finding *findings;
	size_t n_findings, cap_findings;
	char verdict[1024];
	struct engine_frag *frag;	/* IP reassembly (engine.c) */
	/* frames fed out of time order beyond the merger's window */
	uint64_t late_frames;
	/* trace's probe socket as a point (POINT_KIND_SOCKET), or -1:
	 * engine_socket_point() */
	int socket_point;
	size_t points_seen;
	/* this session's own probes only (engine_opts.own_prefix) */
	uint64_t other_pings;		/* echo frames of other pings left out */
	uint64_t unsent;		/* own probes the kernel refused to send */
	int unsent_err;			/* errno of the first of them */
	/* the host's state when the capture was made (state.c), or NULL */
	struct host_state *hs;
	/* encapsulations probes were seen in (probe.c) */
	struct encap_seen encaps[ENCAP_MAX];
	uint8_t n_encaps;
};

/* engine.c: what the fragment reassembler met (dissect/ipfrag.h) */
struct ipfrag_stats;
const struct ipfrag_stats *engine_frag_stats(const struct engine *e);

/* identity.c */
void tuple_of_packet(struct tuple *t, const struct packet *p, uint8_t kind,
		     bool is_req);
/* The request-oriented tuple of a sighting; false for ICMP errors. */
static inline bool tuple_of_sighting(struct tuple *t, const struct sighting *s)
{
	bool reverse;

	if (s->kind == SK_ERR)
		return false;
	reverse = s->kind == SK_REP ||
		  (s->kind == SK_DROP && (s->flags & SF_DROP_REPLY));
	memcpy(t->src, reverse ? s->dst : s->src, 16);
	memcpy(t->dst, reverse ? s->src : s->dst, 16);
	t->id = s->echo_id;
	return true;
}
bool tuple_eq(const struct tuple *a, const struct tuple *b);

/* 16 address bytes equal, as two words (the hot paths compare many). */
static inline bool addr16_eq(const uint8_t *a, const uint8_t *b)
{
	uint64_t a0, a1, b0, b1;

	memcpy(&a0, a, 8);
	memcpy(&a1, a + 8, 8);
	memcpy(&b0, b, 8);
	memcpy(&b1, b + 8, 8);
	return !((a0 ^ b0) | (a1 ^ b1));
}

/* An address of family (4: 4 bytes, 6: 16) equal to another, inline. */
static inline bool ip_eq(int family, const uint8_t *a, const uint8_t *b)
{
	uint32_t x, y;

	if (family == 6)
		return addr16_eq(a, b);
	memcpy(&x, a, 4);
	memcpy(&y, b, 4);
	return x == y;
}

/*
 * A word-at-a-time hash of an address of family (only its 4 or 16 bytes
 * are read) mixed with seed: where an entry sits in an index, never which
 * entry it is.
 */
static inline uint64_t ip_hash64(int family, const uint8_t *ip, uint64_t seed)
{
	uint64_t w0, w1 = 0;
	uint32_t v4;

	if (family == 6) {
		memcpy(&w0, ip, 8);
		memcpy(&w1, ip + 8, 8);
	} else {
		memcpy(&v4, ip, 4);
		w0 = v4;
	}
	return (w0 * 0x9e3779b97f4a7c15ull) ^ (w1 * 0xc2b2ae3d27d4eb4full) ^
	       (seed * 0x165667b19e3779f9ull) ^ (uint64_t)family;
}

static inline uint32_t hash_fold(uint64_t h)
{
	h ^= h >> 32;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 29;
	return (uint32_t)h;
}

/*
 * tuple_of_sighting(&u, s) && tuple_eq(&u, t), without building u: the
 * identity and closing paths ask it of every sighting of every candidate.
 */
static inline bool sighting_has_tuple(const struct sighting *s,
				      const struct tuple *t)
{
	bool reverse;

	if (s->kind == SK_ERR || s->echo_id != t->id)
		return false;
	reverse = s->kind == SK_REP ||
		  (s->kind == SK_DROP && (s->flags & SF_DROP_REPLY));
	return addr16_eq(reverse ? s->dst : s->src, t->src) &&
	       addr16_eq(reverse ? s->src : s->dst, t->dst);
}
/* The open probe a sighting belongs to, or NULL for a new probe. */
struct probe *identity_find(struct engine *e, const struct identity_key *k,
			    bool *partial, bool *data_differs);
void identity_learn(struct engine *e, const struct probe *pr);
/* A reply came home at pr: undo a swap past a NAT its replies reveal. */
void identity_repair(struct engine *e, struct probe *pr);
bool identity_unsettled(struct engine *e, const struct probe *pr);
void identity_free(struct engine *e);
/* Two points that are one place (two hooks of one live interface). */
bool same_place_other(const struct engine *e, uint16_t a, uint16_t b);
static inline bool same_place(const struct engine *e, uint16_t a, uint16_t b)
{
	return a == b || same_place_other(e, a, b);	/* mostly a == b */
}

/* probe.c */
/*
 * Hash bucket of the open probes of one family and sequence: by those
 * only, so a reply whose data (even length) differs from its request's
 * still finds it.  Inline: every sighting and every twin walk asks it.
 */
static inline uint32_t probe_bucket(const struct engine *e, int family,
				    uint16_t seq)
{
	uint64_t h = (uint64_t)family * 0x9e3779b97f4a7c15ull;

	h ^= (uint64_t)seq << 32;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (uint32_t)h & (e->n_buckets - 1);
}
/* false: a dropped first fragment of no probe we know (an other drop) */
bool probe_feed(struct engine *e, const struct packet *p, uint16_t point);
void probe_feed_error(struct engine *e, const struct packet *p, uint16_t point);
void probe_expire(struct engine *e, bool all);
void probe_table_free(struct engine *e);
const char *engine_reason(const struct engine *e, int idx);
int engine_intern_reason(struct engine *e, const char *s, size_t n);
/* A kernel drop: reason name and the function that freed the packet. */
int engine_intern_drop(struct engine *e, const char *reason, const char *func);
/* A drop reason that, for a reply already home, does not mean lost. */
bool engine_reason_after_delivery(const struct engine *e, int reason);
/* ... with the device it was dropped on (name, netns; "" = unknown). */
int engine_intern_drop_at(struct engine *e, const char *reason,
			  const char *func, const char *dev, const char *netns);
/* The function of a reason interned by engine_intern_drop, or "". */
const char *engine_reason_function(const struct engine *e, int idx);
/* The device of a drop interned with one, and its netns, or "". */
const char *engine_reason_device(const struct engine *e, int idx);
const char *engine_reason_netns(const struct engine *e, int idx);
/* ... with its netfilter attribution (drop_event.h struct drop_nft). */
struct drop_nft;
int engine_intern_drop_nft(struct engine *e, const char *reason,
			   const char *func, const char *dev,
			   const char *netns, const struct drop_nft *nft);
/* The attribution of a drop interned with one: true and out filled. */
bool engine_reason_nft(const struct engine *e, int idx, struct drop_nft *out);

/* neigh.c */
void neigh_feed(struct engine *e, const struct packet *p, uint16_t point);
void neigh_findings(struct engine *e);
/* Requests for the address since its last answer (at the busiest point). */
uint32_t neigh_streak(const struct neigh *ne);
/* Asked for again and again since its last answer (or never answered). */
bool neigh_unresolved(const struct neigh *ne);
/* The interned reason of a kernel drop frame, or -1 when the table is full. */
int probe_drop_reason(struct engine *e, const struct frame *f);
/* The last request sighting of a kept probe of the group, or NULL. */
const struct sighting *group_last_request(const struct engine *e,
					  const struct group *g);
/* The entry for ip, or NULL if nobody asked for or claimed it. */
const struct neigh *neigh_find(const struct engine *e, int family,
			       const uint8_t *ip);

/* exchange.c: ARP/ND exchanges followed across the points */
void exch_request(struct engine *e, const struct packet *p, uint16_t point,
		  int family, const uint8_t *asker_ip, const uint8_t *asker_mac,
		  const uint8_t *target);
/*
 * An answer; asker_mac may be NULL (not known: an ND drop record).  True
 * when it joined an exchange.
 */
bool exch_answer(struct engine *e, const struct packet *p, uint16_t point,
		 int family, const uint8_t *asker_ip, const uint8_t *asker_mac,
		 const uint8_t *target, const uint8_t *answer_mac, bool drop);
/*
 * The most frequent lost fate of the exchanges asked by asker_ip (any
 * asker when NULL) whose requests a point of near saw (any when 0), the
 * current ones included: its series, or NULL.
 */
const struct exch_series *exch_lost(const struct engine *e, int family,
				    const uint8_t *asker_ip, uint64_t near,
				    struct exch_fate *out);
/* Renders a lost fate's cause (CAUSE_NEIGHBOUR_ANSWER_LOST parameters). */
void exch_fate_params(const struct engine *e, const struct exch_series *s,
		      const struct exch_fate *f, struct cause_facts *cf);
void exch_findings(struct engine *e);
void exch_free(struct engine *e);

/*
 * neigh.c: a kernel drop record of ARP/ND; true when it joined the
 * exchange of the answer it drops.
 */
bool neigh_feed_drop(struct engine *e, const struct packet *p);
void neigh_free(struct engine *e);

/* macs.c: layer-2 identity */
void macs_feed(struct engine *e, const struct packet *p, uint16_t point);
/* A conflict of mac (in any bridge), or NULL. */
const struct mac_seen *mac_conflict_of(const struct engine *e,
				       const uint8_t mac[6]);
void macs_findings(struct engine *e);
void macs_free(struct engine *e);

/* path.c */
void path_build(struct engine *e);
void path_locate(struct engine *e);
/* Index of point in the flow's request path, -1 if absent. */
int path_index(const uint8_t *path, uint8_t len, int point);

void nat_resolve(struct engine *e);

/* latency.c: round trip and per-hop distributions, for diff */
struct strbuf;
void latency_learn(struct engine *e, uint32_t flow, const struct probe *pr);
void latency_free(struct engine *e);
void latency_json(struct strbuf *sb, const struct engine *e, uint32_t flow);

/* evidence.c: the facts the cause table tests, and the queries behind them */
void group_facts(const struct engine *e, const struct group *g,
		 struct cause_facts *cf);
bool icmp_is_admin(int fam, uint16_t err);
bool icmp_is_noroute(int fam, uint16_t err);
bool icmp_is_toobig(int fam, uint16_t err);
bool icmp_is_ttl(int fam, uint16_t err);
void icmp_err_name(char *buf, size_t n, int fam, uint16_t err);
uint32_t largest_answered(const struct engine *e, bool *found);
const struct nat_rewrite *nat_of_flow(const struct engine *e, uint32_t flow);
/* A neighbour nobody answers, asked for at one of the points in mask. */
const struct neigh *unresolved_near(const struct engine *e, uint64_t mask);
#define DROP_DEV_NONE (-1)
#define DROP_DEV_UNWATCHED (-2)
int drop_device_point(const struct engine *e, const struct group *g);
void drop_device_label(const struct engine *e, const struct group *g,
		       char *buf, size_t n);

/* state.c: host state (capture/hoststate.h) as evidence of a loss */
void state_facts(const struct engine *e, const struct group *g,
		 struct cause_facts *cf);
/* The state items behind the facts, as the finding's evidence. */
struct finding;
void state_evidence(const struct engine *e, const struct group *g,
		    struct finding *f);
/*
 * A broadcast (ARP/ND request) seen at the points of seen and not at a
 * port of the same bridge watched from..to: the bridge did not flood it
 * there.
 * Fills *bc and returns true when the state shows such a cut; the cause
 * says why when the port's flags do (isolated, broadcast flooding off).
 */
struct bridge_cut {
	int in_point, out_point;	/* a port (or the bridge) that saw it,
					 * the port that did not */
	char bridge[24], in_dev[24], out_dev[24];
	enum cause_id cause;
};
/* A point that saw the ARP requests (seen) answers none: arp_ignore 8. */
struct arp_ignored {
	int point;
	char netns[128];
	char dev[24];
	char sysctl[96];
};
bool state_arp_ignored(const struct engine *e, uint64_t seen,
		       struct arp_ignored *out);
bool state_bridge_cut(const struct engine *e, uint64_t seen, uint64_t from,
		      uint64_t to, struct bridge_cut *bc);
/* The tunnel a lost group was last seen in, as finding details. */
void encap_evidence(const struct engine *e, const struct group *g,
		    struct finding *f);

/* report_json.c: a probe outcome as the report names it ("lost_reply") */
const char *probe_outcome_name(uint8_t outcome);

/* findings.c */
/* Sets the finding's cause and renders its sentence into f->cause. */
void finding_cause(struct finding *f, const struct cause_ref *c);
void finding_assign_cause(struct finding *f, enum cause_id id, ...);
struct finding *finding_add(struct engine *e, enum finding_kind kind,
			    enum severity sev);
void finding_evidence(struct finding *f, int point, uint64_t ts,
		      uint64_t frame_no, uint64_t probe, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void finding_num(struct finding *f, const char *key, uint64_t v);
void finding_str(struct finding *f, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void findings_build(struct engine *e);
int engine_socket_point(struct engine *e);

/* helpers shared by the reports */
const char *point_label(const struct engine *e, int id);
void fmt_ip(char *buf, size_t n, int family, const uint8_t *a);
void fmt_mac(char *buf, size_t n, const uint8_t *m);
bool ip_is_private(int family, const uint8_t *a);

#endif /* DROPSPOT_ANALYZE_INTERNAL_H */
