#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Interface churn during `trace`: a watched veth (a guest's link, as a VM
# stop and start would do it) is deleted, then re-created with the same
# name, MAC and bridge.  The trace says when it went and came back; the
# saved pcapng closes its watch window with an ISB and opens a second one
# (a second IDB of the same name); probes sent while it was gone are not
# blamed on a drop between the bridge and it (it was not watched: missing
# evidence); losses after it came back (a guest firewall) are seen there;
# analyze of the file agrees; nothing of ours stays attached.
#
#   host ns  br0 10.80.0.1/24 ─┬─ vg0 ══veth══ eth0 10.80.0.2  guest ns
#                              └─ other0 ══veth══ eth0        other ns
set -u
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft bpftool python3
LAB_FAILED=0

lab_netns H host
lab_netns G guest
lab_bridge "$H" br0
# a fixed MAC, and a second port that stays: br0 keeps its address and its
# carrier while vg0 is gone, so the probes of the gap reach br0 and stop
ip -n "$H" link set br0 address 02:00:0a:50:00:01
lab_netns X other
lab_veth "$H" other0 "$X" eth0
lab_port "$H" br0 other0
lab_addr "$H" br0 10.80.0.1/24
MAC=02:00:0a:50:00:02

make_guest_link() {
	ip -n "$H" link add vg0 type veth peer name eth0 address "$MAC" netns "$G" ||
		lab_die "veth vg0"
	lab_port "$H" br0 vg0
	lab_addr "$G" eth0 10.80.0.2/24
}
make_guest_link


tr_points "$H" br0 vg0
tr_trace_bg --ping 10.80.0.2 --from "$H" --interval 0.1 -t 0.5 -d 7
ERR=$LAB_DIR/$TR_PID.err
ours=$(pid_prog_ids "$TR_PID")
sleep 1.2
ip -n "$H" link del vg0 || lab_die "link del vg0"
lab_wait_line "$ERR" 'vg0 in ns .* went away at .*; its watch window is closed' 3 ||
	lab_die "no message that vg0 went away: $(cat "$ERR")"
sleep 1.5
make_guest_link
lab_wait_line "$ERR" 'vg0 in ns .* came back at ' 3 ||
	lab_die "no message that vg0 came back: $(cat "$ERR")"
sleep 1.5
# the guest's firewall drops what reaches it from now on
lab_input_rule "$G" 'icmp type echo-request drop'
tr_trace_wait
expect "trace exit status (probes lost)" "$TR_RC" 1

# ---- the saved file: vg0 twice, its first window closed early ----
python3 - "$LAB_DIR/trace.pcapng" >"$LAB_DIR/windows.txt" <<'PY' ||
import struct, sys
data = open(sys.argv[1], 'rb').read()
off, ifs, out = 0, [], []
while off + 12 <= len(data):
    btype, blen = struct.unpack_from('<II', data, off)
    body = data[off + 8:off + blen - 4]
    if btype == 1:
        name, o = '', 8
        while o + 4 <= len(body):
            code, ln = struct.unpack_from('<HH', body, o)
            if code == 0:
                break
            if code == 2:
                name = body[o + 4:o + 4 + ln].decode()
            o += 4 + ((ln + 3) & ~3)
        ifs.append(name)
    elif btype == 5:
        ifid = struct.unpack_from('<I', body, 0)[0]
        start = end = 0
        o = 12
        while o + 4 <= len(body):
            code, ln = struct.unpack_from('<HH', body, o)
            if code == 0:
                break
            if code in (2, 3):
                hi, lo = struct.unpack_from('<II', body, o + 4)
                if code == 2:
                    start = hi << 32 | lo
                else:
                    end = hi << 32 | lo
            o += 4 + ((ln + 3) & ~3)
        out.append((ifs[ifid], ifid, start, end))
    off += blen
for name, ifid, start, end in out:
    print(name, ifid, start, end)
PY
	lab_die "cannot read the pcapng's blocks"
cat "$LAB_DIR/windows.txt"
expect "IDBs named vg0" "$(awk '$1 == "vg0"' "$LAB_DIR/windows.txt" | wc -l)" 2
# the first window of vg0 ends well before br0's (the end of the run)
read -r _ _ s1 e1 < <(awk '$1 == "vg0"' "$LAB_DIR/windows.txt" | head -1)
read -r _ _ s2 e2 < <(awk '$1 == "vg0"' "$LAB_DIR/windows.txt" | tail -1)
read -r _ _ _ eb < <(awk '$1 == "br0"' "$LAB_DIR/windows.txt")
gap_ms=$(( (s2 - e1) / 1000000 ))
early_ms=$(( (eb - e1) / 1000000 ))
[ "$gap_ms" -ge 1000 ] && [ "$gap_ms" -le 4000 ] ||
	expect "vg0's two windows: a gap of 1-4 s" "$gap_ms ms" "1000-4000 ms"
[ "$early_ms" -ge 3000 ] ||
	expect "vg0's first window closed >= 3 s before the end" "$early_ms ms" ">= 3000 ms"
[ "$e2" = "$eb" ] || expect "vg0's second window ends with the run" "$e2" "$eb"
if command -v tshark >/dev/null; then
	expect "tshark: frames on both vg0 interfaces" \
		"$(tshark -r "$LAB_DIR/trace.pcapng" -T fields -e frame.interface_id \
			-Y 'frame.interface_name == "vg0"' 2>/dev/null | sort -u | wc -l)" 2
fi

# ---- the verdicts, live and offline ----
# no loss located between br0 and vg0: those probes went while vg0 was gone
tr_expect "no loss blamed on a drop between br0 and vg0" \
	'[.findings[] | select(.kind == "drop" and .location.after_name == "br0" and
	   .location.before_name == "vg0")] | length == 0'
tr_expect "the probes of the gap: vg0 was not watched, evidence incomplete" \
	'any(.findings[]; .kind == "evidence_incomplete" and
	     .location.after_name == "br0" and .location.before_name == "vg0")'
tr_expect "losses after vg0 came back are seen past vg0" \
	'any(.findings[]; .kind == "drop" and .location.after_name == "vg0")'
tr_expect "probes answered before and between" '.summary.answered >= 15'
# live and offline: the same counts and the same findings where they were
# (the verdict's wording of probes cut by the end of a -d run may differ)
q='[.summary, [.findings[] | {kind, location}]]'
diff <(jq -S "$q" "$TR_JSON_LIVE") <(jq -S "$q" "$TR_JSON_FILE") >&2 ||
	lab_die "trace and analyze of its pcapng disagree (above: < live, > file)"
echo "ok: trace and analyze of its pcapng agree"

# ---- nothing of ours left ----
for ((i = 0; i < 30; i++)); do
	left=$(comm -12 <(echo "$ours") <(our_prog_ids) | grep -c .)
	[ "$left" = 0 ] && break
	sleep 0.1
done
expect "programs of ours left" "$left" 0
for ifc in br0 vg0; do
	expect "bpftool net entries on $ifc" \
		"$(ip netns exec "$H" bpftool net show dev "$ifc" 2>/dev/null | grep -c dropspot)" 0
	expect "XDP on $ifc" "$(ip -n "$H" -d link show dev "$ifc" | grep -c prog/xdp)" 0
done
# ---- capture -w follows the same churn ----
"$DROPSPOT" capture -i "$H/vg0" --no-print --no-summary -w "$LAB_DIR/cap.pcapng" \
	2>"$LAB_DIR/cap.err" &
cap=$!
LAB_PIDS+=("$cap")
lab_wait_line "$LAB_DIR/cap.err" 'watching' 10 || lab_die "capture did not start"
lab_exec "$G" ping -c 2 -i 0.2 10.80.0.1 >/dev/null 2>&1
ip -n "$H" link del vg0 || lab_die "link del vg0"
lab_wait_line "$LAB_DIR/cap.err" 'vg0 in ns .* went away at .*; its watch window is closed' 3 ||
	lab_die "capture: no message that vg0 went away: $(cat "$LAB_DIR/cap.err")"
make_guest_link
lab_wait_line "$LAB_DIR/cap.err" 'vg0 in ns .* came back at ' 3 ||
	lab_die "capture: no message that vg0 came back: $(cat "$LAB_DIR/cap.err")"
lab_exec "$G" ping -c 2 -i 0.2 10.80.0.1 >/dev/null 2>&1
cap_stop "$cap" INT
expect "capture exit status" "$?" 0
if command -v tshark >/dev/null; then
	expect "capture's file: two vg0 interfaces with frames" \
		"$(tshark -r "$LAB_DIR/cap.pcapng" -T fields -e frame.interface_id 2>/dev/null |
			sort -u | wc -l)" 2
fi
"$DROPSPOT" analyze --json "$LAB_DIR/cap.pcapng" >"$LAB_DIR/cap.json" 2>/dev/null
expect "analyze of capture's file: one point vg0" \
	"$(jq '[.points[] | select(.name == "vg0")] | length' "$LAB_DIR/cap.json")" 1

[ "$LAB_FAILED" = 0 ] || exit 1
echo PASS
