// SPDX-License-Identifier: GPL-2.0
/*
 * Loader, attacher and ring consumer for kernel drop records (drops.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf_util.h"
#include "bpf/abi.h"
#include "bpf/nft_abi.h"
#include "bpf/drops.skel.h"
#include "common/log.h"
#include "common/cursor.h"
#include "drop_reason.h"
#include "devname.h"
#include "drops.h"
#include "kallsyms.h"
#include "nft_rules.h"

#define DROPS_RING_DEFAULT (1u << 20)
#define NOTE_MAX 256

_Static_assert(sizeof(struct ds_drop_record) % 8 == 0,
	       "drop record must keep 8-byte alignment");
_Static_assert(DS_DROP_DATA_MAX == DROP_DATA_MAX,
	       "drop_event data must hold a whole record");
_Static_assert(DS_DROP_F_NO_REASON == DROP_F_NO_REASON &&
	       DS_DROP_F_NO_NETHDR == DROP_F_NO_NETHDR,
	       "drop flags are passed through");

struct drops_handle {
	struct drops_opts opts;
	struct drops *skel;
	struct bpf_link *link;
	struct bpf_link *nft_links[3];	/* netfilter attribution, optional */
	struct nft_rules *nft_rules;
	bool nft_on, nft_refused;
	struct ring_buffer *rb;
	struct drop_reasons *reasons;
	struct ksyms *ksyms;
	struct devname_cache *devnames;
	struct point_table *points;
	uint32_t point;
	bool have_reason;
	int ncpus;
	int64_t mono_to_real;
	uint64_t bad_records, delivered;
	drops_event_fn fn;
	void *fn_ctx;
	int cb_ret;
	char note[NOTE_MAX];
};

/*
 * How many arguments the kfree_skb tracepoint passes, from the
 * btf_trace_kfree_skb typedef (a pointer to a prototype whose first
 * parameter is the tracepoint's own void *): 3 = (skb, location), >= 4 =
 * with reason.  Returns -1 without BTF or without the tracepoint.
 */
static int tracepoint_args(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *t;
	__s32 id;
	int n = -1;

	if (!btf)
		return -1;
	id = btf__find_by_name_kind(btf, "btf_trace_kfree_skb", BTF_KIND_TYPEDEF);
	if (id < 0)
		goto cleanup;
	t = btf__type_by_id(btf, id);
	t = t ? btf__type_by_id(btf, t->type) : NULL;	/* pointer */
	t = t && btf_is_ptr(t) ? btf__type_by_id(btf, t->type) : NULL;
	if (t && btf_is_func_proto(t))
		n = btf_vlen(t);
cleanup:
	btf__free(btf);
	return n;
}

static void add_point(struct drops_handle *d)
{
	struct point p;
	int id;

	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "kernel-drops");
	snprintf(p.source, sizeof(p.source), "live");
	p.linktype = LINKTYPE_LINUX_SLL2;
	p.snaplen = DROP_SLL2_HLEN + d->opts.snaplen;
	p.tsresol_ns = 1;
	p.kind = POINT_KIND_KERNEL;
	p.hook = HOOK_KFREE_SKB;
	id = point_table_add(d->points, &p);
	d->point = id < 0 ? UINT32_MAX : (uint32_t)id;
}

/* Practice 4: the record is untrusted until its size and lengths check. */
static bool record_ok(const struct ds_drop_record *r, size_t size)
{
	if (size != sizeof(*r) &&
	    size != sizeof(*r) + sizeof(struct ds_nft_info))
		return false;
	if (r->version != DS_DROP_ABI_VERSION)
		return false;
	if (r->cap_len > DS_DROP_DATA_MAX || r->cap_len > r->wire_len)
		return false;
	return true;
}

static void to_event(struct drops_handle *d, const struct ds_drop_record *r,
		     struct drop_event *ev)
{
	char buf[DROP_REASON_STR_MAX];
	const char *name;

	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = (uint64_t)((int64_t)r->ts_ns + d->mono_to_real);
	ev->location = r->location;
	ev->reason = r->reason;
	ev->ifindex = r->ifindex;
	ev->netns_ino = r->netns_ino;
	ev->wire_len = r->wire_len;
	ev->cap_len = r->cap_len;
	ev->protocol = r->protocol;
	ev->pkt_type = r->pkt_type;
	ev->flags = r->flags;
	if (r->flags & DS_DROP_F_NO_REASON)
		name = "UNKNOWN";
	else
		name = drop_reason_name(d->reasons, r->reason, buf, sizeof(buf));
	snprintf(ev->reason_name, sizeof(ev->reason_name), "%s", name);
	ksyms_format(d->ksyms, r->location, ev->symbol, sizeof(ev->symbol));
	memcpy(ev->data, r->data, r->cap_len);
	/* now, while the device exists: a saved file keeps its name */
	if (!(r->flags & DS_DROP_F_NO_DEV))
		devname_lookup(d->devnames, r->netns_ino, r->ifindex, ev->dev,
			       sizeof(ev->dev), ev->dev_netns,
			       sizeof(ev->dev_netns));
}

/*
 * No fentry: the kernel stack of the free says where.  On kernels whose
 * nft_do_chain frees a dropped packet itself (6.18 here: the free's
 * caller is nft_do_chain, and nft_do_chain_ipv4/inet/... above it names
 * the table's family) the drop is nf_tables'; a free in nf_hook_slow
 * itself means a hook function returned NF_DROP (x_tables, or nf_tables
 * on kernels that leave the free to nf_hook_slow), so the x_tables
 * (iptables-legacy) tables of the netns are candidates too.  The caller
 * of the first nf_hook_slow names the hook; the ruleset the rule or the
 * policy (capture/nft_rules.c).
 */
/* -v: the stack a netfilter attribution was told from, on one line. */
static void log_stack(struct drops_handle *d, const struct ds_nft_info *n,
		      uint32_t len)
{
	char line[DS_NFT_STACK_MAX * 48];
	const struct ksym *k;
	size_t o = 0;
	uint64_t off;
	uint32_t i;

	line[0] = '\0';
	for (i = 0; i < len && o + 1 < sizeof(line); i++) {
		k = ksyms_find(d->ksyms, n->stack[i], &off);
		o += (size_t)snprintf(line + o, sizeof(line) - o, " %.32s+0x%llx",
				      k && k->name ? k->name : "?",
				      (unsigned long long)off);
	}
	log_debug("netfilter drop stack:%s", line);
}

static void nft_from_stack(struct drops_handle *d, const struct ds_nft_info *n,
			   const struct ds_drop_record *rec, struct drop_nft *out)
{
	uint32_t i, len = n->stack_len;
	const char *hook, *family = NULL, *f;
	const struct ksym *k;
	bool after = false, in_nft = false;
	uint64_t off;
	int l3 = 0;

	if (len > DS_NFT_STACK_MAX)
		len = DS_NFT_STACK_MAX;
	if (log_get_level() >= LOG_DEBUG)
		log_stack(d, n, len);
	for (i = 0; i < len; i++) {
		k = ksyms_find(d->ksyms, n->stack[i], &off);
		if (!k || !k->name)
			continue;
		if (!strcmp(k->name, "nf_hook_slow") ||
		    !strcmp(k->name, "nf_hook_slow_list")) {
			after = true;
			continue;
		}
		if (!after) {
			if (!strcmp(k->name, "nft_do_chain"))
				in_nft = true;
			f = nft_family_of_caller(k->name);
			if (f) {
				in_nft = true;
				family = f;
			}
			continue;
		}
		hook = nft_hook_of_caller(k->name, &l3);
		if (!hook)
			continue;
		if (l3 == 0)	/* br_netfilter: by the packet */
			l3 = rec->protocol == 0x86dd ? 6 : 4;
		nft_rules_attribute(d->nft_rules, rec->netns_ino, l3, hook,
				    family, !in_nft, out);
		if (out->by != DROP_NFT_NONE && out->xt == DROP_XT_NONE)
			nft_rules_iptables(d->nft_rules, rec->netns_ino, out);
		return;
	}
}

/* The attribution that came with the record, its rule's text looked up. */
static void to_nft(struct drops_handle *d, const struct ds_nft_info *n,
		   const struct ds_drop_record *rec, struct drop_nft *out)
{
	memset(out, 0, sizeof(*out));
	if (!n->seen) {
		nft_from_stack(d, n, rec, out);
		return;
	}
	out->by = n->by == DS_NFT_BY_RULE ? DROP_NFT_RULE :
		  n->by == DS_NFT_BY_POLICY ? DROP_NFT_POLICY :
					      DROP_NFT_UNKNOWN;
	out->handle = out->by == DROP_NFT_RULE ? n->handle : 0;
	snprintf(out->family, sizeof(out->family), "%s",
		 drop_nft_family_name(n->family));
	snprintf(out->hook, sizeof(out->hook), "%s",
		 drop_nft_hook_name(n->family, n->hook));
	/* kernel strings: NUL-terminated by the helper, checked again */
	snprintf(out->table, sizeof(out->table), "%.*s",
		 (int)strnlen(n->table, sizeof(n->table)), n->table);
	snprintf(out->chain, sizeof(out->chain), "%.*s",
		 (int)strnlen(n->chain, sizeof(n->chain)), n->chain);
	if (out->handle && out->family[0])
		nft_rules_lookup(d->nft_rules, n->netns_ino, out->family,
				 out->table, out->chain, out->handle,
				 out->rule, sizeof(out->rule));
	nft_rules_iptables(d->nft_rules, n->netns_ino, out);
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct drops_handle *d = ctx;
	struct drop_event ev;
	struct ds_drop_record rec;
	struct ds_nft_info nft;
	struct cursor c;

	/* Copy out of the ring through the cursor first: the record is
	 * checked on our copy, which the producer cannot change under us. */
	cur_init(&c, data, (uint32_t)size, (uint32_t)size);
	if (!cur_bytes(&c, &rec, sizeof(rec)) || !record_ok(&rec, size)) {
		d->bad_records++;
		return 0;
	}
	to_event(d, &rec, &ev);
	if (size > sizeof(rec) && cur_bytes(&c, &nft, sizeof(nft)))
		to_nft(d, &nft, &rec, &ev.nft);
	d->delivered++;
	if (d->fn && d->fn(&ev, d->fn_ctx)) {
		d->cb_ret = 1;
		return 1;	/* stops ring_buffer__poll */
	}
	return 0;
}

/* Whether the kernel's BTF has the functions the nft programs hook. */
static bool nft_btf_ok(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool ok;

	if (!btf)
		return false;
	ok = btf__find_by_name_kind(btf, "nft_do_chain", BTF_KIND_FUNC) >= 0 &&
	     btf__find_by_name_kind(btf, "nft_immediate_eval",
				    BTF_KIND_FUNC) >= 0 &&
	     btf__find_by_name_kind(btf, "nft_rule_dp", BTF_KIND_STRUCT) >= 0;
	btf__free(btf);
	return ok;
}

static void nft_progs_autoload(struct drops_handle *d, bool on)
{
	bpf_program__set_autoload(d->skel->progs.dropspot_nft_enter, on);
	bpf_program__set_autoload(d->skel->progs.dropspot_nft_imm, on);
	bpf_program__set_autoload(d->skel->progs.dropspot_nft_exit, on);
}

/*
 * Netfilter attribution: optional, one note when it cannot be had.
 *
 * Why fentry/fexit is refused on the lab's kernel (6.18.44-fc, a
 * Firecracker guest; checked for issue 13): BPF_PROG_LOAD of any
 * BPF_PROG_TYPE_TRACING program with expected_attach_type BPF_TRACE_FENTRY,
 * BPF_TRACE_FEXIT or BPF_MODIFY_RETURN fails with EPERM before the verifier
 * runs (empty verifier log at log_level 2, even for a two-instruction
 * program on ip_rcv, and even with an invalid attach_btf_id, which
 * otherwise gets EINVAL from the verifier), while tp_btf (same program
 * type) and lsm loads reach the verifier.  Not a libbpf quirk (a raw
 * bpf_prog_load gives the same), not capabilities (CapEff has
 * CAP_BPF/CAP_PERFMON/CAP_SYS_ADMIN), not lockdown (integrity mode, and
 * tracefs "trace" opens); the kernel also refuses root the function
 * tracer's files (available_filter_functions, set_ftrace_filter: EPERM)
 * although CONFIG_FUNCTION_TRACER and DYNAMIC_FTRACE_WITH_DIRECT_CALLS are
 * set, and has no kprobes (CONFIG_KPROBES off): the sandbox fences off
 * every ftrace-based attachment, which BPF trampolines are.  Hence the
 * degrade to the kfree_skb stack and the ruleset (nft_from_stack).
 */
static void nft_attach(struct drops_handle *d)
{
	struct bpf_program *progs[3] = { d->skel->progs.dropspot_nft_enter,
					 d->skel->progs.dropspot_nft_imm,
					 d->skel->progs.dropspot_nft_exit };
	int i;

	d->nft_rules = nft_rules_new();
	if (!d->nft_on)
		return;
	for (i = 0; i < 3; i++) {
		d->nft_links[i] = bpf_program__attach(progs[i]);
		if (!d->nft_links[i])
			break;
	}
	if (i == 3)
		return;
	while (i-- > 0) {
		bpf_link__destroy(d->nft_links[i]);
		d->nft_links[i] = NULL;
	}
	d->nft_on = false;
	log_info("nft_do_chain not traceable here (fentry/fexit refused): "
		 "netfilter drops named from the hook and the ruleset");
}

static int load_and_attach(struct drops_handle *d, char *err, size_t errlen)
{
	struct bpf_program *prog, *other;
	int ret;

	d->skel = drops__open();
	if (!d->skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the drops BPF object: %s",
			 strerror(errno));
		return ret;
	}
	d->skel->rodata->cfg_filter = (__u32)d->opts.filter_mode;
	d->skel->rodata->cfg_snaplen = d->opts.snaplen;
	prog = d->skel->progs.dropspot_kfree_skb;
	other = d->skel->progs.dropspot_kfree_skb_noreason;
	if (!d->have_reason) {
		prog = other;
		other = d->skel->progs.dropspot_kfree_skb;
	}
	bpf_program__set_autoload(other, false);
	ret = bpf_map__set_max_entries(d->skel->maps.drop_ring,
				       d->opts.ring_size);
	if (ret) {
		snprintf(err, errlen, "cannot size the drop ring: %s",
			 strerror(-ret));
		return ret;
	}
	d->nft_on = !d->nft_refused && !getenv("DROPSPOT_NO_NFT") &&
		    nft_btf_ok();
	nft_progs_autoload(d, d->nft_on);
	if (!d->nft_on && !d->nft_refused && !getenv("DROPSPOT_NO_NFT"))
		log_info("the kernel's BTF lacks nft_do_chain: netfilter "
			 "drops named from the hook and the ruleset");
	ret = drops__load(d->skel);
	if (ret && d->nft_on) {
		/* the nft programs refused: load the drops without them */
		drops__destroy(d->skel);
		d->skel = NULL;
		d->nft_on = false;
		d->nft_refused = true;
		log_info("the kernel refused the nft_do_chain programs "
			 "(fentry/fexit: %s): netfilter drops named from the "
			 "hook and the ruleset", strerror(-ret));
		return load_and_attach(d, err, errlen);
	}
	if (ret) {
		snprintf(err, errlen,
			 "cannot load the kfree_skb program: %s (run with -v for "
			 "the verifier log)", strerror(-ret));
		return ret;
	}
	/* A link: the kernel detaches it when the last fd goes, even on
	 * SIGKILL, so nothing outlives the process. */
	d->link = bpf_program__attach(prog);
	if (!d->link) {
		ret = -errno;
		snprintf(err, errlen, "cannot attach to tp_btf/kfree_skb: %s",
			 strerror(errno));
		return ret;
	}
	nft_attach(d);
	d->rb = ring_buffer__new(bpf_map__fd(d->skel->maps.drop_ring),
				 on_record, d, NULL);
	if (!d->rb) {
		ret = -errno;
		snprintf(err, errlen, "cannot map the drop ring: %s",
			 strerror(errno));
		return ret;
	}
	return 0;
}

static int check_opts(struct drops_handle *d, const struct drops_opts *o,
		      char *err, size_t errlen)
{
	d->opts = *o;
	if (!d->opts.snaplen || d->opts.snaplen > DS_DROP_DATA_MAX)
		d->opts.snaplen = DS_DROP_DATA_MAX;
	if (!d->opts.ring_size)
		d->opts.ring_size = DROPS_RING_DEFAULT;
	if (d->opts.ring_size < 4096 ||
	    (d->opts.ring_size & (d->opts.ring_size - 1))) {
		snprintf(err, errlen,
			 "drop ring size %u must be a power of two >= 4096",
			 d->opts.ring_size);
		return -EINVAL;
	}
	if (d->opts.filter_mode < DS_FILTER_DEFAULT ||
	    d->opts.filter_mode > DS_FILTER_ALL) {
		snprintf(err, errlen, "unknown drop filter mode %d",
			 d->opts.filter_mode);
		return -EINVAL;
	}
	return 0;
}

/* Names and symbols are best effort: without them events still flow. */
static int load_names(struct drops_handle *d)
{
	size_t off = 0;
	int ret;

	ret = drop_reasons_load(&d->reasons);
	if (ret)
		return ret;
	if (drop_reasons_note(d->reasons)[0])
		off += (size_t)snprintf(d->note, sizeof(d->note), "%s",
					drop_reasons_note(d->reasons));
	ret = ksyms_load(NULL, &d->ksyms);
	if (ret == -ENOMEM)
		return ret;
	if (ret && off < sizeof(d->note))
		snprintf(d->note + off, sizeof(d->note) - off,
			 "%s/proc/kallsyms unreadable (%s): locations shown as "
			 "addresses", off ? "; " : "",
			 ret == -EPERM ? "addresses hidden, need CAP_SYSLOG" :
					 strerror(-ret));
	return 0;
}

int drops_new(const struct drops_opts *o, struct point_table *points,
	      struct drops_handle **out, char *err, size_t errlen)
{
	struct drops_handle *d;
	char why[256];
	int nargs, ret;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	d->point = UINT32_MAX;
	d->devnames = devname_new();	/* without it, drops go unnamed */
	ret = check_opts(d, o, err, errlen);
	if (ret)
		goto cleanup;
	libbpf_set_print(bpf_util_libbpf_log);
	nargs = tracepoint_args();
	if (nargs < 0) {
		snprintf(err, errlen,
			 "kernel drop attribution unavailable: no kernel BTF or "
			 "no kfree_skb tracepoint (tp_btf needs "
			 "CONFIG_DEBUG_INFO_BTF)");
		ret = -ENOTSUP;
		goto cleanup;
	}
	d->have_reason = nargs >= 4;
	ret = load_names(d);
	if (ret) {
		snprintf(err, errlen, "out of memory");
		goto cleanup;
	}
	if (!d->have_reason) {
		size_t n = strlen(d->note);

		snprintf(d->note + n, sizeof(d->note) - n,
			 "%skernel passes no drop reason to kfree_skb (< 5.17): "
			 "drops shown without reason", n ? "; " : "");
	}
	ret = load_and_attach(d, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "kernel drop attribution unavailable: %s",
			 why);
		goto cleanup;
	}
	d->ncpus = libbpf_num_possible_cpus();
	d->mono_to_real = bpf_util_mono_to_real_ns();
	d->points = points;
	if (points)
		add_point(d);
	*out = d;
	return 0;
cleanup:
	drops_free(d);
	return ret;
}

uint32_t drops_point(const struct drops_handle *d)
{
	return d->point;
}

int drops_epoll_fd(const struct drops_handle *d)
{
	return ring_buffer__epoll_fd(d->rb);
}

int drops_poll(struct drops_handle *d, int timeout_ms, drops_event_fn fn,
	       void *ctx)
{
	uint64_t before = d->delivered;
	int ret;

	d->fn = fn;
	d->fn_ctx = ctx;
	d->cb_ret = 0;
	ret = ring_buffer__poll(d->rb, timeout_ms);
	if (ret < 0 && ret != -EINTR && !d->cb_ret)
		return ret;
	if (ret == -EINTR && d->delivered == before)
		return -EINTR;
	return (int)(d->delivered - before);
}

/* Sums one per-CPU array element; 0 when unreadable. */
static uint64_t percpu_sum(int fd, uint32_t key, uint64_t *vals, int ncpus)
{
	uint64_t sum = 0;
	int i;

	if (bpf_map_lookup_elem(fd, &key, vals))
		return 0;
	for (i = 0; i < ncpus; i++)
		sum += vals[i];
	return sum;
}

void drops_stats(struct drops_handle *d, struct drops_stats *s)
{
	int fd = bpf_map__fd(d->skel->maps.drop_stats);
	uint64_t *vals = calloc((size_t)(d->ncpus > 0 ? d->ncpus : 1),
				sizeof(*vals));
	struct point *p;

	memset(s, 0, sizeof(*s));
	s->bad_records = d->bad_records;
	s->delivered = d->delivered;
	if (!vals)
		return;
	s->seen = percpu_sum(fd, DS_DROP_STAT_SEEN, vals, d->ncpus);
	s->sent = percpu_sum(fd, DS_DROP_STAT_SENT, vals, d->ncpus);
	s->lost = percpu_sum(fd, DS_DROP_STAT_LOST, vals, d->ncpus);
	s->read_err = percpu_sum(fd, DS_DROP_STAT_READ_ERR, vals, d->ncpus);
	free(vals);
	p = d->points ? point_get(d->points, d->point) : NULL;
	if (p) {
		p->capture_drops = s->lost + s->bad_records;
		p->capture_drops_known = true;
	}
}

static int cmp_count(const void *a, const void *b)
{
	const struct drop_reason_count *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->reason < y->reason ? -1 : x->reason > y->reason;
}

size_t drops_reason_counts(struct drops_handle *d,
			   struct drop_reason_count *out, size_t max)
{
	int fd = bpf_map__fd(d->skel->maps.drop_reasons);
	struct drop_reason_count all[DS_DROP_REASON_SLOTS];
	uint64_t *vals;
	size_t n = 0;
	uint32_t r;

	vals = calloc((size_t)(d->ncpus > 0 ? d->ncpus : 1), sizeof(*vals));
	if (!vals)
		return 0;
	for (r = 0; r < DS_DROP_REASON_SLOTS; r++) {
		uint64_t c = percpu_sum(fd, r, vals, d->ncpus);

		if (c) {
			all[n].reason = r;
			all[n].count = c;
			n++;
		}
	}
	free(vals);
	qsort(all, n, sizeof(all[0]), cmp_count);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(*out));
	return n;
}

const char *drops_note(const struct drops_handle *d)
{
	return d->note;
}

const struct drop_reasons *drops_reasons(const struct drops_handle *d)
{
	return d->reasons;
}

const struct ksyms *drops_ksyms(const struct drops_handle *d)
{
	return d->ksyms;
}

bool drops_have_reason(const struct drops_handle *d)
{
	return d->have_reason;
}

void drops_free(struct drops_handle *d)
{
	if (!d)
		return;
	ring_buffer__free(d->rb);
	bpf_link__destroy(d->link);
	for (int i = 0; i < 3; i++)
		bpf_link__destroy(d->nft_links[i]);
	nft_rules_free(d->nft_rules);
	drops__destroy(d->skel);
	drop_reasons_free(d->reasons);
	ksyms_free(d->ksyms);
	devname_free(d->devnames);
	free(d);
}

void drops_prime_netfilter(struct drops_handle *d, uint32_t ino)
{
	if (d && d->nft_rules)
		nft_rules_prime(d->nft_rules, ino);
}
