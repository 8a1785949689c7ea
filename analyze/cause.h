/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Causes as data: the table in causes.def, the facts its rows test, and
 * the record a finding keeps (code, parameters, supporting causes).  The
 * sentence is rendered from the row's template, so the same cause always
 * reads the same and a report can be compared by code.
 */
#ifndef DROPSPOT_ANALYZE_CAUSE_H
#define DROPSPOT_ANALYZE_CAUSE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Facts about a lost probe group, computed once (evidence.c). */
enum cause_fact {
	CF_REPLY_DIR = 1ull << 0,	/* lost on the reply path */
	CF_NEXT_KNOWN = 1ull << 1,	/* the next point is known */
	CF_NEXT_CANDIDATES = 1ull << 2,	/* only candidates for it */
	CF_LOOP = 1ull << 3,		/* came back with a lower TTL */
	CF_ICMP_ADMIN = 1ull << 4,	/* ICMP: administratively prohibited */
	CF_ICMP_NOROUTE = 1ull << 5,	/* ICMP: net/host unreachable */
	CF_ICMP_TOOBIG = 1ull << 6,	/* ICMP: fragmentation needed */
	CF_ICMP_TTL = 1ull << 7,	/* ICMP: time exceeded */
	CF_ICMP_OTHER = 1ull << 8,	/* any other ICMP error */
	CF_CSUM_BAD = 1ull << 9,	/* bad checksum at the last point */
	CF_VLAN_TAGGED = 1ull << 10,	/* tagged at the last point */
	CF_SIZE_DEPENDENT = 1ull << 11,	/* smaller probes pass */
	CF_REPLY_AT_NAT = 1ull << 12,	/* reply outside the NAT, not inside */
	CF_NEIGH_UNRESOLVED = 1ull << 13,	/* nobody answers ARP/ND there */
	CF_NEXT_NO_FRAMES = 1ull << 14,	/* the next point saw nothing */
	CF_NEXT_WENT_SILENT = 1ull << 15,	/* ... nothing since earlier probes */
	CF_PRIVATE_UNNATED = 1ull << 16,	/* routed out with a private source */
	CF_INTO_BRIDGE = 1ull << 17,	/* tap/veth -> bridge (port) */
	CF_FLOW_ANSWERED = 1ull << 18,	/* other probes of the flow pass */
	CF_KERNEL_REASON = 1ull << 19,	/* the kernel named a drop reason */
	CF_FORCED = 1ull << 20,		/* closed early: too many open */
	CF_NEXT_UNWATCHED = 1ull << 21,	/* next point not capturing then */
	CF_NEXT_UNDECODABLE = 1ull << 22,	/* ... or its frames unreadable */
	CF_NEXT_CAPTURE_LOST = 1ull << 23,	/* its capture lost frames */
	CF_LAST_CAPTURE_LOST = 1ull << 24,	/* the last point's did */
	CF_NEIGH_ANSWER_LOST = 1ull << 25,	/* its neighbour's answer died */
	CF_MAC_CONFLICT = 1ull << 26,	/* its sender's MAC enters 2 ports */
	CF_FRAGMENTED = 1ull << 27,	/* sent without DF: fragmented, not
					 * dropped, where an MTU is smaller */
	CF_NEIGH_REQ_DROPPED = 1ull << 29,	/* the kernel dropped its
					 * neighbour requests */
	CF_NEIGH_BRIDGE_CUT = 1ull << 28,	/* its neighbour requests stop at
						 * a bridge (state_bridge_cut) */
};

/*
 * Facts the host's state establishes (analyze/state.c), from bit 40 up so
 * wire facts can grow below them.  Macros: an enumerator wider than int is
 * not ISO C.
 */
#define CF_HS_LINK_DOWN (1ull << 40)	/* a device on the way is down */
#define CF_HS_STP_BLOCKING (1ull << 41)	/* a bridge port not forwarding */
#define CF_HS_ROUTE_BAD (1ull << 42)	/* unreachable/prohibit/blackhole */
#define CF_HS_FORWARD_OFF (1ull << 43)	/* ip_forward = 0 where it must route */
#define CF_HS_MTU_SMALL (1ull << 44)	/* next hop MTU below the probe */
#define CF_HS_RPF_STRICT (1ull << 45)	/* reverse-path filter drops it */
#define CF_HS_POLICY_DROP (1ull << 46)	/* base chain policy drop, no rule */
#define CF_HS_NEIGH_FAILED (1ull << 47)	/* next hop's neighbour FAILED */
#define CF_HS_ECHO_IGNORED (1ull << 52)	/* the target's host ignores pings */
#define CF_HS_ROUTE_PROHIBIT (1ull << 53)	/* ... and that route is "prohibit" */
#define CF_HS_ARP_IGNORE (1ull << 55)	/* a device the ARP requests reach
					 * answers none (arp_ignore 8) */
#define CF_HS_REPLY_MTU (1ull << 54)	/* the last point's MTU is below a
					 * probe sent without DF */

/* Facts about tunnels (evidence.c, encap_facts), from bit 48 up. */
#define CF_TUNNEL_ENCAP (1ull << 48)	/* last seen inside a tunnel */
#define CF_TUNNEL_IN_HOST (1ull << 49)	/* ... lost in the receiving host,
					 * before the tunnel device */
#define CF_TUNNEL_WRONG_VTEP (1ull << 50)	/* outer destination is not the
					 * VTEP the target is behind */
#define CF_TUNNEL_ID_MISMATCH (1ull << 51)	/* the receiving VTEP sends
					 * with another VNI/key */

/* Netfilter attribution of the kernel drop (evidence.c, nft_facts), 56 up. */
#define CF_NFT_RULE (1ull << 56)	/* an nf_tables rule dropped it */
#define CF_NFT_POLICY (1ull << 57)	/* a base chain's policy did */
#define CF_NFT_UNKNOWN (1ull << 58)	/* at a hook, rule or policy untold */
#define CF_IPT (1ull << 59)		/* ... in a table iptables-nft manages */
#define CF_XT_RULE (1ull << 60)		/* an x_tables (legacy) rule did */
#define CF_XT_POLICY (1ull << 61)	/* an x_tables chain's policy did */

enum cause_scope { CAUSE_SCOPE_GROUP, CAUSE_SCOPE_FINDING };
enum cause_strength {
	CAUSE_INCOMPLETE, CAUSE_FIRM, CAUSE_GUESS
};

enum cause_id {
	CAUSE_NONE = 0,
#define CAUSE(id, scope, strength, req, excl, tmpl) CAUSE_##id,
#include "causes.def"
#undef CAUSE
	CAUSE_COUNT
};

#define CAUSE_PARAMS 12
#define CAUSE_SUPPORT 6
#define CAUSE_VALUE 96

struct cause_param {
	const char *key;		/* static string */
	char val[CAUSE_VALUE];
};

/* Facts and the values templates may name (evidence.c fills it). */
struct cause_facts {
	uint64_t bits;			/* enum cause_fact */
	struct cause_param param[CAUSE_PARAMS + 24];
	uint8_t n_param;
};

/* The cause a finding names: code, its parameters, what also applied. */
struct cause_ref {
	enum cause_id id;
	struct cause_param param[CAUSE_PARAMS];
	uint8_t n_param;
	enum cause_id support[CAUSE_SUPPORT];
	uint8_t n_support;
};

/*
 * What a kernel drop of reason (skb_drop_reason without its prefix) in
 * function means, from kernel_meanings.def; NULL when the table has no
 * word for it.
 */
const char *kernel_meaning(const char *reason, const char *function);
const char *cause_code(enum cause_id id);
enum cause_id cause_by_code(const char *code);
enum cause_strength cause_strength_of(enum cause_id id);
const char *cause_strength_name(enum cause_strength s);
enum cause_scope cause_scope_of(enum cause_id id);

void facts_set(struct cause_facts *f, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *facts_get(const struct cause_facts *f, const char *key);

/*
 * The strongest cause the facts support, with the kernel-reason rule
 * applied, its parameters taken from the facts and the other causes that
 * also applied kept as support.  CAUSE_NONE when nothing applies.
 */
void cause_pick(const struct cause_facts *facts, struct cause_ref *out);

/* A FINDING cause with its parameters: key, value, ..., NULL. */
void cause_assign(struct cause_ref *out, enum cause_id id, ...);
void cause_assignv(struct cause_ref *out, enum cause_id id, va_list ap);

/* The sentence of a cause, rendered from its template and parameters. */
void cause_render(const struct cause_ref *c, char *buf, size_t n);

#endif
