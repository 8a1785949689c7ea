/* SPDX-License-Identifier: GPL-2.0 */
/*
 * (The skeleton of bpf/drops.bpf.c is "struct drops", hence the handle
 * name.)
 *
 * Kernel drop records: loads bpf/drops.bpf.c on tp_btf/kfree_skb, consumes
 * its ring and turns each record into a struct drop_event (reason name from
 * BTF, location symbolised from /proc/kallsyms).
 *
 * Lifecycle (DESIGN.md practices 2-4): skeleton open -> .rodata (filter,
 * snap length) -> load -> attach through a bpf_link (gone with the process,
 * even on SIGKILL) -> drops_poll ... -> drops_free.  Ring records are
 * checked (size, version, lengths) before use; failed reservations are
 * counted per CPU in the kernel and reported by drops_stats.
 *
 * What counts as a drop: every kfree_skb tracepoint hit except reason
 * SKB_CONSUMED (since 6.3 those go to consume_skb anyway; older kernels
 * with reasons sent them here).  NOT_SPECIFIED is kept: plain kfree_skb()
 * calls are still drops in many paths; the engine may weigh it lower.
 *
 * Typical use in a capture loop: drops_new after live_new (same point
 * table: a "kernel-drops" point is added), poll both epoll fds, hand each
 * drop_event_frame() to the engine with the event.
 */
#ifndef DROPSPOT_DROPS_H
#define DROPSPOT_DROPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/drop_event.h"
#include "common/point.h"

struct drop_reasons;
struct ksyms;

struct drops_opts {
	int filter_mode;	/* DS_FILTER_* from bpf/abi.h (0 = ARP/ICMP/ICMPv6) */
	uint32_t snaplen;	/* bytes from the network header, 0 = 128 (max) */
	uint32_t ring_size;	/* bytes, power of two; 0 = 1 MiB */
};

struct drops_stats {
	uint64_t seen;		/* kfree_skb drops seen by the program */
	uint64_t sent;		/* records submitted (after the filter) */
	uint64_t lost;		/* ring full: records lost */
	uint64_t read_err;	/* packet bytes unreadable */
	uint64_t bad_records;	/* records user space rejected */
	uint64_t delivered;	/* events handed to the callback */
};

struct drop_reason_count {
	uint32_t reason;
	uint64_t count;
};

struct drops_handle;

/* Return non-zero to stop the current drops_poll early. */
typedef int (*drops_event_fn)(const struct drop_event *ev, void *ctx);

/*
 * Loads and attaches.  points may be NULL; otherwise a "kernel-drops" point
 * (POINT_KIND_KERNEL, HOOK_KFREE_SKB, LINKTYPE_LINUX_SLL2) is added and
 * drops_point() returns its id.  On failure returns a negative errno and a
 * one-line note in err ("kernel drop attribution unavailable: ..."), so the
 * caller can go on without drops.
 */
int drops_new(const struct drops_opts *o, struct point_table *points,
	      struct drops_handle **out, char *err, size_t errlen);
uint32_t drops_point(const struct drops_handle *d);	/* UINT32_MAX if none */
/* Ring's epoll fd, to wait on together with other sources. */
int drops_epoll_fd(const struct drops_handle *d);
/*
 * Waits up to timeout_ms and hands each record to fn.  Returns the number
 * of events handled, -EINTR on a signal, or another negative errno.
 */
int drops_poll(struct drops_handle *d, int timeout_ms, drops_event_fn fn, void *ctx);
/* Sums the per-CPU counters; also sets capture_drops on the point. */
void drops_stats(struct drops_handle *d, struct drops_stats *s);
/*
 * Every drop the program saw, filtered or not, by reason (for a summary of
 * unrelated drops), most frequent first.  Returns how many were written.
 * Subsystem-encoded reasons are counted together under reason 255.
 */
size_t drops_reason_counts(struct drops_handle *d, struct drop_reason_count *out,
			   size_t max);
/* "" or a one-line note on what is degraded (no reason names, no symbols). */
const char *drops_note(const struct drops_handle *d);
const struct drop_reasons *drops_reasons(const struct drops_handle *d);
const struct ksyms *drops_ksyms(const struct drops_handle *d);
/* Whether the kernel passes a drop reason (else every event has reason 0). */
bool drops_have_reason(const struct drops_handle *d);
/*
 * The netfilter rules' counters of netns ino now, read only: the reference
 * a later drop with several candidate rules is decided against
 * (nft_rules_prime).  Call it for each netns whose drops count, before
 * the probes.
 */
void drops_prime_netfilter(struct drops_handle *d, uint32_t ino);
/* Detaches (destroys the link) and frees. */
void drops_free(struct drops_handle *d);

#endif /* DROPSPOT_DROPS_H */
