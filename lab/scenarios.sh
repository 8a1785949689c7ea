#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The failure catalogue (../shared/SCENARIOS.md) as lab recipes: each
# scn_NAME builds its topology and fault in fresh namespaces (lab/lib.sh),
# and sets what a recorder needs:
#
#   SCN_NS       netns whose interfaces are watched (the host side)
#   SCN_IFS      the interfaces to watch there, guest side first
#   SCN_PROBE    (optional) the target of a plain ping from the guest,
#                which `dropspot trace` then sends itself
#   SCN_TRACE_ARGS (optional) more options for that trace
#   scn_traffic  a function that runs the guest's ping(s); it returns
#                non-zero when the scenario did not behave as described
#                (a healthy ping that failed, a fault that let pings pass)
#
# One recipe per row, no special case in dropspot for any of them.  Used by
# lab/record_samples.sh (samples/) and tests/integration/test_scenarios.sh.
#
#   . lab/lib.sh; . lab/capture.sh; . lab/scenarios.sh
#   lab_init; scn_record firewall_drop "$LAB_DIR/fw.pcapng"

# Row numbers of SCENARIOS.md, by recipe name (for reports and docs); 0 is
# a cause beyond the catalogue, which the engine must handle all the same.
declare -A SCN_ROW=(
	[healthy_bridged]=1 [healthy_nat]=1 [healthy_hostonly]=1
	[tap_detached]=2 [uplink_down]=3 [ip_conflict]=4 [wrong_gateway]=5
	[firewall_drop]=6 [firewall_reject]=7 [nat_no_forward]=8
	[nat_no_masquerade]=9 [mtu_blackhole]=10 [vlan_mismatch]=11
	[routing_loop]=12 [no_route]=13 [reply_lost]=14 [arp_storm]=15
	[bad_checksum]=16 [guest_never_sends]=17 [rp_filter]=0
)

# Every recipe, in catalogue order.
SCN_ALL=(healthy_bridged healthy_nat healthy_hostonly tap_detached
	uplink_down ip_conflict wrong_gateway firewall_drop firewall_reject
	nat_no_forward nat_no_masquerade mtu_blackhole vlan_mismatch
	routing_loop no_route reply_lost arp_storm bad_checksum
	guest_never_sends rp_filter)

# _scn_ping NS TARGET EXPECT [PING ARGS...]: EXPECT is "ok" (every probe
# must be answered) or "fail" (the ping must fail).
_scn_ping() {
	local ns=$1 target=$2 expect=$3 rc
	shift 3
	lab_exec "$ns" ping -q -c 4 -i 0.2 -W 1 "$@" "$target" >/dev/null 2>&1
	rc=$?
	case $expect in
	ok) [ "$rc" -eq 0 ] || { lab_log "ping $target failed"; return 1; } ;;
	fail) [ "$rc" -ne 0 ] || { lab_log "ping $target passed"; return 1; } ;;
	esac
}

# _scn_probe TARGET EXPECT: the scenario's traffic is a plain ping from the
# guest to TARGET.  `dropspot trace` sends it itself (SCN_PROBE, its own
# probes); any other recorder runs the guest's ping (scn_traffic).
_scn_probe() {
	SCN_PROBE=$1
	SCN_EXPECT=$2
	scn_traffic() { _scn_ping "$LAB_GUEST" "$SCN_PROBE" "$SCN_EXPECT"; }
}

_scn_bridged_points() { SCN_NS=$LAB_HOST; SCN_IFS=(tap0 br0 up0); }
_scn_nat_points() { SCN_NS=$LAB_HOST; SCN_IFS=(tap0 virbr0 up0); }

# A permanent neighbour entry lets the guest send even where ARP cannot pass.
_scn_static_peer() {
	local mac
	mac=$(lab_exec "$LAB_PEER" cat /sys/class/net/eth0/address)
	lab_ip "$LAB_GUEST" neigh replace "$LAB_PEER_IP" lladdr "$mac" \
		dev eth0 nud permanent
}

scn_healthy_bridged() {
	lab_topo_bridged
	_scn_bridged_points
	_scn_probe "$LAB_PEER_IP" ok
}

scn_healthy_nat() {
	lab_topo_nat
	_scn_nat_points
	_scn_probe "$LAB_WAN_IP" ok
}

scn_healthy_hostonly() {
	lab_topo_hostonly
	SCN_NS=$LAB_HOST
	SCN_IFS=(tap0 br0)
	_scn_probe "$LAB_HOST_IP" ok
}

scn_tap_detached() {
	lab_topo_bridged
	_scn_static_peer
	lab_ip "$LAB_HOST" link set tap0 nomaster
	_scn_bridged_points
	_scn_probe "$LAB_PEER_IP" fail
}

scn_uplink_down() {
	lab_topo_bridged
	_scn_static_peer
	_scn_bridged_points
	scn_traffic() {
		_scn_ping "$LAB_GUEST" "$LAB_PEER_IP" ok || return 1
		lab_ip "$LAB_HOST" link set up0 down
		_scn_ping "$LAB_GUEST" "$LAB_PEER_IP" fail
	}
}

# A second host on the bridge claims the peer's address.
scn_ip_conflict() {
	local dup
	lab_topo_bridged
	lab_netns dup dup
	lab_veth "$LAB_HOST" dup0 "$dup" eth0
	lab_port "$LAB_HOST" br0 dup0
	lab_addr "$dup" eth0 "$LAB_PEER_IP/24"
	SCN_NS=$LAB_HOST
	SCN_IFS=(tap0 br0 up0 dup0)
	# Either owner may answer: the ping itself may pass.
	_scn_probe "$LAB_PEER_IP" any
}

scn_wrong_gateway() {
	lab_topo_bridged
	lab_ip "$LAB_GUEST" route replace default via 10.77.0.254
	_scn_bridged_points
	# the guest's kernel gives up on ARP after 3 s (mcast_solicit x
	# retrans_time) and only then drops the probes it queued: trace waits
	# longer than that, or it would end before the drops
	SCN_TRACE_ARGS=(-t 6)
	_scn_probe 198.51.100.1 fail
}

scn_firewall_drop() {
	lab_topo_bridged
	lab_input_rule "$LAB_HOST" "icmp type echo-request drop"
	_scn_bridged_points
	_scn_probe "$LAB_HOST_IP" fail
}

scn_firewall_reject() {
	lab_topo_bridged
	lab_input_rule "$LAB_HOST" \
		"icmp type echo-request reject with icmp type admin-prohibited"
	_scn_bridged_points
	_scn_probe "$LAB_HOST_IP" fail
}

scn_nat_no_forward() {
	LAB_NAT_NO_FORWARD=1 lab_topo_nat
	_scn_nat_points
	_scn_probe "$LAB_WAN_IP" fail
}

scn_nat_no_masquerade() {
	LAB_NAT_NO_MASQ=1 lab_topo_nat
	_scn_nat_points
	_scn_probe "$LAB_WAN_IP" fail
}

# Small probes pass, large ones with DF vanish at the smaller-MTU uplink.
scn_mtu_blackhole() {
	lab_topo_bridged
	lab_ip "$LAB_HOST" link set up0 mtu 1400
	lab_ip "$LAB_PEER" link set eth0 mtu 1400
	_scn_bridged_points
	scn_traffic() {
		_scn_ping "$LAB_GUEST" "$LAB_PEER_IP" ok -s 1000 -M do &&
		_scn_ping "$LAB_GUEST" "$LAB_PEER_IP" fail -s 1450 -M do
	}
}

# The guest's NIC starts tagging with VLAN 1001 (a VLAN set inside the
# guest, or a trunk where an access port was meant): the host's untagged
# bridge no longer answers.  No 802.1Q module or tc vlan action here: a tiny
# TC program pushes the tag (tests/tools/vlan_push).
scn_vlan_mismatch() {
	lab_topo_bridged
	_scn_bridged_points
	scn_traffic() {
		local pid
		_scn_ping "$LAB_GUEST" "$LAB_HOST_IP" ok || return 1
		lab_ip "$LAB_GUEST" neigh flush dev eth0
		lab_bg pid "$LAB_GUEST" "$LAB_TESTBIN/vlan_push" eth0 1001
		lab_wait_line "$LAB_DIR/$pid.out" '^ready' 10 || return 1
		_scn_ping "$LAB_GUEST" "$LAB_HOST_IP" fail
	}
}

# The NAT host without masquerade and the WAN router route a prefix to each
# other: the probe bounces until its TTL runs out.
scn_routing_loop() {
	LAB_NAT_NO_MASQ=1 lab_topo_nat
	lab_ip "$LAB_HOST" route add 198.51.100.0/24 via "$LAB_WAN_IP"
	lab_exec "$LAB_WAN" sysctl -qw net.ipv4.ip_forward=1
	lab_ip "$LAB_WAN" route add 198.51.100.0/24 via "$LAB_HOST_WAN_IP"
	_scn_nat_points
	_scn_probe 198.51.100.1 fail
}

scn_no_route() {
	lab_topo_nat
	_scn_nat_points
	_scn_probe 198.51.100.1 fail
}

# The target answers, the host's forward chain drops the reply on its way
# back to the guest.
scn_reply_lost() {
	lab_topo_nat
	lab_exec "$LAB_HOST" nft -f - <<-NFT || return 1
		table inet dsfw {
			chain fwdchain {
				type filter hook forward priority 0;
				iifname "up0" icmp type echo-reply drop
			}
		}
	NFT
	_scn_nat_points
	_scn_probe "$LAB_WAN_IP" fail
}

# The guest repeats one ARP request thousands of times a second while it
# pings the host: a broadcast storm on the segment.
scn_arp_storm() {
	lab_topo_bridged
	_scn_bridged_points
	scn_traffic() {
		lab_exec "$LAB_GUEST" python3 "$DROPSPOT_SRC/lab/frames.py" \
			storm eth0 "$LAB_GUEST_IP" 10.77.0.99 3000 || return 1
		_scn_ping "$LAB_GUEST" "$LAB_HOST_IP" any
	}
}

# Broken checksum offload: the guest's echo requests leave with a wrong
# ICMP checksum, and the host discards them.
scn_bad_checksum() {
	lab_topo_bridged
	_scn_bridged_points
	scn_traffic() {
		local mac
		# healthy first: then the host is known to own its address
		_scn_ping "$LAB_GUEST" "$LAB_HOST_IP" ok || return 1
		mac=$(lab_exec "$LAB_HOST" cat /sys/class/net/br0/address)
		lab_exec "$LAB_GUEST" python3 "$DROPSPOT_SRC/lab/frames.py" \
			badcsum eth0 "$LAB_GUEST_IP" "$LAB_HOST_IP" "$mac" 4
	}
}

scn_guest_never_sends() {
	lab_topo_bridged
	lab_ip "$LAB_GUEST" route del default
	_scn_bridged_points
	scn_traffic() { _scn_ping "$LAB_GUEST" 198.51.100.1 fail; }
}

# Beyond the catalogue: the guest sends from an address that the NAT host
# routes out of its uplink, and the host's strict reverse-path filter
# drops it on the way in (an asymmetric source).
scn_rp_filter() {
	local mac
	lab_topo_nat
	lab_addr "$LAB_GUEST" eth0 203.0.113.50/32
	# ARP from that source would fail the same check: the gateway's MAC
	# is given up front
	mac=$(lab_exec "$LAB_HOST" cat /sys/class/net/virbr0/address)
	lab_ip "$LAB_GUEST" neigh replace "$LAB_HOST_IP" lladdr "$mac" \
		dev eth0 nud permanent
	lab_exec "$LAB_HOST" sysctl -qw net.ipv4.conf.all.rp_filter=1 \
		net.ipv4.conf.virbr0.rp_filter=1
	_scn_nat_points
	scn_traffic() {
		_scn_ping "$LAB_GUEST" "$LAB_WAN_IP" fail -I 203.0.113.50
	}
}

# The live recorder: `dropspot trace` once it exists, with kernel drops
# when the binary has them; `dropspot capture -w` otherwise.
_scn_recorder_args() {
	local spec=$1
	if "$DROPSPOT" trace --help >/dev/null 2>&1; then
		# SCN_ATTACH: how trace hooks the points (links, tracepoints)
		echo trace -i "$spec" --json ${SCN_ATTACH:+--attach "$SCN_ATTACH"}
	elif "$DROPSPOT" capture --help 2>&1 | grep -q -- '--drops'; then
		echo capture -i "$spec" --drops --no-print --no-summary
	else
		echo capture -i "$spec" --no-print --no-summary
	fi
}

# scn_record NAME PCAPNG: builds recipe NAME, watches its points with
# dropspot from our own netns (NETNS/IFNAME points) while its traffic
# runs (trace's own probes where the traffic is a plain ping), and leaves
# the capture in PCAPNG; with `trace`, its live JSON report is in the file
# SCN_REPORT names.  Fails the test (lab_die) if the
# scenario did not behave as described.  Call after lab_init.
scn_record() {
	local name=$1 out=$2 spec= ifc pid args
	SCN_PROBE=
	SCN_TRACE_ARGS=()
	"scn_$name" || lab_die "$name: could not build the scenario"
	for ifc in "${SCN_IFS[@]}"; do
		spec+=${spec:+,}$SCN_NS/$ifc
	done
	read -r -a args <<<"$(_scn_recorder_args "$spec")"
	if [ "${args[0]}" = trace ] && [ -n "$SCN_PROBE" ]; then
		_scn_trace_probes "$name" "$out" "${args[@]}"
		return
	fi
	ds_start pid "" "${args[@]}" -w "$out"
	scn_traffic || lab_die "$name: the scenario did not behave as described"
	# past the reply window (3 s after the last request), so that the
	# capture's end does not leave the last probes unfinished
	sleep 2.5
	cap_stop "$pid" >/dev/null
	[ -s "$out" ] || lab_die "$name: no capture written"
	SCN_REPORT=
	[ "${args[0]}" = trace ] && SCN_REPORT=$LAB_DIR/$pid.out
}

# _scn_trace_probes NAME PCAPNG ARGS...: trace sends 4 probes of its own
# from the guest and ends by itself; its JSON report is SCN_REPORT.
_scn_trace_probes() {
	local name=$1 out=$2 rc answered
	shift 2
	SCN_REPORT=$LAB_DIR/$name.trace.json
	"$DROPSPOT" "$@" --ping "$SCN_PROBE" --from "$LAB_GUEST" -c 4 \
		--interval 0.2 "${SCN_TRACE_ARGS[@]}" -w "$out" \
		>"$SCN_REPORT" 2>"$SCN_REPORT.err" &
	wait $!
	rc=$?
	[ "$rc" -le 1 ] ||
		lab_die "$name: trace exited $rc: $(tail -3 "$SCN_REPORT.err")"
	answered=$(jq .summary.answered "$SCN_REPORT")
	case $SCN_EXPECT in
	ok) [ "$answered" = 4 ] ;;
	fail) [ "$answered" != 4 ] ;;
	esac || lab_die "$name: the scenario did not behave as described" \
		"($answered of 4 probes answered)"
}
