#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# netns lab library: builds test topologies out of network namespaces, veth
# pairs, bridges and real tap devices relayed to a guest namespace (as a VMM
# holds a guest NIC), and tears everything down on exit, even on failure.
#
#   . "$DROPSPOT_SRC/lab/lib.sh"
#   lab_init                      # root check (exit 77), unique id, traps
#   lab_netns G guest             # G=<unique netns name>
#   lab_veth "$G" eth0 "$H" vg    # veth pair between two netns ("" = ours)
#   ...
#
# Names: netns are "ds<id>-<name>"; interface names are given by the caller
# and live inside lab namespaces, so they cannot collide with the host's.
# Interfaces created in our own netns ("" as NS) get the id appended by
# lab_ifname and are deleted at cleanup.  Linux limits ifnames to 15 chars.
#
# Every process started with lab_bg / lab_tap is killed at cleanup, every
# netns deleted, every file under $LAB_DIR removed.  bash runs a trap only
# after the foreground command ends: wait for long things as `cmd & wait $!`
# so SIGTERM/SIGINT clean up at once.  SIGKILL cannot be trapped: the taps
# still vanish with their helper, but the netns stay (named ds<id>-*).

LAB_ID=
LAB_DIR=
LAB_NETNS=()
LAB_HOST_IFS=()
LAB_PIDS=()
LAB_TESTBIN=${DROPSPOT_TESTBIN:-}

lab_log() { echo "lab: $*" >&2; }
lab_die() { echo "lab: FAIL: $*" >&2; exit 1; }
lab_skip() { echo "lab: skip: $*" >&2; exit 77; }

# Skips the test (exit 77) unless we are root with the tools the lab needs.
lab_require() {
	[ "$(id -u)" = 0 ] || lab_skip "needs root"
	command -v ip >/dev/null || lab_skip "needs iproute2"
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || lab_skip "needs $t"
	done
}

lab_init() {
	lab_require "$@"
	LAB_ID=$(printf '%04x' $(( ($$ + RANDOM) & 0xffff )))
	LAB_DIR=$(mktemp -d "/tmp/dslab.$LAB_ID.XXXXXX") || lab_die "mktemp"
	trap lab_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	ip netns add "ds$LAB_ID-probe" 2>/dev/null || lab_skip "cannot create netns"
	ip netns del "ds$LAB_ID-probe"
}

lab_cleanup() {
	local rc=$? pid ns ifc i
	trap - EXIT INT TERM HUP
	for pid in "${LAB_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${LAB_PIDS[@]}"; do
		for i in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ifc in "${LAB_HOST_IFS[@]}"; do
		ip link del "$ifc" 2>/dev/null
	done
	for ns in "${LAB_NETNS[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "$LAB_DIR" ] && rm -rf "$LAB_DIR"
	exit "$rc"
}

# Unique name for an interface in our own netns: base (<= 11 chars) + id.
lab_ifname() { echo "${1:0:11}$LAB_ID"; }

# lab_netns VAR NAME: creates netns ds<id>-NAME, stores its name in VAR.
lab_netns() {
	local ns="ds$LAB_ID-$2"
	ip netns add "$ns" || lab_die "netns add $ns"
	LAB_NETNS+=("$ns")
	ip -n "$ns" link set lo up
	# LAB_NO_IPV6=1: no IPv6 autoconfiguration chatter (MLD, RS, DAD),
	# whose timing would otherwise vary from one recording to the next.
	if [ -n "${LAB_NO_IPV6:-}" ]; then
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	fi
	printf -v "$1" '%s' "$ns"
}

# Runs a command in NS ("" = our own netns).
lab_exec() {
	local ns=$1
	shift
	if [ -n "$ns" ]; then
		ip netns exec "$ns" "$@"
	else
		"$@"
	fi
}

lab_ip() {
	local ns=$1
	shift
	if [ -n "$ns" ]; then
		ip -n "$ns" "$@"
	else
		ip "$@"
	fi
}

_lab_track_if() { [ -z "$1" ] && LAB_HOST_IFS+=("$2"); }

# lab_veth NS1 IF1 NS2 IF2: veth pair, both ends up.
lab_veth() {
	lab_ip "$1" link add "$2" type veth peer name "$4" ${3:+netns "$3"} ||
		lab_die "veth $2/$4"
	_lab_track_if "$1" "$2"
	_lab_track_if "$3" "$4"
	lab_ip "$1" link set "$2" up
	lab_ip "$3" link set "$4" up
}

# lab_bridge NS BR: bridge without STP, forwarding at once.
lab_bridge() {
	lab_ip "$1" link add "$2" type bridge forward_delay 0 stp_state 0 ||
		lab_die "bridge $2"
	_lab_track_if "$1" "$2"
	lab_ip "$1" link set "$2" up
}

# lab_port NS BR IF: makes IF a port of BR.
lab_port() {
	lab_ip "$1" link set "$3" master "$2" || lab_die "port $3 -> $2"
	lab_ip "$1" link set "$3" up
}

# lab_addr NS IF CIDR...
lab_addr() {
	local ns=$1 ifc=$2 a
	shift 2
	for a in "$@"; do
		case $a in
		*:*) lab_ip "$ns" addr add "$a" dev "$ifc" nodad ;;
		*) lab_ip "$ns" addr add "$a" dev "$ifc" ;;
		esac || lab_die "addr $a on $ifc"
	done
	lab_ip "$ns" link set "$ifc" up
}

# lab_bg VAR NS CMD...: runs CMD in the background inside NS with output
# in $LAB_DIR/<pid>.out / .err; VAR gets the pid.  Killed at cleanup.
lab_bg() {
	# locals are prefixed: printf -v must not hit one of them
	local _lb_var=$1 _lb_ns=$2 _lb_pid _lb_out
	shift 2
	_lb_out=$LAB_DIR/bg.$RANDOM$RANDOM
	# exec: $! is then the command itself, not a subshell around it
	if [ -n "$_lb_ns" ]; then
		(exec ip netns exec "$_lb_ns" "$@" >"$_lb_out.out" 2>"$_lb_out.err") &
	else
		(exec "$@" >"$_lb_out.out" 2>"$_lb_out.err") &
	fi
	_lb_pid=$!
	LAB_PIDS+=("$_lb_pid")
	ln -sf "$_lb_out.out" "$LAB_DIR/$_lb_pid.out"
	ln -sf "$_lb_out.err" "$LAB_DIR/$_lb_pid.err"
	printf -v "$_lb_var" '%s' "$_lb_pid"
}

# lab_wait_line FILE REGEX [TIMEOUT_S]: waits until FILE has a matching line.
lab_wait_line() {
	local file=$1 re=$2 t=${3:-10} i
	for ((i = 0; i < t * 20; i++)); do
		grep -qE "$re" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# lab_tap HOSTNS TAP GUESTNS GUESTIF: a real tap TAP in HOSTNS whose frames
# a helper process relays to a tap GUESTIF inside GUESTNS (what a VMM does
# for a guest NIC).  Both exist while the helper runs; sets LAB_TAP_PID.
lab_tap() {
	local hostns=$1 tap=$2 guestns=$3 gif=$4 relay
	relay=${LAB_TESTBIN:+$LAB_TESTBIN/}tap_relay
	[ -x "$relay" ] || lab_skip "tap_relay helper not built ($relay)"
	[ -c /dev/net/tun ] || lab_skip "no /dev/net/tun"
	lab_bg LAB_TAP_PID "$hostns" "$relay" "$tap" "/var/run/netns/$guestns" "$gif"
	lab_wait_line "$LAB_DIR/$LAB_TAP_PID.out" '^ready' 10 ||
		lab_die "tap_relay did not start: $(cat "$LAB_DIR/$LAB_TAP_PID.err")"
	_lab_track_if "$hostns" "$tap"
	lab_ip "$hostns" link set "$tap" up
	lab_ip "$guestns" link set "$gif" up
}

# lab_input_rule NS RULE: the host firewall of the lab, one nftables rule
# in NS's input chain (table inet dsfw, chain input), e.g.
#   lab_input_rule "$LAB_HOST" 'icmp type echo-request drop'
lab_input_rule() {
	lab_exec "$1" nft -f - <<-NFT || lab_die "nft input rule '$2' in $1"
		table inet dsfw {
			chain input {
				type filter hook input priority filter;
				$2
			}
		}
	NFT
}

# The classic bridged topology (SCENARIOS.md "bridged"):
#
#   guest ns  eth0 (tap)  ~relay~  host ns  tap0 ─┐
#                                              br0 ├─ up0 ══veth══ eth0  peer ns
#
#   guest 10.77.0.2/24, host br0 10.77.0.1/24, peer (LAN) 10.77.0.3/24.
# Sets LAB_GUEST, LAB_HOST, LAB_PEER (netns names) and the addresses.
lab_topo_bridged() {
	lab_netns LAB_GUEST guest
	lab_netns LAB_HOST host
	lab_netns LAB_PEER peer
	lab_bridge "$LAB_HOST" br0
	lab_tap "$LAB_HOST" tap0 "$LAB_GUEST" eth0
	lab_port "$LAB_HOST" br0 tap0
	lab_veth "$LAB_HOST" up0 "$LAB_PEER" eth0
	lab_port "$LAB_HOST" br0 up0
	LAB_GUEST_IP=10.77.0.2
	LAB_HOST_IP=10.77.0.1
	LAB_PEER_IP=10.77.0.3
	lab_addr "$LAB_GUEST" eth0 "$LAB_GUEST_IP/24"
	lab_addr "$LAB_HOST" br0 "$LAB_HOST_IP/24"
	lab_addr "$LAB_PEER" eth0 "$LAB_PEER_IP/24"
	lab_ip "$LAB_GUEST" route add default via "$LAB_HOST_IP"
}

# NAT topology (SCENARIOS.md "NAT", like libvirt's default network):
#
#   guest ns eth0 (tap) ~relay~ host ns tap0 ─ virbr0 (192.168.122.1)
#   host ns  up0 (203.0.113.1/24) ══veth══ eth0 (203.0.113.2) wan ns
#
# The host forwards and masquerades out of up0 unless LAB_NAT_NO_FORWARD /
# LAB_NAT_NO_MASQ is set.  Sets LAB_GUEST, LAB_HOST, LAB_WAN and addresses.
lab_topo_nat() {
	lab_require nft
	lab_netns LAB_GUEST guest
	lab_netns LAB_HOST host
	lab_netns LAB_WAN wan
	lab_bridge "$LAB_HOST" virbr0
	lab_tap "$LAB_HOST" tap0 "$LAB_GUEST" eth0
	lab_port "$LAB_HOST" virbr0 tap0
	lab_veth "$LAB_HOST" up0 "$LAB_WAN" eth0
	LAB_GUEST_IP=192.168.122.2
	LAB_HOST_IP=192.168.122.1
	LAB_HOST_WAN_IP=203.0.113.1
	LAB_WAN_IP=203.0.113.2
	lab_addr "$LAB_GUEST" eth0 "$LAB_GUEST_IP/24"
	lab_addr "$LAB_HOST" virbr0 "$LAB_HOST_IP/24"
	lab_addr "$LAB_HOST" up0 "$LAB_HOST_WAN_IP/24"
	lab_addr "$LAB_WAN" eth0 "$LAB_WAN_IP/24"
	lab_ip "$LAB_GUEST" route add default via "$LAB_HOST_IP"
	[ -n "${LAB_NAT_NO_FORWARD:-}" ] ||
		lab_exec "$LAB_HOST" sysctl -qw net.ipv4.ip_forward=1
	[ -n "${LAB_NAT_NO_MASQ:-}" ] || lab_exec "$LAB_HOST" nft -f - <<-NFT
		table ip dslab {
			chain post {
				type nat hook postrouting priority srcnat;
				ip saddr 192.168.122.0/24 oifname "up0" masquerade
			}
		}
	NFT
}

# Host-only topology: guest tap and the host on a private bridge, no uplink.
lab_topo_hostonly() {
	lab_netns LAB_GUEST guest
	lab_netns LAB_HOST host
	lab_bridge "$LAB_HOST" br0
	lab_tap "$LAB_HOST" tap0 "$LAB_GUEST" eth0
	lab_port "$LAB_HOST" br0 tap0
	LAB_GUEST_IP=10.78.0.2
	LAB_HOST_IP=10.78.0.1
	lab_addr "$LAB_GUEST" eth0 "$LAB_GUEST_IP/24"
	lab_addr "$LAB_HOST" br0 "$LAB_HOST_IP/24"
}

# lab_topo_asymmetric: an asymmetric return path.  Guest G (10.81.1.2)
# behind router R; R reaches target T (10.81.2.2) over r1/t1, and a second
# link r2/t2 (10.81.3.0/30) joins them too; a policy rule in T sends
# every reply from 10.81.2.2 back over t2 (table 100).  Sets G, R and T;
# forwarding and reverse-path filtering are the caller's.
lab_topo_asymmetric() {
	lab_netns G ag
	lab_netns R ar
	lab_netns T at
	lab_veth "$G" eth0 "$R" r0
	lab_veth "$R" r1 "$T" t1
	lab_veth "$R" r2 "$T" t2
	lab_addr "$G" eth0 10.81.1.2/24
	lab_addr "$R" r0 10.81.1.1/24
	lab_addr "$R" r1 10.81.2.1/30
	lab_addr "$R" r2 10.81.3.1/30
	lab_addr "$T" t1 10.81.2.2/30
	lab_addr "$T" t2 10.81.3.2/30
	lab_ip "$G" route add default via 10.81.1.1
	lab_ip "$T" route add default via 10.81.2.1
	lab_ip "$T" route add default via 10.81.3.1 dev t2 table 100
	lab_ip "$T" rule add from 10.81.2.2 lookup 100
}
