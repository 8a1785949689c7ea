#!/bin/bash
# Topology discovery for `dropspot trace --auto` (capture/topology.c), on
# real lab topologies: from the guest netns and from the host netns,
# tests/tools/topo_show must list exactly the interfaces a probe crosses,
# in order, with their kinds and roles -- across relayed taps, veth pairs
# into other namespaces, bridges and their ports, and a routed NAT uplink;
# a routing loop must end; errors are one clear line; and the caller is
# always left in its own netns (topo_show exits 3 otherwise).  The way
# back too: an asymmetric return (policy rule, ECMP, a second route to the
# source), and a bridge that switches the frame (FDB port, never the
# host's own uplink).
set -u
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
: "${DROPSPOT_SRC:?}" "${DROPSPOT_TESTBIN:?}"
SHOW=$DROPSPOT_TESTBIN/topo_show
[ -x "$SHOW" ] || { echo "skip: $SHOW not built"; exit 77; }
export DROPSPOT_SRC DROPSPOT_TESTBIN SHOW

# Every topology runs in its own subshell: lab_init's EXIT trap tears it
# down when the subshell ends, however it ends.
lab_case() {
	(
		set -u
		. "$DROPSPOT_SRC/lab/lib.sh"
		lab_init timeout
		fail=0
		"$@"
		exit $fail
	)
}

# check NAME EXPECTED TARGET [NETNS]: topo_show's points (spec, kind,
# role; tab separated) must be EXPECTED exactly.  check_in runs it inside
# netns IN instead: check_in NAME EXPECTED IN TARGET [NETNS].
check() {
	local name=$1 want=$2
	shift 2
	_check "$name" "$want" "$SHOW" -t "$@"
}

check_in() {
	local name=$1 want=$2 ns=$3
	shift 3
	_check "$name" "$want" ip netns exec "$ns" "$SHOW" -t "$@"
}

_check() {
	local name=$1 want=$2 got rc
	shift 2
	got=$(timeout 20 "$@" 2>&1)
	rc=$?
	if [ $rc = 0 ] && [ "$got" = "$want" ]; then
		echo "ok   $name"
		return
	fi
	echo "FAIL $name (exit $rc)"
	echo "  want:"; sed 's/^/    /' <<<"$want"
	echo "  got:"; sed 's/^/    /' <<<"$got"
	fail=1
}

# check_err NAME REGEX TARGET [NETNS]: topo_show must fail with exit 1 and
# exactly one line on stderr matching REGEX.
check_err() {
	local name=$1 re=$2 out rc
	shift 2
	out=$(timeout 20 "$SHOW" -t "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc = 1 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -qE "$re" <<<"$out"; then
		echo "ok   $name: $out"
	else
		echo "FAIL $name (exit $rc): $out"
		fail=1
	fi
}

# Printed by lines so that the tabs are explicit.
pts() { printf '%s\t%s\t%s\n' "$@"; }

# A port a switched frame may leave by when the next hop's MAC is unknown.
FLOOD="bridge port of br0 (flood: MAC unknown)"

bridged() {
	local G H P C
	lab_topo_bridged
	G=$LAB_GUEST H=$LAB_HOST P=$LAB_PEER
	lab_addr "$G" eth0 fd77::2/64
	lab_addr "$H" br0 fd77::1/64
	lab_addr "$P" eth0 fd77::3/64

	check "bridged: guest -> peer" "$(pts \
		"$G/eth0" tap "guest tap" \
		"$H/tap0" tap "bridge port of br0" \
		"$H/br0" bridge bridge \
		"$H/up0" veth "$FLOOD" \
		"$P/eth0" veth "target side")" "$LAB_PEER_IP" "$G"
	check "bridged: guest -> peer over IPv6" "$(pts \
		"$G/eth0" tap "guest tap" \
		"$H/tap0" tap "bridge port of br0" \
		"$H/br0" bridge bridge \
		"$H/up0" veth "$FLOOD" \
		"$P/eth0" veth "target side")" fd77::3 "$G"
	# reverse: the host routes to its bridge; the port towards the
	# target comes first, the other port stays (it sees flooded frames)
	check "bridged: host -> guest" "$(pts \
		"$H/br0" bridge bridge \
		"$H/tap0" tap "$FLOOD" \
		"$G/eth0" tap "target side" \
		"$H/up0" veth "$FLOOD")" "$LAB_GUEST_IP" "$H"
	check "bridged: host -> peer" "$(pts \
		"$H/br0" bridge bridge \
		"$H/up0" veth "$FLOOD" \
		"$P/eth0" veth "target side" \
		"$H/tap0" tap "$FLOOD")" "$LAB_PEER_IP" "$H"
	check "bridged: peer -> guest" "$(pts \
		"$P/eth0" veth "guest veth" \
		"$H/up0" veth "bridge port of br0" \
		"$H/br0" bridge bridge \
		"$H/tap0" tap "$FLOOD" \
		"$G/eth0" tap "target side")" "$LAB_GUEST_IP" "$P"
	# run from inside the host netns: its interfaces are plain names
	check_in "bridged: host -> guest, called in the host netns" "$(pts \
		br0 bridge bridge \
		tap0 tap "$FLOOD" \
		"$G/eth0" tap "target side" \
		up0 veth "$FLOOD")" "$H" "$LAB_GUEST_IP"
	# naming the caller's own netns is the same as naming none
	check_in "bridged: host -> guest, from the caller's own netns" "$(pts \
		br0 bridge bridge \
		tap0 tap "$FLOOD" \
		"$G/eth0" tap "target side" \
		up0 veth "$FLOOD")" "$H" "$LAB_GUEST_IP" "$H"

	# a container on the same bridge through a veth pair
	lab_netns C ct
	lab_veth "$C" eth0 "$H" vc0
	lab_port "$H" br0 vc0
	lab_addr "$C" eth0 10.77.0.4/24
	check "bridged: container -> peer" "$(pts \
		"$C/eth0" veth "guest veth" \
		"$H/vc0" veth "bridge port of br0" \
		"$H/br0" bridge bridge \
		"$H/up0" veth "$FLOOD" \
		"$P/eth0" veth "target side" \
		"$H/tap0" tap "$FLOOD")" "$LAB_PEER_IP" "$C"
	check "bridged: guest -> container" "$(pts \
		"$G/eth0" tap "guest tap" \
		"$H/tap0" tap "bridge port of br0" \
		"$H/br0" bridge bridge \
		"$H/vc0" veth "$FLOOD" \
		"$C/eth0" veth "target side" \
		"$H/up0" veth "$FLOOD")" 10.77.0.4 "$G"

	check_err "error: unknown netns" "unknown network namespace '$G-nope'" \
		"$LAB_PEER_IP" "$G-nope"
	check_err "error: bad address" "bad target address '10.77.0.300'" \
		10.77.0.300 "$G"
	check_err "error: no route" "no route to 192.0.2.1 in netns '$P'" \
		192.0.2.1 "$P"
}

nat() {
	local G H W
	lab_topo_nat
	G=$LAB_GUEST H=$LAB_HOST W=$LAB_WAN
	# routed out of the bridge's netns: the uplink, then beyond it
	check "nat: guest -> wan" "$(pts \
		"$G/eth0" tap "guest tap" \
		"$H/tap0" tap "bridge port of virbr0" \
		"$H/virbr0" bridge bridge \
		"$H/up0" veth uplink \
		"$W/eth0" veth "target side")" "$LAB_WAN_IP" "$G"
	check "nat: host -> guest" "$(pts \
		"$H/virbr0" bridge bridge \
		"$H/tap0" tap "bridge port of virbr0 (flood: MAC unknown)" \
		"$G/eth0" tap "target side")" "$LAB_GUEST_IP" "$H"
	check "nat: host -> wan" "$(pts \
		"$H/up0" veth uplink \
		"$W/eth0" veth "target side")" "$LAB_WAN_IP" "$H"
	check "nat: guest -> host's bridge address" "$(pts \
		"$G/eth0" tap "guest tap" \
		"$H/tap0" tap "bridge port of virbr0" \
		"$H/virbr0" bridge "bridge (target is local here)")" \
		"$LAB_HOST_IP" "$G"
}

# Two namespaces routing a prefix to each other over two veth pairs:
# the walk must end, each interface listed once.
loop() {
	local A B
	lab_netns A la
	lab_netns B lb
	lab_veth "$A" a1 "$B" b1
	lab_veth "$A" a2 "$B" b2
	lab_addr "$A" a1 10.80.0.1/30
	lab_addr "$B" b1 10.80.0.2/30
	lab_addr "$A" a2 10.80.1.1/30
	lab_addr "$B" b2 10.80.1.2/30
	lab_ip "$A" route add 10.99.0.0/24 via 10.80.0.2
	lab_ip "$B" route add 10.99.0.0/24 via 10.80.1.1
	check "routing loop ends" "$(pts \
		"$A/a1" veth "guest veth" \
		"$B/b1" veth "veth peer" \
		"$B/b2" veth uplink \
		"$A/a2" veth "veth peer")" 10.99.0.9 "$A"
}

# Asymmetric return: the router R reaches the target T over r1/t1, but a
# policy rule in T sends every reply from 10.81.2.2 back over t2/r2; R also
# holds a second route to the guest's subnet (r9, worse metric).  The way
# back is listed after the way there, each point saying why it is there.
asym() {
	local G R T Z
	lab_topo_asymmetric
	lab_netns Z az
	lab_veth "$R" r9 "$Z" eth0
	# a second way to the guest's subnet in another policy table
	lab_ip "$R" route add 10.81.1.0/24 dev r9 table 200
	lab_ip "$R" rule add from 10.81.9.0/24 lookup 200
	lab_exec "$R" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0

	check "asym: guest -> target, reply over the second link" "$(pts \
		"$G/eth0" veth "guest veth" \
		"$R/r0" veth "veth peer" \
		"$R/r1" veth uplink \
		"$T/t1" veth "target side" \
		"$T/t2" veth "return route to 10.81.1.2 via t2" \
		"$R/r2" veth "veth peer (return)" \
		"$R/r9" veth "also a route to 10.81.1.2 (table 200)")" 10.81.2.2 "$G"
	# from T, the source-keyed rule picks t2 for the probe itself
	check "asym: target -> guest, the source's policy rule" "$(pts \
		"$T/t2" veth "guest veth" \
		"$R/r2" veth "veth peer" \
		"$R/r0" veth uplink \
		"$G/eth0" veth "target side" \
		"$R/r1" veth "return route to 10.81.2.2 via r1" \
		"$T/t1" veth "veth peer (return)" \
		"$R/r9" veth "also a route to 10.81.1.2 (table 200)")" 10.81.1.2 "$T"
	# an ECMP route to the guest's subnet in T: both nexthops are ways
	lab_ip "$T" rule del from 10.81.2.2 lookup 100
	lab_ip "$T" route add 10.81.1.0/24 \
		nexthop via 10.81.2.1 dev t1 nexthop via 10.81.3.1 dev t2
	check "asym: ECMP back, both nexthops" "$(pts \
		"$G/eth0" veth "guest veth" \
		"$R/r0" veth "veth peer" \
		"$R/r1" veth uplink \
		"$T/t1" veth "target side" \
		"$R/r9" veth "also a route to 10.81.1.2 (table 200)" \
		"$T/t2" veth "also a route to 10.81.1.2")" 10.81.2.2 "$G"
	# a second uplink: the same prefix at a worse metric is a way too
	lab_ip "$T" route del 10.81.1.0/24
	lab_ip "$T" route add 10.81.1.0/24 via 10.81.2.1 dev t1 metric 100
	lab_ip "$T" route add 10.81.1.0/24 via 10.81.3.1 dev t2 metric 200
	check "asym: second uplink at a worse metric" "$(pts \
		"$G/eth0" veth "guest veth" \
		"$R/r0" veth "veth peer" \
		"$R/r1" veth uplink \
		"$T/t1" veth "target side" \
		"$R/r9" veth "also a route to 10.81.1.2 (table 200)" \
		"$T/t2" veth "also a route to 10.81.1.2")" 10.81.2.2 "$G"
}

# Bridged mode: the guest's frames to a target on the same bridge are
# switched; the host (no address on the bridge, its own uplink upl with a
# default route) never routes them, so upl is no point.  Until the guest
# knows the target's MAC every port may see them; then the FDB's port.
switched() {
	local G H X Z W mac
	lab_netns G sg
	lab_netns H sh
	lab_netns X sx
	lab_netns Z sz
	lab_netns W sw
	lab_bridge "$H" br0
	lab_veth "$G" eth0 "$H" vg
	lab_veth "$X" eth0 "$H" vx
	lab_veth "$Z" eth0 "$H" vz
	lab_veth "$H" upl "$W" eth0
	lab_port "$H" br0 vg
	lab_port "$H" br0 vx
	lab_port "$H" br0 vz
	lab_addr "$G" eth0 10.82.0.2/24
	lab_addr "$X" eth0 10.82.0.3/24
	lab_addr "$Z" eth0 10.82.0.4/24
	lab_addr "$H" upl 192.0.2.1/24
	lab_addr "$W" eth0 192.0.2.254/24
	lab_ip "$H" route add default via 192.0.2.254

	check "switched: MAC unknown, every port, not the host's uplink" "$(pts \
		"$G/eth0" veth "guest veth" \
		"$H/vg" veth "bridge port of br0" \
		"$H/br0" bridge bridge \
		"$H/vx" veth "$FLOOD" \
		"$X/eth0" veth "target side" \
		"$H/vz" veth "$FLOOD")" 10.82.0.3 "$G"
	lab_exec "$G" ping -c 1 -W 2 10.82.0.3 >/dev/null ||
		{ echo "FAIL switched: the guest cannot ping the target"; fail=1; }
	mac=$(lab_ip "$X" -br link show eth0 | awk '{print $3}')
	check "switched: the FDB's port for the target's MAC" "$(pts \
		"$G/eth0" veth "guest veth" \
		"$H/vg" veth "bridge port of br0" \
		"$H/br0" bridge bridge \
		"$H/vx" veth "bridge port of br0 towards $mac (fdb)" \
		"$X/eth0" veth "target side")" 10.82.0.3 "$G"
	# X is the guest's router: a frame for beyond it is switched to X too
	lab_addr "$X" lo 198.51.100.1/32
	lab_ip "$G" route add default via 10.82.0.3
	check "switched: to the guest's router on the segment, not the host" "$(pts \
		"$G/eth0" veth "guest veth" \
		"$H/vg" veth "bridge port of br0" \
		"$H/br0" bridge bridge \
		"$H/vx" veth "bridge port of br0 towards $mac (fdb)" \
		"$X/eth0" veth "target side")" 198.51.100.1 "$G"
}

rc=0
for c in bridged nat loop asym switched; do
	lab_case "$c"
	r=$?
	if [ $r = 77 ]; then
		echo "skip $c"
		[ $rc = 0 ] && rc=77
	elif [ $r != 0 ]; then
		rc=1
	fi
done
[ $rc = 0 ] && echo "PASS"
exit $rc
