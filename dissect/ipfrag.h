/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IP fragment reassembly for ICMP and ICMPv6, so that a fragmented ping
 * (`ping -s 3000`) is one datagram again and can be recognised as a probe.
 *
 * The one stateful piece of dissect/: fragments of a datagram are collected
 * per capture point (the same datagram seen at two points is two
 * reassemblies), keyed by family, addresses, identification and protocol,
 * in packet time.  Memory is bounded (datagrams, fragments per datagram,
 * bytes in all); the oldest datagram is evicted when a bound is reached.
 *
 * Hostile input is an anomaly, never a guess (Linux's inet_frag and
 * Suricata's defrag are the models): conflicting overlaps poison the
 * datagram, as do datagrams beyond 65535 bytes, inconsistent ends and too
 * many fragments; identical duplicates are ignored.  Bytes the snap length
 * cut are never invented: the result then carries only the captured prefix
 * (caplen < wirelen), exactly as a snapped unfragmented frame would.
 */
#ifndef DROPSPOT_IPFRAG_H
#define DROPSPOT_IPFRAG_H

#include <stdint.h>

#include "common/point.h"
#include "packet.h"

struct ipfrag_limits {
	uint32_t max_datagrams;	/* open datagrams in all (default 1024) */
	uint32_t max_frags;	/* fragments per datagram (default 64) */
	uint64_t max_bytes;	/* buffered bytes in all (default 4 MiB) */
	uint64_t timeout_ns;	/* packet time (default 30 s, ipfrag_time) */
};

void ipfrag_limits_default(struct ipfrag_limits *lim);

struct ipfrag_stats {
	uint64_t fragments;	/* accepted into a datagram */
	uint64_t completed;	/* datagrams handed out whole ... */
	uint64_t snapped;	/* ... of which some bytes were not captured */
	uint64_t duplicates;	/* identical copies, ignored */
	uint64_t overlaps_same;	/* IPv4 partial overlaps with equal bytes */
	uint64_t expired;	/* timed out (or flushed) incomplete */
	uint64_t evicted;	/* forced out by a memory bound, incomplete */
	uint64_t unusable;	/* complete, first header not captured */
	uint64_t ignored;	/* not an ICMP/ICMPv6 fragment */
	uint64_t rejected[ANOM_COUNT];	/* fragments refused, by anomaly */
	uint32_t open;		/* datagrams held now */
	uint64_t bytes;		/* bytes held now */
};

struct ipfrag_table;

/* NULL lim: defaults.  Returns NULL on ENOMEM. */
struct ipfrag_table *ipfrag_new(const struct ipfrag_limits *lim);
void ipfrag_free(struct ipfrag_table *t);

/*
 * Offers one dissected packet, p->frame valid, at packet time now_ns.
 * Returns
 *   1  the datagram is complete: *out is a frame at the same point, with
 *      the timestamp of this (last) fragment, the frame number and link
 *      header of the first fragment, the IP header rewritten as unfragmented
 *      (IPv4: MF and offset cleared, total length set, header checksum
 *      updated incrementally so a good one stays good and a bad one stays
 *      bad; IPv6: fragment header removed, next header chained, payload
 *      length set) and the whole payload.  caplen == wirelen unless the
 *      snap length cut a fragment; out->data belongs to the table until
 *      its next call.
 *   0  held (more fragments needed), or ignored (not an ICMP/ICMPv6
 *      fragment, counted in stats.ignored).
 *  <0  the fragment was refused: -(enum anomaly_kind) says why.
 */
int ipfrag_feed(struct ipfrag_table *t, const struct packet *p,
		uint64_t now_ns, struct frame *out);

/*
 * Ends the datagrams older than the timeout at now_ns (UINT64_MAX: all of
 * them, at the end of input), one per call.  Returns 1 when the datagram
 * ended incomplete with its first fragment and its length known: *out is
 * then the first fragment rewritten as unfragmented, caplen = the bytes
 * captured contiguously from the start, wirelen = the full datagram, so
 * dissection sees a partial echo (echo_caplen < echo_len); callers mark
 * the packet with ipfrag_mark_incomplete().  Returns 0 when nothing (more)
 * expired; datagrams ended without a usable first fragment are only
 * counted.  Call until it returns 0.
 */
int ipfrag_expire(struct ipfrag_table *t, uint64_t now_ns, struct frame *out);

/* Adds ANOM_IP_FRAG_INCOMPLETE to a packet dissected from ipfrag_expire. */
void ipfrag_mark_incomplete(struct packet *p);

const struct ipfrag_stats *ipfrag_stats(const struct ipfrag_table *t);

#endif /* DROPSPOT_IPFRAG_H */
