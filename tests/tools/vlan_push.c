// SPDX-License-Identifier: GPL-2.0
/*
 * vlan_push: a lab fault, a guest NIC that tags everything it sends.
 *
 *   vlan_push IFNAME VID
 *
 * This kernel has neither the 802.1Q module nor tc's vlan action, so the
 * lab pushes the tag with a six-instruction TC program (bpf_skb_vlan_push)
 * on IFNAME's egress, attached through a tcx link held by this process:
 * the fault lasts exactly as long as the process.  Prints "ready" once
 * attached.  Run it inside the guest's netns (ip netns exec).
 *
 * It is a fault injector for the lab, not part of dropspot, whose own
 * programs never modify a packet.
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

/* libbpf 1.1's headers predate tcx; the kernel's values (>= 6.6). */
#define LAB_ATTACH_TCX_EGRESS 47
#define LAB_TCX_NEXT (-1)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static int load_push_prog(unsigned int vid)
{
	const struct bpf_insn insns[] = {
		/* bpf_skb_vlan_push(skb, htons(ETH_P_8021Q), vid) */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2,
		  .imm = 0x0081 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3,
		  .imm = (int)vid },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_skb_vlan_push },
		/* whatever it returned, let the frame go on */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = LAB_TCX_NEXT },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type =
			    (enum bpf_attach_type)LAB_ATTACH_TCX_EGRESS);

	return bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "lab_vlan_push", "GPL",
			     insns, sizeof(insns) / sizeof(insns[0]), &opts);
}

int main(int argc, char **argv)
{
	unsigned int ifindex, vid;
	int prog = -1, link = -1, status = 1;
	char *end;

	if (argc != 3) {
		fprintf(stderr, "usage: vlan_push IFNAME VID\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	vid = (unsigned int)strtoul(argv[2], &end, 10);
	if (!ifindex || *end || !vid || vid > 4094) {
		fprintf(stderr, "vlan_push: bad interface '%s' or VID '%s'\n",
			argv[1], argv[2]);
		return 2;
	}
	prog = load_push_prog(vid);
	if (prog < 0) {
		fprintf(stderr, "vlan_push: load: %s\n", strerror(errno));
		goto cleanup;
	}
	link = bpf_link_create(prog, (int)ifindex,
			       (enum bpf_attach_type)LAB_ATTACH_TCX_EGRESS,
			       NULL);
	if (link < 0) {
		fprintf(stderr, "vlan_push: tcx attach to %s: %s\n", argv[1],
			strerror(errno));
		goto cleanup;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	printf("ready\n");
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
