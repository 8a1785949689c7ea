#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace, healthy bridged guest (SCENARIOS.md row 1): its own probes
# from the guest to the host are all answered, no drop finding; then
# passively, the guest's own ping.  Each time the saved pcapng, analyzed
# offline, gives the same report.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init ping

lab_topo_bridged
tr_points "$LAB_HOST" tap0 br0 up0

# ---- dropspot's own probes ----
tr_trace --ping "$LAB_HOST_IP" --from "$LAB_GUEST" -c 4 --interval 0.2
[ "$TR_RC" = 0 ] || lab_die "trace exited $TR_RC on a healthy path"
tr_expect "own probes: 4 answered, none lost" \
	'.summary.probes == 4 and .summary.answered == 4 and .summary.lost == 0'
tr_expect "own probes: no drop finding" "$JQ_NO_DROP"
tr_expect "own probes: path tap0 -> br0" '.verdict | test("answered via tap0 -> br0")'
tr_expect "own probes: payload starts with dropspot" \
	'[.probes[] | .len] | all(. == 56)'
tr_same
grep -q '^probe 4 seq 4 len 56: answered' "$TR_JSON_LIVE.err" ||
	lab_die "no per-probe line for probe 4: $(cat "$TR_JSON_LIVE.err")"
command -v tshark >/dev/null && {
	tshark -r "$LAB_DIR/trace.pcapng" -Y 'icmp.type == 8 and data.data contains "dropspot"' \
		2>/dev/null | grep -c . | grep -qx 8 ||
		lab_die "tshark does not see 4 requests at 2 points with a dropspot payload"
	echo "ok: tshark sees the probes' dropspot payload"
}

# ---- where the guest's netns allows ICMP datagram sockets, trace uses one:
# its replies are delivered, not dropped by ping_rcv (NO_SOCKET) as a raw
# socket's are ----
lab_exec "$LAB_GUEST" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
tr_trace --ping "$LAB_HOST_IP" --from "$LAB_GUEST" -c 2 --interval 0.2
[ "$TR_RC" = 0 ] || lab_die "trace (ping socket) exited $TR_RC"
tr_expect "ping socket: 2 answered, no kernel drop of a reply" \
	'.summary.answered == 2 and all(.probes[].sightings[]; .kind != "kernel_drop")'
tr_same
lab_exec "$LAB_GUEST" sysctl -qw net.ipv4.ping_group_range="1 0"

# ---- passive: the guest's own ping, -c 3 probes ----
tr_trace_bg -c 3
lab_exec "$LAB_GUEST" ping -q -c 3 -i 0.2 -W 1 "$LAB_HOST_IP" >/dev/null ||
	lab_die "ping failed on a healthy path"
tr_trace_wait
[ "$TR_RC" = 0 ] || lab_die "passive trace exited $TR_RC"
tr_expect "passive: 3 answered" '.summary.probes == 3 and .summary.answered == 3'
tr_expect "passive: no drop finding" "$JQ_NO_DROP"
tr_same

# ---- passive, ended by Ctrl-C: the report still comes, nothing stays ----
tr_trace_bg
lab_exec "$LAB_GUEST" ping -q -c 2 -i 0.2 -W 1 "$LAB_HOST_IP" >/dev/null ||
	lab_die "ping failed on a healthy path"
sleep 0.5
tr_trace_wait INT
[ "$TR_RC" = 0 ] || lab_die "trace ended by SIGINT exited $TR_RC"
tr_expect "SIGINT: 2 answered" '.summary.probes == 2 and .summary.answered == 2'
tr_same
for ifc in tap0 br0 up0; do
	lab_exec "$LAB_HOST" ip link show "$ifc" | grep -q ' xdp' &&
		lab_die "an XDP program stayed on $ifc"
done
echo "ok: no XDP program stayed attached"
echo PASS
