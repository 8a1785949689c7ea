/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of kernel drop reasons, read at run time from the running kernel's
 * BTF (`enum skb_drop_reason`), never from a copied table: the enum changes
 * with every kernel release.
 *
 * Newer kernels (>= 6.4) encode reasons of other subsystems (openvswitch,
 * mac80211) as (subsys << SKB_DROP_REASON_SUBSYS_SHIFT) | code.  The mask
 * is itself an enumerator (SKB_DROP_REASON_SUBSYS_MASK) so the shift is
 * derived from it; subsystem names come from `enum skb_drop_reason_subsys`
 * and the subsystem's own reasons from its `enum *_drop_reason` in vmlinux
 * or module BTF (/sys/kernel/btf/<module>).
 *
 * Names follow the kernel's own trace output: "SKB_DROP_REASON_" or "SKB_"
 * stripped ("NETFILTER_DROP", "CONSUMED"); subsystem reasons keep their
 * full enumerator name ("OVS_DROP_LAST_ACTION").  Values nothing names are
 * formatted as "<SUBSYS>:<code>" or "REASON_<n>".
 */
#ifndef DROPSPOT_DROP_REASON_H
#define DROPSPOT_DROP_REASON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct btf;
struct drop_reasons;

#define DROP_REASON_NAME_MAX 64

/*
 * From the running kernel: /sys/kernel/btf/vmlinux plus module BTF.  Never
 * fails for lack of BTF: the table is then empty and drop_reasons_note()
 * says so (names become "REASON_<n>").  Returns 0 or -ENOMEM.
 */
int drop_reasons_load(struct drop_reasons **out);
/* From given BTF objects (tests): base may be NULL; mods are extra BTF
 * objects searched for subsystem enums. */
int drop_reasons_from_btf(const struct btf *base, const struct btf *const *mods,
			  size_t n_mods, struct drop_reasons **out);
void drop_reasons_free(struct drop_reasons *r);

/* "" when everything was found, else a one-line explanation. */
const char *drop_reasons_note(const struct drop_reasons *r);
/* Number of named values (core + subsystems). */
size_t drop_reasons_count(const struct drop_reasons *r);
/* Whether the kernel encodes subsystems, and how. */
uint32_t drop_reasons_subsys_mask(const struct drop_reasons *r);

/*
 * Name of value: a pointer into the table when known, else the fallback
 * formatted into buf (which is then returned).  Never NULL.
 */
const char *drop_reason_name(const struct drop_reasons *r, uint32_t value,
			     char *buf, size_t len);
/* True when value has a name in the table. */
bool drop_reason_known(const struct drop_reasons *r, uint32_t value);
/*
 * Value of a name, given as printed ("NETFILTER_DROP") or as the full
 * enumerator ("SKB_DROP_REASON_NETFILTER_DROP").  0 or -ENOENT.
 */
int drop_reason_value(const struct drop_reasons *r, const char *name,
		      uint32_t *value);
/* False for the values that mean "not a drop" (NOT_DROPPED_YET, CONSUMED). */
bool drop_reason_is_drop(const struct drop_reasons *r, uint32_t value);

#endif /* DROPSPOT_DROP_REASON_H */
