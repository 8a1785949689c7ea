#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# SCENARIOS.md rows 6 and 7: the host firewall drops / rejects the guest's
# ping to the host.  Captured at the guest's tap, the bridge and the uplink.
. "$DROPSPOT_SRC/tests/integration/analyze_lib.sh"
an_init nft

# ---- row 6: drop ----
lab_topo_bridged
lab_input_rule "$LAB_HOST" "icmp type echo-request drop"
an_capture "$LAB_HOST" tap0 br0 up0
lab_exec "$LAB_GUEST" ping "${AN_FAIL_PING[@]}" "$LAB_HOST_IP" >/dev/null &&
	lab_die "ping through a dropping firewall succeeded"
an_stop
an_analyze
an_expect "drop: probes lost, the rest unanswered at the end, none answered" \
	'.summary.lost >= 3 and .summary.lost + .summary.unfinished == 10 and
	 .summary.answered == 0'
an_expect "drop: requests reach br0 (the host), nothing after" "$(jq_drop br0 null request)"
an_expect "drop: host firewall named as the cause" \
	'any(.findings[]; .kind == "drop" and .cause.code == "target_silent")'
an_expect "drop: verdict names br0" '.verdict | test("lost: requests reach br0")'
an_expect "drop: the uplink is not blamed" \
	'all(.findings[]; .location.before_name != "up0")'

# ---- row 6 as a user captures it: tcpdump -i any, stopped when ping ends ----
# No window, no end marker: the file ends at its last frame, a few seconds
# after the last request.  The probes are lost (exit 1), located, and the
# verdict never reads as success.
an_next
lab_topo_bridged
lab_input_rule "$LAB_HOST" "icmp type echo-request drop"
lab_bg anypid "$LAB_HOST" tcpdump -n -i any -U -w "$LAB_DIR/any.pcap"
lab_wait_line "$LAB_DIR/$anypid.err" 'listening on' 10 ||
	lab_die "tcpdump -i any did not start"
lab_exec "$LAB_GUEST" ping "${AN_FAIL_PING[@]}" "$LAB_HOST_IP" >/dev/null &&
	lab_die "ping through a dropping firewall succeeded"
sleep 2
kill -TERM "$anypid"
wait "$anypid" 2>/dev/null
"$DROPSPOT" analyze --json "$LAB_DIR/any.pcap" >"$LAB_DIR/any.json" 2>"$LAB_DIR/any.err"
rc=$?
[ "$rc" -eq 1 ] || lab_die "analyze of tcpdump -i any exited $rc, not 1: $(cat "$LAB_DIR/any.err")"
an_expect_in "$LAB_DIR/any.json" "any: 10 requests, the first lost, the rest unanswered, none answered" \
	'.summary.probes == 10 and .summary.lost >= 3 and
	 .summary.lost + .summary.unfinished == 10 and .summary.answered == 0'
an_expect_in "$LAB_DIR/any.json" "any: the loss is located on the request path" \
	'any(.findings[]; .kind == "drop" and .location.after != null and .location.direction == "request")'
an_expect_in "$LAB_DIR/any.json" "any: the verdict says lost" '.verdict | test("^[0-9]+/10 probes lost")'
# judged with a 10 s reply window: all unanswered at the end, located,
# still exit 1, never "answered"
"$DROPSPOT" analyze --json -t 10 "$LAB_DIR/any.pcap" >"$LAB_DIR/any10.json"
rc=$?
[ "$rc" -eq 1 ] || lab_die "analyze -t 10 exited $rc, not 1"
an_expect_in "$LAB_DIR/any10.json" "any -t 10: unanswered at the end, located" \
	'.summary.unfinished == 10 and .summary.answered == 0 and
	 any(.findings[]; .kind == "evidence_incomplete" and .details.reason == "capture_ended" and .location.after != null)'
an_expect_in "$LAB_DIR/any10.json" "any -t 10: the verdict says unanswered" \
	'.verdict | test("^10/10 probes unanswered when the capture ended")'

# ---- row 7: reject with admin-prohibited ----
an_next
lab_topo_bridged
lab_input_rule "$LAB_HOST" \
	"icmp type echo-request reject with icmp type admin-prohibited"
an_capture "$LAB_HOST" tap0 br0 up0
lab_exec "$LAB_GUEST" ping -q -c 4 -i 0.2 -W 1 "$LAB_HOST_IP" >/dev/null &&
	lab_die "ping through a rejecting firewall succeeded"
an_stop
an_analyze
an_expect "reject: every probe lost, none unfinished" \
	'.summary.lost == 4 and .summary.unfinished == 0'
an_expect "reject: icmp_error admin prohibited from the host, matched to 4 probes" \
	'any(.findings[]; .kind == "icmp_error" and .details.code == "admin prohibited"
	     and .details.reporter == "10.77.0.1" and .count == 4)'
an_expect "reject: the error is attached to the probes" \
	'[.probes[] | select(any(.sightings[]; .kind == "icmp_error" and .icmp_type == 3 and .icmp_code == 13))] | length == 4'
an_expect "reject: drop at br0 with the firewall as cause" \
	'any(.findings[]; .kind == "drop" and .location.after_name == "br0" and .cause.code == "icmp_admin_prohibited" and .cause.params.reporter == "10.77.0.1")'
echo PASS
