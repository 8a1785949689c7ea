#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's drop device is a place even when nobody watched it.  An
# asymmetric return path: the guest's request to 10.77.9.9 leaves the
# router through h1, the target answers through its second link, and the
# router's strict reverse-path filter drops the reply as it enters on h2,
# which is not watched.  Live and from the saved pcapng, the loss is
# placed on h2 by name (location.dropped_on, "not watched" in the summary)
# with the kernel's reason, not only "after the last point seen".
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init
tr_btf_reason IP_RPFILTER

lab_netns G guest
lab_netns H router
lab_netns T target
lab_veth "$G" g0 "$H" h0
lab_veth "$H" h1 "$T" t1
lab_veth "$H" h2 "$T" t2
lab_addr "$G" g0 10.77.0.2/24
lab_addr "$H" h0 10.77.0.1/24
lab_addr "$H" h1 10.77.1.1/24
lab_addr "$T" t1 10.77.1.2/24
lab_addr "$H" h2 10.77.2.1/24
lab_addr "$T" t2 10.77.2.2/24
lab_addr "$T" lo 10.77.9.9/32
lab_ip "$G" route add default via 10.77.0.1
lab_ip "$H" route add 10.77.9.9/32 via 10.77.1.2
# the way back leaves the target through its other link
lab_ip "$T" route add 10.77.0.0/24 via 10.77.2.1
lab_exec "$H" sysctl -qw net.ipv4.ip_forward=1 \
	net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.h2.rp_filter=1
# the target must not filter what it sends back asymmetrically, and must
# ask for its gateway on t2 from t2's own address (the router's strict
# filter would ignore an ARP request from 10.77.9.9 arriving on h2)
lab_exec "$T" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
	net.ipv4.conf.t1.rp_filter=0 net.ipv4.conf.t2.rp_filter=0 \
	net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.t2.arp_announce=2

tr_points "$H" h0 h1
tr_trace --ping 10.77.9.9 --from "$G" -c 3 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "every probe lost" '.summary.lost == 3 and .summary.answered == 0'
tr_expect "the replies' drop is placed on the unwatched h2 by name" \
	"any(.findings[]; .kind == \"drop\" and .location.dropped_on == \"$H/h2\" and
	     .location.dropped_on_point == null and
	     .location.direction == \"reply\" and
	     (.summary | contains(\"their replies on $H/h2 (not watched)\")))"
tr_expect "named by the kernel's reason, not by a guess the reply refutes" \
	'any(.findings[]; .kind == "drop" and .cause.code == "kernel_drop" and
	     .cause.params.kernel_reason == "IP_RPFILTER") and
	 all(.findings[]; .cause.code != "masquerade_missing" and
	     .cause.code != "target_silent")'
# watched, the same device is a point of the path: named as that point
tr_points "$H" h0 h1 h2
tr_trace --ping 10.77.9.9 --from "$G" -c 3 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "watched h2: the drop names point 2, not 'not watched'" \
	'any(.findings[]; .kind == "drop" and .location.dropped_on_point == 2 and
	     (.summary | contains("not watched") | not))'
tr_same
echo PASS
