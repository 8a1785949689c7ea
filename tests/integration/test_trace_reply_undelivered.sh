#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "Answered" means delivered: the reply comes all the way back to the
# guest's interface and dies in the guest's own kernel, before any socket.
# The guest's ping prints 100% loss; dropspot must say lost, located after
# the guest's interface on the reply path, named by the kernel's reason,
# live and from the saved pcapng.
#   1. the guest's own input firewall drops echo replies (NETFILTER_DROP);
#   2. the guest's strict rp_filter: its route back to the host leaves by
#      another interface than the one the reply came in on (IP_RPFILTER).
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft
tr_btf_reason NETFILTER_DROP
tr_btf_reason IP_RPFILTER

guest_points() {
	TR_POINTS=("$LAB_GUEST/eth0" "$LAB_HOST/tap0" "$LAB_HOST/br0")
	TR_IFS=(eth0 tap0 br0)
}

# ---- 1: the guest's input firewall drops the replies ----
lab_topo_bridged
lab_input_rule "$LAB_GUEST" 'icmp type echo-reply drop'
guest_points
tr_trace --ping "$LAB_HOST_IP" --from "$LAB_GUEST" -c 3 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (replies never delivered)"
tr_expect "every probe lost, none answered" \
	'.summary.lost == 3 and .summary.answered == 0'
tr_expect "the replies reached the guest's interface" \
	'[.probes[] | select(.outcome == "lost_reply" and .dropped_after_delivery)] | length == 3'
tr_expect "lost after eth0 on the reply path, NETFILTER_DROP" \
	'any(.findings[]; .kind == "drop" and .location.after_name == "eth0" and
	     .location.before == null and .location.direction == "reply" and
	     .details.kernel_reason == "NETFILTER_DROP")'
tr_expect "the verdict says lost, not answered" \
	'(.verdict | test("^3/3 probes lost: replies reach eth0, then die in the sender")) and
	 (.verdict | test("answered") | not)'
tr_same

# ---- 1b: the same with no kernel drop record to say so ----
# The probe socket is the ground truth: the replies reached eth0 but not
# the socket that sent the probes, so they are lost, located as before;
# and a healthy run's replies are sightings at the "socket" point.
tr_trace --ping "$LAB_HOST_IP" --from "$LAB_GUEST" -c 3 --interval 0.2 \
	--no-drops
[ "$TR_RC" = 1 ] || lab_die "trace --no-drops exited $TR_RC, want 1"
tr_expect "no kernel drops: still every probe lost, none answered" \
	'.summary.lost == 3 and .summary.answered == 0 and
	 all(.points[]; .kind != "kernel")'
tr_expect "no kernel drops: the socket is a point that received nothing" \
	'any(.points[]; .name == "socket" and .kind == "socket" and .replies == 0)'
tr_expect "no kernel drops: lost after eth0, the sender's kernel kept them" \
	'any(.findings[]; .kind == "drop" and .location.after_name == "eth0" and
	     .location.direction == "reply") and
	 (.verdict | test("^3/3 probes lost: replies reach eth0, then die in the sender"))'
tr_same
lab_exec "$LAB_GUEST" nft flush ruleset
tr_trace --ping "$LAB_HOST_IP" --from "$LAB_GUEST" -c 3 --interval 0.2 \
	--no-drops
[ "$TR_RC" = 0 ] || lab_die "healthy trace exited $TR_RC, want 0"
tr_expect "healthy: every reply received by the socket" \
	'.summary.answered == 3 and
	 ([.points[] | select(.kind == "socket")][0].id) as $s |
	 all(.probes[]; any(.sightings[]; .point == $s and .kind == "reply"))'
tr_same

# ---- 2: the guest's strict reverse-path filter ----
an_next() { LAB_ID=$(printf '%04x' $(( (0x$LAB_ID + 1) & 0xffff ))); }
an_next
lab_topo_bridged
# the guest's route to the host leaves by rp0 (a veth inside the guest;
# this kernel has no dummy module): a reply from the host arriving on eth0
# fails the strict check; ping -I eth0 still sends there
lab_ip "$LAB_GUEST" link add rp0 type veth peer name rp1 ||
	lab_die "veth in the guest"
lab_ip "$LAB_GUEST" link set rp0 up
lab_ip "$LAB_GUEST" link set rp1 up
lab_ip "$LAB_GUEST" route add "$LAB_HOST_IP/32" dev rp0 ||
	lab_die "route via rp0"
lab_exec "$LAB_GUEST" sysctl -qw net.ipv4.conf.all.rp_filter=1 \
	net.ipv4.conf.eth0.rp_filter=1
guest_points
tr_trace_bg
lab_exec "$LAB_GUEST" ping -q -c 3 -i 0.2 -W 1 -I eth0 "$LAB_HOST_IP" >/dev/null &&
	lab_die "ping with a failing reverse path succeeded"
sleep 1
tr_trace_wait INT
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1"
tr_expect "every probe lost, none answered" \
	'.summary.lost == 3 and .summary.answered == 0'
tr_expect "lost after eth0 on the reply path, IP_RPFILTER" \
	'any(.findings[]; .kind == "drop" and .location.after_name == "eth0" and
	     .location.direction == "reply" and .details.kernel_reason == "IP_RPFILTER")'
tr_same
echo PASS
