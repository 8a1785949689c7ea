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

#include <stddef.h>
#include <stdint.h>

#include "common/drop_event.h"

#define NFT_RULES_OUT_MAX (256u * 1024)
#define NFT_RULES_RUNS_MAX 32

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
 * 'b' (bridge), 'a' (arp) or 'n' (netdev ingress).  Returns the hook name
 * or NULL when fn is not a known NF_HOOK caller.
 */
const char *nft_hook_of_caller(const char *fn, int *l3);

/*
 * Without the kernel's word on the chain: which rule or policy of the
 * ruleset of netns ino (`nft -s -a list ruleset`, cached) can drop at hook
 * for l3.  Fills out (basis DROP_NFT_BASIS_RULESET): the only drop/reject
 * rule of the base chains at that hook and the chains they jump to, else
 * the only policy drop, else by = UNKNOWN with the candidates in rule.
 * Returns 0 when out was filled, -1 when the ruleset could not be read.
 */
int nft_rules_attribute(struct nft_rules *r, uint32_t ino, int l3,
			const char *hook, struct drop_nft *out);

/* The same on a listing text[0..len) (untrusted), for tests. */
int nft_ruleset_attribute(const char *text, size_t len, int l3,
			  const char *hook, struct drop_nft *out);

#endif /* DROPSPOT_NFT_RULES_H */
