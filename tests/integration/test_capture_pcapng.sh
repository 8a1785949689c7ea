#!/bin/bash
# The pcapng written by `dropspot capture -w` read back by tshark: one
# interface per point with its real name (netns in the description),
# nanosecond resolution, directions in the packet flags, packet counts as
# captured.  Read back by our own reader too: the same lines as printed live.
set -u
. "${DROPSPOT_SRC:?}/lab/lib.sh"
. "$DROPSPOT_SRC/lab/capture.sh"
lab_init ping tshark
LAB_FAILED=0
lab_topo_bridged
G=$LAB_GUEST H=$LAB_HOST P=$LAB_PEER
N=4
pcap=$LAB_DIR/cap.pcapng

cap_start cap "" -i "$G/eth0,$H/tap0,$H/br0,$H/up0,$P/eth0" -f icmp -w "$pcap"
lab_exec "$G" ping -q -c $N -i 0.2 -W 2 "$LAB_PEER_IP" >/dev/null || lab_die "ping"
sleep 0.3
cap_stop "$cap"
expect "capture exit status" $? 0
out=$LAB_DIR/$cap.out

fields=$LAB_DIR/fields
tshark -r "$pcap" -T fields -E separator='|' -e frame.interface_id \
	-e frame.interface_name -e frame.interface_description \
	-e frame.packet_flags_direction -e icmp.type 2>/dev/null >"$fields" ||
	lab_die "tshark cannot read $pcap"
# interface names and descriptions, in point order
i=0
for pt in "$G/eth0" "$H/tap0" "$H/br0" "$H/up0" "$P/eth0"; do
	name=${pt##*/} ns=${pt%/*}
	desc=$(awk -F'|' -v id=$i '$1 == id {print $3; exit}' "$fields")
	got=$(awk -F'|' -v id=$i '$1 == id {print $2; exit}' "$fields")
	[ $i = 2 ] || expect "interface $i name" "$got" "$name"
	case "$desc" in *"netns $ns"*) r=yes ;; *) r=no ;; esac
	[ $i = 2 ] || expect "interface $i description names netns ($desc)" $r yes
	i=$((i + 1))
done
count() {	# ifid direction(0x1 in, 0x2 out) icmp-type
	awk -F'|' -v id="$1" -v d="$2" -v t="$3" \
		'$1 == id && $4 == d && $5 == t' "$fields" | wc -l
}
expect "guest eth0 out requests" "$(count 0 0x00000002 8)" $N
expect "guest eth0 in replies" "$(count 0 0x00000001 0)" $N
expect "tap0 in requests" "$(count 1 0x00000001 8)" $N
expect "tap0 out replies" "$(count 1 0x00000002 0)" $N
expect "br0 requests (forwarded)" "$(count 2 0x00000001 8)" 0
expect "up0 out requests" "$(count 3 0x00000002 8)" $N
expect "up0 in replies" "$(count 3 0x00000001 0)" $N
expect "peer eth0 in requests" "$(count 4 0x00000001 8)" $N
expect "peer eth0 out replies" "$(count 4 0x00000002 0)" $N
expect "packets in file = printed" "$(wc -l <"$fields")" \
	"$(grep -c " ICMP" "$out")"
expect "nanosecond resolution" \
	"$(capinfos -a "$pcap" 2>/dev/null | grep -c '\.[0-9]\{9\}')" 1

# our reader: same time, direction and text as the live lines
if "$DROPSPOT" dissect --no-summary "$pcap" >"$LAB_DIR/reread" 2>"$LAB_DIR/reread.err"; then
	live=$(grep " ICMP" "$out" | cut -d' ' -f1,3- | sort | md5sum)
	back=$(cut -d' ' -f1,3- "$LAB_DIR/reread" | sort | md5sum)
	expect "reader lines = live lines" "$back" "$live"
else
	echo "FAIL our reader: $(cat "$LAB_DIR/reread.err")"
	LAB_FAILED=1
fi
exit $LAB_FAILED
