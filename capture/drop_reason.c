// SPDX-License-Identifier: GPL-2.0
/*
 * Drop reason names from BTF (see drop_reason.h for the encoding).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>

#include "common/log.h"
#include "drop_reason.h"

#define CORE_ENUM "skb_drop_reason"
#define SUBSYS_ENUM "skb_drop_reason_subsys"
#define CORE_PREFIX "SKB_DROP_REASON_"
#define SUBSYS_PREFIX "SKB_DROP_REASON_SUBSYS_"
#define MASK_NAME "SKB_DROP_REASON_SUBSYS_MASK"
#define MAX_NAME "SKB_DROP_REASON_MAX"
#define SUBSYS_ENUM_SUFFIX "_drop_reason"
#define SUBSYS_MAX 64
#define BTF_SYSFS "/sys/kernel/btf"

struct reason {
	uint32_t value;
	char *name;
};

struct drop_reasons {
	struct reason *v;		/* sorted by value after finish() */
	size_t n, cap;
	char *subsys[SUBSYS_MAX];	/* by subsystem id, NULL = unknown */
	uint32_t mask;			/* 0 = no subsystem encoding */
	unsigned int shift;
	uint32_t consumed, not_dropped;	/* "not a drop" values */
	bool have_consumed, have_not_dropped;
	char note[160];
};

/* One enumerator of an enum or enum64 type. */
static bool enumerator(const struct btf *btf, const struct btf_type *t,
		       unsigned int i, const char **name, uint64_t *value)
{
	if (btf_is_enum(t)) {
		const struct btf_enum *e = btf_enum(t) + i;

		*name = btf__name_by_offset(btf, e->name_off);
		*value = (uint32_t)e->val;
		return *name != NULL;
	}
	if (btf_is_enum64(t)) {
		const struct btf_enum64 *e = btf_enum64(t) + i;
		const __u32 *raw = (const __u32 *)e;

		*name = btf__name_by_offset(btf, raw[0]);
		*value = btf_enum64_value(e);
		return *name != NULL;
	}
	return false;
}

static const struct btf_type *find_enum(const struct btf *btf,
					const char *name)
{
	__s32 id = btf__find_by_name_kind(btf, name, BTF_KIND_ENUM);

	if (id < 0)
		id = btf__find_by_name_kind(btf, name, BTF_KIND_ENUM64);
	return id < 0 ? NULL : btf__type_by_id(btf, id);
}

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

static int add(struct drop_reasons *r, uint32_t value, const char *name)
{
	size_t i;

	/* Aliases: the first name of a value wins. */
	for (i = 0; i < r->n; i++)
		if (r->v[i].value == value)
			return 0;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct reason *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n].name = strdup(name);
	if (!r->v[r->n].name)
		return -ENOMEM;
	r->v[r->n].value = value;
	r->n++;
	return 0;
}

/* The kernel's trace names drop these prefixes (DEFINE_DROP_REASON). */
static const char *core_short(const char *name)
{
	if (has_prefix(name, CORE_PREFIX))
		return name + strlen(CORE_PREFIX);
	if (has_prefix(name, "SKB_"))
		return name + 4;
	return name;
}

static int load_core(struct drop_reasons *r, const struct btf *btf)
{
	const struct btf_type *t = find_enum(btf, CORE_ENUM);
	unsigned int i;
	const char *name;
	uint64_t value;
	int err;

	if (!t)
		return -ENOENT;
	for (i = 0; i < btf_vlen(t); i++) {
		if (!enumerator(btf, t, i, &name, &value))
			continue;
		if (strcmp(name, MASK_NAME) == 0) {
			r->mask = (uint32_t)value;
			continue;
		}
		if (strcmp(name, MAX_NAME) == 0)
			continue;
		if (strcmp(name, "SKB_CONSUMED") == 0) {
			r->consumed = (uint32_t)value;
			r->have_consumed = true;
		} else if (strcmp(name, "SKB_NOT_DROPPED_YET") == 0) {
			r->not_dropped = (uint32_t)value;
			r->have_not_dropped = true;
		}
		err = add(r, (uint32_t)value, core_short(name));
		if (err)
			return err;
	}
	if (r->mask)
		r->shift = (unsigned int)__builtin_ctz(r->mask);
	return 0;
}

static int load_subsys_names(struct drop_reasons *r, const struct btf *btf)
{
	const struct btf_type *t = find_enum(btf, SUBSYS_ENUM);
	unsigned int i;
	const char *name;
	uint64_t value;

	if (!t)
		return 0;
	for (i = 0; i < btf_vlen(t); i++) {
		if (!enumerator(btf, t, i, &name, &value) || value >= SUBSYS_MAX)
			continue;
		if (has_prefix(name, SUBSYS_PREFIX))
			name += strlen(SUBSYS_PREFIX);
		if (strcmp(name, "NUM") == 0 || r->subsys[value])
			continue;
		r->subsys[value] = strdup(name);
		if (!r->subsys[value])
			return -ENOMEM;
	}
	return 0;
}

/*
 * A subsystem's reasons: any enum named *_drop_reason (other than the core
 * one) whose enumerators carry subsystem bits, e.g. ovs_drop_reason's
 * OVS_DROP_LAST_ACTION = SUBSYS_OPENVSWITCH << SHIFT.  first_id skips the
 * base types of a split (module) BTF.
 */
static int load_subsys_enums(struct drop_reasons *r, const struct btf *btf,
			     __u32 first_id)
{
	__u32 id, n = btf__type_cnt(btf);
	const struct btf_type *t;
	const char *tname, *name;
	uint64_t value;
	unsigned int i;
	int err;

	for (id = first_id; id < n; id++) {
		t = btf__type_by_id(btf, id);
		if (!t || !btf_is_any_enum(t))
			continue;
		tname = btf__name_by_offset(btf, t->name_off);
		if (!tname || !has_suffix(tname, SUBSYS_ENUM_SUFFIX) ||
		    strcmp(tname, CORE_ENUM) == 0)
			continue;
		for (i = 0; i < btf_vlen(t); i++) {
			if (!enumerator(btf, t, i, &name, &value))
				continue;
			if (value > UINT32_MAX || !((uint32_t)value & r->mask))
				continue;
			err = add(r, (uint32_t)value, name);
			if (err)
				return err;
		}
	}
	return 0;
}

static int cmp_reason(const void *a, const void *b)
{
	const struct reason *x = a, *y = b;

	return x->value < y->value ? -1 : x->value > y->value;
}

int drop_reasons_from_btf(const struct btf *base, const struct btf *const *mods,
			  size_t n_mods, struct drop_reasons **out)
{
	struct drop_reasons *r = calloc(1, sizeof(*r));
	size_t i;
	int err = 0;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	if (!base) {
		snprintf(r->note, sizeof(r->note),
			 "no kernel BTF: drop reasons shown as numbers");
		goto done;
	}
	err = load_core(r, base);
	if (err == -ENOENT) {
		snprintf(r->note, sizeof(r->note),
			 "kernel BTF has no enum " CORE_ENUM
			 ": drop reasons shown as numbers");
		err = 0;
		goto done;
	}
	if (err)
		goto done;
	if (r->mask) {
		err = load_subsys_names(r, base);
		if (!err)
			err = load_subsys_enums(r, base, 1);
		for (i = 0; !err && i < n_mods; i++)
			err = load_subsys_enums(r, mods[i],
						btf__type_cnt(base));
	}
done:
	if (err) {
		drop_reasons_free(r);
		return err;
	}
	if (r->n)
		qsort(r->v, r->n, sizeof(*r->v), cmp_reason);
	*out = r;
	return 0;
}

/* Module BTF is only worth reading for subsystem enums, so modules that
 * cannot be parsed are skipped with a debug line, never an error. */
static size_t load_modules(struct btf *vmlinux, struct btf ***mods_out)
{
	struct btf **mods = NULL, **grown;
	size_t n = 0;
	struct dirent *de;
	char path[512];
	struct btf *m;
	DIR *dir;

	*mods_out = NULL;
	dir = opendir(BTF_SYSFS);
	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "vmlinux") == 0)
			continue;
		snprintf(path, sizeof(path), BTF_SYSFS "/%s", de->d_name);
		m = btf__parse_split(path, vmlinux);
		if (!m) {
			log_debug("drop reasons: cannot read %s: %s", path,
				  strerror(errno));
			continue;
		}
		grown = realloc(mods, (n + 1) * sizeof(*mods));
		if (!grown) {
			btf__free(m);
			break;
		}
		mods = grown;
		mods[n++] = m;
	}
	closedir(dir);
	*mods_out = mods;
	return n;
}

int drop_reasons_load(struct drop_reasons **out)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct btf **mods = NULL;
	size_t n_mods = 0, i;
	int err;

	if (!vmlinux)
		return drop_reasons_from_btf(NULL, NULL, 0, out);
	/* Subsystem enums live in modules only when the kernel encodes
	 * subsystems at all. */
	if (find_enum(vmlinux, SUBSYS_ENUM))
		n_mods = load_modules(vmlinux, &mods);
	err = drop_reasons_from_btf(vmlinux, (const struct btf *const *)mods,
				    n_mods, out);
	for (i = 0; i < n_mods; i++)
		btf__free(mods[i]);
	free(mods);
	btf__free(vmlinux);
	return err;
}

void drop_reasons_free(struct drop_reasons *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->v[i].name);
	for (i = 0; i < SUBSYS_MAX; i++)
		free(r->subsys[i]);
	free(r->v);
	free(r);
}

const char *drop_reasons_note(const struct drop_reasons *r)
{
	return r ? r->note : "no drop reason table";
}

size_t drop_reasons_count(const struct drop_reasons *r)
{
	return r ? r->n : 0;
}

uint32_t drop_reasons_subsys_mask(const struct drop_reasons *r)
{
	return r ? r->mask : 0;
}

static const struct reason *find(const struct drop_reasons *r, uint32_t value)
{
	struct reason key = { .value = value };

	if (!r || !r->n)
		return NULL;
	return bsearch(&key, r->v, r->n, sizeof(*r->v), cmp_reason);
}

bool drop_reason_known(const struct drop_reasons *r, uint32_t value)
{
	return find(r, value) != NULL;
}

const char *drop_reason_name(const struct drop_reasons *r, uint32_t value,
			     char *buf, size_t len)
{
	const struct reason *e = find(r, value);
	uint32_t sub;

	if (e)
		return e->name;
	if (!len)
		return "";
	if (r && r->mask && (value & r->mask)) {
		sub = (value & r->mask) >> r->shift;
		if (sub < SUBSYS_MAX && r->subsys[sub])
			snprintf(buf, len, "%s:%u", r->subsys[sub],
				 value & ~r->mask);
		else
			snprintf(buf, len, "SUBSYS_%u:%u", sub,
				 value & ~r->mask);
		return buf;
	}
	snprintf(buf, len, "REASON_%u", value);
	return buf;
}

int drop_reason_value(const struct drop_reasons *r, const char *name,
		      uint32_t *value)
{
	size_t i;

	if (!r)
		return -ENOENT;
	for (i = 0; i < r->n; i++) {
		if (strcmp(r->v[i].name, name) == 0 ||
		    strcmp(r->v[i].name, core_short(name)) == 0) {
			*value = r->v[i].value;
			return 0;
		}
	}
	return -ENOENT;
}

bool drop_reason_is_drop(const struct drop_reasons *r, uint32_t value)
{
	if (!r)
		return true;
	if (r->have_consumed && value == r->consumed)
		return false;
	if (r->have_not_dropped && value == r->not_dropped)
		return false;
	return true;
}
