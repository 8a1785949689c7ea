#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace, host firewall drops the guest's echo requests on input
# (SCENARIOS.md row 6): the drop is located after br0 (where the host
# lives) and attributed by the kernel: NETFILTER_DROP in a netfilter
# function.  The saved pcapng gives the same verdict offline.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft
tr_btf_reason NETFILTER_DROP

lab_topo_bridged
lab_input_rule "$LAB_HOST" 'icmp type echo-request drop'
tr_points "$LAB_HOST" tap0 br0 up0
tr_trace --ping "$LAB_HOST_IP" --from "$LAB_GUEST" -c 3 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "every probe lost" '.summary.lost == 3 and .summary.answered == 0'
tr_expect "drop after br0, on the request path" "$(jq_drop br0 null request)"
tr_expect "kernel reason NETFILTER_DROP" \
	'any(.findings[]; .kind == "drop" and .details.kernel_reason == "NETFILTER_DROP")'
tr_expect "kernel function named (netfilter)" \
	'any(.findings[]; .kind == "drop" and (.details.kernel_function // "" | test("^(nft_do_chain|nf_hook_slow)")))'
tr_expect "verdict names the kernel drop" \
	'.verdict | test("NETFILTER_DROP in (nft_do_chain|nf_hook_slow)")'
tr_expect "the uplink is not blamed" \
	'all(.findings[]; .location.before_name != "up0")'
tr_same
grep -q '^probe 1 seq 1 len 56: lost' "$TR_JSON_LIVE.err" ||
	lab_die "no per-probe 'lost' line: $(cat "$TR_JSON_LIVE.err")"
command -v tshark >/dev/null && {
	tshark -r "$LAB_DIR/trace.pcapng" -Y 'frame.interface_name == "kernel-drops" and frame.comment contains "reason=NETFILTER_DROP"' \
		2>/dev/null | grep -q . ||
		lab_die "tshark shows no kernel-drops packet with the reason in its comment"
	echo "ok: tshark shows the drop on kernel-drops with its comment"
}
echo PASS
