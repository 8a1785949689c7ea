#!/bin/bash
# Live capture in the bridged lab: guest -> tap (relayed, as a VMM holds it)
# -> bridge -> uplink veth -> peer.  Every echo request and reply must be
# seen exactly once at each point it crosses, with the right direction, and
# nowhere else; capture from inside another netns (and by pid:) works; a
# taken XDP slot is said clearly and the point watched with TC instead.
set -u
. "${DROPSPOT_SRC:?}/lab/lib.sh"
. "$DROPSPOT_SRC/lab/capture.sh"
lab_init ping
LAB_FAILED=0
lab_topo_bridged
G=$LAB_GUEST H=$LAB_HOST P=$LAB_PEER
N=5 M=3

# Phase 1: five points watched from our own netns.
cap_start cap "" -i "$G/eth0,$H/tap0,$H/br0,$H/up0" -i "$P/eth0" -f icmp
lab_exec "$G" ping -q -c $N -i 0.2 -W 2 "$LAB_PEER_IP" >/dev/null || lab_die "ping peer"
lab_exec "$G" ping -q -c $M -i 0.2 -W 2 "$LAB_HOST_IP" >/dev/null || lab_die "ping host"
sleep 0.3
cap_stop "$cap"
expect "capture exit status" $? 0
out=$LAB_DIR/$cap.out
cat "$out" | tail -8

to_peer="IP $LAB_GUEST_IP > $LAB_PEER_IP .*echo request"
from_peer="IP $LAB_PEER_IP > $LAB_GUEST_IP .*echo reply"
to_host="IP $LAB_GUEST_IP > $LAB_HOST_IP .*echo request"
from_host="IP $LAB_HOST_IP > $LAB_GUEST_IP .*echo reply"
check_point() {	# point dir regex want
	expect "$1 $2 /$3/" "$(cap_count "$out" "$1" "$2" "$3")" "$4"
}
# guest -> peer: every point but the bridge device (forwarded, not delivered)
check_point "$G/eth0" out "$to_peer" $N
check_point "$G/eth0" in "$from_peer" $N
check_point "$H/tap0" in "$to_peer" $N
check_point "$H/tap0" out "$from_peer" $N
check_point "$H/up0" out "$to_peer" $N
check_point "$H/up0" in "$from_peer" $N
check_point "$P/eth0" in "$to_peer" $N
check_point "$P/eth0" out "$from_peer" $N
check_point "$H/br0" in "$to_peer" 0
check_point "$H/br0" out "$from_peer" 0
# guest -> host: delivered on br0, never leaves on the uplink
check_point "$G/eth0" out "$to_host" $M
check_point "$H/tap0" in "$to_host" $M
check_point "$H/br0" in "$to_host" $M
check_point "$H/br0" out "$from_host" $M
check_point "$H/tap0" out "$from_host" $M
check_point "$G/eth0" in "$from_host" $M
check_point "$H/up0" out "$to_host" 0
check_point "$P/eth0" in "$to_host" 0
# wrong directions never appear
check_point "$G/eth0" in "echo request" 0
check_point "$P/eth0" out "echo request" 0
# nothing duplicated: (point, direction, id, seq, type) unique
dups=$(grep -E "echo (request|reply)" "$out" |
	sed -E 's/^[^ ]+ ([^ ]+) ([^ ]+) .*echo (request|reply) id ([0-9]+) seq ([0-9]+).*/\1 \2 \3 \4 \5/' |
	sort | uniq -d | wc -l)
expect "duplicated records" "$dups" 0
# summary: five points, nothing lost
expect "summary lost column" "$(awk '$1 ~ /^ds/ && NF == 7 {s += $7} END {print s+0}' "$out")" 0
expect "summary points" "$(awk '$1 ~ /^ds/ && NF == 7' "$out" | wc -l)" 5

# Phase 2: dropspot runs inside the host netns; the guest's interface is
# named by pid: (the tap relay lives in the guest netns).
cap_start cap2 "$H" -i tap0,up0 -i "pid:$LAB_TAP_PID/eth0" -f icmp
lab_exec "$G" ping -q -c $N -i 0.2 -W 2 "$LAB_PEER_IP" >/dev/null || lab_die "ping peer 2"
sleep 0.3
cap_stop "$cap2"
expect "in-netns capture exit status" $? 0
out=$LAB_DIR/$cap2.out
check_point tap0 in "$to_peer" $N
check_point up0 out "$to_peer" $N
check_point up0 in "$from_peer" $N
check_point tap0 out "$from_peer" $N
check_point "pid:$LAB_TAP_PID/eth0" out "$to_peer" $N
check_point "pid:$LAB_TAP_PID/eth0" in "$from_peer" $N

# Phase 3: XDP slot taken by another capture -> said clearly, the point falls
# back to TC ingress (test_capture_fallback.sh checks what it sees); --tc-ingress
# works.
cap_start cap3 "" -i "$H/tap0" -f icmp --no-print
err=$("$DROPSPOT" capture -i "$H/tap0" --duration 1 2>&1 >/dev/null)
rc=$?
expect "second XDP capture exit status" $rc 0
echo "$err" | grep -q "XDP slot of $H/tap0 is taken .*using TC ingress instead" && r=yes || r=no
expect "XDP slot message ($err)" $r yes
cap_start cap4 "" -i "$H/tap0" -f icmp --tc-ingress
lab_exec "$G" ping -q -c $N -i 0.2 -W 2 "$LAB_PEER_IP" >/dev/null || lab_die "ping peer 3"
sleep 0.3
cap_stop "$cap4"
expect "tc-ingress capture exit status" $? 0
out=$LAB_DIR/$cap4.out
check_point "$H/tap0" in "$to_peer" $N
check_point "$H/tap0" out "$from_peer" $N
cap_stop "$cap3"
expect "first capture exit status" $? 0

# Bridge watched with XDP (not the default) by another process first: the
# kernel refuses XDP on its port, the port falls back to TC ingress and
# still sees everything.
cap_start cap6 "" -i "$H/br0" --no-print --xdp-ingress
cap_start cap7 "" -i "$H/tap0" -f icmp
lab_exec "$G" ping -q -c $N -i 0.2 -W 2 "$LAB_PEER_IP" >/dev/null || lab_die "ping peer 5"
sleep 0.3
cap_stop "$cap7"
expect "port-after-bridge capture exit status" $? 0
grep -q "master device has an XDP program" "$LAB_DIR/$cap7.err" && r=yes || r=no
expect "port-after-bridge fallback reported" $r yes
out=$LAB_DIR/$cap7.out
check_point "$H/tap0" in "$to_peer" $N
check_point "$H/tap0" out "$from_peer" $N
cap_stop "$cap6"

# In-kernel filter: UDP is not sent up by default, it is with --host or
# --all-ip (three captures on three points of the same path at once).
cap_start cap8 "" -i "$H/tap0"
cap_start cap9 "" -i "$H/up0" --host "$LAB_PEER_IP"
cap_start cap10 "" -i "$P/eth0" --all-ip
for i in 1 2 3; do
	lab_exec "$G" bash -c "echo probe$i >/dev/udp/$LAB_PEER_IP/9" || lab_die "udp"
done
sleep 0.3
cap_stop "$cap8"; cap_stop "$cap9"; cap_stop "$cap10"
udp="IP $LAB_GUEST_IP > $LAB_PEER_IP .*UDP"
expect "default filter: UDP at tap0" "$(cap_count "$LAB_DIR/$cap8.out" "$H/tap0" in "$udp")" 0
# ... while the ICMP errors the peer sends back are captured there
# (at least one: the kernel rate-limits ICMP errors)
[ "$(cap_count "$LAB_DIR/$cap8.out" "$H/tap0" out "unreachable")" -ge 1 ] && r=yes || r=no
expect "default filter: ICMP unreachable at tap0" $r yes
expect "--host: UDP at up0" "$(cap_count "$LAB_DIR/$cap9.out" "$H/up0" out "$udp")" 3
expect "--all-ip: UDP at peer" "$(cap_count "$LAB_DIR/$cap10.out" "$P/eth0" in "$udp")" 3

# -c and --duration end the capture by themselves.
cap_start cap5 "" -i "$P/eth0" -f "icmp[icmptype] == icmp-echo" -c 3
lab_exec "$G" ping -q -c $N -i 0.2 -W 2 "$LAB_PEER_IP" >/dev/null || lab_die "ping peer 4"
for ((i = 0; i < 40; i++)); do kill -0 "$cap5" 2>/dev/null || break; sleep 0.05; done
wait "$cap5"
expect "-c 3 exit status" $? 0
expect "-c 3 frames printed" "$(grep -c 'echo request' "$LAB_DIR/$cap5.out")" 3
start=$(date +%s%N)
"$DROPSPOT" capture -i "$P/eth0" --duration 0.7 >/dev/null 2>&1
rc=$? el=$(( ($(date +%s%N) - start) / 1000000 ))
expect "--duration exit status" $rc 0
[ $el -ge 700 ] && [ $el -lt 3000 ] && r=yes || r=no
expect "--duration 0.7 took ${el}ms" $r yes

# Clear errors for unknown interfaces and namespaces.
err=$("$DROPSPOT" capture -i "$H/nosuch0" --duration 1 2>&1); rc=$?
expect "unknown interface status" $rc 2
echo "$err" | grep -q "unknown interface" && r=yes || r=no
expect "unknown interface message ($err)" $r yes
err=$("$DROPSPOT" capture -i "ds-nosuch-$LAB_ID/eth0" --duration 1 2>&1); rc=$?
expect "unknown netns status" $rc 2
echo "$err" | grep -q "unknown network namespace" && r=yes || r=no
expect "unknown netns message ($err)" $r yes

exit $LAB_FAILED
