// SPDX-License-Identifier: GPL-2.0
/* Placeholder until the live capture programs land: an observe-only XDP. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "abi.h"

SEC("xdp")
int dropspot_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
