// SPDX-License-Identifier: GPL-2.0
/*
 * tcx_fill: a lab device whose TC hooks take no more programs.
 *
 *   tcx_fill IFNAME in|out|both
 *
 * A tcx hook holds a bounded number of programs (BPF_MPROG_MAX, 64): this
 * fills IFNAME's ingress and/or egress with programs that let every frame
 * go on (TCX_NEXT), through tcx links held by this process, until the
 * kernel refuses one more.  The next tool to ask (dropspot) is then refused
 * as it would be by a device that cannot take TC programs; everything goes
 * away with the process.  Prints "ready N" (links held) once full.  Run it
 * inside the device's netns (ip netns exec).
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

/* libbpf 1.1's headers predate tcx; the kernel's values (>= 6.6). */
#define LAB_ATTACH_TCX_INGRESS 46
#define LAB_ATTACH_TCX_EGRESS 47
#define LAB_TCX_NEXT (-1)
#define MAX_LINKS 512	/* well above the kernel's bound: it says when */

static volatile sig_atomic_t stop;
static int links[MAX_LINKS];
static int n_links;

static void on_signal(int sig)
{
	stop = sig;
}

static int load_next_prog(int attach_type)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = LAB_TCX_NEXT },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = (enum bpf_attach_type)attach_type);

	return bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "lab_tcx_fill", "GPL",
			     insns, sizeof(insns) / sizeof(insns[0]), &opts);
}

/*
 * Attaches until the kernel refuses; 0 when it did so with ERANGE (full).
 * One program per link: a hook takes each program once.
 */
static int fill(unsigned int ifindex, int attach_type)
{
	int prog, fd, e;

	for (;;) {
		if (n_links == MAX_LINKS) {
			fprintf(stderr, "tcx_fill: hook never full\n");
			return -1;
		}
		prog = load_next_prog(attach_type);
		if (prog < 0) {
			fprintf(stderr, "tcx_fill: load: %s\n", strerror(errno));
			return -1;
		}
		fd = bpf_link_create(prog, (int)ifindex,
				     (enum bpf_attach_type)attach_type, NULL);
		close(prog);	/* the link holds it */
		if (fd < 0)
			break;
		links[n_links++] = fd;
	}
	e = -fd;
	if (e != ERANGE) {
		fprintf(stderr, "tcx_fill: attach: %s\n", strerror(e));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int ifindex;
	const char *dir;
	int status = 1, i;

	if (argc != 3) {
		fprintf(stderr, "usage: tcx_fill IFNAME in|out|both\n");
		return 2;
	}
	dir = argv[2];
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "tcx_fill: no interface '%s'\n", argv[1]);
		return 2;
	}
	if ((!strcmp(dir, "in") || !strcmp(dir, "both")) &&
	    fill(ifindex, LAB_ATTACH_TCX_INGRESS))
		goto cleanup;
	if ((!strcmp(dir, "out") || !strcmp(dir, "both")) &&
	    fill(ifindex, LAB_ATTACH_TCX_EGRESS))
		goto cleanup;
	if (!n_links) {
		fprintf(stderr, "usage: tcx_fill IFNAME in|out|both\n");
		status = 2;
		goto cleanup;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	printf("ready %d\n", n_links);
	fflush(stdout);
	while (!stop)
		pause();
	status = 0;
cleanup:
	for (i = 0; i < n_links; i++)
		close(links[i]);
	return status;
}
