#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What a live capture leaves on its streams and on disk:
#  - `capture -w - --no-print` puts nothing but pcapng on stdout (the
#    summary and messages go to stderr): `dropspot dissect -` and
#    `tshark -r -` read the stream whole, through a pipe too;
#  - a capture that fails to attach leaves no file at its -w path, and a
#    file that was there before is left as it was;
#  - a full disk (/dev/full) is one error line and exit 2;
#  - the --drops summary has a kernel-drops row with the drops it saw
#    (needs BTF and nft: the test is skipped there when they are missing).
set -u
. "${DROPSPOT_SRC:?}/lab/lib.sh"
. "$DROPSPOT_SRC/lab/capture.sh"
lab_init ping
LAB_FAILED=0
LAB_NO_IPV6=1
lab_topo_bridged
G=$LAB_GUEST H=$LAB_HOST

# 1. -w -: the stream on stdout (a file here), the summary on stderr.
cap_start cap "" -i "$H/tap0,$H/br0" -w - --no-print
lab_exec "$G" ping -q -c 3 -i 0.2 -W 1 "$LAB_HOST_IP" >/dev/null || lab_die "ping host"
sleep 0.3
cap_stop "$cap"
expect "-w - exit status" $? 0
out=$LAB_DIR/$cap.out err=$LAB_DIR/$cap.err
expect "-w - stream starts with a section header" \
	"$(head -c 4 "$out" | od -An -tx1 | tr -d ' ')" 0a0d0d0a
expect "-w - summary on stderr" "$(grep -c '^point .*frames' "$err")" 1
"$DROPSPOT" dissect --no-summary - <"$out" >"$LAB_DIR/dissect.txt" 2>"$LAB_DIR/dissect.err"
expect "dissect - of the stream: exit status" $? 0
expect "dissect - of the stream: echo requests on tap0 and br0" \
	"$(grep -c 'echo request' "$LAB_DIR/dissect.txt")" 6
expect "dissect - of the stream: no warning" "$(grep -c . "$LAB_DIR/dissect.err")" 0
if command -v tshark >/dev/null; then
	tshark -r - <"$out" >"$LAB_DIR/tshark.txt" 2>"$LAB_DIR/tshark.err"
	expect "tshark -r - of the stream: exit status" $? 0
	expect "tshark -r - of the stream: no complaint" \
		"$(grep -ciE 'corrupt|damaged|bad block' "$LAB_DIR/tshark.err")" 0
	expect "tshark -r - of the stream: echo requests" \
		"$(grep -c 'Echo (ping) request' "$LAB_DIR/tshark.txt")" 6
else
	echo "note: no tshark; the stream is checked by dissect only"
fi

# The same through a pipe, as people run it; the ping spans the capture.
lab_exec "$G" ping -q -c 12 -i 0.2 -W 1 "$LAB_HOST_IP" >/dev/null &
ping_pid=$!
"$DROPSPOT" capture -i "$H/tap0" -w - --no-print -d 2 2>"$LAB_DIR/pipe.err" |
	"$DROPSPOT" dissect --no-summary - >"$LAB_DIR/pipe.txt" 2>>"$LAB_DIR/pipe.err"
st=("${PIPESTATUS[@]}")
wait "$ping_pid"
expect "capture -w - | dissect -: capture exit status" "${st[0]}" 0
expect "capture -w - | dissect -: dissect exit status" "${st[1]}" 0
n=$(grep -c 'echo request' "$LAB_DIR/pipe.txt")
expect "capture -w - | dissect -: echo requests seen" "$([ "$n" -ge 3 ] && echo yes || echo "no ($n)")" yes
if command -v tshark >/dev/null; then
	"$DROPSPOT" capture -i "$H/tap0" -w - --no-print -d 1 2>/dev/null |
		tshark -r - >/dev/null 2>"$LAB_DIR/pipe-tshark.err"
	st=("${PIPESTATUS[@]}")
	expect "capture -w - | tshark -r -: exit statuses" "${st[*]}" "0 0"
fi

# 2. Attaching fails: no stub at the -w path; an existing file untouched.
"$DROPSPOT" capture -i "$H/nosuch0" -w "$LAB_DIR/fail.pcapng" --no-print -d 1 \
	>/dev/null 2>"$LAB_DIR/fail.err"
expect "failed attach: exit status" $? 2
expect "failed attach: no file left" "$([ -e "$LAB_DIR/fail.pcapng" ] && echo present || echo absent)" absent
echo "not a capture" >"$LAB_DIR/keep.pcapng"
"$DROPSPOT" capture -i "$H/nosuch0" -w "$LAB_DIR/keep.pcapng" --no-print -d 1 \
	>/dev/null 2>&1
expect "failed attach: existing file kept as it was" "$(cat "$LAB_DIR/keep.pcapng")" "not a capture"

# 3. Disk full: enough frames to fill stdio's buffer while capturing, so the
# error is met in the loop and again when closing: said once.
lab_bg cap "" "$DROPSPOT" capture -i "$H/tap0" -w /dev/full --no-print --all -d 4
lab_wait_line "$LAB_DIR/$cap.err" watching 10 || lab_die "capture to /dev/full did not start: $(cat "$LAB_DIR/$cap.err")"
lab_exec "$G" ping -q -c 40 -s 1400 -i 0.02 -W 1 "$LAB_HOST_IP" >/dev/null
cap_stop "$cap"
expect "/dev/full: exit status" $? 2
expect "/dev/full: error lines" "$(grep -c 'error:' "$LAB_DIR/$cap.err")" 1
expect "/dev/full: the error says why" \
	"$(grep -c 'cannot write /dev/full: No space left on device' "$LAB_DIR/$cap.err")" 1

# 4. --drops: the summary's kernel-drops row counts the drops.
if [ ! -r /sys/kernel/btf/vmlinux ] || ! command -v nft >/dev/null; then
	[ $LAB_FAILED = 0 ] || exit 1
	lab_skip "--drops part needs kernel BTF and nft"
fi
lab_input_rule "$H" 'icmp type echo-request drop'
cap_start cap "" -i "$H/tap0,$H/br0" --drops --no-print
lab_exec "$G" ping -q -c 3 -i 0.2 -W 1 "$LAB_HOST_IP" >/dev/null &&
	lab_die "ping through a dropping firewall succeeded"
sleep 0.3
cap_stop "$cap"
expect "--drops exit status" $? 0
row=$(awk '$1 == "kernel-drops"' "$LAB_DIR/$cap.out")
echo "$row"
n=$(echo "$row" | awk '{ print $2 + 0 }')
expect "--drops summary: kernel-drops row" "$(echo "$row" | grep -c .)" 1
expect "--drops summary: kernel-drops frames >= 3" "$([ "$n" -ge 3 ] && echo yes || echo "no ($n)")" yes
expect "--drops summary: kernel-drops lost known" "$(echo "$row" | awk '{ print ($7 ~ /^[0-9]+$/) }')" 1
grep -q 'watching 2 points and kernel drops' "$LAB_DIR/$cap.err"
expect "--drops: 'watching' counts interfaces, names kernel drops" $? 0
exit $LAB_FAILED
