#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Neighbour-layer scenarios (SCENARIOS.md rows 4, 5 and 17), bridged mode:
# an IP conflict, a guest whose default gateway does not exist, and a guest
# that never sends at all.  Points: tap0, br0, up0 (and the conflicting
# host's port).
. "$DROPSPOT_SRC/tests/integration/analyze_lib.sh"
. "$DROPSPOT_SRC/lab/capture.sh"
an_init

# ---- row 4: IP conflict (a second host on the bridge claims the peer's IP) ----
lab_topo_bridged
lab_netns DUP dup
lab_veth "$LAB_HOST" dup0 "$DUP" eth0
lab_port "$LAB_HOST" br0 dup0
lab_addr "$DUP" eth0 "$LAB_PEER_IP/24"
an_capture "$LAB_HOST" tap0 br0 up0 dup0
lab_exec "$LAB_GUEST" ping -q -c 3 -i 0.2 -W 1 "$LAB_PEER_IP" >/dev/null
an_stop
an_analyze
peer_mac=$(lab_exec "$LAB_PEER" cat /sys/class/net/eth0/address)
dup_mac=$(lab_exec "$DUP" cat /sys/class/net/eth0/address)
an_expect "conflict: $LAB_PEER_IP claimed by both MACs" \
	"any(.findings[]; .kind == \"ip_conflict\" and .details.address == \"$LAB_PEER_IP\"
	     and (.details.mac | sort) == ([\"$peer_mac\", \"$dup_mac\"] | sort))"
an_expect "conflict: verdict mentions it" '.verdict | test("IP conflict")'
an_expect "conflict: the guest's own address is not in conflict" \
	"all(.findings[]; .kind != \"ip_conflict\" or .details.address != \"$LAB_GUEST_IP\")"

# ---- row 5: wrong default gateway ----
an_next
lab_topo_bridged
lab_ip "$LAB_GUEST" route replace default via 10.77.0.254
an_capture "$LAB_HOST" tap0 br0 up0
lab_exec "$LAB_GUEST" ping -q -c 3 -i 0.5 -W 1 198.51.100.1 >/dev/null &&
	lab_die "ping via a missing gateway succeeded"
an_stop
an_analyze
an_expect "wrong gateway: ARP for 10.77.0.254 unanswered, asked by the guest" \
	'any(.findings[]; .kind == "arp_unanswered" and .details.target == "10.77.0.254"
	     and .details.asker_ip == "10.77.0.2" and .details.requests >= 2)'
an_expect "wrong gateway: no probe left the guest" "$(jq_has no_probes)"
an_expect "wrong gateway: verdict names the unresolved gateway" \
	'.verdict | test("No probe left the guest.*10\\.77\\.0\\.254")'
an_expect "wrong gateway: no drop finding (nothing was sent)" \
	'all(.findings[]; .kind != "drop")'

# ---- row 17: guest never sends (no route inside the guest) ----
# Files that merely hold no frame prove nothing (tcpdump's pcap does not say
# when it watched): evidence incomplete.  dropspot's own pcapng records each
# point's watch window, and then the silence is the finding.
an_next
lab_topo_bridged
lab_ip "$LAB_GUEST" route del default
an_capture "$LAB_HOST" tap0 br0 up0
cap_start live "$LAB_HOST" -i tap0,br0,up0 -w "$LAB_DIR/live.pcapng"
lab_exec "$LAB_GUEST" ping -q -c 3 -i 0.2 -W 1 198.51.100.1 >/dev/null 2>&1 &&
	lab_die "ping without a route succeeded"
an_stop
cap_stop "$live" >/dev/null || lab_die "dropspot capture failed"
# The interfaces are new: IPv6 autoconfiguration and IGMP joins are
# captured or not depending on timing.  Filtered to ICMP and ARP, the
# tcpdump files hold nothing at all, deterministically.
an_analyze -f "icmp or arp"
an_expect "never sends, tcpdump files: evidence incomplete, not blamed" \
	"$(jq_has evidence_incomplete) and ($(jq_has no_probes) | not)"
AN_JSON_FILES=$LAB_DIR/report-live.json
an_run "$AN_JSON_FILES" -f "icmp or arp" "$LAB_DIR/live.pcapng"
an_expect_in "$AN_JSON_FILES" "never sends, watched points: no_probes, 0 probes" \
	"$(jq_has no_probes) and .summary.probes == 0"
an_expect_in "$AN_JSON_FILES" "never sends: verdict says so" \
	'.verdict | test("[Nn]o probe left the guest")'
an_expect_in "$AN_JSON_FILES" "never sends: no neighbour failure invented" \
	"($(jq_has arp_unanswered) | not)"
echo PASS
