#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# NAT mode faults, SCENARIOS.md rows 8 (no IP forwarding), 9 (no
# masquerade), 13 (no route) and 14 (reply lost on the way back).
# Points: the guest's tap, the NAT bridge virbr0 and the uplink up0.
. "$DROPSPOT_SRC/tests/integration/analyze_lib.sh"
an_init nft

guest_ping() {	# $1: target; the ping must fail
	lab_exec "$LAB_GUEST" ping "${AN_FAIL_PING[@]}" "$1" >/dev/null &&
		lab_die "ping to $1 succeeded"
	an_stop
	an_analyze
}

# ---- row 8: no IP forwarding ----
LAB_NAT_NO_FORWARD=1 lab_topo_nat
an_capture "$LAB_HOST" tap0 virbr0 up0
guest_ping "$LAB_WAN_IP"
an_expect "no forwarding: requests stop after virbr0, not seen at up0" \
	"$(jq_drop virbr0 up0 request)"
an_expect "no forwarding: verdict" '.verdict | test("stop after virbr0, not seen at up0")'

# ---- row 9: no masquerade ----
an_next
LAB_NAT_NO_MASQ=1 lab_topo_nat
an_capture "$LAB_HOST" tap0 virbr0 up0
guest_ping "$LAB_WAN_IP"
an_expect "no masquerade: requests reach up0, no reply" "$(jq_drop up0 null request)"
an_expect "no masquerade: private source named" \
	'any(.findings[]; .kind == "drop" and .cause.code == "masquerade_missing" and .cause.params.source == "192.168.122.2")'
an_expect "no masquerade: no rewrite seen" "$(jq_has nat_rewrite) | not"

# ---- row 13: no route on the host ----
an_next
lab_topo_nat
an_capture "$LAB_HOST" tap0 virbr0 up0
guest_ping 198.51.100.1
an_expect "no route: net unreachable from the host" \
	'any(.findings[]; .kind == "icmp_error" and .details.reporter == "192.168.122.1" and (.details.code | test("unreachable")))'
an_expect "no route: one drop finding after virbr0, cause no route" \
	'[.findings[] | select(.kind == "drop")] | length == 1 and
	 (.[0].location.after_name == "virbr0") and .[0].cause.code == "icmp_no_route" and .[0].cause.params.reporter == "192.168.122.1"'

# ---- row 14: reply dropped on the way back ----
an_next
lab_topo_nat
lab_exec "$LAB_HOST" nft -f - <<-NFT || lab_die nft
	table inet dsfw {
		chain fwdchain {
			type filter hook forward priority 0;
			iifname "up0" icmp type echo-reply drop
		}
	}
NFT
an_capture "$LAB_HOST" tap0 virbr0 up0
guest_ping "$LAB_WAN_IP"
an_expect "reply lost: replies stop after up0, not seen at virbr0" \
	"$(jq_drop up0 virbr0 reply)"
an_expect "reply lost: outcome lost_reply" \
	'[.probes[] | select(.outcome == "lost_reply")] | length >= 3'
an_expect "reply lost: reply never de-NATed inside" "$(jq_has nat_reply_not_reversed)"
an_expect "reply lost: the request NAT is still reported" \
	'any(.findings[]; .kind == "nat_rewrite" and .location.after_name == "virbr0" and .location.before_name == "up0")'
echo PASS
