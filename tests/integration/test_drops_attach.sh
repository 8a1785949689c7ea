#!/bin/bash
# The kfree_skb program passes this kernel's verifier, attaches through a
# link (tp 'kfree_skb') and leaves nothing behind: neither after a normal
# exit nor after SIGKILL (the link dies with the process).
. "$(dirname "$0")/drops_lib.sh"

# Program ids of loaded dropspot kfree_skb programs, one per line.
progs() {
	bpftool -j prog show 2>/dev/null | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    if p.get("name", "").startswith("dropspot_kfree"):
        print(p["id"])'
}
# Program ids the process $1 holds (its fds' fdinfo), one per line: ours
# exactly, whatever else is loaded on the machine.
held_progs() {
	grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -u
}
# Whether a link attaches program $1 to the kfree_skb tracepoint.
linked() {
	bpftool link show 2>/dev/null | grep -A1 -E "prog $1( |$)" | grep -q "'kfree_skb'"
}

for how in TERM KILL; do
	"$WATCH" -t 60 >"$WATCH_OUT" 2>&1 &
	WATCH_PID=$!
	for i in $(seq 50); do grep -q '^ready' "$WATCH_OUT" && break; sleep 0.1; done
	grep -q '^ready' "$WATCH_OUT" || {
		grep -q unavailable "$WATCH_OUT" && { cat "$WATCH_OUT"; skip "drop attribution unavailable"; }
		fail "drops_watch did not attach"
	}
	new=$(comm -12 <(held_progs "$WATCH_PID") <(progs | sort))
	[ "$(echo "$new" | grep -c .)" = 1 ] || fail "expected one kfree_skb program held by drops_watch, got '$new'"
	linked "$new" || fail "program $new is not linked to tp kfree_skb"
	echo "SIG$how: program $new loaded and linked to kfree_skb"
	kill -"$how" "$WATCH_PID"
	wait "$WATCH_PID" 2>/dev/null
	WATCH_PID=
	if [ "$how" = TERM ]; then
		grep -q '^stats ' "$WATCH_OUT" || fail "no stats after SIGTERM"
	fi
	# The kernel frees the program once the link and fds are gone.
	for i in $(seq 100); do progs | grep -qx "$new" || break; sleep 0.1; done
	progs | grep -qx "$new" && fail "program $new outlived the process (SIG$how)"
	linked "$new" && fail "link of $new outlived the process (SIG$how)"
done
echo PASS
