#!/bin/bash
# The lab library itself: each topology (bridged, NAT with masquerade,
# host-only) carries a ping over a real relayed tap; NAT rewrites the
# source on the uplink; and whatever way a lab script ends (success,
# failure, SIGTERM) no netns, interface or helper process of it remains.
set -u
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
: "${DROPSPOT_SRC:?}"
export DROPSPOT_SRC DROPSPOT_TESTBIN
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
expect() {
	if [ "$2" = "$3" ]; then echo "ok   $1 = $2"; else echo "FAIL $1 = $2, want $3"; fail=1; fi
}

# child TOPO MODE OUT: (call it in a subshell: it execs) builds TOPO, pings across it, then ends per MODE
# (ok | fail | hang).  Prints its id to $work/id.<TOPO>.<MODE>.
child() {
	cat >"$work/child.sh" <<-'CHILD'
	set -u
	. "$DROPSPOT_SRC/lab/lib.sh"
	lab_init ping
	topo=$1 mode=$2 out=$3
	echo "$LAB_ID" >"$out"
	"lab_topo_$topo"
	case $topo in
	bridged) dst=$LAB_PEER_IP ;;
	nat) dst=$LAB_WAN_IP ;;
	hostonly) dst=$LAB_HOST_IP ;;
	esac
	lab_exec "$LAB_GUEST" ping -q -c 2 -i 0.2 -W 2 "$dst" >/dev/null || lab_die "ping $dst"
	echo "pinged $dst"
	if [ "$topo" = nat ]; then
		# the WAN side sees the host's uplink address, not the guest's
		lab_exec "$LAB_WAN" timeout 3 tcpdump -l -n -c 1 -i eth0 icmp \
			>"$out.wan" 2>/dev/null &
		td=$!
		sleep 0.5
		lab_exec "$LAB_GUEST" ping -q -c 1 -W 2 "$dst" >/dev/null
		wait $td
		grep -q "IP $LAB_HOST_WAN_IP > $LAB_WAN_IP" "$out.wan" && echo "masqueraded"
	fi
	case $mode in
	fail) lab_die "failing on purpose" ;;
	hang) echo ready; sleep 60 & wait $! ;;
	esac
	CHILD
	exec bash "$work/child.sh" "$@"
}

leftovers() {	# id -> count of netns, taps and helper processes left
	local id=$1 n
	n=$(ip netns list 2>/dev/null | grep -c "^ds$id-")
	n=$((n + $(ip -o link show 2>/dev/null | grep -c "$id")))
	n=$((n + $(pgrep -f "/var/run/netns/ds$id-" | wc -l)))
	echo "$n"
}

for topo in bridged nat hostonly; do
	out=$( (child $topo ok "$work/id.$topo") 2>&1)
	rc=$?
	echo "$out" | grep -v "^lab: skip" | sed 's/^/    /'
	echo "$out" | grep -q "lab: skip" && { echo "skip: $out"; exit 77; }
	expect "$topo: exit" $rc 0
	expect "$topo: ping" "$(echo "$out" | grep -c '^pinged')" 1
	[ $topo = nat ] && expect "nat: source rewritten on the uplink" \
		"$(echo "$out" | grep -c '^masqueraded')" 1
	expect "$topo: leftovers" "$(leftovers "$(cat "$work/id.$topo")")" 0
done

(child bridged fail "$work/id.fail") >/dev/null 2>&1
expect "failing lab: exit" $? 1
expect "failing lab: leftovers" "$(leftovers "$(cat "$work/id.fail")")" 0

(child bridged hang "$work/id.hang") >"$work/hang.out" 2>&1 &
pid=$!
for ((i = 0; i < 100; i++)); do
	grep -q ready "$work/hang.out" 2>/dev/null && break
	sleep 0.1
done
kill -TERM $pid
wait $pid
expect "terminated lab: exit" $? 143
expect "terminated lab: leftovers" "$(leftovers "$(cat "$work/id.hang")")" 0
exit $fail
