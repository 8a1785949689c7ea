// SPDX-License-Identifier: GPL-2.0
/*
 * The cause table (causes.def) and the one place that applies it: which
 * cause a group's facts support, how the kernel's drop reason weighs
 * against the wire, and how a cause reads.  No cause is written anywhere
 * else.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cause.h"

struct cause_row {
	const char *code;
	enum cause_scope scope;
	enum cause_strength strength;
	uint64_t requires, excludes;
	const char *tmpl;
};

/* The C identifier in lower case is the code: one spelling, two uses. */
static char codes[CAUSE_COUNT][48];

static const struct cause_row rows[CAUSE_COUNT] = {
	[CAUSE_NONE] = { "", CAUSE_SCOPE_FINDING, CAUSE_GUESS, 0, 0, "" },
#define CAUSE(id, scope, strength, req, excl, tmpl) \
	[CAUSE_##id] = { #id, CAUSE_SCOPE_##scope, CAUSE_##strength, \
			 (uint64_t)(req), (uint64_t)(excl), tmpl },
#include "causes.def"
#undef CAUSE
};

/* Appended to a firm wire cause when the kernel named its reason too. */
static const char kernel_clause[] =
	"; the kernel dropped it: {kernel_reason}[ in {kernel_function}]"
	"[ ({kernel_meaning})]";

#define KMEANING(reason, function, sentence) \
	_Static_assert(sizeof(sentence) <= CAUSE_VALUE, \
		       "kernel meaning of " #reason " too long for a parameter");
#include "kernel_meanings.def"
#undef KMEANING

static const struct {
	const char *reason, *function, *sentence;
} meanings[] = {
#define KMEANING(reason, function, sentence) { #reason, function, sentence },
#include "kernel_meanings.def"
#undef KMEANING
};

const char *kernel_meaning(const char *reason, const char *function)
{
	const char *any = NULL;
	size_t i;

	if (!reason || !reason[0])
		return NULL;
	for (i = 0; i < sizeof(meanings) / sizeof(meanings[0]); i++) {
		if (strcmp(meanings[i].reason, reason))
			continue;
		if (!meanings[i].function[0])
			any = meanings[i].sentence;
		else if (function && !strcmp(meanings[i].function, function))
			return meanings[i].sentence;
	}
	return any;
}

const char *cause_code(enum cause_id id)
{
	size_t i;

	if ((unsigned)id >= CAUSE_COUNT || id == CAUSE_NONE)
		return "";
	if (!codes[id][0]) {
		for (i = 0; rows[id].code[i] && i + 1 < sizeof(codes[id]); i++) {
			char c = rows[id].code[i];

			codes[id][i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a')
							    : c;
		}
		codes[id][i] = 0;
	}
	return codes[id];
}

enum cause_id cause_by_code(const char *code)
{
	int i;

	for (i = 1; i < CAUSE_COUNT; i++)
		if (!strcmp(cause_code((enum cause_id)i), code))
			return (enum cause_id)i;
	return CAUSE_NONE;
}

enum cause_strength cause_strength_of(enum cause_id id)
{
	return (unsigned)id < CAUSE_COUNT ? rows[id].strength : CAUSE_GUESS;
}

const char *cause_strength_name(enum cause_strength s)
{
	switch (s) {
	case CAUSE_INCOMPLETE: return "incomplete";
	case CAUSE_FIRM: return "firm";
	case CAUSE_GUESS: break;
	}
	return "guess";
}

enum cause_scope cause_scope_of(enum cause_id id)
{
	return (unsigned)id < CAUSE_COUNT ? rows[id].scope
					  : CAUSE_SCOPE_FINDING;
}

/* ---- facts ----------------------------------------------------------- */

static struct cause_param *param_slot(struct cause_param *p, uint8_t *n,
				      size_t cap, const char *key)
{
	uint8_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp(p[i].key, key))
			return &p[i];
	if (*n == cap)
		return NULL;
	p[*n].key = key;
	p[*n].val[0] = 0;
	return &p[(*n)++];
}

void facts_set(struct cause_facts *f, const char *key, const char *fmt, ...)
{
	struct cause_param *p = param_slot(f->param, &f->n_param,
					   sizeof(f->param) / sizeof(f->param[0]),
					   key);
	va_list ap;

	if (!p)
		return;
	va_start(ap, fmt);
	vsnprintf(p->val, sizeof(p->val), fmt, ap);
	va_end(ap);
}

static const char *params_get(const struct cause_param *p, uint8_t n,
			      const char *key, size_t klen)
{
	uint8_t i;

	for (i = 0; i < n; i++)
		if (strlen(p[i].key) == klen && !strncmp(p[i].key, key, klen))
			return p[i].val;
	return NULL;
}

const char *facts_get(const struct cause_facts *f, const char *key)
{
	const char *v = params_get(f->param, f->n_param, key, strlen(key));

	return v ? v : "";
}

/* ---- choosing -------------------------------------------------------- */

static bool applies(const struct cause_row *r, uint64_t bits)
{
	return r->scope == CAUSE_SCOPE_GROUP &&
	       (bits & r->requires) == r->requires && !(bits & r->excludes);
}

/* The {names} a template uses, with their values from the facts. */
static void take_params(struct cause_ref *out, const char *tmpl,
			const struct cause_facts *facts)
{
	const char *p = tmpl, *end;
	struct cause_param *slot;
	size_t i;

	while ((p = strchr(p, '{')) && (end = strchr(p, '}'))) {
		for (i = 0; i < facts->n_param; i++) {
			const char *k = facts->param[i].key;

			if (strlen(k) != (size_t)(end - p - 1) ||
			    strncmp(k, p + 1, (size_t)(end - p - 1)))
				continue;
			slot = param_slot(out->param, &out->n_param,
					  CAUSE_PARAMS, k);
			if (slot)
				snprintf(slot->val, sizeof(slot->val), "%s",
					 facts->param[i].val);
		}
		p = end + 1;
	}
}

static void add_support(struct cause_ref *out, enum cause_id id)
{
	if (id != out->id && out->n_support < CAUSE_SUPPORT)
		out->support[out->n_support++] = id;
}

void cause_pick(const struct cause_facts *facts, struct cause_ref *out)
{
	enum cause_id incomplete = CAUSE_NONE, firm = CAUSE_NONE;
	enum cause_id guess = CAUSE_NONE, wire;
	bool kernel = facts->bits & CF_KERNEL_REASON;
	int i;

	memset(out, 0, sizeof(*out));
	/* the strongest applies: incomplete, then firm, then a suspicion,
	 * each in table order */
	for (i = 1; i < CAUSE_COUNT; i++) {
		if (!applies(&rows[i], facts->bits) || i == CAUSE_KERNEL_DROP)
			continue;
		if (rows[i].strength == CAUSE_INCOMPLETE && !incomplete)
			incomplete = (enum cause_id)i;
		else if (rows[i].strength == CAUSE_FIRM && !firm)
			firm = (enum cause_id)i;
		else if (rows[i].strength == CAUSE_GUESS && !guess)
			guess = (enum cause_id)i;
	}
	wire = firm ? firm : guess;
	/*
	 * The kernel-reason rule: the kernel's reason is firmer than any
	 * suspicion the wire raises, and says why a firm wire cause ended
	 * in a drop, so it replaces the one and completes the other.
	 */
	if (incomplete)
		out->id = incomplete;
	else if (kernel && (!wire || rows[wire].strength == CAUSE_GUESS))
		out->id = CAUSE_KERNEL_DROP;
	else
		out->id = wire;
	if (!out->id)
		return;
	take_params(out, rows[out->id].tmpl, facts);
	if (kernel && rows[out->id].strength == CAUSE_FIRM)
		take_params(out, kernel_clause, facts);
	/*
	 * Support: the other firm causes the facts hold up, and the wire's
	 * suspicion that the kernel's reason replaced.  Other suspicions
	 * (a silent target is always possible) would only be noise.
	 */
	for (i = 1; i < CAUSE_COUNT; i++)
		if (applies(&rows[i], facts->bits) &&
		    rows[i].strength == CAUSE_FIRM)
			add_support(out, (enum cause_id)i);
	if (out->id == CAUSE_KERNEL_DROP && wire)
		add_support(out, wire);
}

void cause_assignv(struct cause_ref *out, enum cause_id id, va_list ap)
{
	struct cause_param *slot;
	const char *key, *val;

	memset(out, 0, sizeof(*out));
	out->id = id;
	while ((key = va_arg(ap, const char *))) {
		val = va_arg(ap, const char *);
		slot = param_slot(out->param, &out->n_param, CAUSE_PARAMS, key);
		if (slot)
			snprintf(slot->val, sizeof(slot->val), "%s",
				 val ? val : "");
	}
}

void cause_assign(struct cause_ref *out, enum cause_id id, ...)
{
	va_list ap;

	va_start(ap, id);
	cause_assignv(out, id, ap);
	va_end(ap);
}

/* ---- rendering ------------------------------------------------------- */

struct out {
	char *buf;
	size_t n, len;
};

static void out_put(struct out *o, const char *s, size_t k)
{
	size_t room = o->len < o->n ? o->n - o->len - 1 : 0;

	if (k > room)
		k = room;
	memcpy(o->buf + o->len, s, k);
	o->len += k;
	o->buf[o->len] = 0;
}

/*
 * Expands tmpl[0..len) into o; false when a parameter it names is empty
 * (an optional [segment] is then left out by the caller).
 */
static bool expand(struct out *o, const struct cause_ref *c, const char *tmpl,
		   size_t len)
{
	const char *p = tmpl, *end = tmpl + len, *close, *v;
	bool all = true;

	while (p < end) {
		if (*p == '{' && (close = memchr(p, '}', (size_t)(end - p)))) {
			v = params_get(c->param, c->n_param, p + 1,
				       (size_t)(close - p - 1));
			if (!v || !v[0])
				all = false;
			else
				out_put(o, v, strlen(v));
			p = close + 1;
		} else if (*p == '[' &&
			   (close = memchr(p, ']', (size_t)(end - p)))) {
			size_t mark = o->len;

			if (!expand(o, c, p + 1, (size_t)(close - p - 1))) {
				o->len = mark;
				o->buf[mark] = 0;
			}
			p = close + 1;
		} else {
			out_put(o, p, 1);
			p++;
		}
	}
	return all;
}

void cause_render(const struct cause_ref *c, char *buf, size_t n)
{
	struct out o = { buf, n, 0 };
	const char *t;

	if (!n)
		return;
	buf[0] = 0;
	if (!c || (unsigned)c->id >= CAUSE_COUNT || c->id == CAUSE_NONE)
		return;
	t = rows[c->id].tmpl;
	expand(&o, c, t, strlen(t));
	if (c->id != CAUSE_KERNEL_DROP &&
	    rows[c->id].strength == CAUSE_FIRM &&
	    params_get(c->param, c->n_param, "kernel_reason", 13))
		expand(&o, c, kernel_clause, strlen(kernel_clause));
}
