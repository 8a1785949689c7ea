/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dropspot's own echo probes for `dropspot trace --ping`: an ICMP or ICMPv6
 * raw socket opened inside a chosen netns (the socket keeps that netns after
 * we return to ours, so no thread has to stay there).  Each request carries
 * a recognisable payload: "dropspot", the session's random tag, the send
 * time and the sequence, then a fixed pattern up to the requested size;
 * and the session's random echo id.
 *
 * The socket is an ICMP datagram ("ping") socket where the netns allows
 * it (net.ipv4.ping_group_range), else a raw socket filtered to echo
 * replies.  The replies the socket receives (pinger_recv) are what ping
 * would count: trace records them as the sighting at a "socket" point,
 * the last one of the reply's path, so "answered" means delivered.
 */
#ifndef DROPSPOT_PINGER_H
#define DROPSPOT_PINGER_H

#include <stddef.h>
#include <stdint.h>

#define PINGER_SIZE_DEFAULT 56		/* echo data bytes, as ping(8) */
#define PINGER_SIZE_MAX 8972		/* fits the default snap length */
#define PINGER_MAGIC "dropspot"
#define PINGER_TAG_LEN 8
#define PINGER_OWN_LEN (8 + PINGER_TAG_LEN)	/* magic + tag */

struct pinger;

/*
 * target: an IPv4 or IPv6 address literal.  from: a netns (NAME under
 * /var/run/netns, pid:PID or a path), NULL or "" = ours.  size: echo data
 * bytes.  Returns 0 or -errno with a message in err.
 */
int pinger_open(const char *target, const char *from, uint32_t size,
		struct pinger **out, char *err, size_t errlen);
/* Sends echo request seq (non-blocking).  Returns 0 or -errno. */
int pinger_send(struct pinger *p, uint16_t seq, uint64_t now_ns);
/* Reads and discards what arrived on the socket (no-op on raw). */
/*
 * A reply the socket received: what ping itself would count, so the
 * ground truth of "answered" for the session's own probes.  pkt is the
 * reply as an IP packet (the IP header written from what the socket said
 * of it where it gives none), valid until the next call.
 */
struct pinger_reply {
	const uint8_t *pkt;
	uint32_t len;
	uint64_t ts_ns;		/* the kernel's receive time, wall clock */
	uint16_t seq;
};

/*
 * The next reply to one of this session's probes, without blocking: 1 and
 * *r filled, 0 when none is waiting, or -errno.  Others' echo replies
 * (a raw socket sees every one in its netns) are skipped.
 */
int pinger_recv(struct pinger *p, struct pinger_reply *r);
int pinger_family(const struct pinger *p);	/* 4 or 6 */
/*
 * The first bytes of every probe's data ("dropspot" + this session's tag)
 * into out (PINGER_OWN_LEN bytes); returns their length, 0 when the probes
 * are too small to carry them.
 */
size_t pinger_own_prefix(const struct pinger *p, uint8_t *out);
/* "ping socket" or "raw socket", for messages. */
const char *pinger_kind(const struct pinger *p);
void pinger_close(struct pinger *p);

#endif /* DROPSPOT_PINGER_H */
