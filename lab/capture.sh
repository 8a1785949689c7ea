#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Helpers for tests that run `dropspot capture` in a lab (source lib.sh first).

DROPSPOT=${DROPSPOT:-dropspot}

# cap_start VAR NS ARGS...: starts `dropspot capture ARGS` in NS ("" = ours)
# and waits until it reports that it is watching; VAR gets its pid, the
# output is in $LAB_DIR/<pid>.out and .err.  Fails the test if it exits.
cap_start() {
	local _cs_var=$1 _cs_ns=$2
	shift 2
	ds_start "$_cs_var" "$_cs_ns" capture "$@"
}

# ds_start VAR NS COMMAND ARGS...: the same for any live dropspot command
# (capture, trace).
ds_start() {
	local _cs_var=$1 _cs_ns=$2 _cs_pid _cs_i
	shift 2
	lab_bg _cs_pid "$_cs_ns" "$DROPSPOT" "$@"
	printf -v "$_cs_var" '%s' "$_cs_pid"
	for ((_cs_i = 0; _cs_i < 200; _cs_i++)); do
		grep -q 'watching' "$LAB_DIR/$_cs_pid.err" 2>/dev/null && return 0
		if ! kill -0 "$_cs_pid" 2>/dev/null; then
			wait "$_cs_pid"
			lab_die "dropspot $1 exited ($?): $(cat "$LAB_DIR/$_cs_pid.err")"
		fi
		sleep 0.05
	done
	lab_die "dropspot $1 did not start: $(cat "$LAB_DIR/$_cs_pid.err")"
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

# our_prog_ids: ids of the BPF programs dropspot has loaded (named
# dropspot_*), machine-wide, sorted; pid_prog_ids PID: those process PID
# holds.  What a test compares before and after, to see nothing stays.
our_prog_ids() {
	bpftool prog show -j 2>/dev/null | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    if p.get("name", "").startswith("dropspot_"):
        print(p["id"])' | sort -n
}
pid_prog_ids() {
	grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -n -u
}
