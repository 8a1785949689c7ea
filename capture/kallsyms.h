/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel text symbols from /proc/kallsyms, to name the address that freed a
 * dropped skb ("nf_hook_slow+0x9a").  Loaded once into one table sorted by
 * address; a lookup is a binary search for the last symbol at or below the
 * address.
 *
 * Addresses read as 0 without CAP_SYSLOG (kptr_restrict): ksyms_load then
 * fails with -EPERM and callers print raw addresses.
 */
#ifndef DROPSPOT_KALLSYMS_H
#define DROPSPOT_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

struct ksyms;

struct ksym {
	uint64_t addr;
	const char *name;
	const char *module;	/* NULL for the kernel image */
};

/* path NULL = /proc/kallsyms.  0, -EPERM (addresses hidden), -errno. */
int ksyms_load(const char *path, struct ksyms **out);
void ksyms_free(struct ksyms *k);
size_t ksyms_count(const struct ksyms *k);

/*
 * The symbol containing addr (last text symbol at or below it), with the
 * offset into it, or NULL when addr is below the first or far past the last
 * symbol.
 */
const struct ksym *ksyms_find(const struct ksyms *k, uint64_t addr,
			      uint64_t *off);
/* Address of a symbol by name (linear: for tests and setup). 0 / -ENOENT. */
int ksyms_addr(const struct ksyms *k, const char *name, uint64_t *addr);
/*
 * "func+0x1a", "func+0x1a [module]", or "0xffffffff81234567" when unknown
 * (k may be NULL).  Returns buf.
 */
const char *ksyms_format(const struct ksyms *k, uint64_t addr, char *buf,
			 size_t len);

#endif /* DROPSPOT_KALLSYMS_H */
