#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fragmented pings across a link whose two ends differ in MTU, a failure
# outside the catalogue.  a -- r -- b, routed by r; r's end of the r-b veth
# (rb) has MTU 1400, b's end (eb) 1500.  ping -s 2000 leaves a without DF and
# is fragmented: the requests pass (r refragments them for rb), but b's
# replies go out eb in 1500-byte fragments, larger than rb accepts, and the
# veth drops them (NOT_SPECIFIED in __dev_forward_skb2).
#
#  1. dropspot trace with kernel drops: the dropped first fragment of each
#     reply joins its probe (it carries the echo header), so the loss is the
#     reply's, at eb, with the kernel's function; not "no reply seen", not
#     an MTU too small for a 2028-byte probe (no DF: it is fragmented, never
#     dropped whole), not a missing masquerade.  Live and from the pcapng.
#  2. What a user brings: tcpdump -i any on r, small and large pings.  The
#     large ones are lost, the small ones answered, and the probes had no
#     DF: fragments_lost, and no MTU black hole finding.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init tcpdump ping

lab_netns A a
lab_netns R r
lab_netns B b
lab_veth "$A" ea "$R" ra
lab_veth "$R" rb "$B" eb
lab_addr "$A" ea 10.51.1.2/24
lab_addr "$R" ra 10.51.1.1/24
lab_addr "$R" rb 10.51.2.1/24
lab_addr "$B" eb 10.51.2.2/24
lab_exec "$A" ip route add default via 10.51.1.1
lab_exec "$B" ip route add default via 10.51.2.1
lab_exec "$R" sysctl -qw net.ipv4.ip_forward=1
lab_ip "$R" link set rb mtu 1400
lab_exec "$A" ping -c 1 -W 2 10.51.2.2 >/dev/null || lab_die "no ping a -> b"

echo "--- 1: trace"
TR_POINTS=("$R/ra" "$R/rb" "$B/eb")
TR_IFS=(ra rb eb)
tr_trace --ping 10.51.2.2 --from "$A" -c 2 --interval 0.3 -s 2000
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1"
tr_expect "both probes lost" '.summary.lost == 2'
tr_expect "the requests reach eb, where the target lives" \
	'all(.probes[]; [.sightings[] | select(.kind == "request") | .point] | sort == [0, 1, 2])'
tr_expect "the reply's dropped fragment joined each probe" \
	'all(.probes[]; any(.sightings[]; .kind == "kernel_drop"))'
tr_expect "lost on the reply path at eb, with the kernel's function" \
	'any(.findings[]; .kind == "drop" and .location.after_name == "eb" and
	 .location.direction == "reply" and
	 .details.kernel_function == "__dev_forward_skb2")'
tr_expect "no whole-probe MTU cause, no masquerade guess" \
	'all(.findings[]; (.cause.code // "") as $c |
	 ($c != "mtu_too_small" and $c != "mtu_blackhole" and
	  $c != "private_unnated"))'
tr_same

echo "--- 2: tcpdump -i any on r"
lab_bg td "$R" tcpdump -n -i any -U -w "$LAB_DIR/any.pcap" icmp
lab_wait_line "$LAB_DIR/$td.err" "listening on" 10 || lab_die "tcpdump did not start"
lab_exec "$A" ping -q -c 3 -i 0.2 -W 1 10.51.2.2 >/dev/null
lab_exec "$A" ping -q -c 3 -i 0.2 -W 1 -s 2000 10.51.2.2 >/dev/null
sleep 1
kill -INT "$td"
wait "$td"
"$DROPSPOT" analyze --json "$LAB_DIR/any.pcap" >"$LAB_DIR/any.json" \
	2>"$LAB_DIR/any.err"
rc=$?
[ "$rc" = 1 ] || lab_die "analyze exited $rc, want 1: $(cat "$LAB_DIR/any.err")"
_tr_expect_in "$LAB_DIR/any.json" "small answered, large lost (the last one may be too recent to call)" \
	'.summary.answered == 3 and .summary.lost >= 2 and .summary.lost + .summary.unfinished == 3'
_tr_expect_in "$LAB_DIR/any.json" "a fragment dies: fragments_lost" \
	'any(.findings[]; .kind == "drop" and .cause.code == "fragments_lost")'
_tr_expect_in "$LAB_DIR/any.json" "no MTU black hole for probes sent without DF" \
	'all(.findings[]; .kind != "mtu_blackhole")'
echo PASS
