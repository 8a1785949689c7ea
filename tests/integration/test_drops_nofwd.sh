#!/bin/bash
# Kernel drop attribution: the router has IP forwarding disabled (NAT mode
# without ip_forward).  6.18 reports IP_INADDRERRORS from ip_error (the
# route lookup says "not forwarding": EHOSTUNREACH); asserted by name, with
# the id this kernel's BTF gives it.
. "$(dirname "$0")/drops_lib.sh"

lab_up
in_r sysctl -qw net.ipv4.ip_forward=0
watch_start
lab_ping 10.77.2.2
watch_stop
expect_drop IP_INADDRERRORS 'ip_error' "$INO_R" "10.77.1.2 > 10.77.2.2"
echo PASS
