#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot analyze of an underlay that fragments the tunnel's packets
# (issue 16): VXLAN (VNI 42, outer DF not set, the kernel's default) over
# a veth underlay whose MTU shrank to 1400, so a 1400-byte ping inside
# (1428-byte inner datagram, fits vx0's 1450) becomes a 1478-byte UDP
# datagram that a's kernel fragments on va.
#
#   a: vx0 10.42.0.1 ─ va 192.168.100.1 ══ vb 192.168.100.2 ─ vx0 10.42.0.2 :b
#
# The first probe crosses va in outer fragments; then a's kernel knows
# the path MTU and fragments the next ones inside, each piece in its own
# VXLAN packet.  tcpdump captures va and b's vx0 (the plain inner packet);
# dropspot analyze must reassemble the outer datagram first and open the
# tunnel in it (probe 1), and reassemble the inner fragments with the
# outer lengths grown to match (probes 2, 3): every probe seen both ways
# at va with the whole encapsulated length (1478) and its echo data whole,
# not snapped.  The live capture filter keeps no later outer fragment (no
# tunnel header in it), so this case is for saved captures.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init tcpdump

tr_vxlan_lab
# the underlay shrinks under the overlay: vx0 keeps 1450
lab_ip "$A" link set va mtu 1400
lab_ip "$B" link set vb mtu 1400

lab_bg ta "$A" tcpdump --immediate-mode -U -i va -w "$LAB_DIR/va.pcap"
lab_bg tb "$B" tcpdump --immediate-mode -U -i vx0 -w "$LAB_DIR/bvx0.pcap"
lab_wait_line "$LAB_DIR/$ta.err" 'listening' 10 || lab_die "tcpdump on va"
lab_wait_line "$LAB_DIR/$tb.err" 'listening' 10 || lab_die "tcpdump on b's vx0"
lab_exec "$A" ping -q -c 3 -i 0.2 -s 1400 -M dont 10.42.0.2 >/dev/null ||
	lab_die "the large pings do not pass"
sleep 0.5
cap_stop "$ta"
cap_stop "$tb"

# Both kinds of fragmentation, or this test proves nothing: the first
# probe leaves in outer fragments; that teaches a's kernel the path MTU,
# so the next ones are fragmented inside, each piece in its own packet.
nouter=$(tcpdump -r "$LAB_DIR/va.pcap" -nn -v 'ip[6:2] & 0x1fff != 0' 2>/dev/null |
	grep -c 'proto UDP (17)')
ninner=$(tcpdump -r "$LAB_DIR/va.pcap" -nn -v 2>/dev/null |
	grep -cE 'proto ICMP \(1\), length 100\)')
if [ "$nouter" -lt 2 ] || [ "$ninner" -lt 2 ]; then
	tcpdump -r "$LAB_DIR/va.pcap" -nn -v 2>/dev/null | grep -v ICMP6 >&2
	lab_die "va saw $nouter later outer fragments and $ninner inner last fragments, want 2 each"
fi
echo "ok: va saw $nouter later outer fragments, $ninner encapsulated inner ones"

TR_JSON_FILE=$LAB_DIR/report.json
"$DROPSPOT" analyze --json -n 0=va -n 1=bvx0 "$LAB_DIR/va.pcap" \
	"$LAB_DIR/bvx0.pcap" >"$TR_JSON_FILE" 2>"$TR_JSON_FILE.err"
rc=$?
[ "$rc" = 0 ] || lab_die "analyze exited $rc: $(cat "$TR_JSON_FILE.err")"
_tr_expect_in "$TR_JSON_FILE" "three probes, all answered" \
	'.summary.probes == 3 and .summary.answered == 3'
_tr_expect_in "$TR_JSON_FILE" "every probe seen at va both ways, encapsulated whole" \
	'. as $r | ([.points | to_entries[] | select(.value.name == "va") | .key][0]) as $va |
	 all(.probes[]; ([.sightings[] | select(.point == $va) |
		select(.encap.type == "vxlan" and .encap.id == 42 and
		       .encap.outer_len == 1478 and .snapped == false) | .kind] | sort) ==
		["reply", "request"])'
_tr_expect_in "$TR_JSON_FILE" "and at b's vx0, plain" \
	'. as $r | ([.points | to_entries[] | select(.value.name == "bvx0") | .key][0]) as $b |
	 all(.probes[]; ([.sightings[] | select(.point == $b and .encap == null) | .kind] | sort) ==
		["reply", "request"])'
echo PASS
