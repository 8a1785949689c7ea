// SPDX-License-Identifier: GPL-2.0
/*
 * dropspot trace -i POINT[,POINT...] [--ping TARGET]: live tracing of a
 * failing ping.  Watches the points with eBPF (as `capture`), records kernel
 * drops (kfree_skb), optionally sends its own echo probes from a netns, and
 * feeds everything to the same engine as `analyze`: one line per probe as
 * it completes or times out, then the verdict.  -w saves what the engine
 * saw (points, frames, kernel drops) so `dropspot analyze FILE` later gives
 * the same verdict.
 *
 * Pipeline: capture ring + drop ring -> frame queue (a short hold puts the
 * two rings' records into timestamp order) -> pcapng writer + dissect ->
 * engine.  The clock also advances the engine, so a lost probe is reported
 * when its reply window ends, not at the next frame.
 */
#define _GNU_SOURCE	/* memmem */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/engine.h"
#include "analyze/report.h"
#include "bpf/abi.h"
#include "capture/drops.h"
#include "capture/frame_queue.h"
#include "capture/live.h"
#include "capture/netns.h"
#include "capture/pcapng_write.h"
#include "capture/pinger.h"
#include "capture/hoststate_collect.h"
#include "capture/topology.h"
#include "cli_common.h"
#include "commands.h"
#include "live_drain.h"
#include "live_session.h"
#include "pipeline.h"
#include "point_args.h"
#include "common/log.h"
#include "dissect/packet.h"
#include "drop_output.h"
#include "metrics.h"
#include "stream.h"

#define MAX_TARGETS 64
#define MAX_NAMES 64
/*
 * How long a record waits for older records of the other ring (or another
 * CPU) before it is handed on.  Ring records normally arrive within
 * microseconds; the hold only has to beat the poll period.
 */
#define HOLD_NS 200000000ull
#define POLL_MS 50
#define QUEUE_FRAMES 65536
#define NS_PER_S 1000000000ull
#define MAX_NETNS (MAX_TARGETS + 2)
#define HS_STATE_DEVS (MAX_TARGETS + 16)	/* points and drop devices */

struct trace_opts {
	const char *targets[MAX_TARGETS];
	size_t n_targets;
	char *target_buf[MAX_TARGETS];	/* strdup'ed -i / --auto specs */
	size_t n_target_buf;
	const char *ping;		/* --ping TARGET */
	const char *from;		/* --from NETNS */
	const char *auto_target;	/* --auto [TARGET] */
	char topology[1024];		/* what --auto found, for the file */
	bool use_auto;
	uint64_t count;			/* -c: probes (sent, or seen) */
	uint32_t size;			/* -s: echo data bytes */
	double interval;		/* --interval, seconds */
	double duration;		/* --duration, seconds, 0 = none */
	double timeout_s;
	const char *write_path;
	const char *path;
	const char *names[MAX_NAMES];
	int n_names;
	unsigned ladder_max;
	int color;			/* -1 auto */
	int filter_mode;
	enum live_ingress ingress;
	enum live_attach attach;
	bool json, drops, verbose;
	const char *ndjson;		/* --ndjson[=FILE]: "-" = stdout */
	const char *metrics;		/* --metrics FILE */
	double metrics_interval;	/* seconds between counters/metrics */
};

struct trace_run {
	uint32_t sock_point;		/* the probe socket's point, or -1 */
	const struct trace_opts *o;
	struct point_table *points;
	struct live *lv;
	struct drops_handle *d;
	struct pcapng_writer *w;
	struct frame_queue *q;
	struct engine *e;
	struct pinger *pg;
	/* netns (inodes) whose kernel drops count: see watch_netns() */
	uint64_t netns[MAX_NETNS];
	size_t n_netns;
	uint64_t drops_elsewhere;	/* drop records of other netns, ignored */
	uint64_t own_elsewhere;		/* ... kept: they carry our probe */
	FILE *lines;			/* where the per-probe lines go */
	uint64_t delivered;		/* frames handed to the engine */
	uint64_t completed;		/* probes closed */
	uint64_t sent;			/* our probes sent */
	uint64_t next_send;		/* CLOCK_MONOTONIC ns */
	uint64_t last_send;
	int error;			/* -errno: write or memory failure */
	uint64_t unsent;		/* our probes the kernel refused */
	int unsent_err;			/* errno of the first of them */
	size_t unsent_at;		/* their room in the file's comment */
	uint64_t start_ns;		/* the run's watch windows open */
	bool draining;			/* after the loop: what is left */
	bool lines_failed;		/* the probe lines' stream refused one */
	struct stream *ev;		/* --ndjson, or NULL */
	struct run_stats stats;		/* --ndjson counters, --metrics */
	uint64_t next_emit;		/* CLOCK_MONOTONIC ns of the next */
};

static void trace_usage(FILE *fp)
{
	fprintf(fp,
		"usage: dropspot trace -i POINT[,POINT...] [--ping TARGET] [OPTIONS]\n"
		"       dropspot trace --auto TARGET [--from NETNS] [OPTIONS]\n"
		"\n"
		"Follows ping probes live across the points (eBPF, as `capture`) and\n"
		"kernel drops (kfree_skb), prints one line per probe as it is answered\n"
		"or times out, then the verdict: where the failed probes stopped, and\n"
		"why. With --ping it sends its own probes (ICMP echo, data starting\n"
		"with \"dropspot\"); without, it follows the pings you run yourself.\n"
		"\n"
		"POINT is IFNAME, IFINDEX or NETNS/IFNAME (see dropspot capture --help).\n"
		"\n"
		"options:\n"
		"  -i, --interface P[,P]  points to watch, in path order (repeatable)\n"
		"      --auto [T[,T...]]  discover the points between --from and each\n"
		"                         target T (default: the --ping target)\n"
		"      --ping TARGET      send echo probes to TARGET (IPv4/IPv6 address)\n"
		"      --from NETNS       send them from this netns (name, pid:PID, path)\n"
		"  -c, --count N          stop after N probes (sent with --ping, else seen)\n"
		"  -s, --size N           echo data bytes per probe (default %u)\n"
		"      --interval S       seconds between probes (default 1)\n"
		"  -d, --duration S       stop after S seconds\n"
		"  -t, --timeout S        a probe without reply after S is lost (3)\n"
		"  -w, --write FILE       save points, frames and kernel drops as pcapng\n"
		"                         (`dropspot analyze FILE` gives the same verdict)\n"
		"  -j, --json             JSON report (as `analyze --json`); probe lines\n"
		"                         go to stderr\n"
		"      --ndjson [FILE]    stream events as NDJSON lines (schema\n"
		"                         dropspot.event/1: session, each probe's outcome,\n"
		"                         kernel drops, counters, findings) to FILE, or\n"
		"                         to stdout (- or no FILE), where they replace\n"
		"                         the probe lines and the report\n"
		"      --metrics FILE     Prometheus textfile (node_exporter textfile\n"
		"                         collector) of the counters, replaced atomically\n"
		"      --metrics-interval S  seconds between counters events and\n"
		"                         metrics writes (default 10)\n"
		"      --no-drops         do not record kernel drops (default: record\n"
		"                         those in the netns of the points and --from)\n"
		"      --drops            record kernel drops\n"
		"  -p, --path P1,P2,...   the order of points a request crosses\n"
		"  -n, --name P=NAME      name point P (index or name) NAME in the report\n"
		"      --ladder N         probes per flow in the ladder (20, 0 = none)\n"
		"      --no-color         no colours (default: only on a terminal)\n"
		"      --all-ip           capture all IPv4/IPv6 traffic, not only ICMP\n"
		"      --tc-ingress       use TC instead of XDP for received frames\n"
		"      --attach MODE      links, tracepoints or auto (default: links up\n"
		"                         to %d points), see dropspot capture --help\n"
		"  -v, --verbose          info findings and all evidence, more messages\n"
		"  -h, --help             this help\n"
		"\n"
		"Ends on -c, --duration, Ctrl-C, SIGTERM or SIGHUP, always detaching\n"
		"what it attached; what is still in the ring is then analysed, for\n"
		"up to %u s (a second Ctrl-C cuts that short), and what could not be\n"
		"is counted as lost and said. A watched interface deleted and\n"
		"re-created (same name, same netns) is followed: its watch window\n"
		"closes and reopens. Needs root (or CAP_BPF + CAP_NET_ADMIN + CAP_PERFMON,\n"
		"CAP_SYS_ADMIN for other netns, CAP_NET_RAW for --ping).\n"
		"exit status: 0 every probe answered and no problem found,\n"
		"1 probes lost or a problem found, 2 usage error, failure, or\n"
		"events that could not be written or the report not written.\n",
		PINGER_SIZE_DEFAULT, LIVE_AUTO_TP_POINTS, DRAIN_BUDGET_MS / 1000);
}

static int add_target(struct trace_opts *o, const char *spec)
{
	char *copy;
	size_t i;

	/* several --auto targets share interfaces (the bridge, the uplink) */
	for (i = 0; i < o->n_targets; i++)
		if (!strcmp(o->targets[i], spec))
			return 0;

	if (o->n_targets >= MAX_TARGETS || o->n_target_buf >= MAX_TARGETS) {
		log_error("too many points (max %d)", MAX_TARGETS);
		return -1;
	}
	copy = strdup(spec);
	if (!copy)
		return -1;
	o->target_buf[o->n_target_buf++] = copy;
	o->targets[o->n_targets++] = copy;
	return 0;
}

static int add_targets(struct trace_opts *o, const char *arg)
{
	const char *s = arg;
	char one[512];

	while (*s) {
		size_t len = strcspn(s, ",");

		if (len && len < sizeof(one)) {
			memcpy(one, s, len);
			one[len] = '\0';
			if (add_target(o, one))
				return -1;
		}
		s += len;
		if (*s == ',')
			s++;
	}
	return 0;
}

static int parse_opt(struct trace_opts *o, int c, const char *arg);

enum {
	OPT_PING = 256, OPT_FROM, OPT_INTERVAL, OPT_AUTO, OPT_DROPS,
	OPT_NO_DROPS, OPT_LADDER, OPT_NO_COLOR, OPT_ALL_IP, OPT_TC_INGRESS,
	OPT_ATTACH, OPT_NDJSON, OPT_METRICS, OPT_METRICS_INTERVAL,
};

static int parse_trace_opts(int argc, char **argv, struct trace_opts *o)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "auto", optional_argument, NULL, OPT_AUTO },
		{ "ping", required_argument, NULL, OPT_PING },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "count", required_argument, NULL, 'c' },
		{ "size", required_argument, NULL, 's' },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "duration", required_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 't' },
		{ "write", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "ndjson", optional_argument, NULL, OPT_NDJSON },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "metrics-interval", required_argument, NULL,
		  OPT_METRICS_INTERVAL },
		{ "drops", no_argument, NULL, OPT_DROPS },
		{ "no-drops", no_argument, NULL, OPT_NO_DROPS },
		{ "path", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' },
		{ "ladder", required_argument, NULL, OPT_LADDER },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "all-ip", no_argument, NULL, OPT_ALL_IP },
		{ "tc-ingress", no_argument, NULL, OPT_TC_INGRESS },
		{ "attach", required_argument, NULL, OPT_ATTACH },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->size = PINGER_SIZE_DEFAULT;
	o->interval = 1.0;
	o->timeout_s = 3.0;
	o->ladder_max = 20;
	o->color = -1;
	o->drops = true;
	o->filter_mode = DS_FILTER_DEFAULT;
	o->metrics_interval = 10.0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:c:s:d:t:w:jp:n:vh", longopts,
				NULL)) != -1) {
		if (c == 'h') {
			trace_usage(stdout);
			exit(0);
		}
		/* "--auto TARGET" as well as "--auto=TARGET"; --ndjson too */
		if ((c == OPT_AUTO || c == OPT_NDJSON) && !optarg &&
		    optind < argc && argv[optind][0] != '-')
			optarg = argv[optind++];
		if (c == '?' || parse_opt(o, c, optarg)) {
			if (c == '?')
				trace_usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (o->use_auto && !o->auto_target)
		o->auto_target = o->ping;
	if (o->use_auto && !o->auto_target) {
		log_error("--auto needs a TARGET (or --ping TARGET)");
		return -1;
	}
	if (!o->n_targets && !o->use_auto) {
		log_error("trace needs -i POINT or --auto (see dropspot trace --help)");
		return -1;
	}
	if (cli_check_attach(o->attach, o->ingress != LIVE_INGRESS_AUTO))
		return -1;
	if (o->write_path && !strcmp(o->write_path, "-")) {
		log_error("-w wants a file: the report goes to stdout");
		return -1;
	}
	if (o->from && !o->ping && !o->use_auto) {
		log_error("--from goes with --ping or --auto");
		return -1;
	}
	if (o->ndjson && !strcmp(o->ndjson, "-") && o->json) {
		log_error("--ndjson and --json both want stdout: give --ndjson=FILE");
		return -1;
	}
	return 0;
}

static int parse_opt(struct trace_opts *o, int c, const char *arg)
{
	uint64_t v;

	switch (c) {
	case 'i':
		return add_targets(o, arg);
	case OPT_AUTO:
		o->use_auto = true;
		o->auto_target = arg;
		return 0;
	case OPT_PING:
		o->ping = arg;
		return 0;
	case OPT_FROM:
		o->from = arg;
		return 0;
	case 'c':
		return cli_opt_count("-c", arg, &o->count);
	case 's':
		if (cli_opt_uint("-s", arg, 0, PINGER_SIZE_MAX, &v))
			return -1;
		o->size = (uint32_t)v;
		return 0;
	case OPT_INTERVAL:
		return cli_opt_seconds("--interval", arg, 0.01, 3600,
				       &o->interval);
	case 'd':
		return cli_opt_seconds("--duration", arg, CLI_DURATION_MIN,
				       CLI_DURATION_MAX, &o->duration);
	case 't':
		return cli_opt_seconds("--timeout", arg, CLI_TIMEOUT_MIN,
				       CLI_TIMEOUT_MAX, &o->timeout_s);
	case 'w':
		o->write_path = arg;
		return 0;
	case 'j':
		o->json = true;
		return 0;
	case OPT_NDJSON:
		o->ndjson = arg && arg[0] ? arg : "-";
		return 0;
	case OPT_METRICS:
		if (!arg[0] || !strcmp(arg, "-")) {
			log_error("--metrics wants a file (it is replaced by rename)");
			return -1;
		}
		o->metrics = arg;
		return 0;
	case OPT_METRICS_INTERVAL:
		return cli_opt_seconds("--metrics-interval", arg, 0.1, 86400,
				       &o->metrics_interval);
	case OPT_DROPS:
		o->drops = true;
		return 0;
	case OPT_NO_DROPS:
		o->drops = false;
		return 0;
	case 'p':
		if (point_arg_check_path(arg))
			return -1;
		o->path = arg;
		return 0;
	case 'n':
		if (point_arg_check_name(arg))
			return -1;
		if (o->n_names == MAX_NAMES) {
			log_error("too many --name (max %d)", MAX_NAMES);
			return -1;
		}
		o->names[o->n_names++] = arg;
		return 0;
	case OPT_LADDER:
		if (cli_opt_uint("--ladder", arg, 0, 1000000, &v))
			return -1;
		o->ladder_max = (unsigned)v;
		return 0;
	case OPT_NO_COLOR:
		o->color = 0;
		return 0;
	case OPT_ALL_IP:
		o->filter_mode = DS_FILTER_ALL_IP;
		return 0;
	case OPT_TC_INGRESS:
		o->ingress = LIVE_INGRESS_TC;
		return 0;
	case OPT_ATTACH:
		return cli_opt_attach(arg, &o->attach);
	case 'v':
		o->verbose = true;
		log_set_level(LOG_DEBUG);
		return 0;
	}
	return -1;
}

/* ---- points: --auto, --name, --path ------------------------------------ */

/*
 * "topology to T: a -> b -> c (return to S: d -> e; also: f); topology to
 * U: ...", kept for the saved file's section comment, so the file says
 * where its points came from, both ways.
 */
static void note_topology(struct trace_opts *o, const char *target,
			  const struct topo_result *res)
{
	size_t len = strlen(o->topology);
	char path[768];

	topology_summary(res, path, sizeof(path));
	if (len < sizeof(o->topology))
		snprintf(o->topology + len, sizeof(o->topology) - len,
			 "%stopology to %s: %s", len ? "; " : "", target, path);
}

static int discover_target(struct trace_opts *o, const char *target)
{
	struct topo_result *res;
	char err[512];
	size_t i;
	int ret = -1;

	res = calloc(1, sizeof(*res));
	if (!res)
		return -1;
	if (topology_discover(target, o->from, res, err, sizeof(err))) {
		log_error("--auto %s: %s", target, err);
		goto cleanup;
	}
	if (!res->n) {
		log_error("--auto %s: no interface found on the way", target);
		goto cleanup;
	}
	for (i = 0; i < res->n; i++)
		if (add_target(o, res->pts[i].spec))
			goto cleanup;
	if (log_get_level() >= LOG_INFO) {
		/* several targets: say which one each list is for */
		if (strchr(o->auto_target, ','))
			fprintf(stderr, "--auto %s:\n", target);
		topology_print(res, stderr);
	}
	note_topology(o, target, res);
	ret = 0;
cleanup:
	free(res);
	return ret;
}

/*
 * --auto T1,T2: the union of the ways to each target, e.g. the guest's
 * address and the outside target of a NAT host, seen from the host.
 */
static int discover_points(struct trace_opts *o)
{
	const char *s = o->auto_target;
	char one[128];

	while (*s) {
		size_t len = strcspn(s, ",");

		if (!len || len >= sizeof(one)) {
			log_error("--auto: bad target list '%s'", o->auto_target);
			return -1;
		}
		memcpy(one, s, len);
		one[len] = '\0';
		if (discover_target(o, one))
			return -1;
		s += len;
		if (*s == ',')
			s++;
	}
	return 0;
}

/* ---- frames: rings -> queue -> writer + engine ------------------------- */

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/*
 * In timestamp order: numbered as the saved file will number it, written,
 * then fed to the engine.
 */
static int deliver(const struct frame *in, void *ctx)
{
	struct trace_run *r = ctx;
	struct frame f = *in;
	int id, ret;

	f.number = ++r->delivered;
	if (r->w) {
		id = pcapng_writer_if_of_point(r->w, f.point);
		if (id >= 0) {
			ret = pcapng_writer_packet(r->w, (uint32_t)id, &f,
						   (f.flags & FRAME_F_KERNEL_DROP) ?
						   f.comment : NULL);
			if (ret) {
				r->error = ret;
				return 1;
			}
		}
	}
	pipeline_feed(r->e, &f);
	return 0;
}

static int queue_frame(struct trace_run *r, const struct frame *f)
{
	int ret = frame_queue_push(r->q, f, deliver, r);

	if (ret < 0)
		r->error = ret;
	return ret != 0;
}

static int on_live_frame(const struct frame *f, void *ctx)
{
	struct trace_run *r = ctx;

	/* a second Ctrl-C or the drain's budget: the rest is counted */
	if (r->draining && live_drain_cut())
		return 1;
	return queue_frame(r, f);
}

/*
 * The replies our socket received, as sightings at the "socket" point:
 * delivered is what ping would count, the ground truth of "answered".
 */
static int read_replies(struct trace_run *r)
{
	struct pinger_reply rep;
	struct frame f;
	int ret, n = 0;

	if (!r->pg || r->sock_point == UINT32_MAX)
		return 0;
	while (n < 4096 && (ret = pinger_recv(r->pg, &rep)) > 0) {
		memset(&f, 0, sizeof(f));
		f.data = rep.pkt;
		f.caplen = f.wirelen = rep.len;
		f.ts_ns = rep.ts_ns ? rep.ts_ns : now_ns(CLOCK_REALTIME);
		f.point = r->sock_point;
		f.linktype = LINKTYPE_RAW;
		f.dir = DIR_IN;
		if (queue_frame(r, &f))
			return -1;
		n++;
	}
	return 0;
}

/* The socket is a point of its own, the last one a reply reaches. */
static void add_socket_point(struct trace_run *r, struct point_table *points)
{
	const struct trace_opts *o = r->o;
	struct point p;
	int id;

	r->sock_point = UINT32_MAX;
	if (!r->pg)
		return;
	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "socket");
	snprintf(p.netns, sizeof(p.netns), "%s", o->from ? o->from : "");
	snprintf(p.source, sizeof(p.source), "live");
	p.linktype = LINKTYPE_RAW;
	p.snaplen = 65535;
	p.tsresol_ns = 1;
	p.kind = POINT_KIND_SOCKET;
	p.hook = HOOK_SOCKET;
	p.capture_drops_known = true;
	id = point_table_add(points, &p);
	if (id >= 0)
		r->sock_point = (uint32_t)id;
}

static bool netns_watched(const struct trace_run *r, uint32_t ino)
{
	size_t i;

	if (!ino)	/* unknown: it may well be ours */
		return true;
	for (i = 0; i < r->n_netns; i++)
		if (r->netns[i] == ino)
			return true;
	return false;
}

/*
 * A drop record that carries one of this session's probes ("dropspot" +
 * its tag in the echo data, a request or the reply that echoes it): ours
 * wherever it died, in a netns nobody watches too (the far end of a
 * watched veth: a container's or the target's own firewall).
 */
static bool carries_own_probe(const struct trace_run *r,
			      const struct drop_event *ev)
{
	uint8_t own[PINGER_OWN_LEN];
	size_t n = r->pg ? pinger_own_prefix(r->pg, own) : 0;
	size_t cap = ev->cap_len < sizeof(ev->data) ? ev->cap_len :
						      sizeof(ev->data);

	return n && cap >= n && memmem(ev->data, cap, own, n) != NULL;
}

static int on_drop(const struct drop_event *ev, void *ctx)
{
	struct trace_run *r = ctx;
	struct drop_frame df;

	if (!netns_watched(r, ev->netns_ino)) {
		if (!carries_own_probe(r, ev)) {
			r->drops_elsewhere++;
			return 0;
		}
		r->own_elsewhere++;
	}
	if (r->ev)
		stream_kernel_drop(r->ev, ev);
	stats_kernel_drop(&r->stats, ev->reason_name);
	drop_frame_build(ev, drops_point(r->d), &df);
	return queue_frame(r, &df.f);
}

static void on_probe_done(void *ctx, const struct engine *e,
			  const struct probe *pr)
{
	struct trace_run *r = ctx;
	char line[1024];

	r->completed++;
	/* a stream that refused a line (blocked, closed) gets no more */
	if (r->lines_failed || !r->lines)
		return;
	report_probe_line(e, pr, line, sizeof(line));
	fprintf(r->lines, "%s\n", line);
	if (fflush(r->lines) || ferror(r->lines))
		r->lines_failed = true;
}

/* ---- --ndjson and --metrics (stream.h, metrics.h) ------------------------ */

/* The engine decided a probe's outcome: counted, and streamed at once. */
static void on_probe_event(void *ctx, const struct engine *e,
			   const struct probe *pr)
{
	struct trace_run *r = ctx;
	struct probe_brief b;

	report_probe_brief(e, pr, &b);
	stats_probe(&r->stats, b.answered, b.lost, b.unfinished, b.orphan,
		    b.last_name, b.cause);
	if (r->ev)
		stream_probe(r->ev, e, pr);
}

static void on_finding_event(void *ctx, const struct engine *e, size_t i)
{
	struct trace_run *r = ctx;

	if (r->ev)
		stream_finding(r->ev, e, i);
}

static const struct engine_listener trace_listener = {
	.probe = on_probe_event,
	.finding = on_finding_event,
};

/* A counters event and the metrics file, now. */
static void emit_counters(struct trace_run *r, bool final)
{
	const struct trace_opts *o = r->o;
	int ret;

	r->stats.sent = r->sent;
	ret = live_session_counters(r->lv, r->d, &r->stats, r->ev, o->metrics,
				    r->points, final);
	if (ret) {
		log_warn("cannot write --metrics %s: %s", o->metrics,
			 strerror(-ret));
		if (final)
			r->error = r->error ? r->error : ret;
	}
}

static void emit_due(struct trace_run *r, uint64_t mono)
{
	if (mono < r->next_emit)
		return;
	r->next_emit = mono + (uint64_t)(r->o->metrics_interval * 1e9);
	emit_counters(r, false);
}

/*
 * The end of the stream: the final counters and metrics (dropspot_up 0),
 * then session_end with the verdict and the exit status.  A stream or
 * metrics file that could not be written makes the exit status 2.
 */
static int stream_finish(struct trace_run *r, int status)
{
	r->error = 0;
	emit_counters(r, true);
	if (r->error)
		status = EXIT_TROUBLE;
	if (!r->ev)
		return status;
	if (stream_failed(r->ev))
		status = EXIT_TROUBLE;
	stream_session_end(r->ev, r->e ? engine_verdict(r->e) : NULL, status);
	if (stream_close(r->ev)) {
		log_error("the --ndjson stream could not be written");
		status = EXIT_TROUBLE;
	}
	r->ev = NULL;
	return status;
}

/* ---- set-up ------------------------------------------------------------- */

static void add_netns(struct trace_run *r, uint64_t ino)
{
	size_t i;

	for (i = 0; i < r->n_netns; i++)
		if (r->netns[i] == ino)
			return;
	if (r->n_netns < MAX_NETNS)
		r->netns[r->n_netns++] = ino;
}

/*
 * The kfree_skb program sees the whole machine.  Only drops in the netns
 * of the points and of the probes' sender (--from, or ours when we send
 * from here) are kept: a drop elsewhere is another tenant's (another
 * container pinging the same private address with the same sequence
 * numbers, or a BPF test run of echo packets, would otherwise pass for our
 * probe).  Watch a point in a netns to have its drops count.
 */
static void watch_netns(struct trace_run *r, const struct trace_opts *o)
{
	struct if_target t;
	char err[256], spec[NETNS_PATH_MAX + 8];
	size_t i;

	for (i = 0; i < o->n_targets; i++)
		if (!netns_parse_target(o->targets[i], &t, err, sizeof(err)))
			add_netns(r, t.ns_ino);
	if (!o->from) {
		if (o->ping && !netns_parse_target("lo", &t, err, sizeof(err)))
			add_netns(r, t.ns_ino);	/* our own: we send from it */
		return;
	}
	snprintf(spec, sizeof(spec), "%s/lo", o->from);
	if (!netns_parse_target(spec, &t, err, sizeof(err)))
		add_netns(r, t.ns_ino);
}

/* Without drops the trace goes on: the verdict just names no function. */
static struct drops_handle *start_drops(const struct trace_opts *o,
					struct point_table *points)
{
	struct drops_handle *d = NULL;
	struct drops_opts dopts;
	char err[512];

	memset(&dopts, 0, sizeof(dopts));
	dopts.filter_mode = o->filter_mode;
	if (drops_new(&dopts, points, &d, err, sizeof(err))) {
		log_warn("%s", err);
		return NULL;
	}
	if (drops_note(d)[0])
		log_info("%s", drops_note(d));
	return d;
}

/*
 * Room in the section comment for the probes that could not be sent,
 * "NNNNNNNN errno=EEE" of fixed width: known only at the end, written
 * over the zeros then (record_unsent).
 */
#define UNSENT_FMT "%08llu errno=%03d"
#define UNSENT_ROOM 18
#define UNSENT_MAX 99999999ull

/*
 * The section comment: where the points came from (--auto), the bytes
 * this session's probes start with, and room for how many of them could
 * not be sent, so `analyze` of the file counts the same probes as the
 * live session did.
 */
static void writer_comment(const struct trace_opts *o, struct trace_run *r,
			   char *buf, size_t n)
{
	uint8_t own[PINGER_OWN_LEN];
	size_t k, len, i;

	len = (size_t)snprintf(buf, n, "%s", o->topology);
	k = r->pg ? pinger_own_prefix(r->pg, own) : 0;
	if (!k || len >= n)
		return;
	len += (size_t)snprintf(buf + len, n - len, "%sdropspot-session probes=",
				len ? "; " : "");
	for (i = 0; i < k && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%02x", own[i]);
	if (len >= n)
		return;
	len += (size_t)snprintf(buf + len, n - len, "; dropspot-session unsent=");
	/* zeros, which the reader takes as none */
	if (len + UNSENT_ROOM < n) {
		r->unsent_at = len;
		snprintf(buf + len, n - len, UNSENT_FMT, 0ull, 0);
	}
}

/*
 * The probes that could not be sent, into the room the comment kept, so
 * `analyze FILE` counts them as this run did.  A file that cannot seek
 * back (a FIFO) keeps the zeros, and that is said.
 */
static void record_unsent(struct trace_run *r)
{
	char text[UNSENT_ROOM + 1];
	int ret = -ENOSPC;

	if (!r->w || !r->unsent)
		return;
	snprintf(text, sizeof(text), UNSENT_FMT,
		 (unsigned long long)(r->unsent < UNSENT_MAX ? r->unsent :
				      UNSENT_MAX),
		 r->unsent_err > 0 && r->unsent_err < 1000 ? r->unsent_err : 0);
	if (r->unsent_at)
		ret = pcapng_writer_patch_comment(r->w, r->unsent_at, text);
	if (ret)
		log_warn("%s does not record the %llu probes that could not be "
			 "sent: %s", r->o->write_path,
			 (unsigned long long)r->unsent, strerror(-ret));
}

static int open_writer(const struct trace_opts *o, struct trace_run *r,
		       struct point_table *points, struct pcapng_writer **w)
{
	char err[1024], comment[sizeof(o->topology) + 128];
	size_t i;

	if (!o->write_path)
		return 0;
	writer_comment(o, r, comment, sizeof(comment));
	if (pcapng_writer_open(o->write_path, "dropspot trace", comment,
			       w, err, sizeof(err))) {
		log_error("%s", err);
		return -1;
	}
	/* every point in id order: interface i of the file is point i */
	for (i = 0; i < points->count; i++) {
		if (pcapng_writer_add_point(*w, &points->items[i]) < 0) {
			log_error("cannot write to %s", o->write_path);
			/* no stub left behind: only a file this run created */
			pcapng_writer_discard(*w);
			*w = NULL;
			return -1;
		}
	}
	return 0;
}

static int start_pinger(const struct trace_opts *o, struct trace_run *r)
{
	char err[512];

	if (!o->ping)
		return 0;
	if (pinger_open(o->ping, o->from, o->size, &r->pg, err, sizeof(err))) {
		log_error("%s", err);
		return -1;
	}
	log_debug("probes to %s from %s through a %s", o->ping,
		  o->from ? o->from : "our netns", pinger_kind(r->pg));
	return 0;
}

/* ---- the loop ----------------------------------------------------------- */

static void send_due(struct trace_run *r, uint64_t mono)
{
	const struct trace_opts *o = r->o;
	int ret;

	if (!r->pg || (o->count && r->sent >= o->count) || mono < r->next_send)
		return;
	ret = pinger_send(r->pg, (uint16_t)(r->sent + 1), now_ns(CLOCK_REALTIME));
	if (ret) {
		log_warn("probe %llu not sent: %s", (unsigned long long)r->sent + 1,
			 strerror(-ret));
		/* sent, as far as the user's count goes, and lost at once */
		engine_note_unsent(r->e, -ret);
		stats_probe(&r->stats, false, true, false, false, "none",
			    "send_refused");
		if (!r->unsent++)
			r->unsent_err = -ret;
		r->completed++;
	}
	r->sent++;
	r->last_send = mono;
	r->next_send += (uint64_t)(o->interval * 1e9);
}

/* -c: every probe sent and closed (or well past its reply window). */
static bool count_done(const struct trace_run *r, uint64_t mono)
{
	const struct trace_opts *o = r->o;
	uint64_t grace;

	if (!o->count)
		return false;
	if (!r->pg)
		return r->completed >= o->count;
	if (r->sent < o->count)
		return false;
	if (r->completed >= o->count)
		return true;
	/* probes of ours never seen at any point close at the end */
	grace = (uint64_t)(o->timeout_s * 1e9) + HOLD_NS + NS_PER_S / 2;
	return mono - r->last_send > grace;
}

/*
 * A watched interface went away or came back (live.c said so and updated
 * the point's gaps).  Everything of before it is handed on first, so the
 * frames of the old window are written under its interface; then the
 * window's ISB is written, or the new window's IDB.
 */
static void on_link_event(const struct live_link_event *ev, void *ctx)
{
	struct trace_run *r = ctx;
	struct point *p = point_get(r->points, ev->point_id);
	int ret;

	if (r->d)
		drops_poll(r->d, 0, on_drop, r);
	frame_queue_release(r->q, ev->ts_ns, deliver, r);
	if (r->ev)
		stream_point(r->ev, p, ev->point_id, ev->present, ev->ts_ns);
	if (!r->w || !p || r->error)
		return;
	ret = live_session_window(r->lv, r->w, p, ev, r->start_ns);
	if (ret < 0)
		r->error = ret;
}

static int poll_once(struct trace_run *r, int timeout_ms)
{
	int ret;

	ret = live_poll(r->lv, timeout_ms, on_live_frame, r);
	if (ret < 0 && ret != -EINTR) {
		log_error("reading the capture ring failed: %s", strerror(-ret));
		return -1;
	}
	live_check_links(r->lv);
	if (r->d) {
		ret = drops_poll(r->d, 0, on_drop, r);
		if (ret < 0 && ret != -EINTR) {
			log_error("reading the kernel drop ring failed: %s",
				  strerror(-ret));
			return -1;
		}
	}
	return 0;
}

static int trace_loop(struct trace_run *r)
{
	const struct trace_opts *o = r->o;
	uint64_t start = now_ns(CLOCK_MONOTONIC), mono, real;
	uint64_t limit = o->duration > 0 ? (uint64_t)(o->duration * 1e9) : 0;

	while (!live_stop_signal) {
		int timeout = POLL_MS;

		mono = now_ns(CLOCK_MONOTONIC);
		if (limit && mono - start >= limit)
			break;
		send_due(r, mono);
		if (r->pg && r->next_send > mono &&
		    r->next_send - mono < (uint64_t)POLL_MS * 1000000)
			timeout = (int)((r->next_send - mono) / 1000000) + 1;
		if (poll_once(r, timeout) || read_replies(r))
			return EXIT_TROUBLE;
		real = now_ns(CLOCK_REALTIME) - HOLD_NS;
		frame_queue_release(r->q, real, deliver, r);
		if (r->error)
			break;
		engine_advance(r->e, real);
		emit_due(r, now_ns(CLOCK_MONOTONIC));
		if (count_done(r, now_ns(CLOCK_MONOTONIC)))
			break;
	}
	if (r->error) {
		log_error("%s%s: %s", r->error == -ENOMEM ? "" : "cannot write ",
			  r->error == -ENOMEM ? "out of memory" :
			  o->write_path, strerror(-r->error));
		return EXIT_TROUBLE;
	}
	return 0;
}

/*
 * What is still in the rings and the queue belongs to the run.  The hooks
 * come off first, so the ring only empties, and the drain is bounded
 * (live_drain.h); what it could not take is counted as lost (in the
 * points' lost events, so the verdict says the evidence is incomplete)
 * and said.  Returns how many records that was.
 */
static uint64_t drain(struct trace_run *r)
{
	uint64_t unwritten;

	live_detach(r->lv);
	r->draining = true;
	/* a line the stop signal interrupted: the drain tries again */
	if (r->lines_failed && live_stop_signal) {
		clearerr(r->lines);
		r->lines_failed = false;
	}
	if (!r->error)
		live_drain(r->lv, on_live_frame, r);
	if (r->d && !r->error)
		drops_poll(r->d, 0, on_drop, r);
	if (!r->error)
		read_replies(r);
	frame_queue_release(r->q, UINT64_MAX, deliver, r);
	unwritten = live_discard(r->lv);
	live_drain_report(unwritten, r->error ? "write failed" :
			  "the drain was cut short");
	return unwritten;
}

/*
 * The window every point was watched: the engine's evidence of absence,
 * and the ISB the file carries, so analyze reads back the same window.
 */
static void close_points(struct trace_run *r, uint64_t start_ns, uint64_t end_ns,
			 uint64_t unwritten)
{
	struct point_table *t = r->points;
	size_t i;

	live_update_stats(r->lv);
	if (r->d) {
		struct drops_stats st;

		drops_stats(r->d, &st);
		if (st.lost)
			log_warn("the kernel drop ring lost %llu records: drop "
				 "attribution is incomplete",
				 (unsigned long long)st.lost);
	}
	for (i = 0; i < t->count; i++) {
		struct point *p = &t->items[i];
		bool gone = p->n_gaps && !p->gap_end_ns[p->n_gaps - 1];

		/* its window's ISB was written when the interface went */
		if (r->w && !gone)
			pcapng_writer_window_end(r->w, p, start_ns, end_ns);
		p->watch_start_ns = start_ns;
		point_windows_end(p, end_ns);
	}
	if (r->drops_elsewhere)
		log_debug("%llu kernel drops in other netns ignored",
			  (unsigned long long)r->drops_elsewhere);
	if (r->own_elsewhere)
		log_info("%llu kernel drop(s) of our probes in a netns not "
			 "watched were kept", (unsigned long long)r->own_elsewhere);
	/* the unwritten ones count as lost too, but were said apart */
	if (live_lost_total(r->lv) > unwritten)
		log_warn("the capture lost %llu events (ring full): evidence "
			 "is incomplete",
			 (unsigned long long)(live_lost_total(r->lv) - unwritten));
}

static struct engine *make_engine(const struct trace_opts *o,
				  struct trace_run *r)
{
	struct engine_opts eo;
	struct engine *e;

	engine_opts_default(&eo);
	eo.timeout_ns = (uint64_t)(o->timeout_s * 1e9);
	/* with probes of its own, a session counts only those */
	if (r->pg)
		eo.own_prefix_len = pinger_own_prefix(r->pg, eo.own_prefix);
	e = engine_new(r->points, &eo);
	if (!e) {
		log_error("out of memory");
		return NULL;
	}
	engine_set_probe_callback(e, on_probe_done, r);
	if (o->ndjson || o->metrics)
		engine_set_listener(e, &trace_listener, r);
	return e;
}

/*
 * The host's state where the probes went (hoststate.h), read once the
 * run is over, when the flows and the kernel's drop devices are known:
 * evidence for the engine, and saved in the file for `analyze`.
 */
static void take_host_state(struct trace_run *r)
{
	struct hs_dev devs[HS_STATE_DEVS];
	struct hs_flow flows[4];
	struct host_state hs;
	size_t i, n = 0, nf;
	char *buf;
	size_t len;

	for (i = 0; i < r->points->count && n < HS_STATE_DEVS; i++) {
		const struct point *p = &r->points->items[i];

		if (p->hook == HOOK_KFREE_SKB || !p->ifname[0])
			continue;
		devs[n].netns = p->netns;
		devs[n++].ifname = p->ifname;
	}
	n += engine_drop_places(r->e, devs + n, HS_STATE_DEVS - n);
	nf = engine_flow_addrs(r->e, flows, 4);
	hs_init(&hs);
	hs_collect(&hs, devs, n, flows, nf);
	if (engine_note_host_state(r->e, &hs))
		log_warn("host state left out: out of memory");
	if (r->w && hs.n && !hs_serialize(&hs, &buf, &len)) {
		if (pcapng_writer_custom(r->w, HS_PCAPNG_BLOCK, HS_PCAPNG_PEN,
					 buf, len))
			log_warn("host state not saved in %s", r->o->write_path);
		free(buf);
	}
	log_debug("host state: %u items", hs.n);
	hs_free(&hs);
}

static int finish(struct trace_run *r, int status)
{
	struct engine_totals t;
	int ret;

	take_host_state(r);
	if (r->w) {
		record_unsent(r);
		ret = pcapng_writer_close(r->w);
		r->w = NULL;
		/* the loop already said it when the same write error stopped it */
		if (ret && ret != r->error)
			log_error("cannot write %s: %s", r->o->write_path,
				  strerror(-ret));
		if (ret)
			status = EXIT_TROUBLE;
	}
	if (point_args_rename(r->points, r->o->names, r->o->n_names))
		return EXIT_TROUBLE;
	/* stdout refused the probe lines: the report would block there too */
	if (r->lines_failed && r->lines == stdout) {
		log_error("stdout took no more lines: the report is not written");
		return EXIT_TROUBLE;
	}
	if (r->o->path && point_args_path(r->e, r->points, r->o->path))
		return EXIT_TROUBLE;
	engine_finish(r->e);
	/* --ndjson on stdout: the stream is the output (findings included) */
	if (!stream_is_stdout(r->ev) &&
	    cli_report(r->e, r->o->json, r->o->color, r->o->ladder_max,
		       r->o->verbose)) {
		log_error("writing the report failed");
		return EXIT_TROUBLE;
	}
	if (status)
		return status;
	engine_totals(r->e, &t);
	return t.lost || t.problems ? EXIT_FINDING : 0;
}

int cmd_trace(int argc, char **argv)
{
	struct trace_opts o;
	struct trace_run r;
	struct point_table points;
	struct live_opts lo;
	uint64_t start_ns, end_ns, unwritten;
	char err[1024];
	int status = EXIT_TROUBLE;
	size_t i;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	point_table_init(&points);
		if (parse_trace_opts(argc, argv, &o))
		goto cleanup;
	live_check_privileges(err, sizeof(err));
	if (err[0]) {
		log_error("%s", err);
		goto cleanup;
	}
	if (o.use_auto && discover_points(&o))
		goto cleanup;
	live_session_signals();
	r.o = &o;
	r.points = &points;
	r.lines = o.json ? stderr : stdout;
	if (o.ndjson) {
		r.ev = stream_open(o.ndjson, err, sizeof(err));
		if (!r.ev) {
			log_error("%s", err);
			goto cleanup;
		}
		/* the stream replaces the probe lines there */
		if (stream_is_stdout(r.ev))
			r.lines = NULL;
	}
	r.q = frame_queue_new(QUEUE_FRAMES);
	/* before attaching anything: a bad --ping target is a usage error */
	if (!r.q || start_pinger(&o, &r))
		goto cleanup;
	memset(&lo, 0, sizeof(lo));
	lo.filter_mode = o.filter_mode;
	lo.ingress = o.ingress;
	lo.attach = o.attach;
	if (live_new(&lo, &points, &r.lv, err, sizeof(err))) {
		log_error("%s", err);
		goto cleanup;
	}
	if (live_session_attach(r.lv, o.targets, o.n_targets))
		goto cleanup;
	/* after the -i points, so point i is the i-th -i point */
	if (o.drops) {
		watch_netns(&r, &o);
		r.d = start_drops(&o, &points);
		/* the rules' counters before the probes, to tell candidates */
		for (i = 0; r.d && i < r.n_netns; i++)
			drops_prime_netfilter(r.d, (uint32_t)r.netns[i]);
	}
	add_socket_point(&r, &points);
	/*
	 * Named as `analyze` names the saved file's interfaces (by interface
	 * where that is unique), so live and offline verdicts read the same.
	 */
	point_table_short_names(&points);
	if (open_writer(&o, &r, &points, &r.w))
		goto cleanup;
	r.e = make_engine(&o, &r);
	if (!r.e)
		goto cleanup;
	start_ns = now_ns(CLOCK_REALTIME);
	r.start_ns = start_ns;
	stats_init(&r.stats, "trace", start_ns);
	r.stats.probes_known = true;
	r.stats.own_probes = r.pg != NULL;
	if (r.ev)
		stream_session_start(r.ev, "trace", &points);
	/* a point whose interface goes and comes back (a VM restarted) */
	if (live_follow_links(r.lv, on_link_event, &r, err, sizeof(err)))
		log_warn("interfaces that go away are not followed: %s", err);
	r.next_send = now_ns(CLOCK_MONOTONIC);
	r.next_emit = r.next_send;	/* dropspot_up 1 from the start */
	log_info("watching %zu point%s%s%s%s; Ctrl-C to stop", o.n_targets,
		 o.n_targets == 1 ? "" : "s", r.d ? " and kernel drops" : "",
		 o.ping ? ", probing " : "", o.ping ? o.ping : "");
	status = trace_loop(&r);
	end_ns = now_ns(CLOCK_REALTIME);
	live_drain_begin();
	unwritten = drain(&r);
	live_drain_done();
	if (unwritten)
		status = EXIT_TROUBLE;
	close_points(&r, start_ns, end_ns, unwritten);
	status = finish(&r, status);
	status = stream_finish(&r, status);
	live_drain_end();
cleanup:
	stream_close(r.ev);
	if (r.w)
		pcapng_writer_close(r.w);
	pinger_close(r.pg);
	drops_free(r.d);
	live_free(r.lv);
	engine_free(r.e);
	frame_queue_free(r.q);
	point_table_free(&points);
	for (i = 0; i < o.n_target_buf; i++)
		free(o.target_buf[i]);
	return status;
}
