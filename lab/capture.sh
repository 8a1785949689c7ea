#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Helpers for tests that run `dropspot capture` in a lab (source lib.sh first).

DROPSPOT=${DROPSPOT:-dropspot}

# cap_start VAR NS ARGS...: starts `dropspot capture ARGS` in NS ("" = ours)
# and waits until it reports that it is watching; VAR gets its pid, the
# output is in $LAB_DIR/<pid>.out and .err.  Fails the test if it exits.
cap_start() {
	local _cs_var=$1 _cs_ns=$2 pid i
	shift 2
	lab_bg pid "$_cs_ns" "$DROPSPOT" capture "$@"
	printf -v "$_cs_var" '%s' "$pid"
	for ((i = 0; i < 200; i++)); do
		grep -q 'watching' "$LAB_DIR/$pid.err" 2>/dev/null && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			lab_die "capture exited ($?): $(cat "$LAB_DIR/$pid.err")"
		fi
		sleep 0.05
	done
	lab_die "capture did not start: $(cat "$LAB_DIR/$pid.err")"
}

# cap_stop PID [SIGNAL]: ends a capture, returns its exit status.
cap_stop() {
	local pid=$1 sig=${2:-INT} i
	kill -"$sig" "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	wait "$pid"
}

# cap_count FILE POINT DIR REGEX: number of printed lines of POINT in
# direction DIR whose text matches REGEX.
cap_count() {
	awk -v p="$2" -v d="$3" '$2 == p && $3 == d' "$1" | grep -cE "$4"
}

# expect NAME GOT WANT
expect() {
	if [ "$2" = "$3" ]; then
		echo "ok   $1 = $2"
	else
		echo "FAIL $1 = $2, want $3"
		LAB_FAILED=1
	fi
}
