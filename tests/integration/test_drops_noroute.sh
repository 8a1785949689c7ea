#!/bin/bash
# Kernel drop attribution: the router forwards but has no route to the
# target (10.77.9.9): IP_INNOROUTES from ip_error (which also sends the
# "net unreachable" back).
. "$(dirname "$0")/drops_lib.sh"

lab_up
watch_start
lab_ping 10.77.9.9
watch_stop
expect_drop IP_INNOROUTES 'ip_error' "$INO_R" "10.77.1.2 > 10.77.9.9"
echo PASS
