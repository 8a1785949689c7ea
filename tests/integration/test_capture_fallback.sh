#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One point never ends a live run.  In the bridged lab:
#  - another program in tap0's own XDP slot (generic, then native): the
#    message names tap0 itself (not its master br0), tap0 falls back to TC
#    ingress and still sees every frame both ways;
#  - XDP on the master br0: the message names br0;
#  - a point whose TC hooks are full (tests/tools/tcx_fill): every hook
#    refused at attach time, reported once, not watched; one whose egress
#    is full: watched in, its sent frames not;
#  - a point that names no interface: reported once as not watched, the
#    capture and the trace go on over the others, the trace's report says
#    "not watched"; only a run with no point watched exits 2.
# (cap_start waits for "watching" on stderr: a fallback message must not
# say it before every point is attached.)
# The foreign programs are held through bpf_links by tests/tools/xdp_hold,
# so they go away with it (killed by the lab's cleanup on any exit).
set -u
. "${DROPSPOT_SRC:?}/lab/lib.sh"
. "$DROPSPOT_SRC/lab/capture.sh"
LAB_TESTBIN=${DROPSPOT_TESTBIN:-}
lab_init ping jq nft bpftool
LAB_FAILED=0
HOLD=${LAB_TESTBIN:+$LAB_TESTBIN/}xdp_hold
[ -x "$HOLD" ] || lab_skip "xdp_hold helper not built ($HOLD)"
[ -x "${LAB_TESTBIN:+$LAB_TESTBIN/}tcx_fill" ] || lab_skip "tcx_fill helper not built"
lab_topo_bridged
G=$LAB_GUEST H=$LAB_HOST P=$LAB_PEER
N=4
to_peer="IP $LAB_GUEST_IP > $LAB_PEER_IP .*echo request"
from_peer="IP $LAB_PEER_IP > $LAB_GUEST_IP .*echo reply"

# hold VAR NS IFNAME MODE: a foreign XDP program on NS/IFNAME while VAR's
# pid lives; HOLD_ID gets its program id.
hold() {
	local _h_var=$1 _h_pid
	lab_bg _h_pid "$2" "$HOLD" "$3" "$4"
	lab_wait_line "$LAB_DIR/$_h_pid.out" '^ready' 10 ||
		lab_die "xdp_hold $3 $4: $(cat "$LAB_DIR/$_h_pid.err")"
	HOLD_ID=$(awk '/^ready/ { print $3 }' "$LAB_DIR/$_h_pid.out")
	printf -v "$_h_var" '%s' "$_h_pid"
}
unhold() {
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
xdp_count() {	# ns ifname -> XDP programs attached
	ip -n "$1" -d link show dev "$2" | grep -c "prog/xdp"
}

# the path settled (neighbours, bridge fdb) before anything is counted
lab_exec "$G" ping -q -c 2 -i 0.2 -W 2 "$LAB_PEER_IP" >/dev/null || lab_die "warm-up ping"

# ---- foreign XDP in tap0's own slot: generic (the kernel answers EEXIST,
# once misread as "master device"), then native (EBUSY) ----
for mode in skb drv; do
	hold holder "$H" tap0 $mode
	cap_start cap "" -i "$H/tap0,$H/up0" -f icmp
	got=$(lab_exec "$G" ping -q -c $N -i 0.2 -W 2 "$LAB_PEER_IP" |
		awk '/received/ { print $4 }')
	expect "$mode: replies ping got" "${got:-0}" $N
	sleep 0.3
	cap_stop "$cap"
	expect "$mode: capture exit status" $? 0
	err=$(cat "$LAB_DIR/$cap.err")
	echo "$err" | grep -q "XDP slot of $H/tap0 is taken by another program (id $HOLD_ID); using TC ingress instead" &&
		r=yes || r=no
	expect "$mode: message names tap0 and program $HOLD_ID ($err)" $r yes
	echo "$err" | grep -q "master" && r=yes || r=no
	expect "$mode: no word of a master" $r no
	out=$LAB_DIR/$cap.out
	expect "$mode: tap0 in (TC fallback)" "$(cap_count "$out" "$H/tap0" in "$to_peer")" $N
	expect "$mode: tap0 out" "$(cap_count "$out" "$H/tap0" out "$from_peer")" $N
	expect "$mode: up0 out (attached after the fallback)" \
		"$(cap_count "$out" "$H/up0" out "$to_peer")" $N
	expect "$mode: foreign program still there" "$(xdp_count "$H" tap0)" 1
	unhold "$holder"
	expect "$mode: nothing left on tap0" "$(xdp_count "$H" tap0)" 0
done

# ---- XDP on the master: the message names br0 ----
hold holder "$H" br0 skb
cap_start cap "" -i "$H/tap0" -f icmp
lab_exec "$G" ping -q -c $N -i 0.2 -W 2 "$LAB_PEER_IP" >/dev/null || lab_die "ping peer (master)"
sleep 0.3
cap_stop "$cap"
expect "master: capture exit status" $? 0
err=$(cat "$LAB_DIR/$cap.err")
echo "$err" | grep -q "$H/tap0: its master device has an XDP program (br0, id $HOLD_ID); using TC ingress instead" &&
	r=yes || r=no
expect "master: message names br0 ($err)" $r yes
expect "master: tap0 in" "$(cap_count "$LAB_DIR/$cap.out" "$H/tap0" in "$to_peer")" $N
unhold "$holder"

# ---- a point that cannot be watched at all: the run goes on ----
cap_start cap "" -i "$H/tap0,$H/nosuch0,$H/up0" -f icmp
lab_exec "$G" ping -q -c $N -i 0.2 -W 2 "$LAB_PEER_IP" >/dev/null || lab_die "ping peer (blind)"
sleep 0.3
cap_stop "$cap"
expect "blind point: capture exit status" $? 0
err=$(cat "$LAB_DIR/$cap.err")
expect "blind point: reported once ($err)" \
	"$(echo "$err" | grep -c "$H/nosuch0 not watched: unknown interface")" 1
expect "blind point: tap0 in" "$(cap_count "$LAB_DIR/$cap.out" "$H/tap0" in "$to_peer")" $N
expect "blind point: up0 out" "$(cap_count "$LAB_DIR/$cap.out" "$H/up0" out "$to_peer")" $N

# no point watched: exit 2, and said so
err=$("$DROPSPOT" capture -i "$H/nosuch0,$H/nosuch1" --duration 1 2>&1 >/dev/null)
expect "no point watched: exit status" $? 2
echo "$err" | grep -q "no point could be watched" && r=yes || r=no
expect "no point watched: message ($err)" $r yes

# ---- every hook refused at attach time: up0's TC hooks are full (a
# helper holds as many tcx links as the kernel takes): up0 is reported
# once, not watched, and tap0 still watched; tap0 with its egress full
# keeps XDP for frames received and says its sent frames are not watched.
FILL=${LAB_TESTBIN:+$LAB_TESTBIN/}tcx_fill
lab_bg filler "$H" "$FILL" up0 both
lab_wait_line "$LAB_DIR/$filler.out" '^ready' 10 ||
	lab_die "tcx_fill up0: $(cat "$LAB_DIR/$filler.err")"
lab_bg filler2 "$H" "$FILL" tap0 out
lab_wait_line "$LAB_DIR/$filler2.out" '^ready' 10 ||
	lab_die "tcx_fill tap0: $(cat "$LAB_DIR/$filler2.err")"
cap_start cap "" -i "$H/tap0,$H/up0,$P/eth0" -f icmp
lab_exec "$G" ping -q -c $N -i 0.2 -W 2 "$LAB_PEER_IP" >/dev/null || lab_die "ping peer (full)"
sleep 0.3
cap_stop "$cap"
expect "hooks full: capture exit status" $? 0
err=$(cat "$LAB_DIR/$cap.err")
expect "hooks full: up0 reported once ($err)" \
	"$(echo "$err" | grep -c "$H/up0 not watched: cannot attach tcx ingress link to $H/up0: .*; cannot attach tcx egress link")" 1
expect "hooks full: tap0 egress said" \
	"$(echo "$err" | grep -c "$H/tap0: frames it sends are not watched: cannot attach tcx egress link")" 1
out=$LAB_DIR/$cap.out
expect "hooks full: tap0 in (XDP)" "$(cap_count "$out" "$H/tap0" in "$to_peer")" $N
expect "hooks full: tap0 out (not watched)" "$(cap_count "$out" "$H/tap0" out "$from_peer")" 0
expect "hooks full: peer eth0 in" "$(cap_count "$out" "$P/eth0" in "$to_peer")" $N
expect "hooks full: nothing of up0" "$(awk -v p="$H/up0" '$2 == p' "$out" | grep -c echo)" 0
rep=$LAB_DIR/full.json
"$DROPSPOT" trace --json --no-drops -i "$H/tap0,$H/up0,$P/eth0" --ping "$LAB_PEER_IP" \
	--from "$G" -c 2 --interval 0.2 >"$rep" 2>"$rep.err"
rc=$?
cat "$rep.err"
jq -r '.verdict' "$rep"
[ $rc = 0 ] || [ $rc = 1 ] && r=yes || r=no
expect "hooks full: trace exit status $rc is 0 or 1" $r yes
expect "hooks full: trace marks the points" \
	"$(jq -r '[.points[] | select(.not_watched) | "\(.name)=\(.not_watched)"] | join(",")' "$rep" 2>/dev/null)" \
	"tap0=out,up0=both"
# the replies leave through tap0's unwatched egress: missing evidence at
# tap0, never a drop; the probe socket got them, so they are answered
expect "hooks full: replies unseen at tap0, received by the socket: answered" \
	"$(jq -r '"\(.summary.answered) \([.findings[] | select(.kind == "drop")] | length)"' "$rep" 2>/dev/null)" \
	"2 0"
unhold "$filler"
unhold "$filler2"
# (this bpftool may predate tcx: count the helpers' programs instead,
# freed once the kernel let go of their links)
for ((i = 0; i < 30; i++)); do
	left=$(bpftool prog show 2>/dev/null | grep -c lab_tcx_fill)
	[ "$left" = 0 ] && break
	sleep 0.1
done
expect "hooks full: helpers' programs gone" "$left" 0

# trace: the peer drops the requests, its interface is given by a name
# that does not exist.  The run goes on; the report lists that point as
# not watched and, without kernel drops to say more, does not call the
# loss a drop: the next point's silence is missing evidence.
lab_input_rule "$P" 'icmp type echo-request drop'
rep=$LAB_DIR/trace.json
"$DROPSPOT" trace --json --no-drops -i "$H/tap0,$H/up0,$P/nosuch0" --ping "$LAB_PEER_IP" \
	--from "$G" -c 2 --interval 0.2 -w "$LAB_DIR/blind.pcapng" >"$rep" 2>"$rep.err"
rc=$?
cat "$rep.err"
[ $rc = 0 ] || [ $rc = 1 ] && r=yes || r=no
expect "trace with a blind point: exit status $rc is 0 or 1" $r yes
expect "trace: blind point reported once" \
	"$(grep -c "$P/nosuch0 not watched" "$rep.err")" 1
expect "trace: report marks it not watched" \
	"$(jq -r '[.points[] | select(.not_watched == "both") | .name] | join(",")' "$rep" 2>/dev/null)" \
	"nosuch0"
jq -r '.verdict' "$rep"
expect "trace: loss is evidence incomplete, not a drop" \
	"$(jq -r '[.findings[].kind] | map(select(. == "drop" or . == "evidence_incomplete")) | join(",")' "$rep" 2>/dev/null)" \
	evidence_incomplete
expect "trace: both probes sent, none answered" \
	"$(jq -r '"\(.summary.probes) \(.summary.answered)"' "$rep" 2>/dev/null)" "2 0"
# the saved file says so too: analyze reads the point as not watched
"$DROPSPOT" analyze --json "$LAB_DIR/blind.pcapng" >"$rep.file" 2>/dev/null
expect "trace's file: analyze marks it not watched" \
	"$(jq -r '[.points[] | select(.not_watched == "both") | .name] | join(",")' "$rep.file" 2>/dev/null)" \
	"nosuch0"
expect "trace's file: loss is evidence incomplete, not a drop" \
	"$(jq -r '[.findings[].kind] | map(select(. == "drop" or . == "evidence_incomplete")) | join(",")' "$rep.file" 2>/dev/null)" \
	evidence_incomplete
"$DROPSPOT" trace -i "$H/tap0,$H/up0,$P/nosuch0" --ping "$LAB_PEER_IP" \
	--from "$G" -c 1 --interval 0.2 >"$rep.txt" 2>/dev/null
grep -E "^ +nosuch0|not watched" "$rep.txt" | head -3
grep -q "not watched" "$rep.txt" && r=yes || r=no
expect "trace: text report says not watched" $r yes
"$DROPSPOT" trace -i "$H/nosuch0,$P/nosuch1" --ping "$LAB_PEER_IP" --from "$G" \
	-c 1 >/dev/null 2>&1
expect "trace with no point watched: exit status" $? 2
exit $LAB_FAILED
