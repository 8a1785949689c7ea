// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kallsyms symbolisation (see kallsyms.h).
 *
 * Lines are "<hex addr> <type> <name>[\t[<module>]]".  Only text symbols
 * (t/T) are kept: a freeing address is always in code.  Names live in one
 * string pool per table; the module name of each symbol points into it too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"

#define KALLSYMS_PATH "/proc/kallsyms"
/* Past the last symbol an address is only believed this close to it. */
#define MAX_TAIL_OFFSET (1u << 20)

struct ksyms {
	struct ksym *syms;
	size_t n, cap;
	char *pool;
	size_t pool_len, pool_cap;
};

/* Returns the pool offset of a copy of s, or (size_t)-1 on ENOMEM. */
static size_t pool_add(struct ksyms *k, const char *s, size_t len)
{
	size_t off;

	if (k->pool_len + len + 1 > k->pool_cap) {
		size_t cap = k->pool_cap ? k->pool_cap : 1 << 20;
		char *p;

		while (k->pool_len + len + 1 > cap)
			cap *= 2;
		p = realloc(k->pool, cap);
		if (!p)
			return (size_t)-1;
		k->pool = p;
		k->pool_cap = cap;
	}
	off = k->pool_len;
	memcpy(k->pool + off, s, len);
	k->pool[off + len] = '\0';
	k->pool_len += len + 1;
	return off;
}

/*
 * Parses one line into pool offsets (stored in name/module as integers
 * until the pool stops moving).  Returns 1 if kept, 0 if skipped, -ENOMEM.
 */
static int parse_line(struct ksyms *k, char *line, size_t *n_zero)
{
	char *end, *name, *mod;
	unsigned long long addr;
	size_t name_off, mod_off = (size_t)-1;
	char type;

	errno = 0;
	addr = strtoull(line, &end, 16);
	if (errno || end == line || *end != ' ')
		return 0;
	type = end[1];
	if (type == '\0' || end[2] != ' ')
		return 0;
	if (type != 't' && type != 'T')
		return 0;
	name = end + 3;
	/* The module, if any, is "[mod]" after the name: find it before the
	 * name is cut off. */
	mod = strchr(name, '[');
	name[strcspn(name, "\t\n ")] = '\0';
	if (*name == '\0')
		return 0;
	if (addr == 0) {
		(*n_zero)++;
		return 0;
	}
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 65536;
		struct ksym *s = realloc(k->syms, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		k->syms = s;
		k->cap = cap;
	}
	name_off = pool_add(k, name, strlen(name));
	if (name_off == (size_t)-1)
		return -ENOMEM;
	if (mod) {
		size_t mlen = strcspn(mod + 1, "]\n");

		mod_off = pool_add(k, mod + 1, mlen);
		if (mod_off == (size_t)-1)
			return -ENOMEM;
	}
	k->syms[k->n].addr = addr;
	k->syms[k->n].name = (const char *)(uintptr_t)name_off;
	k->syms[k->n].module = (const char *)(uintptr_t)mod_off;
	k->n++;
	return 1;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* Same address: keep file order (the pool offset grows with it), so
	 * the first name listed wins ties deterministically. */
	return (uintptr_t)x->name < (uintptr_t)y->name ? -1 : 1;
}

static void fix_pointers(struct ksyms *k)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		size_t mo = (size_t)(uintptr_t)k->syms[i].module;

		k->syms[i].name = k->pool + (size_t)(uintptr_t)k->syms[i].name;
		k->syms[i].module = mo == (size_t)-1 ? NULL : k->pool + mo;
	}
}

int ksyms_load(const char *path, struct ksyms **out)
{
	struct ksyms *k;
	char *line = NULL;
	size_t linecap = 0, n_zero = 0;
	FILE *f;
	int err = 0;

	*out = NULL;
	f = fopen(path ? path : KALLSYMS_PATH, "re");
	if (!f)
		return -errno;
	k = calloc(1, sizeof(*k));
	if (!k) {
		fclose(f);
		return -ENOMEM;
	}
	while (getline(&line, &linecap, f) > 0) {
		err = parse_line(k, line, &n_zero);
		if (err < 0)
			goto cleanup;
	}
	err = 0;
	if (k->n == 0) {
		err = n_zero ? -EPERM : -ENOENT;
		goto cleanup;
	}
	qsort(k->syms, k->n, sizeof(*k->syms), cmp_sym);
	fix_pointers(k);
cleanup:
	free(line);
	fclose(f);
	if (err) {
		ksyms_free(k);
		return err;
	}
	*out = k;
	return 0;
}

void ksyms_free(struct ksyms *k)
{
	if (!k)
		return;
	free(k->syms);
	free(k->pool);
	free(k);
}

size_t ksyms_count(const struct ksyms *k)
{
	return k ? k->n : 0;
}

const struct ksym *ksyms_find(const struct ksyms *k, uint64_t addr,
			      uint64_t *off)
{
	size_t lo = 0, hi;

	if (!k || !k->n || addr < k->syms[0].addr)
		return NULL;
	/* Invariant: syms[lo].addr <= addr, and addr < syms[hi].addr (or
	 * hi == n); find the last symbol at or below addr. */
	hi = k->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	/* Several names at one address: report the first listed. */
	while (lo > 0 && k->syms[lo - 1].addr == k->syms[lo].addr)
		lo--;
	if (lo == k->n - 1 && addr - k->syms[lo].addr > MAX_TAIL_OFFSET)
		return NULL;
	if (off)
		*off = addr - k->syms[lo].addr;
	return &k->syms[lo];
}

int ksyms_addr(const struct ksyms *k, const char *name, uint64_t *addr)
{
	size_t i;

	for (i = 0; k && i < k->n; i++) {
		if (strcmp(k->syms[i].name, name) == 0) {
			*addr = k->syms[i].addr;
			return 0;
		}
	}
	return -ENOENT;
}

const char *ksyms_format(const struct ksyms *k, uint64_t addr, char *buf,
			 size_t len)
{
	const struct ksym *s;
	uint64_t off = 0;

	if (!len)
		return buf;
	s = ksyms_find(k, addr, &off);
	if (!s)
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	else if (s->module)
		snprintf(buf, len, "%s+0x%llx [%s]", s->name,
			 (unsigned long long)off, s->module);
	else
		snprintf(buf, len, "%s+0x%llx", s->name,
			 (unsigned long long)off);
	return buf;
}
