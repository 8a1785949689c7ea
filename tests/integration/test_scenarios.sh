#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every row of the failure catalogue (../shared/SCENARIOS.md) that the lab
# builds (lab/scenarios.sh), and a cause beyond it: watched live by
# `dropspot trace` at the host's points while it sends its own probes from
# the guest (or, where the scenario needs a particular ping, while the
# guest pings), then the saved pcapng analyzed again.  Both reports must name the same location
# and finding kind, and, where the kernel dropped the probe, the drop reason
# and function this kernel (6.18) reports, resolved from its BTF.
#
#   test_scenarios.sh [NAME...]     (default: every recipe)
#
# SCN_ATTACH=tracepoints has trace hook the points by its two host-wide
# tracepoints instead of per-interface links (test_scenarios_tracepoints).
. "$DROPSPOT_SRC/lab/lib.sh"
. "$DROPSPOT_SRC/lab/capture.sh"
. "$DROPSPOT_SRC/lab/scenarios.sh"

: "${DROPSPOT:?DROPSPOT must name the dropspot binary}"
LAB_TESTBIN=${DROPSPOT_TESTBIN:-}
export LAB_NO_IPV6=1

# jq helpers prepended to every expectation
JQ_DEFS='
def has($k): any(.findings[]; .kind == $k);
def at($k; $after; $dir): any(.findings[]; .kind == $k and
	.location.after_name == $after and .location.direction == $dir);
def no_drop: all(.findings[]; .kind != "drop");
def drop_detail($key): [.findings[] | select(.kind == "drop") | .details[$key]];
'

# What each recipe must produce (a jq boolean over the JSON report).
declare -A EXPECT=(
[healthy_bridged]='.summary.answered == 4 and .summary.lost == 0 and no_drop'
[healthy_nat]='.summary.answered == 4 and no_drop and
	any(.findings[]; .kind == "nat_rewrite" and .location.after_name == "virbr0"
	    and .location.before_name == "up0" and .details.src_after == "203.0.113.1")'
[healthy_hostonly]='.summary.answered == 4 and .summary.lost == 0 and no_drop'
[tap_detached]='.summary.answered == 0 and at("drop"; "tap0"; "request")'
[uplink_down]='.summary.answered == 4 and .summary.lost == 4 and
	any(.findings[]; .kind == "drop" and .location.before_name == "up0"
	    and (.cause.code == "next_point_went_silent" or .cause.code == "link_down" or (.cause.code == "kernel_drop" and .cause.params.kernel_reason == "NO_TX_TARGET")))'
[ip_conflict]='any(.findings[]; .kind == "ip_conflict" and .details.address == "10.77.0.3"
	and (.details.mac | length) == 2)'
[wrong_gateway]='any(.findings[]; .kind == "arp_unanswered" and .details.target == "10.77.0.254")
	and any(.findings[]; .kind == "drop" and .location.after_name == null
	    and .cause.code == "neighbour_unresolved" and .cause.params.neighbour == "10.77.0.254"
	    and .details.kernel_reason == "NEIGH_FAILED")'
[firewall_drop]='.summary.lost == 4 and at("drop"; "br0"; "request") and
	(drop_detail("kernel_reason") | index("NETFILTER_DROP")) != null'
[firewall_reject]='.summary.lost == 4 and at("drop"; "br0"; "request") and
	any(.findings[]; .kind == "icmp_error" and .details.code == "admin prohibited")'
[nat_no_forward]='.summary.lost == 4 and at("drop"; "virbr0"; "request") and
	any(.findings[]; .kind == "drop" and .location.before_name == "up0"
	    and .details.kernel_reason == "IP_INADDRERRORS" and .details.kernel_function == "ip_error")'
[nat_no_masquerade]='.summary.lost == 4 and at("drop"; "up0"; "request") and
	any(.findings[]; .kind == "drop" and .cause.code == "masquerade_missing")'
[mtu_blackhole]='any(.findings[]; .kind == "mtu_blackhole" and
	.details.largest_passing_data == 1000 and .details.smallest_failing_data == 1450)'
[vlan_mismatch]='any(.findings[]; .kind == "vlan_mismatch" and
	.location.after_name == "tap0" and .details.vlan_seen == 1001)'
[routing_loop]='.summary.lost == 4 and has("ttl_exceeded")'
[no_route]='at("drop"; "virbr0"; "request") and any(.findings[];
	.kind == "icmp_error" and .details.code == "net unreachable") and
	any(.findings[]; .kind == "drop" and .details.kernel_reason == "IP_INNOROUTES"
	    and .details.kernel_function == "ip_error")'
[rp_filter]='.summary.lost == 4 and at("drop"; "virbr0"; "request") and
	any(.findings[]; .kind == "drop" and .details.kernel_reason == "IP_RPFILTER")'
[reply_lost]='.summary.lost == 4 and at("drop"; "up0"; "reply") and
	any(.findings[]; .kind == "drop" and .location.before_name == "virbr0")'
[arp_storm]='any(.findings[]; .kind == "storm" and .location.after_name == "tap0"
	and .details.peak_rate >= 500)'
[bad_checksum]='any(.findings[]; .kind == "checksum_bad" and .location.after_name == "tap0")
	and (drop_detail("kernel_reason") | index("ICMP_CSUM")) != null'
[guest_never_sends]='has("no_probes") and .summary.probes == 0 and
	(has("arp_unanswered") | not)'
)

failed=0
check() {	# NAME REPORT LABEL
	if jq -e "$JQ_DEFS ${EXPECT[$1]}" "$2" >/dev/null 2>&1; then
		echo "ok   $1 ($3)"
		return 0
	fi
	echo "FAIL $1 ($3): want ${EXPECT[$1]}"
	jq -r '"     verdict: " + .verdict, (.findings[] |
		"     finding: \(.kind) after=\(.location.after_name) before=\(.location.before_name) dir=\(.location.direction): \(.summary)")' \
		"$2" 2>/dev/null || echo "     (not a JSON report: $(head -c 200 "$2"))"
	return 1
}

# one scenario, in a subshell with its own lab (traps clean it up)
run() (
	local name=$1 rc=0
	lab_init nft ping jq python3
	"$DROPSPOT" trace --help >/dev/null 2>&1 ||
		lab_skip "dropspot trace not built"
	scn_record "$name" "$LAB_DIR/$name.pcapng"
	check "$name" "$SCN_REPORT" "trace, live" || rc=1
	# the hooks asked for (SCN_ATTACH) are the hooks the report names
	if [ "${SCN_ATTACH:-}" = tracepoints ] && ! jq -e '[.points[] |
	    select(.kind != "kernel" and .kind != "socket") | .hook] |
	    length > 0 and all(. == "tracepoint")' "$SCN_REPORT" >/dev/null; then
		echo "FAIL $name: points not hooked by tracepoints:" \
			"$(jq -c '[.points[].hook]' "$SCN_REPORT" 2>&1)"
		rc=1
	fi
	"$DROPSPOT" analyze --json "$LAB_DIR/$name.pcapng" >"$LAB_DIR/an.json"
	check "$name" "$LAB_DIR/an.json" "analyze on its pcapng" || rc=1
	exit $rc
)

[ $# -gt 0 ] || set -- "${SCN_ALL[@]}"
for name in "$@"; do
	[ -n "${EXPECT[$name]:-}" ] || { echo "FAIL $name: no expectation"; failed=1; continue; }
	run "$name"
	case $? in
	0) ;;
	77) exit 77 ;;
	*) failed=1 ;;
	esac
done
[ "$failed" -eq 0 ] && echo PASS
exit "$failed"
