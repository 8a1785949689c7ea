/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host state: what the host's configuration says about a probe's way, read
 * at trace time (read-only) and saved with the capture, so `analyze` of the
 * saved file explains a loss the same way on another machine.
 *
 * The snapshot is a bounded list of items (netns, key, value), all text:
 *
 *   netns  ""  the tracer's own netns ("host"), else the name points carry
 *   key        net.ipv4.ip_forward            a sysctl, by its dotted name
 *              link/DEV/oper|admin|carrier|mtu|master|brport_state
 *              route/DST                      the output route to DST
 *              route/DST/iif/DEV              ... of a packet from DEV
 *              neigh/ADDR/DEV                 a next hop's neighbour state
 *              nft/FAMILY/TABLE/CHAIN         a base chain's hook and policy
 *              note                           what could not be read
 *   value      "0", "down", "type=unicast dev=up0 via=10.0.0.1",
 *              "hook=input policy=drop rules=0" ...
 *
 * Saved form (docs/host-state.md): a pcapng Custom Block whose data is the
 * line "dropspot-state v1" then one "netns<TAB>key<TAB>value" line per
 * item.  Read back it is untrusted input: every size is capped, control
 * bytes are replaced, unknown keys are kept and ignored by the engine.
 */
#ifndef DROPSPOT_HOSTSTATE_H
#define DROPSPOT_HOSTSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HS_NETNS_MAX 64
#define HS_KEY_MAX 96
#define HS_VALUE_MAX 128
#define HS_MAX_ITEMS 1024
/* The saved form never exceeds this (items are capped before it). */
#define HS_MAX_BYTES (HS_MAX_ITEMS * (HS_NETNS_MAX + HS_KEY_MAX + HS_VALUE_MAX))
#define HS_MAGIC "dropspot-state v1\n"

/* pcapng Custom Block (copiable) and the enterprise number it carries. */
#define HS_PCAPNG_BLOCK 0x00000BADu
#define HS_PCAPNG_PEN 32473u

struct hs_item {
	char netns[HS_NETNS_MAX];
	char key[HS_KEY_MAX];
	char value[HS_VALUE_MAX];
};

struct host_state {
	struct hs_item *items;
	uint32_t n, cap;
	uint32_t dropped;	/* items beyond HS_MAX_ITEMS, or unparsable */
};

void hs_init(struct host_state *hs);
void hs_free(struct host_state *hs);
/* Adds (or replaces) an item; control bytes become '?'.  -ENOSPC, -ENOMEM. */
int hs_set(struct host_state *hs, const char *netns, const char *key,
	   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The value of netns/key, or NULL. */
const char *hs_get(const struct host_state *hs, const char *netns,
		   const char *key);
/* Copies every item of src into dst (same netns/key: src wins). */
int hs_merge(struct host_state *dst, const struct host_state *src);

/*
 * The saved form into a malloc'ed buffer (*out, *len, not terminated).
 * Returns 0 or -ENOMEM.
 */
int hs_serialize(const struct host_state *hs, char **out, size_t *len);
/*
 * Parses a saved form (untrusted) into hs, added to what it holds.
 * Returns 0, or -EINVAL when the data is not a v1 snapshot at all.
 */
int hs_parse(struct host_state *hs, const uint8_t *data, size_t len);

/* What a collection reads (capture/hoststate_collect.h asks the host). */
/* A device to read, in the netns named as points name it ("" = ours). */
struct hs_dev {
	const char *netns;
	const char *ifname;
};

/* A probe's addresses, to ask the route the kernel would use. */
struct hs_flow {
	int family;		/* 4 or 6 */
	uint8_t src[16], dst[16];
};

#endif /* DROPSPOT_HOSTSTATE_H */
