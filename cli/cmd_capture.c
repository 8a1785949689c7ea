// SPDX-License-Identifier: GPL-2.0
/*
 * dropspot capture -i POINT[,POINT...]: watch interfaces live with eBPF
 * (XDP or TC ingress + TC egress), print each frame like `dropspot dissect`
 * and/or write a multi-interface pcapng.  Ends on -c, --duration, Ctrl-C,
 * SIGTERM or SIGHUP, always detaching what it attached.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpf/abi.h"
#include "capture/drops.h"
#include "capture/filter.h"
#include "capture/live.h"
#include "capture/pcapng_write.h"
#include "cli_common.h"
#include "commands.h"
#include "live_drain.h"
#include "live_session.h"
#include "common/log.h"
#include "dissect/packet.h"
#include "drop_output.h"
#include "metrics.h"
#include "output.h"
#include "stream.h"

#define MAX_TARGETS 1024	/* live points: one program copy serves them all */
#define MAX_HOSTS DS_HOSTS_MAX

struct capture_opts {
	const char *targets[MAX_TARGETS];
	size_t n_targets;
	const char *hosts[MAX_HOSTS];
	size_t n_hosts;
	char *target_buf[MAX_TARGETS];	/* strdup'ed -i arguments */
	size_t n_target_buf;
	const char *write_path;
	const char *filter_expr;
	uint64_t max_packets;
	double duration;		/* seconds, 0 = until stopped */
	uint32_t snaplen;
	uint32_t ring_size;
	int filter_mode;
	enum live_ingress ingress;
	enum live_attach attach;
	bool json, print, summary, force_clsact;
	bool drops;			/* --drops: kfree_skb records too */
	const char *ndjson;		/* --ndjson[=FILE]: "-" = stdout */
	const char *metrics;		/* --metrics FILE */
	double metrics_interval;	/* seconds between counters/metrics */
};

struct capture_run {
	const struct capture_opts *o;
	struct point_table *points;
	struct filter *flt;
	struct output *out;
	struct pcapng_writer *w;
	struct drops_handle *d;
	uint64_t matched;
	uint64_t drops;			/* drop records printed/written */
	int write_error;
	bool draining;		/* after the loop: take what is left */
	bool print_failed;	/* stdout refused a line during the drain */
	uint64_t unwritten;	/* ring records the end could not write */
	struct live *lv;
	uint64_t start_ns;	/* the run's watch windows open */
	struct stream *ev;	/* --ndjson, or NULL */
	struct run_stats stats;	/* --ndjson counters, --metrics */
	uint64_t next_emit;	/* CLOCK_MONOTONIC ns of the next */
	bool metrics_failed;	/* said once */
};

static void capture_usage(FILE *fp)
{
	fprintf(fp,
		"usage: dropspot capture -i POINT[,POINT...] [OPTIONS]\n"
		"\n"
		"Watches interfaces live with eBPF: XDP (or TC) for frames received,\n"
		"TC for frames sent, one point per interface. Prints one line per\n"
		"frame (same format as `dropspot dissect`) and/or writes pcapng.\n"
		"By default only ARP, ICMP and ICMPv6 (also VLAN-tagged) are captured.\n"
		"\n"
		"POINT is IFNAME, IFINDEX or NETNS/IFNAME, where NETNS is a name from\n"
		"`ip netns` (/var/run/netns), pid:PID (that process's netns) or a path\n"
		"to a netns file, e.g. br0, 7, guest/eth0, pid:1234/eth0,\n"
		"/proc/1234/ns/net/eth0.\n"
		"\n"
		"options:\n"
		"  -i, --interface P[,P]  points to watch (repeatable)\n"
		"  -w, --write FILE       write a pcapng (one interface per point; - = stdout,\n"
		"                         and the summary goes to stderr)\n"
		"  -c, --count N          stop after N frames (after -f)\n"
		"  -d, --duration S       stop after S seconds\n"
		"  -s, --snaplen N        bytes kept per frame (default/max %u)\n"
		"  -f, --filter EXPR      pcap-filter expression applied in user space\n"
		"  -j, --json             one JSON object per line\n"
		"      --all-ip           capture all IPv4/IPv6 traffic, not only ICMP\n"
		"      --all              capture every frame\n"
		"      --host ADDR        also capture any IP packet from/to ADDR (repeatable)\n"
		"      --attach MODE      how frames are hooked: links (XDP or TC ingress\n"
		"                         and TC egress on each interface), tracepoints\n"
		"                         (netif_receive_skb + net_dev_queue, host-wide,\n"
		"                         a map entry per point: fast for many points) or\n"
		"                         auto (default: links up to %d points)\n"
		"      --tc-ingress       use TC instead of XDP for received frames\n"
		"                         (needed when another program holds the XDP slot)\n"
		"      --xdp-ingress      use XDP for received frames on veth and bridges\n"
		"                         too (by default they use TC: XDP on veth turns\n"
		"                         off the peer's GSO and misses frames outside\n"
		"                         veth NAPI; on a bridge it is generic XDP, blind\n"
		"                         to VLAN tags the stack already took out)\n"
		"      --drops            also record kernel drops (kfree_skb): printed\n"
		"                         with reason and function, written to -w on\n"
		"                         an interface named kernel-drops\n"
		"      --no-drops         no kernel drops (default)\n"
		"      --no-print         no per-frame lines (with -w)\n"
		"      --ndjson [FILE]    stream events as NDJSON lines (schema\n"
		"                         dropspot.event/1: session, kernel drops,\n"
		"                         interfaces gone/back, counters) to FILE, or to\n"
		"                         stdout (- or no FILE), where they replace the\n"
		"                         frame lines and the summary\n"
		"      --metrics FILE     Prometheus textfile (node_exporter textfile\n"
		"                         collector) of the counters, replaced atomically\n"
		"      --metrics-interval S  seconds between counters events and\n"
		"                         metrics writes (default 10)\n"
		"      --no-summary       no per-point summary at the end\n"
		"  -v, --verbose          more messages (libbpf's too)\n"
		"  -h, --help             this help\n"
		"\n"
		"Needs root or CAP_BPF + CAP_NET_ADMIN + CAP_PERFMON (and CAP_SYS_ADMIN\n"
		"for other netns). Frames the ring could not take are counted and\n"
		"reported as 'lost' per point.\n"
		"\n"
		"On Ctrl-C (or SIGTERM, SIGHUP) the hooks come off and what is still\n"
		"in the ring is written, for up to %u s; a second Ctrl-C cuts that\n"
		"short. Events that could not be written (stdout blocked, a write\n"
		"error) are counted as lost and said.\n"
		"exit status: 0 ok, 2 usage error, capture failure, or events that\n"
		"could not be written.\n",
		DS_SNAPLEN_MAX, LIVE_AUTO_TP_POINTS, DRAIN_BUDGET_MS / 1000);
}

static int add_targets(struct capture_opts *o, const char *arg)
{
	char *copy, *tok, *save = NULL;

	if (o->n_target_buf >= MAX_TARGETS)
		return -1;
	copy = strdup(arg);
	if (!copy)
		return -1;
	o->target_buf[o->n_target_buf++] = copy;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->n_targets >= MAX_TARGETS) {
			log_error("too many points (max %d)", MAX_TARGETS);
			return -1;
		}
		o->targets[o->n_targets++] = tok;
	}
	return 0;
}

static int parse_capture_opts(int argc, char **argv, struct capture_opts *o)
{
	enum { OPT_ALL_IP = 256, OPT_ALL, OPT_HOST, OPT_TC_INGRESS, OPT_XDP_INGRESS,
	       OPT_ATTACH, OPT_NO_PRINT, OPT_DROPS, OPT_NO_DROPS,
	       OPT_NO_SUMMARY, OPT_RING_SIZE, OPT_FORCE_CLSACT, OPT_NDJSON,
	       OPT_METRICS, OPT_METRICS_INTERVAL };
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "write", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "snaplen", required_argument, NULL, 's' },
		{ "filter", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "all-ip", no_argument, NULL, OPT_ALL_IP },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "tc-ingress", no_argument, NULL, OPT_TC_INGRESS },
		{ "xdp-ingress", no_argument, NULL, OPT_XDP_INGRESS },
		{ "attach", required_argument, NULL, OPT_ATTACH },
		{ "no-print", no_argument, NULL, OPT_NO_PRINT },
		{ "drops", no_argument, NULL, OPT_DROPS },
		{ "no-drops", no_argument, NULL, OPT_NO_DROPS },
		{ "no-summary", no_argument, NULL, OPT_NO_SUMMARY },
		{ "ndjson", optional_argument, NULL, OPT_NDJSON },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "metrics-interval", required_argument, NULL,
		  OPT_METRICS_INTERVAL },
		/* hidden, for tests: */
		{ "ring-size", required_argument, NULL, OPT_RING_SIZE },
		{ "force-clsact", no_argument, NULL, OPT_FORCE_CLSACT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	o->print = true;
	o->summary = true;
	o->filter_mode = DS_FILTER_DEFAULT;
	o->metrics_interval = 10.0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:w:c:d:s:f:jvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (add_targets(o, optarg))
				return -1;
			break;
		case 'w':
			o->write_path = optarg;
			break;
		case 'c':
			if (cli_opt_count("-c", optarg, &o->max_packets))
				return -1;
			break;
		case 'd':
			if (cli_opt_seconds("--duration", optarg, CLI_DURATION_MIN,
					    CLI_DURATION_MAX, &o->duration))
				return -1;
			break;
		case 's':
			if (cli_opt_uint("-s", optarg, 1, DS_SNAPLEN_MAX, &v))
				return -1;
			o->snaplen = (uint32_t)v;
			break;
		case 'f':
			o->filter_expr = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case OPT_ALL_IP:
			if (o->filter_mode < DS_FILTER_ALL_IP)
				o->filter_mode = DS_FILTER_ALL_IP;
			break;
		case OPT_ALL:
			o->filter_mode = DS_FILTER_ALL;
			break;
		case OPT_HOST:
			if (o->n_hosts >= MAX_HOSTS) {
				log_error("too many --host (max %d)", MAX_HOSTS);
				return -1;
			}
			o->hosts[o->n_hosts++] = optarg;
			break;
		case OPT_TC_INGRESS:
			o->ingress = LIVE_INGRESS_TC;
			break;
		case OPT_XDP_INGRESS:
			o->ingress = LIVE_INGRESS_XDP;
			break;
		case OPT_ATTACH:
			if (cli_opt_attach(optarg, &o->attach))
				return -1;
			break;
		case OPT_NO_PRINT:
			o->print = false;
			break;
		case OPT_DROPS:
			o->drops = true;
			break;
		case OPT_NO_DROPS:
			o->drops = false;
			break;
		case OPT_NO_SUMMARY:
			o->summary = false;
			break;
		case OPT_NDJSON:
			/* "--ndjson FILE" as well as "--ndjson=FILE" */
			if (!optarg && optind < argc && argv[optind][0] != '-')
				optarg = argv[optind++];
			o->ndjson = optarg && optarg[0] ? optarg : "-";
			break;
		case OPT_METRICS:
			if (!optarg[0] || !strcmp(optarg, "-")) {
				log_error("--metrics wants a file (it is replaced by rename)");
				return -1;
			}
			o->metrics = optarg;
			break;
		case OPT_METRICS_INTERVAL:
			if (cli_opt_seconds("--metrics-interval", optarg, 0.1,
					    86400, &o->metrics_interval))
				return -1;
			break;
		case OPT_RING_SIZE:
			if (cli_parse_u64(optarg, &v) || !v || v > (1u << 30)) {
				log_error("--ring-size wants bytes, a power of two");
				return -1;
			}
			o->ring_size = (uint32_t)v;
			break;
		case OPT_FORCE_CLSACT:
			o->force_clsact = true;
			break;
		case 'v':
			log_set_level(LOG_DEBUG);
			break;
		case 'h':
			capture_usage(stdout);
			exit(0);
		default:
			capture_usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (!o->n_targets) {
		log_error("capture needs -i POINT (see dropspot capture --help)");
		return -1;
	}
	if (cli_check_attach(o->attach, o->ingress != LIVE_INGRESS_AUTO ||
			     o->force_clsact))
		return -1;
	if (o->ndjson && !strcmp(o->ndjson, "-")) {
		if (o->write_path && !strcmp(o->write_path, "-")) {
			log_error("--ndjson and -w - both want stdout: give --ndjson=FILE");
			return -1;
		}
		/* the stream is stdout's output: no frame lines, no summary */
		o->print = false;
		o->summary = false;
	}
	if (o->write_path && !strcmp(o->write_path, "-") && o->print) {
		log_error("-w - writes pcapng to stdout: add --no-print");
		return -1;
	}
	return 0;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int on_frame(const struct frame *f, void *ctx)
{
	struct capture_run *r = ctx;
	struct packet pkt;
	int ret;

	if (live_stop_signal && !r->draining)
		return 1;
	/* a second Ctrl-C or the drain's budget: the rest is counted */
	if (r->draining && live_drain_cut())
		return 1;
	if (!filter_match(r->flt, f))
		return 0;
	if (r->w) {
		ret = pcapng_writer_frame(r->w, f);
		if (ret) {
			r->write_error = ret;
			return 1;
		}
	}
	if (r->o->print) {
		/* in place: f->data points into the ring record */
		dissect_frame(f, &pkt);
		output_packet(r->out, &pkt, r->points);
		if (r->draining && ferror(r->out->fp)) {
			r->print_failed = true;
			return 1;
		}
	}
	r->matched++;
	return r->o->max_packets && r->matched >= r->o->max_packets;
}

/* The kernel-drops point's row in the summary and its ISB in the file. */
static void count_drop(struct point_table *points, const struct frame *f)
{
	struct point *p = point_get(points, f->point);

	if (!p)
		return;
	p->frames++;
	p->bytes += f->wirelen;
	if (f->caplen < f->wirelen)
		p->snapped++;
}

/*
 * A kernel drop: written with its dropspot-drop comment (so `analyze` reads
 * back the same event) and printed with its reason and function.  -f
 * applies (to the dropped packet); -c counts wire frames only.
 */
static int on_drop(const struct drop_event *ev, void *ctx)
{
	struct capture_run *r = ctx;
	struct drop_frame df;
	int id, ret;

	drop_frame_build(ev, drops_point(r->d), &df);
	/* counted before -f, as the wire points count what the ring gave */
	count_drop(r->points, &df.f);
	stats_kernel_drop(&r->stats, ev->reason_name);
	if (!filter_match(r->flt, &df.f))
		return 0;
	if (r->ev)
		stream_kernel_drop(r->ev, ev);
	id = r->w ? pcapng_writer_if_of_point(r->w, df.f.point) : -1;
	if (id >= 0) {
		ret = pcapng_writer_packet(r->w, (uint32_t)id, &df.f,
					   df.comment);
		if (ret) {
			r->write_error = ret;
			return 1;
		}
	}
	if (r->o->print)
		output_drop(r->out, ev, &df.f, r->points);
	r->drops++;
	return 0;
}

/* Drops come from their own ring: taken after each pass over the frames. */
static int poll_drops(struct capture_run *r)
{
	int ret;

	if (!r->d)
		return 0;
	ret = drops_poll(r->d, 0, on_drop, r);
	if (ret < 0 && ret != -EINTR) {
		log_error("reading the kernel drop ring failed: %s",
			  strerror(-ret));
		return EXIT_TROUBLE;
	}
	return 0;
}

/*
 * After attaching: a point's hook may have changed (TC fallback).  Every
 * point of the table in id order, so pcapng interface i is point i.
 */
static int add_writer_points(const struct capture_opts *o,
			     struct point_table *points,
			     struct pcapng_writer *w)
{
	size_t i;

	for (i = 0; w && i < points->count; i++) {
		if (pcapng_writer_add_point(w, &points->items[i]) < 0) {
			log_error("cannot write to %s", o->write_path);
			return -EIO;
		}
	}
	return 0;
}

/*
 * Before the points are added to the writer, so "kernel-drops" gets its
 * interface with them.  Without drops the capture goes on (with a note).
 */
static void start_drops(const struct capture_opts *o, struct point_table *points,
			struct drops_handle **d)
{
	struct drops_opts dopts;
	char err[512];

	memset(&dopts, 0, sizeof(dopts));
	dopts.filter_mode = o->filter_mode;
	if (drops_new(&dopts, points, d, err, sizeof(err))) {
		log_warn("%s", err);
		*d = NULL;
		return;
	}
	if (drops_note(*d)[0])
		log_info("%s", drops_note(*d));
}

static void report_drop_stats(struct drops_handle *d)
{
	struct drops_stats st;

	drops_stats(d, &st);
	if (st.lost)
		log_warn("the kernel drop ring lost %llu records: drop "
			 "attribution is incomplete",
			 (unsigned long long)st.lost);
	if (st.bad_records)
		log_warn("%llu malformed drop records ignored",
			 (unsigned long long)st.bad_records);
}

/*
 * A watched interface went away (its window's ISB is written now) or came
 * back (a new IDB: its frames go there from now on).  live.c took the
 * ring's records first, so the old window's frames are already written.
 */
static void on_link_event(const struct live_link_event *ev, void *ctx)
{
	struct capture_run *r = ctx;
	struct point *p = point_get(r->points, ev->point_id);
	int ret;

	if (r->ev)
		stream_point(r->ev, p, ev->point_id, ev->present, ev->ts_ns);
	if (!r->w || !p || r->write_error)
		return;
	ret = live_session_window(r->lv, r->w, p, ev, r->start_ns);
	if (ret < 0)
		r->write_error = ret;
}

/* A counters event and the metrics file, now (stream.h, metrics.h). */
static void emit_counters(struct capture_run *r, bool final)
{
	const struct capture_opts *o = r->o;
	int ret = live_session_counters(r->lv, r->d, &r->stats, r->ev,
					o->metrics, r->points, final);

	if (ret && !r->metrics_failed)
		log_warn("cannot write --metrics %s: %s", o->metrics,
			 strerror(-ret));
	/* the end's write decides the exit status */
	r->metrics_failed = ret != 0;
}

static void emit_due(struct capture_run *r)
{
	uint64_t mono = now_ns(CLOCK_MONOTONIC);

	if (mono < r->next_emit)
		return;
	r->next_emit = mono + (uint64_t)(r->o->metrics_interval * 1e9);
	emit_counters(r, false);
}

/* Polls until -c, --duration, a signal or an error; returns exit status. */
static int capture_loop(struct live *lv, struct capture_run *r)
{
	const struct capture_opts *o = r->o;
	uint64_t start = now_ns(CLOCK_MONOTONIC);
	uint64_t limit = o->duration > 0 ? (uint64_t)(o->duration * 1e9) : 0;
	int ret;

	while (!live_stop_signal) {
		int timeout = 100;

		if (limit) {
			uint64_t el = now_ns(CLOCK_MONOTONIC) - start;

			if (el >= limit)
				break;
			if (limit - el < 100000000ull)
				timeout = (int)((limit - el) / 1000000) + 1;
		}
		ret = live_poll(lv, timeout, on_frame, r);
		live_check_links(lv);
		if (poll_drops(r))
			return EXIT_TROUBLE;
		emit_due(r);
		/* said once, when the writer is closed */
		if (r->write_error)
			return EXIT_TROUBLE;
		if (r->out && r->out->buf.oom) {
			log_error("out of memory while printing");
			return EXIT_TROUBLE;
		}
		if (live_stopped(lv))
			break;
		if (ret < 0 && ret != -EINTR) {
			log_error("reading the capture ring failed: %s", strerror(-ret));
			return EXIT_TROUBLE;
		}
		/*
		 * A stop signal interrupts a line blocked on a full stdout:
		 * that is the stop, not a failure; the drain tries again.
		 */
		if (o->print && ferror(r->out->fp) && live_stop_signal)
			break;
		if (o->print && ferror(r->out->fp))
			return EXIT_TROUBLE;
	}
	return 0;
}

static void write_stats(struct pcapng_writer *w, struct point_table *points,
			uint64_t start_ns, uint64_t end_ns)
{
	size_t i;

	for (i = 0; i < points->count; i++) {
		const struct point *p = &points->items[i];

		/* its window's ISB was written when the interface went */
		if (!p->n_gaps || p->gap_end_ns[p->n_gaps - 1])
			pcapng_writer_window_end(w, p, start_ns, end_ns);
	}
}

/*
 * The end of the run: hooks off, so the ring only empties; what the
 * kernel recorded before we stopped is still shown and written, within
 * the drain's bounds (live_drain.h).  What could not be written is
 * counted as lost and said; it makes the exit status 2.  A capture that
 * stopped at -c leaves the rest alone: it was not asked for.
 */
static int capture_drain(struct live *lv, struct capture_run *r, int status)
{
	const struct capture_opts *o = r->o;
	bool at_count = o->max_packets && r->matched >= o->max_packets;
	live_drain_begin();
	live_detach(lv);
	if (status == 0 && !at_count) {
		/* a line the stop signal interrupted: the drain tries again */
		if (o->print)
			clearerr(r->out->fp);
		r->draining = true;
		live_drain(lv, on_frame, r);
		status = poll_drops(r);
		/* a line the cut interrupted: stdout is blocked */
		if (o->print && ferror(r->out->fp))
			r->print_failed = true;
	}
	if (at_count)
		return status;
	r->unwritten = live_discard(lv);
	live_drain_report(r->unwritten, r->write_error || r->print_failed ?
			  "write failed" : "the capture failed");
	if (r->unwritten || r->print_failed || r->write_error)
		status = EXIT_TROUBLE;
	if (r->print_failed)
		log_error("stdout took no more lines (%s): the summary is not "
			  "written", live_drain_cut() ? "blocked" : "failed");
	return status;
}

int cmd_capture(int argc, char **argv)
{
	struct capture_opts o;
	struct capture_run r;
	struct point_table points;
	struct live_opts lo;
	struct live *lv = NULL;
	struct drops_handle *d = NULL;
	struct filter *flt = NULL;
	struct pcapng_writer *w = NULL;
	struct output out;
	uint64_t start_ns, end_ns, lost;
	size_t n_wire;
	char err[1024];
	int status = EXIT_TROUBLE, ret;
	size_t i;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	point_table_init(&points);
	output_init(&out, stdout, false);
	if (parse_capture_opts(argc, argv, &o))
		goto cleanup;
	/* -w -: stdout is the pcapng stream; any other byte there corrupts it */
	if (o.write_path && !strcmp(o.write_path, "-"))
		out.fp = stderr;
	out.json = o.json;
	out.flush_each = true;
	if (o.ndjson) {
		r.ev = stream_open(o.ndjson, err, sizeof(err));
		if (!r.ev) {
			log_error("%s", err);
			goto cleanup;
		}
	}
	if (filter_new(o.filter_expr, &flt, err, sizeof(err))) {
		log_error("%s", err);
		goto cleanup;
	}
	live_check_privileges(err, sizeof(err));
	if (err[0]) {
		log_error("%s", err);
		goto cleanup;
	}
	live_session_signals();
	memset(&lo, 0, sizeof(lo));
	lo.snaplen = o.snaplen;
	lo.filter_mode = o.filter_mode;
	lo.hosts = o.hosts;
	lo.n_hosts = o.n_hosts;
	lo.ingress = o.ingress;
	lo.force_clsact = o.force_clsact;
	lo.attach = o.attach;
	lo.ring_size = o.ring_size;
	if (live_new(&lo, &points, &lv, err, sizeof(err))) {
		log_error("%s", err);
		goto cleanup;
	}
	start_ns = now_ns(CLOCK_REALTIME);
	if (live_session_attach(lv, o.targets, o.n_targets))
		goto cleanup;
	/* after the -i points, so their ids follow the -i order */
	if (o.drops)
		start_drops(&o, &points, &d);
	/*
	 * Only now that the capture can start: a capture that failed to
	 * attach leaves no file behind (and an existing one untouched).
	 */
	if (o.write_path &&
	    pcapng_writer_open(o.write_path, "dropspot capture", NULL, &w, err, sizeof(err))) {
		log_error("%s", err);
		goto cleanup;
	}
	if (add_writer_points(&o, &points, w)) {
		pcapng_writer_discard(w);
		w = NULL;
		goto cleanup;
	}
	n_wire = points.count - (d ? 1 : 0);
	log_info("watching %zu point%s%s (%s); Ctrl-C to stop", n_wire,
		 n_wire == 1 ? "" : "s", d ? " and kernel drops" : "",
		 live_uses_tracepoints(lv) ? "tracepoints netif_receive_skb + "
		 "net_dev_queue" :
		 o.ingress == LIVE_INGRESS_TC ? "TC ingress + egress" :
		 o.ingress == LIVE_INGRESS_XDP ? "XDP + TC egress" :
		 "XDP or TC ingress + TC egress");

	r.o = &o;
	r.points = &points;
	r.flt = flt;
	r.out = &out;
	r.w = w;
	r.d = d;
	r.lv = lv;
	r.start_ns = start_ns;
	stats_init(&r.stats, "capture", start_ns);
	if (r.ev)
		stream_session_start(r.ev, "capture", &points);
	r.next_emit = now_ns(CLOCK_MONOTONIC);	/* dropspot_up 1 at once */
	/* a point whose interface goes and comes back (a VM restarted) */
	if (live_follow_links(lv, on_link_event, &r, err, sizeof(err)))
		log_warn("interfaces that go away are not followed: %s", err);
	status = capture_loop(lv, &r);
	end_ns = now_ns(CLOCK_REALTIME);
	status = capture_drain(lv, &r, status);
	live_drain_done();

	live_update_stats(lv);
	/* the unwritten ones are in 'lost' per point, but were said apart */
	lost = live_lost_total(lv) - r.unwritten;
	/* the kernel-drops point's lost count, for the file and the summary */
	if (d)
		report_drop_stats(d);
	if (w) {
		write_stats(w, &points, start_ns, end_ns);
		ret = pcapng_writer_close(w);
		w = NULL;
		/* the one message for a write error, wherever it was seen */
		if (!ret)
			ret = r.write_error;
		if (ret) {
			log_error("cannot write %s: %s",
				  strcmp(o.write_path, "-") ? o.write_path :
				  "the pcapng to stdout", strerror(-ret));
			status = EXIT_TROUBLE;
		}
	}
	/* a stdout that refused the drain's lines would refuse these too */
	if (o.summary && !r.print_failed)
		output_summary(&out, &points);
	if (lost)
		log_warn("the capture lost %llu events (ring full): evidence is "
			 "incomplete; see 'lost' per point",
			 (unsigned long long)lost);
	if (live_bad_records(lv))
		log_warn("%llu malformed ring records ignored",
			 (unsigned long long)live_bad_records(lv));
	if (!r.print_failed && !output_flush(&out) && status == 0)
		status = EXIT_TROUBLE;
	emit_counters(&r, true);
	if (r.metrics_failed)
		status = EXIT_TROUBLE;
	if (r.ev) {
		if (stream_failed(r.ev))
			status = EXIT_TROUBLE;
		stream_session_end(r.ev, NULL, status);
		if (stream_close(r.ev)) {
			log_error("the --ndjson stream could not be written");
			status = EXIT_TROUBLE;
		}
		r.ev = NULL;
	}
	live_drain_end();
cleanup:
	stream_close(r.ev);
	drops_free(d);
	live_free(lv);
	if (w)
		pcapng_writer_close(w);
	filter_free(flt);
	output_free(&out);
	point_table_free(&points);
	for (i = 0; i < o.n_target_buf; i++)
		free(o.target_buf[i]);
	return status;
}
