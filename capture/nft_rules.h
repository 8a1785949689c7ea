/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The text of an nf_tables rule by its handle, as `nft -a list chain`
 * prints it, for a netfilter drop attribution (drop_event.h struct
 * drop_nft).  Read only: runs `nft -s -a list chain FAMILY TABLE CHAIN` (-s:
 * stateless, no counter values, so the text is stable) in the
 * rule's netns (own, or one of /var/run/netns), reads at most
 * NFT_RULES_OUT_MAX bytes, and parses the output as untrusted text.
 * Listings are cached per chain; the number of nft runs is bounded.
 */
#ifndef DROPSPOT_NFT_RULES_H
#define DROPSPOT_NFT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/drop_event.h"

#define NFT_RULES_OUT_MAX (256u * 1024)
#define NFT_RULES_RUNS_MAX 64

struct nft_rules;

struct nft_rules *nft_rules_new(void);
void nft_rules_free(struct nft_rules *r);

/*
 * The text of rule handle of chain in netns ino into out ("" when not
 * found).  Returns 0 when found, -1 otherwise.
 */
int nft_rules_lookup(struct nft_rules *r, uint32_t ino, const char *family,
		     const char *table, const char *chain, uint64_t handle,
		     char *out, size_t len);

/*
 * Finds "... # handle N" with N == handle in the listing text[0..len) (no
 * NUL needed) and copies the rule, without indentation and the handle
 * comment, into out, unprintable bytes as '_'.  Table and chain lines
 * ("... { # handle N") never match.  Returns 0 or -1.
 */
int nft_rules_parse(const char *text, size_t len, uint64_t handle, char *out,
		    size_t outlen);

/*
 * The netfilter hook a drop freed in nf_hook_slow happened at, from the
 * function that called it ("ip_local_deliver" -> input): *l3 becomes 4, 6,
 * 'b' (bridge), 'a' (arp), 'n' (netdev ingress) or 0 (br_netfilter: the
 * IPv4 or IPv6 hook by the packet's protocol).  Returns the hook name or
 * NULL when fn is not a known NF_HOOK caller.
 */
const char *nft_hook_of_caller(const char *fn, int *l3);

/*
 * The nf_tables family whose hook function fn is ("nft_do_chain_ipv4" ->
 * "ip", "nft_do_chain_inet" -> "inet"...), NULL for any other function.
 * In the stack of a free inside nft_do_chain it names the table's family.
 */
const char *nft_family_of_caller(const char *fn);

/*
 * Without the kernel's word on the chain: which rule or policy of the
 * ruleset of netns ino (`nft -s -a list ruleset`, cached) can drop at hook
 * for l3.  Fills out (basis DROP_NFT_BASIS_RULESET): the only drop/reject
 * rule of the base chains at that hook and the chains they jump to, else
 * the only policy drop, else by = UNKNOWN with the candidates in rule.
 * family ("" or NULL: any) keeps only nf_tables chains of that family
 * (the stack named it); legacy adds the x_tables tables of the netns
 * (`iptables-legacy-save`, `ip6tables-legacy-save`): when one of them is
 * the answer, out->xt is DROP_XT_LEGACY.  Returns 0 when out was filled,
 * -1 when no ruleset could be read.
 */
int nft_rules_attribute(struct nft_rules *r, uint32_t ino, int l3,
			const char *hook, const char *family, bool legacy,
			struct drop_nft *out);

/*
 * The counters of netns ino's rules now (`nft -a list ruleset`, read only):
 * the reference an undecided attribution (several candidate rules, or rules
 * and a policy) is later decided against, the rule whose counter grew
 * (basis DROP_NFT_BASIS_COUNTERS; rules without a counter cannot be told).
 * Take it before the drops to explain.  Returns 0 or -1.
 */
int nft_rules_prime(struct nft_rules *r, uint32_t ino);

/*
 * The iptables view of an nf_tables attribution n (rule or policy of an
 * ip/ip6 filter, nat, mangle, raw or security table): the rule's position
 * in its chain (`nft -s -a list ruleset`) and the line of that position in
 * `iptables-nft-save -t TABLE` (ip6tables-nft-save for ip6), run in netns
 * ino.  Sets n->xt = DROP_XT_NFT, xt_num and xt_rule ("" when the two
 * listings do not count the chain alike, or without iptables-nft-save).
 * Returns 0 or -1 (not an iptables table: n unchanged).
 */
int nft_rules_iptables(struct nft_rules *r, uint32_t ino, struct drop_nft *n);

/* ---- the parsers on untrusted text, for tests and fuzzing ---------- */

/*
 * The counters' decision over two listings with values (before and now):
 * 0 and out filled, or -1 when they do not tell.
 */
int nft_counters_decide(const char *before, size_t blen, const char *now,
			size_t nlen, int l3, const char *hook,
			const char *family, struct drop_nft *out);

/* nft_rules_attribute on a listing text[0..len), nf_tables only. */
int nft_ruleset_attribute(const char *text, size_t len, int l3,
			  const char *hook, struct drop_nft *out);

/* ... on an nft listing and iptables-legacy-save / ip6tables-legacy-save
 * outputs (each may be NULL). */
int nft_ruleset_decide(const char *text, size_t len, const char *legacy4,
		       size_t len4, const char *legacy6, size_t len6, int l3,
		       const char *hook, const char *family, bool legacy,
		       struct drop_nft *out);

/* The 1-based position of rule handle in chain (0: not there) and the
 * number of rules of the chain.  Returns 0, -1 when the chain is absent. */
int nft_ruleset_position(const char *text, size_t len, const char *family,
			 const char *table, const char *chain, uint64_t handle,
			 uint32_t *pos, uint32_t *count);

/* In iptables-save output: the num-th "-A chain" line of *table into out
 * ("" if none), and how many chain has.  Returns 0, -1 when the table has
 * no such chain. */
int nft_xt_save_rule(const char *text, size_t len, const char *table,
		     const char *chain, uint32_t num, char *out, size_t outlen,
		     uint32_t *count);

#endif /* DROPSPOT_NFT_RULES_H */
