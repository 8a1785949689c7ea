// SPDX-License-Identifier: GPL-2.0
/*
 * drops_watch: attaches the kfree_skb program and prints one line per drop
 * record for a while.  A debug tool and the probe of the drops tests.
 *
 *   drops_watch [-t SECONDS] [-a|-A] [-n NETNS_INODE]... [-c] [-v]
 *
 *   -t  run for SECONDS (default 10); SIGINT/SIGTERM end earlier
 *   -a  every IP packet (default: ARP, ICMP, ICMPv6);  -A  every packet
 *   -n  print only drops in this netns (inode of /run/netns/X); repeatable
 *   -c  at the end, every drop seen by reason (filtered or not)
 *
 * Output: "ready" once attached (tests wait for it), then
 *   drop reason=NAME reason_id=N func=F sym=F+0xOFF ifindex=I netns=N
 *        proto=0xPPPP pkt_type=T len=CAP/WIRE flags=0xF | SUMMARY
 * and "stats seen=.. sent=.. lost=.. bad=.. delivered=.." at the end.
 * Exit status: 0, 2 on usage errors, 3 when drops cannot be attached.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "bpf/abi.h"
#include "capture/drop_reason.h"
#include "capture/drops.h"
#include "common/log.h"
#include "dissect/names.h"
#include "dissect/packet.h"

#define MAX_NETNS 16

struct watch {
	uint32_t netns[MAX_NETNS];
	size_t n_netns;
	uint32_t point;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static const char *addr_str(const struct ip_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->a, buf,
		       (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

static void summary_ip(const struct packet *p, char *buf, size_t len)
{
	const struct net_info *n = &p->net;
	char s[64], d[64], what[64];
	int fam = n->ip.version;

	addr_str(&n->ip.src, s, sizeof(s));
	addr_str(&n->ip.dst, d, sizeof(d));
	if (p->layers & (LAYER_ICMP | LAYER_ICMPV6)) {
		icmp_describe(what, sizeof(what), fam, n->icmp.type,
			      n->icmp.code, n->icmp.mtu);
		snprintf(buf, len,
			 "icmp%s %s %s > %s id=%u seq=%u iplen=%u data=%u/%u "
			 "hash=%016llx",
			 fam == 6 ? "6" : "", what, s, d, n->icmp.echo_id,
			 n->icmp.echo_seq, n->ip.total_len,
			 n->icmp.echo_caplen, n->icmp.echo_len,
			 (unsigned long long)n->icmp.echo_hash);
		return;
	}
	snprintf(buf, len, "ipv%d proto %u %s > %s iplen=%u", fam,
		 n->ip.proto, s, d, n->ip.total_len);
}

static void summary(const struct drop_event *ev, uint32_t point, char *buf,
		    size_t len)
{
	uint8_t bytes[DROP_FRAME_MAX];
	struct packet p;
	struct frame f;
	char s[64], d[64];

	drop_event_frame(ev, point, bytes, &f);
	dissect_frame(&f, &p);
	if (p.layers & LAYER_ARP) {
		struct ip_addr a = { .family = 4 }, b = { .family = 4 };

		memcpy(a.a, p.arp.spa, 4);
		memcpy(b.a, p.arp.tpa, 4);
		snprintf(buf, len, "arp %s %s > %s", arp_op_name(p.arp.op),
			 addr_str(&a, s, sizeof(s)), addr_str(&b, d, sizeof(d)));
	} else if (p.layers & (LAYER_IPV4 | LAYER_IPV6)) {
		summary_ip(&p, buf, len);
	} else {
		snprintf(buf, len, "ethertype 0x%04x", ev->protocol);
	}
	if (p.n_anom) {
		size_t n = strlen(buf);

		snprintf(buf + n, len - n, " anomaly=%s%s",
			 anomaly_name(p.anom[0].kind),
			 p.snapped ? " (snapped)" : "");
	}
}

static int on_event(const struct drop_event *ev, void *ctx)
{
	struct watch *w = ctx;
	char func[DROP_SYMBOL_MAX], sum[512];
	size_t i;

	if (w->n_netns) {
		for (i = 0; i < w->n_netns; i++)
			if (w->netns[i] == ev->netns_ino)
				break;
		if (i == w->n_netns)
			return 0;
	}
	summary(ev, w->point, sum, sizeof(sum));
	printf("drop reason=%s reason_id=%u func=%s sym=%s ifindex=%u netns=%u "
	       "proto=0x%04x pkt_type=%u len=%u/%u flags=0x%x | %s\n",
	       ev->reason_name, ev->reason,
	       drop_event_function(ev, func, sizeof(func)), ev->symbol,
	       ev->ifindex, ev->netns_ino, ev->protocol, ev->pkt_type,
	       ev->cap_len, ev->wire_len, ev->flags, sum);
	fflush(stdout);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void print_counts(struct drops_handle *d)
{
	struct drop_reason_count c[32];
	char buf[DROP_REASON_STR_MAX];
	size_t i, n = drops_reason_counts(d, c, 32);

	for (i = 0; i < n; i++)
		printf("count reason=%s n=%llu\n",
		       drop_reason_name(drops_reasons(d), c[i].reason, buf,
					sizeof(buf)),
		       (unsigned long long)c[i].count);
}

int main(int argc, char **argv)
{
	struct drops_opts o = { .filter_mode = DS_FILTER_DEFAULT };
	struct drops_handle *d = NULL;
	struct watch w = { .point = 0 };
	struct drops_stats st;
	struct point_table pt;
	double secs = 10, end;
	bool counts = false;
	char err[512];
	int opt, ret;

	while ((opt = getopt(argc, argv, "t:aAn:cv")) != -1) {
		switch (opt) {
		case 't':
			secs = atof(optarg);
			break;
		case 'a':
			o.filter_mode = DS_FILTER_ALL_IP;
			break;
		case 'A':
			o.filter_mode = DS_FILTER_ALL;
			break;
		case 'n':
			if (w.n_netns == MAX_NETNS)
				return 2;
			w.netns[w.n_netns++] = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			counts = true;
			break;
		case 'v':
			log_set_level(LOG_DEBUG);
			break;
		default:
			fprintf(stderr, "usage: %s [-t SECONDS] [-a|-A] "
				"[-n NETNS_INODE]... [-c] [-v]\n", argv[0]);
			return 2;
		}
	}
	point_table_init(&pt);
	ret = drops_new(&o, &pt, &d, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "drops_watch: %s\n", err);
		point_table_free(&pt);
		return 3;
	}
	w.point = drops_point(d);
	if (drops_note(d)[0])
		fprintf(stderr, "drops_watch: note: %s\n", drops_note(d));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("ready\n");
	fflush(stdout);
	end = now_s() + secs;
	while (!stop && now_s() < end) {
		ret = drops_poll(d, 100, on_event, &w);
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "drops_watch: poll: %s\n", strerror(-ret));
			break;
		}
	}
	/* Whatever is still in the ring belongs to the run. */
	drops_poll(d, 0, on_event, &w);
	drops_stats(d, &st);
	if (counts)
		print_counts(d);
	printf("stats seen=%llu sent=%llu lost=%llu read_err=%llu bad=%llu "
	       "delivered=%llu\n",
	       (unsigned long long)st.seen, (unsigned long long)st.sent,
	       (unsigned long long)st.lost, (unsigned long long)st.read_err,
	       (unsigned long long)st.bad_records,
	       (unsigned long long)st.delivered);
	drops_free(d);
	point_table_free(&pt);
	return 0;
}
