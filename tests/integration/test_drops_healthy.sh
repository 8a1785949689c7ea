#!/bin/bash
# Kernel drop attribution: a healthy ping between namespaces produces no
# drop record for its requests or replies.
#
# With an ICMP datagram socket (what dropspot's prober uses) nothing is
# dropped at all.  Root's ping uses a raw socket: the raw socket gets a
# clone and the original reply then dies in ping_rcv with NO_SOCKET; that
# record must carry the "cloned" flag (0x10) so the engine can tell it
# from a lost reply, and no other probe record may appear.
. "$(dirname "$0")/drops_lib.sh"

lab_up
watch_start
out=$(lab_ping_dgram 10.77.2.2)
echo "$out" | grep -q " 0% packet loss" || { echo "$out"; fail "datagram ping did not succeed"; }
in_c ping -n -c 3 -i 0.2 -W 1 10.77.2.2 >/dev/null || fail "raw ping did not succeed"
watch_stop
probe=$(grep -F "icmp echo" "$WATCH_OUT" | grep -E "10\.77\.1\.2 > 10\.77\.2\.2|10\.77\.2\.2 > 10\.77\.1\.2")
bad=$(echo "$probe" | grep . | grep -v -E "^drop reason=NO_SOCKET .* func=ping_rcv .*flags=0x1[0-9a-f] \| icmp echo reply ")
[ -z "$bad" ] || { echo "$bad"; fail "drop record for a healthy probe"; }
n=$(echo "$probe" | grep -c "echo reply")
[ "$n" -le 3 ] || fail "more reply records than raw-socket pings"
echo "raw-socket replies reported as cloned NO_SOCKET at ping_rcv: $n (expected, benign)"
echo PASS
