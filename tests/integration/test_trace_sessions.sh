#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Two `trace --ping` sessions at once from the same guest, through the same
# points, with the same sequence numbers and timing: one to a target with
# no route on the host (every probe lost), one to a live target.  Each
# session counts only its own probes (its random echo id and data tag):
# the healthy one exits 0 with 4/4 answered, the other exits 1 with 4/4
# lost, and each saved pcapng gives its own session's verdict offline.
# Then probes the guest's kernel refuses to send are counted, not dropped,
# and the saved pcapng records them, so analyze of it counts them too.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init

lab_topo_nat
tr_points "$LAB_HOST" tap0 virbr0 up0
mapfile -t ARGS < <(_tr_args)

session() {	# NAME TARGET: in the background, report in $LAB_DIR/NAME.json
	"$DROPSPOT" trace --json "${ARGS[@]}" --ping "$2" --from "$LAB_GUEST" \
		-c 4 --interval 0.2 -w "$LAB_DIR/$1.pcapng" \
		>"$LAB_DIR/$1.json" 2>"$LAB_DIR/$1.err" &
}

session dead 198.51.100.1
dead_pid=$!
session live "$LAB_WAN_IP"
live_pid=$!
wait "$dead_pid"
dead_rc=$?
wait "$live_pid"
live_rc=$?
cat "$LAB_DIR/dead.err" "$LAB_DIR/live.err" >&2
[ "$live_rc" = 0 ] || lab_die "the healthy session exited $live_rc, want 0"
[ "$dead_rc" = 1 ] || lab_die "the failing session exited $dead_rc, want 1"

for name in live dead; do
	"$DROPSPOT" analyze --json "$LAB_DIR/$name.pcapng" \
		>"$LAB_DIR/$name-file.json" 2>/dev/null
	rc=$?
	want=$([ "$name" = live ] && echo 0 || echo 1)
	[ "$rc" = "$want" ] || lab_die "analyze of the $name session's file exited $rc, want $want"
done
for f in live live-file; do
	_tr_expect_in "$LAB_DIR/$f.json" "healthy session: its own 4 probes, all answered" \
		'.summary.probes == 4 and .summary.answered == 4 and .summary.lost == 0 and
		 (.flows | length) == 1 and .summary.other_pings_ignored > 0'
done
for f in dead dead-file; do
	_tr_expect_in "$LAB_DIR/$f.json" "failing session: its own 4 probes, all lost" \
		'.summary.probes == 4 and .summary.answered == 0 and .summary.lost == 4 and
		 (.flows | length) == 1 and (.flows[0].dst == "198.51.100.1")'
done

"$DROPSPOT" analyze --json --all-pings "$LAB_DIR/live.pcapng" \
	>"$LAB_DIR/all.json" 2>/dev/null
_tr_expect_in "$LAB_DIR/all.json" "--all-pings: both sessions' probes, two flows" \
	'.summary.probes == 8 and (.flows | length) == 2 and .summary.other_pings_ignored == 0'

# ---- probes the sender's kernel refuses to send ----
lab_ip "$LAB_GUEST" route add unreachable 198.18.0.0/15 ||
	lab_die "unreachable route in the guest"
tr_trace --ping 198.18.0.1 --from "$LAB_GUEST" -c 3 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (nothing could be sent)"
_tr_expect_in "$TR_JSON_LIVE" "unsent probes counted as lost, with the error" \
	'.summary.probes == 3 and .summary.lost == 3 and .summary.unsent == 3 and
	 (.verdict | test("^3/3 probes lost: 3 of 3 probes could not be sent")) and
	 any(.findings[]; .kind == "drop" and (.details.send_error | length) > 0)'
# the saved file records them (its section comment), so analyze agrees
_tr_expect_in "$TR_JSON_FILE" "analyze of the saved file: the same unsent probes" \
	'.summary.probes == 3 and .summary.lost == 3 and .summary.unsent == 3 and
	 (.verdict | test("^3/3 probes lost: 3 of 3 probes could not be sent")) and
	 any(.findings[]; .kind == "drop" and (.details.send_error | length) > 0)'
tr_same
# Wireshark's tools read the comment (and the file) as they are
if command -v capinfos >/dev/null; then
	capinfos "$LAB_DIR/trace.pcapng" 2>/dev/null | grep -q 'dropspot-session unsent=00000003 errno=' ||
		lab_die "capinfos does not show the unsent count in the section comment"
fi
grep -q 'probe 1 not sent' "$TR_JSON_LIVE.err" ||
	lab_die "no per-probe 'not sent' message: $(cat "$TR_JSON_LIVE.err")"
echo PASS
