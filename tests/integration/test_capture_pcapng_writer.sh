#!/bin/bash
# The pcapng writer's whole API (no root needed): a point interface and a
# custom pseudo interface, directions, a comment, a hardware-stripped VLAN
# tag put back, snapped length, ns timestamps, statistics blocks; read back
# by tshark and by our reader.
set -u
command -v tshark >/dev/null || { echo "skip: needs tshark"; exit 77; }
bin=${DROPSPOT_TESTBIN:?}/pcapng_write_check
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
f=$dir/w.pcapng
fail=0
expect() {
	if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: got '$2' want '$3'"; fail=1; fi
}
"$bin" "$f" || { echo "FAIL writer"; exit 1; }
got=$(tshark -r "$f" -T fields -E separator='|' -e frame.interface_id \
	-e frame.interface_name -e frame.interface_description \
	-e frame.packet_flags_direction -e frame.len -e frame.cap_len \
	-e vlan.id -e frame.comment -e frame.time_epoch 2>/dev/null)
echo "$got"
expect "packets" "$(echo "$got" | wc -l)" 3
l1=$(echo "$got" | sed -n 1p) l2=$(echo "$got" | sed -n 2p) l3=$(echo "$got" | sed -n 3p)
expect "1: interface" "$(echo "$l1" | cut -d'|' -f1-3)" "0|veth0|guest/veth0; netns guest; veth; xdp"
expect "1: outbound, snapped" "$(echo "$l1" | cut -d'|' -f4-6)" "0x00000002|62|42"
expect "1: ns timestamp" "$(echo "$l1" | cut -d'|' -f9)" "1700000000.123456789"
expect "2: inbound, tag put back" "$(echo "$l2" | cut -d'|' -f4-7)" "0x00000001|66|46|100"
expect "3: pseudo interface + comment" "$(echo "$l3" | cut -d'|' -f2,8)" \
	"kernel-drops|dropped: reason NETFILTER_DROP"
expect "3: no direction" "$(echo "$l3" | cut -d'|' -f4)" ""
if [ -x "${DROPSPOT:-}" ]; then
	sum=$("$DROPSPOT" dissect "$f" 2>&1)
	echo "$sum"
	expect "our reader: 3 packets" "$(echo "$sum" | grep -c 'ICMP echo request')" 3
	expect "our reader: ISB drops of veth0" \
		"$(echo "$sum" | awk '$1 ~ /veth0$/ && NF == 7 {print $7}')" 7
fi
exit $fail
