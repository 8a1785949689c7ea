// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_hold: a lab stand-in for another tool's XDP program on a device.
 *
 *   xdp_hold IFNAME skb|drv
 *
 * Loads a two-instruction XDP program (return XDP_PASS) and attaches it to
 * IFNAME in generic (skb) or native (drv) mode through a bpf_link held by
 * this process: the program sits in the device's XDP slot exactly as long
 * as the process lives, so no trap has to remember to remove it.  Prints
 * "ready id N" (the program id) once attached.  Run it inside the
 * device's netns (ip netns exec).
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/if_link.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static int load_pass_prog(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "lab_xdp_hold", "GPL", insns,
			     sizeof(insns) / sizeof(insns[0]), NULL);
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	struct bpf_prog_info info;
	__u32 info_len = sizeof(info);
	unsigned int ifindex;
	int prog = -1, link = -1, status = 1;

	if (argc != 3 || (strcmp(argv[2], "skb") && strcmp(argv[2], "drv"))) {
		fprintf(stderr, "usage: xdp_hold IFNAME skb|drv\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "xdp_hold: no interface '%s'\n", argv[1]);
		return 2;
	}
	opts.flags = strcmp(argv[2], "skb") ? XDP_FLAGS_DRV_MODE
					    : XDP_FLAGS_SKB_MODE;
	prog = load_pass_prog();
	if (prog < 0) {
		fprintf(stderr, "xdp_hold: load: %s\n", strerror(errno));
		goto cleanup;
	}
	link = bpf_link_create(prog, (int)ifindex, BPF_XDP, &opts);
	if (link < 0) {
		fprintf(stderr, "xdp_hold: XDP (%s) attach to %s: %s\n",
			argv[2], argv[1], strerror(errno));
		goto cleanup;
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(prog, &info, &info_len))
		info.id = 0;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	printf("ready id %u\n", info.id);
	fflush(stdout);
	while (!stop)
		pause();
	status = 0;
cleanup:
	if (link >= 0)
		close(link);
	if (prog >= 0)
		close(prog);
	return status;
}
