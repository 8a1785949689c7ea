#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace --auto discovers the way back as well as the way there
# (capture/topology.c):
#
#   asymmetric return: guest G ══ r0 router R r1 ══ t1 target T
#                                           r2 ══ t2
#   the request goes G -> R -> t1; a policy rule in T sends every reply
#   from the target's address back over t2 -> r2.  --auto must watch t2 and
#   r2, and a firewall drop of the replies arriving on r2 (nft in R) must be
#   located there, on the reply path, by the live trace and by analyze of
#   its pcapng alike.
#
#   bridged mode: G and the target X are ports of the host's bridge; the
#   host (no address on the bridge) has its own uplink upl with a default
#   route.  The frame is switched, so --auto watches the FDB's port towards
#   X and never upl (nor the bridge's other port).
#
# lab_init's EXIT trap deletes every netns (and so every veth) the test
# made, however it ends.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft ping capinfos

# auto_trace ARGS...: dropspot trace --json --auto, saving the pcapng; its
# stderr (the printed discovery) stays in $TR_JSON_LIVE.err.
auto_trace() {
	TR_JSON_LIVE=$LAB_DIR/report-live.json
	"$DROPSPOT" trace --json -w "$LAB_DIR/trace.pcapng" "$@" \
		>"$TR_JSON_LIVE" 2>"$TR_JSON_LIVE.err" &
	wait $!
	TR_RC=$?
	cat "$TR_JSON_LIVE.err" >&2
	_tr_check "$TR_JSON_LIVE" "$TR_RC" "dropspot trace --auto"
	tr_analyze
}

# discovered SPEC REGEX: the printed discovery lists SPEC with a role
# matching REGEX.
discovered() {
	grep -qE "^ *[0-9]+  $1 +[a-z-]+ +$2\$" "$TR_JSON_LIVE.err" ||
		lab_die "discovery does not list $1 as '$2'"
	echo "ok: $1 discovered: $2"
}

not_discovered() {
	! grep -qE "^ *[0-9]+  $1 " "$TR_JSON_LIVE.err" ||
		lab_die "discovery lists $1: $(grep -E "^ *[0-9]+  $1 " "$TR_JSON_LIVE.err")"
	echo "ok: $1 not discovered"
}

# ---- asymmetric return ----------------------------------------------------

lab_topo_asymmetric
# R forwards the replies that arrive on r2 although its route to their
# source is r1 (no strict reverse-path filter); T answers ARP on each link
# with that link's own address (a multi-homed host's usual set-up)
lab_exec "$R" sysctl -qw net.ipv4.ip_forward=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
lab_exec "$T" sysctl -qw net.ipv4.conf.all.arp_announce=2
lab_exec "$G" ping -c 1 -W 2 10.81.2.2 >/dev/null ||
	lab_die "the asymmetric lab does not answer a ping"

auto_trace --auto 10.81.2.2 --ping 10.81.2.2 --from "$G" -c 3 --interval 0.2
[ "$TR_RC" = 0 ] || lab_die "trace --auto exited $TR_RC on a healthy asymmetric path"
discovered "$T/t1" "target side"
discovered "$T/t2" "return route to 10\.81\.1\.2 via t2"
discovered "$R/r2" "veth peer \(return\)"
grep -q "^return to 10.81.1.2: $T/t2 -> $R/r2$" "$TR_JSON_LIVE.err" ||
	lab_die "no return summary line"
capinfos "$LAB_DIR/trace.pcapng" | grep -q "Capture comment: .*(return to 10.81.1.2: $T/t2 -> $R/r2)" ||
	lab_die "return path not recorded: $(capinfos "$LAB_DIR/trace.pcapng" | grep -i comment)"
echo "ok: the way back is recorded in the file"
tr_expect "3 answered over the asymmetric path" \
	'.summary.probes == 3 and .summary.answered == 3'
tr_expect "t2 and r2 watched, and they see the replies" \
	'[.points[] | select(.name == "t2" or .name == "r2") | .replies] == [3, 3]'
tr_expect "no request crosses the return link" \
	'[.points[] | select(.name == "t2" or .name == "r2") | .requests] == [0, 0]'

# the router's firewall drops the replies that come in on r2
tr_btf_reason NETFILTER_DROP
lab_exec "$R" nft -f - <<-NFT || lab_die "nft rule in $R"
	table inet dsret {
		chain forward {
			type filter hook forward priority filter;
			iifname "r2" icmp type echo-reply drop
		}
	}
NFT
auto_trace --auto 10.81.2.2 --ping 10.81.2.2 --from "$G" -c 3 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace --auto exited $TR_RC with every reply dropped"
tr_expect "3 lost" '.summary.probes == 3 and .summary.lost == 3'
tr_expect "the drop is located after r2, on the reply path" \
	'[.findings[] | select(.kind == "drop")][0].location |
	 .after_name == "r2" and .direction == "reply"'
# replies never seen where requests pass: where they rejoin is not known,
# so no request-path point is named as the next one (t1 is not on the way)
tr_expect "the next point is left open, t1 not blamed" \
	'[.findings[] | select(.kind == "drop")][0].location |
	 .before_name == null and (.not_seen_at | length) > 0'
tr_expect "the kernel's reason is the firewall's" \
	'[.findings[] | select(.kind == "drop")][0].summary | test("NETFILTER_DROP")'
tr_same

# ---- bridged mode: a switched frame never crosses the host's uplink --------

lab_netns SG sg
lab_netns SH sh
lab_netns SX sx
lab_netns SZ sz
lab_netns SW sw
lab_bridge "$SH" br0
lab_veth "$SG" eth0 "$SH" vg
lab_veth "$SX" eth0 "$SH" vx
lab_veth "$SZ" eth0 "$SH" vz
lab_veth "$SH" upl "$SW" eth0
lab_port "$SH" br0 vg
lab_port "$SH" br0 vx
lab_port "$SH" br0 vz
lab_addr "$SG" eth0 10.82.0.2/24
lab_addr "$SX" eth0 10.82.0.3/24
lab_addr "$SZ" eth0 10.82.0.4/24
lab_addr "$SH" upl 192.0.2.1/24
lab_addr "$SW" eth0 192.0.2.254/24
lab_ip "$SH" route add default via 192.0.2.254
# the guest has talked to the target: its MAC is known, the FDB has learnt
lab_exec "$SG" ping -c 1 -W 2 10.82.0.3 >/dev/null ||
	lab_die "the bridged lab does not answer a ping"
mac=$(lab_ip "$SX" -br link show eth0 | awk '{print $3}')

auto_trace --auto 10.82.0.3 --ping 10.82.0.3 --from "$SG" -c 3 --interval 0.2
[ "$TR_RC" = 0 ] || lab_die "trace --auto exited $TR_RC on a healthy bridge"
discovered "$SH/vx" "bridge port of br0 towards $mac \(fdb\)"
discovered "$SX/eth0" "target side"
not_discovered "$SH/upl"
not_discovered "$SW/eth0"
not_discovered "$SH/vz"
tr_expect "3 answered across the bridge" \
	'.summary.probes == 3 and .summary.answered == 3'
tr_expect "the target's port is watched and sees every request" \
	'[.points[] | select(.name == "vx") | .requests] == [3]'
tr_expect "the host's uplink is not a point" \
	'[.points[] | select(.name == "upl")] == []'
echo PASS
