#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Ctrl-C while stdout is blocked (a pipe nobody reads): `capture` and
# `trace` take their hooks off, try to write what is still in the ring for
# a bounded time, count what they could not write as lost and say so, and
# exit 2.  A second Ctrl-C cuts the drain short at once.  Nothing of ours
# stays attached afterwards.
set -u
. "${DROPSPOT_SRC:?}/lab/lib.sh"
. "$DROPSPOT_SRC/lab/capture.sh"
lab_init bpftool ping python3 timeout
LAB_FAILED=0
lab_netns A a
lab_netns B b
lab_veth "$A" v0 "$B" v1
lab_addr "$A" v0 10.79.0.1/24
lab_addr "$B" v1 10.79.0.2/24

FIFO=$LAB_DIR/stdout.fifo
mkfifo "$FIFO" || lab_die "mkfifo"
# held open for reading and never read: writes block once the pipe is full
exec 7<>"$FIFO"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# run NAME SIGNALS... -- ARGS...: dropspot ARGS with stdout on the blocked
# pipe, a flood of pings through v0, then the signals (one per 0.3 s);
# sets RC, ELAPSED_MS (from the first signal to the exit) and ERR.
run() {
	local name=$1 pid i t0 sigs=() ours left
	shift
	while [ "$1" != -- ]; do sigs+=("$1"); shift; done
	shift
	ERR=$LAB_DIR/$name.err
	"$DROPSPOT" "$@" >"$FIFO" 2>"$ERR" &
	pid=$!
	LAB_PIDS+=("$pid")
	lab_wait_line "$ERR" 'watching' 10 || lab_die "$name did not start: $(cat "$ERR")"
	ours=$(pid_prog_ids "$pid")
	# far more lines than the pipe holds, and records left in the ring
	lab_exec "$A" ping -f -q -c 20000 -s 64 10.79.0.2 >/dev/null 2>&1
	kill -0 "$pid" 2>/dev/null || lab_die "$name exited before the signal: $(cat "$ERR")"
	t0=$(now_ms)
	for i in "${!sigs[@]}"; do
		[ "$i" -gt 0 ] && sleep 0.3
		kill -"${sigs[$i]}" "$pid" 2>/dev/null
	done
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	ELAPSED_MS=$(($(now_ms) - t0))
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		lab_die "$name still running 10 s after ${sigs[*]}: $(cat "$ERR")"
	fi
	wait "$pid"
	RC=$?
	cat "$ERR" >&2
	# empty the pipe for the next run
	timeout 1 cat <&7 >/dev/null
	for ((i = 0; i < 30; i++)); do
		left=$(comm -12 <(echo "$ours") <(our_prog_ids) | grep -c .)
		[ "$left" = 0 ] && break
		sleep 0.1
	done
	expect "$name: programs of ours left" "$left" 0
	expect "$name: bpftool net entries on v0" \
		"$(ip netns exec "$A" bpftool net show dev v0 2>/dev/null | grep -c dropspot)" 0
	expect "$name: XDP on v0" "$(ip -n "$A" -d link show dev v0 | grep -c prog/xdp)" 0
}

unwritten() { grep -cE '[0-9]+ events? still in the ring (was|were) not written \(interrupted\)' "$ERR"; }

run capture-int INT -- capture -i "$A/v0"
expect "capture, one Ctrl-C: exit status" "$RC" 2
expect "capture, one Ctrl-C: unwritten events said" "$(unwritten)" 1
# the drain's budget (3 s) bounds it; the rest of the exit is quick
[ "$ELAPSED_MS" -lt 6000 ] || expect "capture, one Ctrl-C: exit within 6 s" "$ELAPSED_MS" "<6000"

run capture-int2 INT INT -- capture -i "$A/v0"
expect "capture, two Ctrl-C: exit status" "$RC" 2
expect "capture, two Ctrl-C: unwritten events said" "$(unwritten)" 1
expect "capture, two Ctrl-C: the summary not written, said" \
	"$(grep -c 'the summary is not written' "$ERR")" 1
[ "$ELAPSED_MS" -lt 2000 ] || expect "capture, two Ctrl-C: exit within 2 s" "$ELAPSED_MS" "<2000"

run capture-pcapng TERM TERM -- capture -i "$A/v0" -w - --no-print
expect "capture -w -, two SIGTERM: exit status" "$RC" 2
expect "capture -w -, two SIGTERM: unwritten events said" "$(unwritten)" 1
[ "$ELAPSED_MS" -lt 2000 ] || expect "capture -w -, two SIGTERM: exit within 2 s" "$ELAPSED_MS" "<2000"

# trace: probe lines on the blocked stdout; its report cannot be written
run trace-int2 INT INT -- trace -i "$A/v0" --no-drops -t 0.5
expect "trace, two Ctrl-C: exit status" "$RC" 2
expect "trace, two Ctrl-C: the report not written, said" \
	"$(grep -c 'report is not written' "$ERR")" 1
[ "$ELAPSED_MS" -lt 2000 ] || expect "trace, two Ctrl-C: exit within 2 s" "$ELAPSED_MS" "<2000"

# an ordinary Ctrl-C with stdout read: everything written, exit 0
"$DROPSPOT" capture -i "$A/v0" >"$LAB_DIR/ok.out" 2>"$LAB_DIR/ok.err" &
pid=$!
LAB_PIDS+=("$pid")
lab_wait_line "$LAB_DIR/ok.err" 'watching' 10 || lab_die "capture did not start"
lab_exec "$A" ping -c 3 -i 0.2 10.79.0.2 >/dev/null 2>&1
cap_stop "$pid" INT
RC=$?
expect "capture, Ctrl-C, stdout read: exit status" "$RC" 0
expect "capture, Ctrl-C, stdout read: nothing unwritten" \
	"$(grep -c 'not written' "$LAB_DIR/ok.err")" 0
expect "capture, Ctrl-C, stdout read: the 6 echo frames printed" \
	"$(grep -c 'ICMP echo' "$LAB_DIR/ok.out")" 6

[ "$LAB_FAILED" = 0 ] || exit 1
echo PASS
