#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Neighbour exchanges followed like probes, and layer-2 identity, live
# (dropspot trace) and from the saved pcapng (dropspot analyze):
#
# (a) the host's ARP replies are dropped on the bridge port of the guest
#     (nft bridge family, oifname tap0): the guest pings the gateway and
#     never resolves it.  The exchange is located after br0, not seen at
#     tap0 (neighbour_answer_lost, with the kernel's reason), and the
#     probes that died waiting for it are explained by it.
# (b) two guests with the same MAC behind tap0 and tap1 of one bridge,
#     both pinging the host: mac_conflict names both ports.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft

# ---- (a) a neighbour answer filtered on one bridge port ----------------
lab_topo_bridged
lab_exec "$LAB_HOST" nft -f - <<-'NFT' ||
	table bridge dsarp {
		chain outp {
			type filter hook output priority filter;
			oifname "tap0" arp operation reply drop
		}
		chain forw {
			type filter hook forward priority filter;
			oifname "tap0" arp operation reply drop
		}
	}
NFT
	lab_skip "nft bridge family not available"
tr_points "$LAB_HOST" tap0 br0 up0
tr_trace --ping "$LAB_HOST_IP" --from "$LAB_GUEST" -c 3 --interval 0.2 -t 6
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "every probe lost" '.summary.answered == 0 and .summary.lost == 3'
tr_expect "the ARP reply is lost after br0, not seen at tap0" \
	'any(.findings[]; .kind == "neighbour_answer_lost" and
	     .location.after_name == "br0" and .location.before_name == "tap0" and
	     .location.direction == "reply" and
	     .cause.code == "neighbour_answer_lost" and
	     .details.target == "10.77.0.1" and .details.asker_ip == "10.77.0.2" and
	     (.details.answer_mac | test("^[0-9a-f:]{17}$")))'
if bpftool btf dump file /sys/kernel/btf/vmlinux format c 2>/dev/null |
	grep -qE '^[[:space:]]*SKB_DROP_REASON_NETFILTER_DROP = '; then
	tr_expect "the kernel's reason joins the exchange" \
		'any(.findings[]; .kind == "neighbour_answer_lost" and
		     .details.kernel_reason == "NETFILTER_DROP")'
fi
tr_expect "the lost probes are explained by the exchange" \
	'any(.findings[]; (.kind == "drop" or .kind == "no_probes") and
	     .cause.code == "neighbour_answer_lost" and
	     .cause.params.answer_after == "br0" and
	     .cause.params.answer_before == "tap0")'
tr_expect "the verdict says where the answer died" \
	'.verdict | test("neighbour answer for 10.77.0.1 .*lost after br0, not seen at tap0")'
tr_expect "no MAC conflict invented" \
	'all(.findings[]; .kind != "mac_conflict")'
tr_same
# without kernel drop records no echo request is seen at all: the
# no_probes verdict names where the neighbour answer died
tr_trace --ping "$LAB_HOST_IP" --from "$LAB_GUEST" -c 2 --interval 0.2 -t 4 \
	--no-drops
[ "$TR_RC" = 1 ] || lab_die "trace --no-drops exited $TR_RC, want 1"
tr_expect "no_probes explained by the lost exchange" \
	'any(.findings[]; .kind == "no_probes" and
	     .cause.code == "neighbour_answer_lost" and
	     .location.after_name == "br0" and .location.before_name == "tap0")'
tr_expect "the no_probes verdict names the exchange's location" \
	'.verdict | test("^No probe left the guest.*lost after br0, not seen at tap0")'
tr_same

# ---- (b) two guests sharing a MAC behind two ports of one bridge -------
lab_netns GA ga
lab_netns GB gb
lab_netns H2 host2
lab_bridge "$H2" br0
lab_tap "$H2" tap0 "$GA" eth0
lab_port "$H2" br0 tap0
lab_tap "$H2" tap1 "$GB" eth0
lab_port "$H2" br0 tap1
for ns in "$GA" "$GB"; do
	lab_ip "$ns" link set eth0 down
	lab_ip "$ns" link set eth0 address 02:00:5e:10:00:01 ||
		lab_die "cannot set the guest's MAC"
	lab_ip "$ns" link set eth0 up
done
lab_addr "$GA" eth0 10.79.0.2/24
lab_addr "$GB" eth0 10.79.0.3/24
lab_addr "$H2" br0 10.79.0.1/24
lab_bg GB_PING "$GB" ping -q -i 0.2 -c 40 10.79.0.1
tr_points "$H2" tap0 tap1 br0
tr_trace --ping 10.79.0.1 --from "$GA" -c 8 --interval 0.25 -t 2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "mac_conflict names the MAC and both ports" \
	'any(.findings[]; .kind == "mac_conflict" and
	     .details.mac == "02:00:5e:10:00:01" and
	     ([.details.port_a, .details.port_b] | sort) == ["tap0", "tap1"] and
	     .details.first_ts_a > 0 and .details.first_ts_b > 0 and
	     .cause.code == "mac_conflict")'
# the saved file says which bridge each port belongs to (the interface
# description), so analyze groups the ports as the live trace did
for port in tap0 tap1; do
	grep -aq "$port; netns $H2; [a-z_-]*; [a-z_-]*; master br0" \
		"$LAB_DIR/trace.pcapng" ||
		lab_die "the pcapng does not record $port's master br0"
done
grep -aq "br0; netns $H2; bridge; [a-z_-]*; master -" "$LAB_DIR/trace.pcapng" ||
	lab_die "the pcapng does not say br0 has no master"
tr_expect "a lost reply, if any, is put down to the conflict" \
	'.summary.lost == 0 or any(.findings[]; .kind == "drop" and
	     ([.cause.code] + .cause.supporting | index("mac_conflict")) != null)'
tr_same
echo PASS
