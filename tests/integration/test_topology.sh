#!/bin/bash
# Topology discovery for `dropspot trace --auto` (capture/topology.c), on
# real lab topologies: from the guest netns and from the host netns,
# tests/tools/topo_show must list exactly the interfaces a probe crosses,
# in order, with their kinds and roles -- across relayed taps, veth pairs
# into other namespaces, bridges and their ports, and a routed NAT uplink;
# a routing loop must end; errors are one clear line; and the caller is
# always left in its own netns (topo_show exits 3 otherwise).
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
		"$H/up0" veth "bridge port of br0" \
		"$P/eth0" veth "target side")" "$LAB_PEER_IP" "$G"
	check "bridged: guest -> peer over IPv6" "$(pts \
		"$G/eth0" tap "guest tap" \
		"$H/tap0" tap "bridge port of br0" \
		"$H/br0" bridge bridge \
		"$H/up0" veth "bridge port of br0" \
		"$P/eth0" veth "target side")" fd77::3 "$G"
	# reverse: the host routes to its bridge; the port towards the
	# target comes first, the other port stays (it sees flooded frames)
	check "bridged: host -> guest" "$(pts \
		"$H/br0" bridge bridge \
		"$H/tap0" tap "bridge port of br0" \
		"$G/eth0" tap "target side" \
		"$H/up0" veth "bridge port of br0")" "$LAB_GUEST_IP" "$H"
	check "bridged: host -> peer" "$(pts \
		"$H/br0" bridge bridge \
		"$H/up0" veth "bridge port of br0" \
		"$P/eth0" veth "target side" \
		"$H/tap0" tap "bridge port of br0")" "$LAB_PEER_IP" "$H"
	check "bridged: peer -> guest" "$(pts \
		"$P/eth0" veth "guest veth" \
		"$H/up0" veth "bridge port of br0" \
		"$H/br0" bridge bridge \
		"$H/tap0" tap "bridge port of br0" \
		"$G/eth0" tap "target side")" "$LAB_GUEST_IP" "$P"
	# run from inside the host netns: its interfaces are plain names
	check_in "bridged: host -> guest, called in the host netns" "$(pts \
		br0 bridge bridge \
		tap0 tap "bridge port of br0" \
		"$G/eth0" tap "target side" \
		up0 veth "bridge port of br0")" "$H" "$LAB_GUEST_IP"
	# naming the caller's own netns is the same as naming none
	check_in "bridged: host -> guest, from the caller's own netns" "$(pts \
		br0 bridge bridge \
		tap0 tap "bridge port of br0" \
		"$G/eth0" tap "target side" \
		up0 veth "bridge port of br0")" "$H" "$LAB_GUEST_IP" "$H"

	# a container on the same bridge through a veth pair
	lab_netns C ct
	lab_veth "$C" eth0 "$H" vc0
	lab_port "$H" br0 vc0
	lab_addr "$C" eth0 10.77.0.4/24
	check "bridged: container -> peer" "$(pts \
		"$C/eth0" veth "guest veth" \
		"$H/vc0" veth "bridge port of br0" \
		"$H/br0" bridge bridge \
		"$H/up0" veth "bridge port of br0" \
		"$P/eth0" veth "target side" \
		"$H/tap0" tap "bridge port of br0")" "$LAB_PEER_IP" "$C"
	check "bridged: guest -> container" "$(pts \
		"$G/eth0" tap "guest tap" \
		"$H/tap0" tap "bridge port of br0" \
		"$H/br0" bridge bridge \
		"$H/vc0" veth "bridge port of br0" \
		"$C/eth0" veth "target side" \
		"$H/up0" veth "bridge port of br0")" 10.77.0.4 "$G"

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
		"$H/tap0" tap "bridge port of virbr0" \
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

rc=0
for c in bridged nat loop; do
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
