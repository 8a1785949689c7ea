# Shared by tests/integration/test_drops_*.sh (sourced, not a test itself).
#
# A three-namespace lab: client --veth-- router --veth-- server
#   client c0 10.77.1.2/24 (default via .1)   router r0 10.77.1.1/24
#   server s0 10.77.2.2/24 (default via .1)   router r1 10.77.2.1/24
# Namespace names carry $$ so parallel runs never collide; drop records are
# matched by the lab's netns inodes, so drops from anything else running on
# the machine cannot satisfy (or spoil) an assertion.

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; [ -n "$WATCH_OUT" ] && [ -f "$WATCH_OUT" ] && cat "$WATCH_OUT"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root"
[ -r /sys/kernel/btf/vmlinux ] || skip "kernel has no BTF"
command -v bpftool >/dev/null || skip "needs bpftool"
WATCH=${DROPSPOT_TESTBIN:-$DROPSPOT_BUILD/tests}/drops_watch
[ -x "$WATCH" ] || skip "drops_watch not built ($WATCH)"

LAB_C=dropsc$$ LAB_R=dropsr$$ LAB_S=dropss$$
WATCH_OUT=$(mktemp /tmp/drops_watch.XXXXXX)
WATCH_PID=

lab_cleanup() {
	[ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null && wait "$WATCH_PID" 2>/dev/null
	for n in $LAB_C $LAB_R $LAB_S; do ip netns del "$n" 2>/dev/null; done
	rm -f "$WATCH_OUT" "$WATCH_OUT.ping"
}
trap lab_cleanup EXIT
trap 'exit 1' INT TERM HUP

in_c() { ip netns exec "$LAB_C" "$@"; }
in_r() { ip netns exec "$LAB_R" "$@"; }
in_s() { ip netns exec "$LAB_S" "$@"; }
netns_ino() { stat -L -c %i "/run/netns/$1"; }

lab_up() {
	local n
	for n in $LAB_C $LAB_R $LAB_S; do
		ip netns add "$n" || fail "ip netns add $n"
		ip -n "$n" link set lo up
		# No IPv6 chatter (RS/MLD/DAD) in the lab: it would only add
		# unrelated ICMPv6 drop records.
		ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	ip link add c0 netns "$LAB_C" type veth peer name r0 netns "$LAB_R" || fail "veth"
	ip link add s0 netns "$LAB_S" type veth peer name r1 netns "$LAB_R" || fail "veth"
	ip -n "$LAB_C" addr add 10.77.1.2/24 dev c0
	ip -n "$LAB_R" addr add 10.77.1.1/24 dev r0
	ip -n "$LAB_R" addr add 10.77.2.1/24 dev r1
	ip -n "$LAB_S" addr add 10.77.2.2/24 dev s0
	ip -n "$LAB_C" link set c0 up
	ip -n "$LAB_R" link set r0 up
	ip -n "$LAB_R" link set r1 up
	ip -n "$LAB_S" link set s0 up
	ip -n "$LAB_C" route add default via 10.77.1.1
	ip -n "$LAB_S" route add default via 10.77.2.1
	in_r sysctl -qw net.ipv4.ip_forward=1
	INO_C=$(netns_ino "$LAB_C") INO_R=$(netns_ino "$LAB_R") INO_S=$(netns_ino "$LAB_S")
	echo "lab: client netns $INO_C, router $INO_R, server $INO_S"
}

# Starts drops_watch for the lab's namespaces and waits until it is attached.
watch_start() {
	local i
	"$WATCH" -t 60 -n "$INO_C" -n "$INO_R" -n "$INO_S" "$@" >"$WATCH_OUT" 2>&1 &
	WATCH_PID=$!
	for i in $(seq 50); do
		grep -q '^ready' "$WATCH_OUT" && return 0
		kill -0 "$WATCH_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$WATCH_OUT"
	grep -q "unavailable" "$WATCH_OUT" && skip "kernel drop attribution unavailable"
	fail "drops_watch did not attach"
}

watch_stop() {
	kill -TERM "$WATCH_PID" 2>/dev/null
	wait "$WATCH_PID"
	WATCH_PID=
	grep -q '^stats ' "$WATCH_OUT" || fail "drops_watch did not finish"
	grep '^stats ' "$WATCH_OUT"
	grep -q ' lost=0 ' "$WATCH_OUT" || echo "note: the drop ring lost records"
	grep -q ' bad=0 ' "$WATCH_OUT" || fail "malformed drop records"
}

# Root's ping (raw socket) and a ping without CAP_NET_RAW (ICMP datagram
# socket, what dropspot's own prober should use).  Failures are expected.
lab_ping() { in_c ping -n -c 3 -i 0.2 -W 1 "$@" >/dev/null 2>&1 || true; }
# A copy of ping has no file capability (an exec of a file whose capability
# is outside the bounding set fails), so without CAP_NET_RAW it falls back
# to the datagram socket.
lab_ping_dgram() {
	local p=$WATCH_OUT.ping
	cp "$(command -v ping)" "$p" || fail "cannot copy ping"
	# Datagram ICMP sockets only while this runs: iputils prefers them
	# even as root when the group range allows.
	in_c sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	in_c setpriv --inh-caps=-net_raw --bounding-set=-net_raw \
		"$p" -n -c 3 -i 0.2 -W 1 "$@" 2>&1 || true
	in_c sysctl -qw net.ipv4.ping_group_range="1 0"
	rm -f "$p"
}

# The value BTF gives SKB_DROP_REASON_<name> (or SKB_<name>); skips the test
# when this kernel does not know the reason.
btf_reason_value() {
	local v
	v=$(bpftool btf dump file /sys/kernel/btf/vmlinux format c 2>/dev/null |
		sed -n "s/^[[:space:]]*SKB_\(DROP_REASON_\)\{0,1\}$1 = \([0-9]*\),.*/\2/p" | head -1)
	[ -n "$v" ] || skip "this kernel's BTF has no drop reason $1"
	echo "$v"
}

# expect_drop REASON FUNC_REGEX NETNS_INO MATCH: a record of an ICMP echo
# request whose summary contains MATCH, dropped with REASON in a function
# matching FUNC_REGEX in that netns, with the reason id BTF gives REASON.
expect_drop() {
	local reason=$1 func=$2 ino=$3 match=$4 id line
	id=$(btf_reason_value "$reason")
	echo "expect: reason $reason (id $id in this kernel's BTF) at $func in netns $ino, '$match'"
	line=$(grep "^drop reason=$reason reason_id=$id func=" "$WATCH_OUT" |
		grep -E " func=($func)(\.[a-z]+\.[0-9]+)? " | grep " netns=$ino " |
		grep -F "icmp echo request" | grep -F -- "$match" | head -1)
	[ -n "$line" ] || fail "no $reason drop at $func in netns $ino for '$match'"
	echo "found: $line"
	# The copied bytes must decode as the whole probe (IP 84 bytes).
	echo "$line" | grep -q " len=84/84 " || fail "probe bytes not captured whole"
}
