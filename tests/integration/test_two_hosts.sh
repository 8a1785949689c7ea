#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Two "hosts" on the two sides of a routed link, each with its own
# `dropspot capture` (separate processes, separate files), merged offline:
#
#   client --- h1 (router, hv1) ===== h2 (router, hv2) --- target
#        c:eth0   h1:vc    h1:l1   h2:l2    h2:vt   t:eth0
#
# h2's firewall drops the forwarded echo requests.  analyze of the two
# files, whose hosts are named by the hostname dropspot writes into its
# captures ($DROPSPOT_HOSTNAME here: one machine stands for two) or by
# --host NAME=FILE, names the host and the point where the probes died:
# after hv2/l2 (kernel drops are machine-wide: other flows may be in the
# file too, so only this flow is checked; -t 1: ping waits 1 s after its last request, then the
# captures stop).  Both captures share one clock: the estimate is ~0 and no
# file is shifted.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft ping

lab_netns C client
lab_netns H1 hv1
lab_netns H2 hv2
lab_netns T target
lab_veth "$C" eth0 "$H1" vc
lab_veth "$H1" l1 "$H2" l2
lab_veth "$H2" vt "$T" eth0
lab_addr "$C" eth0 10.61.1.2/24
lab_addr "$H1" vc 10.61.1.1/24
lab_addr "$H1" l1 10.61.9.1/24
lab_addr "$H2" l2 10.61.9.2/24
lab_addr "$H2" vt 10.61.2.1/24
lab_addr "$T" eth0 10.61.2.2/24
lab_ip "$C" route add default via 10.61.1.1
lab_ip "$T" route add default via 10.61.2.1
lab_ip "$H1" route add 10.61.2.0/24 via 10.61.9.2
lab_ip "$H2" route add 10.61.1.0/24 via 10.61.9.1
lab_exec "$H1" sysctl -qw net.ipv4.ip_forward=1
lab_exec "$H2" sysctl -qw net.ipv4.ip_forward=1
lab_exec "$C" ping -q -c 1 -W 2 10.61.2.2 >/dev/null ||
	lab_die "the routed lab does not pass a ping"

lab_exec "$H2" nft -f - <<'NFT' || lab_die "nft"
table inet ds_two_hosts {
	chain ds_forward {
		type filter hook forward priority 0;
		icmp type echo-request drop
	}
}
NFT

# one capture per "host", each its own process and file
DROPSPOT_HOSTNAME=hv1 cap_start P1 "" -i "$H1/vc,$H1/l1" --no-print \
	-w "$LAB_DIR/hv1.pcapng"
DROPSPOT_HOSTNAME=hv2 cap_start P2 "" -i "$H2/l2,$H2/vt" --drops --no-print \
	-w "$LAB_DIR/hv2.pcapng"
lab_exec "$C" ping -q -c 4 -i 0.2 -W 1 10.61.2.2 >/dev/null &&
	lab_die "ping through h2's dropping firewall succeeded"
sleep 0.3
cap_stop "$P1" || lab_die "capture on hv1 exited $?"
cap_stop "$P2" || lab_die "capture on hv2 exited $?"

TR_JSON_FILE=$LAB_DIR/report.json
"$DROPSPOT" analyze --json -t 1 "$LAB_DIR/hv1.pcapng" "$LAB_DIR/hv2.pcapng" \
	>"$TR_JSON_FILE" 2>"$LAB_DIR/analyze.err"
[ $? = 1 ] || lab_die "analyze did not report the loss: $(cat "$LAB_DIR/analyze.err")"
echo "verdict: $(jq -r .verdict "$TR_JSON_FILE")"
echo "clock: $(jq -c ".clock_domains.domains[1]" "$TR_JSON_FILE")"
_tr_expect_in "$TR_JSON_FILE" "points named by host" \
	'[.points[] | select(.frames > 0) | .name] - ["hv1/vc", "hv1/l1", "hv2/l2", "hv2/vt", "hv2/kernel-drops"] == []'
_tr_expect_in "$TR_JSON_FILE" "the path crosses the hosts" \
	'[.points as $p | .flows[] | select(.src == "10.61.1.2") | .path[] | $p[.].name] == ["hv1/vc", "hv1/l1", "hv2/l2"]'
_tr_expect_in "$TR_JSON_FILE" "lost after hv2/l2, on the request path" \
	'any(.findings[]; .kind == "drop" and .location.after_name == "hv2/l2" and .location.direction == "request")'
_tr_expect_in "$TR_JSON_FILE" "the kernel reason, from hv2's capture (--drops)" \
	'any(.findings[]; .kind == "drop" and .details.kernel_reason == "NETFILTER_DROP")'
_tr_expect_in "$TR_JSON_FILE" "the verdict names the host" \
	'.verdict | test("probes lost: requests .*hv2/l2")'
_tr_expect_in "$TR_JSON_FILE" "one clock: ~0, not shifted" \
	'.clock_domains.estimated and (.clock_domains.domains[1] | .applied == false and .method != "none")'

# the same files named by --host instead (other names than they carry)
"$DROPSPOT" analyze --json -t 1 --host left=hv1.pcapng --host right=hv2.pcapng \
	"$LAB_DIR/hv1.pcapng" "$LAB_DIR/hv2.pcapng" >"$LAB_DIR/named.json" 2>/dev/null
_tr_expect_in "$LAB_DIR/named.json" "--host names the host of the loss" \
	'any(.findings[]; .kind == "drop" and .location.after_name == "right/l2")'
echo PASS
