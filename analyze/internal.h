/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Engine internals shared by the files of analyze/ (probe table, neighbour
 * layer, paths, findings, reports).  Nothing outside analyze/ includes this.
 */
#ifndef DROPSPOT_ANALYZE_INTERNAL_H
#define DROPSPOT_ANALYZE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

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
	bool csum_bad;			/* bad checksum at the last point */
	bool incomplete_fp;
	bool forced;
	bool loop;			/* came back with a lower TTL */
	bool delivery;			/* reply home, then dropped by the kernel */
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
	FK_DROP = 0,
	FK_NAT_REWRITE,
	FK_NAT_REPLY_NOT_REVERSED,
	FK_ARP_UNANSWERED,
	FK_ND_UNANSWERED,
	FK_IP_CONFLICT,
	FK_GRATUITOUS_ARP,
	FK_STORM,
	FK_VLAN_MISMATCH,
	FK_MTU_BLACKHOLE,
	FK_TTL_EXCEEDED,
	FK_ICMP_ERROR,
	FK_CHECKSUM_BAD,
	FK_NO_PROBES,
	FK_EVIDENCE_INCOMPLETE,
	FK_KERNEL_DROPS,
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
	char summary[512];
	char cause[256];	/* most likely cause, "" if none */
	int after, before;	/* point ids, -1 none */
	enum loc_dir dir;
	uint64_t count;
	uint64_t probes_mask_dummy;
	struct evidence ev[FINDING_EVIDENCE];
	uint8_t n_ev;
	struct detail det[FINDING_DETAILS];
	uint8_t n_det;
	int group;		/* group index for drop findings, -1 */
};

/* finding.group of the probes this session could not send */
#define FINDING_UNSENT (-3)

/* ---- the engine ------------------------------------------------------ */

#define REASONS_LIMIT 1024

struct engine {
	const struct point_table *points;
	struct engine_opts o;
	uint32_t path_user[ENGINE_MAX_POINTS];
	size_t path_user_len;
	probe_done_fn done_fn;
	void *done_ctx;
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
	struct point_stat pstat[ENGINE_MAX_POINTS];
	uint64_t points_overflow;	/* frames of points beyond the max */

	uint32_t lat_flows;		/* flows with latency allocated */

	/* results */
	struct finding *findings;
	size_t n_findings, cap_findings;
	char verdict[768];
	struct engine_frag *frag;	/* IP reassembly (engine.c) */
	/* frames fed out of time order beyond the merger's window */
	uint64_t late_frames;
	/* this session's own probes only (engine_opts.own_prefix) */
	uint64_t other_pings;		/* echo frames of other pings left out */
	uint64_t unsent;		/* own probes the kernel refused to send */
	int unsent_err;			/* errno of the first of them */
};

/* engine.c: what the fragment reassembler met (dissect/ipfrag.h) */
struct ipfrag_stats;
const struct ipfrag_stats *engine_frag_stats(const struct engine *e);

/* identity.c */
void tuple_of_packet(struct tuple *t, const struct packet *p, uint8_t kind,
		     bool is_req);
bool tuple_of_sighting(struct tuple *t, const struct sighting *s);
bool tuple_eq(const struct tuple *a, const struct tuple *b);
/* The open probe a sighting belongs to, or NULL for a new probe. */
struct probe *identity_find(struct engine *e, const struct identity_key *k,
			    bool *partial, bool *data_differs);
void identity_learn(struct engine *e, const struct probe *pr);
/* A reply came home at pr: undo a swap past a NAT its replies reveal. */
void identity_repair(struct engine *e, struct probe *pr);
void identity_free(struct engine *e);
/* Two points that are one place (two hooks of one live interface). */
bool same_place(const struct engine *e, uint16_t a, uint16_t b);

/* probe.c */
/* Hash bucket of the open probes of one family and sequence. */
uint32_t probe_bucket(const struct engine *e, int family, uint16_t seq);
void probe_feed(struct engine *e, const struct packet *p, uint16_t point);
void probe_feed_error(struct engine *e, const struct packet *p, uint16_t point);
void probe_expire(struct engine *e, bool all);
void probe_table_free(struct engine *e);
const char *engine_reason(const struct engine *e, int idx);
int engine_intern_reason(struct engine *e, const char *s, size_t n);
/* A kernel drop: reason name and the function that freed the packet. */
int engine_intern_drop(struct engine *e, const char *reason, const char *func);
/* A drop reason that, for a reply already home, does not mean lost. */
bool engine_reason_after_delivery(const struct engine *e, int reason);
/* The function of a reason interned by engine_intern_drop, or "". */
const char *engine_reason_function(const struct engine *e, int idx);

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

/* findings.c */
struct finding *finding_add(struct engine *e, enum finding_kind kind,
			    enum severity sev);
void finding_evidence(struct finding *f, int point, uint64_t ts,
		      uint64_t frame_no, uint64_t probe, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void finding_num(struct finding *f, const char *key, uint64_t v);
void finding_str(struct finding *f, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void findings_build(struct engine *e);

/* helpers shared by the reports */
const char *point_label(const struct engine *e, int id);
void fmt_ip(char *buf, size_t n, int family, const uint8_t *a);
void fmt_mac(char *buf, size_t n, const uint8_t *m);
bool ip_is_private(int family, const uint8_t *a);

#endif /* DROPSPOT_ANALYZE_INTERNAL_H */
