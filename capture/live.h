/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live capture: the programs of bpf/capture.bpf.c are loaded once per
 * session and attached to every watched point (XDP or TC ingress for
 * frames in, TC egress for frames out), all writing one ring; the kernel
 * finds a frame's point from its device's (netns, ifindex) in a map filled
 * at attach time.  Lifecycle: live_new -> live_prepare (per point: resolve
 * in its netns) -> live_attach (load once, map and attach every point) ->
 * live_poll ... -> live_free (detach exactly what was attached).
 *
 * Attachments are bpf_links (XDP link, tcx links) that the kernel removes
 * when the process dies, even on SIGKILL.  Only when the kernel has no tcx
 * (< 6.6) TC falls back to clsact filters, which survive a SIGKILL; the
 * caller must then route SIGINT/SIGTERM/SIGHUP to live_free.
 *
 * Frames handed to the callback point into the ring record (no copy): they
 * are valid only during the callback.
 *
 * One point never ends the run: a hook the kernel refuses falls back to
 * another (see live_ingress), and a point nothing attaches to (gone,
 * unknown, every hook refused) is reported once and kept in the table
 * with point.blind set, so the report says "not watched" and its silence
 * is not read as evidence.  Only when no point is watched is it an error.
 */
#ifndef DROPSPOT_LIVE_H
#define DROPSPOT_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/point.h"

/*
 * Which hook watches frames received.  Auto: XDP, except on veth, where
 * native XDP changes the device (the kernel turns off the peer's GSO/TSO
 * when XDP is attached) and only sees frames that take veth's NAPI path,
 * and on bridges, where XDP runs in generic (skb) mode anyway: there it
 * cannot see a VLAN tag the stack already moved into the skb, and it keeps
 * the bridge's ports from having XDP of their own; and on physical NICs,
 * where attaching native XDP makes many drivers rebuild their rings (a
 * link flap on the path being observed).  TC ingress sees every frame
 * there, tag included, without touching the device.
 *
 * Where XDP is chosen but refused (a driver without XDP, a foreign program
 * in the slot or on the master), the point falls back to TC ingress, then
 * to generic XDP; where TC egress is refused, frames sent go unwatched.
 */
enum live_ingress {
	LIVE_INGRESS_AUTO = 0,
	LIVE_INGRESS_XDP,	/* XDP everywhere (TC where the kernel refuses) */
	LIVE_INGRESS_TC,	/* TC ingress everywhere */
};

/*
 * How frames are hooked.  Links: per interface, XDP or TC ingress and TC
 * egress, two bpf_links that the kernel adds and removes each in an RCU
 * grace period under RTNL (about 20 ms here), so a hundred points take
 * seconds.  Tracepoints: two host-wide tp_btf attachments,
 * netif_receive_skb (where XDP and TC ingress see a frame) and
 * net_dev_queue (after TC egress, before the qdisc), that look the
 * device up in the points map: a point costs one map update, whatever
 * the number, but every packet of the host runs the lookup.  Auto: links
 * up to LIVE_AUTO_TP_POINTS points, tracepoints above (links when the
 * kernel refuses them).
 */
enum live_attach {
	LIVE_ATTACH_AUTO = 0,
	LIVE_ATTACH_LINKS,
	LIVE_ATTACH_TRACEPOINTS,
};

#define LIVE_AUTO_TP_POINTS 16

struct live_opts {
	uint32_t snaplen;		/* 0 = DS_SNAPLEN_DEFAULT */
	int filter_mode;		/* DS_FILTER_* from bpf/abi.h */
	const char *const *hosts;	/* addresses always sent up */
	size_t n_hosts;
	enum live_ingress ingress;	/* with links */
	enum live_attach attach;
	bool force_clsact;		/* use clsact even if tcx exists (tests) */
	uint32_t ring_size;		/* bytes, power of two; 0 = default */
};

struct live;

/* Return non-zero to stop the current live_poll early. */
typedef int (*live_frame_fn)(const struct frame *f, void *ctx);

int live_new(const struct live_opts *o, struct point_table *points,
	     struct live **out, char *err, size_t errlen);
/*
 * Resolves target (see capture/netns.h for the syntax), registers its point
 * in the table given to live_new, loads and attaches.  Returns the point id
 * (of a blind point too, when others are watched) or a negative errno with
 * a message in err.
 */
int live_add(struct live *lv, const char *target, char *err, size_t errlen);
/*
 * The same in two steps, for several points: live_prepare resolves,
 * registers and loads (returns the point id; a target that resolves to no
 * interface becomes a blind point, only a malformed target, a duplicate or
 * a failed BPF load is an error); live_attach then attaches every prepared
 * point, bridge ports before their bridge, and fails (-ENODEV) only when
 * no point at all is watched.
 */
int live_prepare(struct live *lv, const char *target, char *err, size_t errlen);
int live_attach(struct live *lv, char *err, size_t errlen);
/*
 * Waits up to timeout_ms for records and hands each to fn.  Returns the
 * number of records handled, 1 + that if fn asked to stop (see
 * live_stopped), -EINTR on a signal, or another negative errno.
 */
int live_poll(struct live *lv, int timeout_ms, live_frame_fn fn, void *ctx);
/*
 * Hands what is in the ring now to fn without waiting (at the end), even
 * after fn stopped a poll: the caller decides whether to drain.
 */
int live_drain(struct live *lv, live_frame_fn fn, void *ctx);
/*
 * The end of a run: live_detach takes every hook off (what live_free
 * would, the ring stays readable), so the ring only empties from then on
 * and a drain of it is bounded by its size.  live_discard then takes what
 * the drain did not (a writer failed, the drain was cut short), hands
 * none of it on, and returns how many records that was; they are counted
 * in their points' lost events (live_update_stats), never lost silently.
 */
void live_detach(struct live *lv);
uint64_t live_discard(struct live *lv);
/*
 * Interface churn (rtnetlink, in every watched netns).  When a watched
 * interface goes away, its point's watch window closes (a gap opens in
 * the point, see point.h) and "IF in ns NS went away at T; its watch
 * window is closed" is said; when an interface of the same name appears
 * again in that netns, the point's programs attach to it as they did at
 * the start and a new window opens.  fn (may be NULL) hears of both after
 * the point was updated, e.g. to close and open windows in a pcapng.
 */
struct live_link_event {
	uint32_t point_id;
	bool present;		/* back (a new window), else gone */
	uint64_t ts_ns;		/* wall clock */
};
typedef void (*live_link_fn)(const struct live_link_event *ev, void *ctx);
/* After live_attach; an error leaves churn unfollowed (nothing else). */
int live_follow_links(struct live *lv, live_link_fn fn, void *ctx, char *err,
		      size_t errlen);
/*
 * Handles the notifications that came since the last call, without
 * waiting; first hands what is in the ring to the fn of the last
 * live_poll.  Call it after each live_poll.
 */
int live_check_links(struct live *lv);
/* True after fn returned non-zero. */
bool live_stopped(const struct live *lv);
/* Copies the kernel's per-point counters (lost events) into the points. */
void live_update_stats(struct live *lv);
/* Totals across points. */
uint64_t live_lost_total(const struct live *lv);
uint64_t live_bad_records(const struct live *lv);
/* After live_attach: true when the points are hooked by tracepoints. */
bool live_uses_tracepoints(const struct live *lv);
/* "links" / "tracepoints" / "auto" to *out; -EINVAL for anything else. */
int live_attach_parse(const char *s, enum live_attach *out);
/* Frames the filter kept from a device no point is mapped to (dropped). */
uint64_t live_unknown_dev(struct live *lv);
/* Whether TC hooks use tcx links (else clsact). */
bool live_uses_tcx(const struct live *lv);
/* Detaches everything that was attached, in each netns; frees lv. */
void live_free(struct live *lv);

/* Before anything is loaded: a message naming missing capabilities, or
 * "" when the process looks privileged enough. */
void live_check_privileges(char *msg, size_t len);

#endif /* DROPSPOT_LIVE_H */
