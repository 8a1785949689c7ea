#!/bin/bash
# Kernel drop attribution: strict reverse-path filter on the router with an
# asymmetric source: the client sends from 10.77.2.50, an address the
# router routes out of r1, into r0.  IP_RPFILTER from the IP receive path
# (ip_rcv_finish_core on 6.18).
. "$(dirname "$0")/drops_lib.sh"

lab_up
in_c ip addr add 10.77.2.50/32 dev c0
# ARP from the spoofed source would fail the same check (and is consumed,
# not dropped): give the client its gateway's MAC up front.
in_c ip neigh replace 10.77.1.1 dev c0 lladdr "$(in_r cat /sys/class/net/r0/address)"
in_r sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.r0.rp_filter=1
watch_start
lab_ping -I 10.77.2.50 10.77.2.2
watch_stop
expect_drop IP_RPFILTER 'ip_rcv_finish_core|ip_rcv_finish|ip_route_input_noref|ip_rcv' \
	"$INO_R" "10.77.2.50 > 10.77.2.2"
echo PASS
