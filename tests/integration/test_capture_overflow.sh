#!/bin/bash
# A tiny ring and a flood: the capture must lose events and say so, per
# point in the summary, on stderr, and in the pcapng statistics blocks
# (read back by our own reader) -- never silently.
set -u
. "${DROPSPOT_SRC:?}/lab/lib.sh"
. "$DROPSPOT_SRC/lab/capture.sh"
lab_init ping
LAB_FAILED=0
lab_topo_bridged
G=$LAB_GUEST H=$LAB_HOST P=$LAB_PEER
pcap=$LAB_DIR/flood.pcapng

cap_start cap "" -i "$G/eth0,$H/tap0,$H/br0,$H/up0,$P/eth0" --ring-size 4096 \
	-s 1500 -w "$pcap"
# preloaded flood: bursts of 64 echoes cross five points at once
lab_exec "$G" timeout 5 ping -q -f -l 64 -c 20000 -s 1000 "$LAB_PEER_IP" >/dev/null 2>&1
cap_stop "$cap"
expect "capture exit status" $? 0
out=$LAB_DIR/$cap.out err=$LAB_DIR/$cap.err
tail -7 "$out"
lost=$(awk '$1 ~ /^ds/ && NF == 7 {s += $7} END {print s+0}' "$out")
[ "$lost" -gt 0 ] && r=yes || r=no
expect "lost events in summary > 0 ($lost)" $r yes
grep -q "lost [0-9]* events" "$err" && r=yes || r=no
expect "lost events reported on stderr" $r yes
grep "lost" "$err"

# the pcapng's statistics blocks carry the same counts (our reader)
if [ -x "${DROPSPOT:-}" ]; then
	plost=$("$DROPSPOT" dissect --count-only "$pcap" | awk '$1 ~ /flood/ && NF == 7 {s += $7} END {print s+0}')
	expect "lost events in pcapng ISBs" "$plost" "$lost"
fi
exit $LAB_FAILED
