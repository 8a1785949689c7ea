#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot capture --drops: kernel drops are printed with their reason and
# function and written to the pcapng on an interface named kernel-drops,
# which tshark reads (the reason in the packet comment) and `analyze` turns
# back into kernel drop events: the same NETFILTER_DROP verdict as live.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft
tr_btf_reason NETFILTER_DROP

lab_topo_bridged
lab_input_rule "$LAB_HOST" 'icmp type echo-request drop'
cap_start PID "" -i "$LAB_HOST/tap0,$LAB_HOST/br0,$LAB_HOST/up0" --drops \
	-w "$LAB_DIR/cap.pcapng"
lab_exec "$LAB_GUEST" ping -q -c 3 -i 0.2 -W 1 "$LAB_HOST_IP" >/dev/null &&
	lab_die "ping through a dropping firewall succeeded"
sleep 0.3
cap_stop "$PID" || lab_die "capture exited $?"
OUT=$LAB_DIR/$PID.out
grep -qE '^    \^ kernel drop: NETFILTER_DROP in (nft_do_chain|nf_hook_slow) ' "$OUT" ||
	lab_die "no printed NETFILTER_DROP line: $(tail -20 "$OUT")"
echo "ok: drop lines printed"

if command -v tshark >/dev/null; then
	n=$(tshark -r "$LAB_DIR/cap.pcapng" -Y 'frame.interface_name == "kernel-drops" and icmp.type == 8 and frame.comment contains "reason=NETFILTER_DROP"' 2>/dev/null | grep -c .)
	[ "$n" -ge 3 ] || lab_die "tshark sees $n NETFILTER_DROP echo requests on kernel-drops, want 3"
	echo "ok: tshark reads the file: $n drops on kernel-drops"
fi

TR_JSON_FILE=$LAB_DIR/report.json
"$DROPSPOT" analyze --json "$LAB_DIR/cap.pcapng" >"$TR_JSON_FILE"
[ $? = 1 ] || lab_die "analyze did not report a problem"
_tr_expect_in "$TR_JSON_FILE" "drop after br0 with kernel reason NETFILTER_DROP" \
	'any(.findings[]; .kind == "drop" and .location.after_name == "br0" and .details.kernel_reason == "NETFILTER_DROP" and (.details.kernel_function | test("^(nft_do_chain|nf_hook_slow)")))'
_tr_expect_in "$TR_JSON_FILE" "the drop sightings carry reason and function" \
	'[.probes[].sightings[] | select(.kind == "kernel_drop" and .reason == "NETFILTER_DROP" and (.function | length) > 0)] | length >= 3'

# without --drops (the default) there is no kernel-drops interface
cap_start PID "" -i "$LAB_HOST/br0" -w "$LAB_DIR/nodrops.pcapng" --no-print
lab_exec "$LAB_GUEST" ping -q -c 1 -W 1 "$LAB_HOST_IP" >/dev/null
cap_stop "$PID"
if command -v tshark >/dev/null; then
	tshark -r "$LAB_DIR/nodrops.pcapng" -Y 'frame.interface_name == "kernel-drops"' 2>/dev/null |
		grep -q . && lab_die "kernel drops written without --drops"
fi
echo PASS
