# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers for the real-VM scenario tests (test_vm_*.sh): a QEMU guest on a
# tap that is a port of a lab bridge (lab/vm.sh), watched live by
# `dropspot trace --auto` from the host side, as an operator would run it.
#
#   . "$DROPSPOT_SRC/tests/integration/vm_lib.sh"
#   vt_init                         # exit 77 (with the reason) if no VM lab
#   vt_hostonly 10.81.0             # $H netns: br0 10.81.0.1/24 + tap0
#   vt_trace_start tr 10.81.0.2 "$LAB_DIR/f.pcapng"   # discovers tap0, br0
#   vm_start g --netns "$H" --tap tap0 --nic virtio --ip 10.81.0.2/24 ...
#   vt_guest_result g 40            # -> $VT_RES "sent=5 received=5 rc=0"
#   vt_trace_done "$tr" "$LAB_DIR/f.pcapng"   # live report + f.pcapng.txt
#   vt_analyze "$LAB_DIR/f.pcapng"
#   vt_verdict_both "all answered" "$LAB_DIR/f.pcapng" '.summary.lost == 0'
#
# The place where verdicts are asserted, live and from the saved pcapng,
# is marked "VERDICT" in each test.

. "$DROPSPOT_SRC/lab/lib.sh"
. "$DROPSPOT_SRC/lab/capture.sh"
. "$DROPSPOT_SRC/lab/vm.sh"

LAB_FAILED=0

vt_init() {
	: "${DROPSPOT:?DROPSPOT must name the dropspot binary}"
	[ "$(id -u)" = 0 ] || lab_skip "needs root"
	# Download once (cached); no QEMU or packages means skipped, never
	# passed, and the reason is printed.
	vm_prepare || lab_skip "real-VM lab unavailable: $VM_SKIP_REASON"
	"$DROPSPOT" capture --help >/dev/null 2>&1 ||
		lab_skip "dropspot capture not available"
	lab_init jq "$@"
}

# vt_hostonly PREFIX: netns $H with bridge br0 PREFIX.1/24 and the guest's
# persistent tap tap0 as its port (host-only network, libvirt style).
vt_hostonly() {
	lab_netns H host
	lab_bridge "$H" br0
	lab_addr "$H" br0 "$1.1/24"
	vm_tap "$H" tap0 br0
}

# vt_nat: libvirt's default NAT network around the guest's tap:
#   $H: virbr0 192.168.122.1/24 + tap0; up0 203.0.113.1/24 == $W eth0 .2
# with forwarding and nftables masquerade out of up0.
vt_nat() {
	lab_require nft
	lab_netns H host
	lab_netns W wan
	lab_bridge "$H" virbr0
	lab_addr "$H" virbr0 192.168.122.1/24
	vm_tap "$H" tap0 virbr0
	lab_veth "$H" up0 "$W" eth0
	lab_addr "$H" up0 203.0.113.1/24
	lab_addr "$W" eth0 203.0.113.2/24
	lab_exec "$H" sysctl -qw net.ipv4.ip_forward=1
	lab_exec "$H" nft -f - <<-NFT || lab_die "nft masquerade"
		table ip dslab {
			chain post {
				type nat hook postrouting priority srcnat;
				ip saddr 192.168.122.0/24 oifname "up0" masquerade
			}
		}
	NFT
}

# vt_guest_result NAME TIMEOUT: vm_wait into $VT_RES ("sent=N received=M
# rc=R"); no result, or a guest that could not run its ping, fails the
# test at once (called in this shell, not in $(...), so that it can).
vt_guest_result() {
	VT_RES=$(vm_wait "$1" "$2") || lab_die "guest $1 gave no result"
	vm_serial "$1" | grep -aE '^(ping:|DROPSPOT)' | sed 's/^/  guest| /' >&2
	# rc < 0: the guest could not even run its ping (driver, address...)
	case $(vm_field "$VT_RES" rc) in
	-*) lab_die "guest $1 failed: $(vm_serial "$1" | grep -a 'DROPSPOT-VM-ERROR')" ;;
	esac
	return 0
}

# vt_expect_count NAME FILE POINT DIR REGEX WANT: counts printed frames
# (of `dropspot capture` or `dropspot dissect`) and records a failure.
vt_expect_count() {
	expect "$1" "$(cap_count "$2" "$3" "$4" "$5")" "$6"
}

# vt_expect_min NAME GOT MIN
vt_expect_min() {
	if [ "$2" -ge "$3" ] 2>/dev/null; then
		echo "ok   $1 = $2 (>= $3)"
	else
		echo "FAIL $1 = $2, want >= $3"
		LAB_FAILED=1
	fi
}

# vt_dissect FILE: the pcapng written by the capture, printed again by
# `dropspot dissect` into FILE.txt (points are named FILE:IFNAME there).
# With DROPSPOT_VM_KEEP=DIR the pcapng is also copied there (to look at
# a failed run, or to make samples).
vt_dissect() {
	[ -n "${DROPSPOT_VM_KEEP:-}" ] && cp "$1" "$DROPSPOT_VM_KEEP/"
	"$DROPSPOT" dissect --no-summary "$1" >"$1.txt" 2>"$1.err" ||
		{ echo "FAIL dissect $1: $(cat "$1.err")"; LAB_FAILED=1; }
	vt_no_sanitizer_report dissect "$1.err"
}

# vt_analyze FILE: `dropspot analyze --json` of the scenario's pcapng into
# FILE.json (exit status 0 = all answered, 1 = problem found: both fine
# here, the assertions below decide), text report shown for the log.
vt_analyze() {
	"$DROPSPOT" analyze --no-color "$1" 2>&1 | sed -n '1p' | sed 's/^/  verdict| /'
	"$DROPSPOT" analyze --json "$1" >"$1.json" 2>"$1.json.err"
	case $? in
	0 | 1) ;;
	*) echo "FAIL analyze $1: $(cat "$1.json.err")"; LAB_FAILED=1 ;;
	esac
	vt_no_sanitizer_report "analyze" "$1.json.err"
}

# vt_no_sanitizer_report WHAT FILE: an ASan/UBSan report in a stderr is a
# failure even when the exit status looks fine (analyze's 1 = "problem").
vt_no_sanitizer_report() {
	if grep -qE 'Sanitizer|runtime error:' "$2" 2>/dev/null; then
		echo "FAIL $1: sanitizer report:"
		head -30 "$2"
		LAB_FAILED=1
	fi
}

# vt_verdict NAME FILE JQ-EXPR: the report (docs/report-schema.md) must
# make JQ-EXPR true.
vt_verdict() {
	if jq -e "$3" "$2.json" >/dev/null 2>&1; then
		echo "ok   verdict: $1"
	else
		echo "FAIL verdict: $1 ($3)"
		jq -c '{verdict, summary, findings: [.findings[] | {kind, location}]}' \
			"$2.json" 2>&1 | head -c 2000
		echo
		LAB_FAILED=1
	fi
}

# vt_trace_start VAR TARGETS PCAPNG: `dropspot trace --auto TARGETS` run as
# an operator would, from the host's side ($H): it discovers the tap and
# the bridge (and the uplink, for an outside target) itself, follows the
# guest's own ping passively, and saves everything to PCAPNG.
vt_trace_start() {
	ds_start "$1" "" trace --json --auto "$2" --from "$H" -w "$3"
}

# vt_trace_done PID PCAPNG: stops the trace once the guest's last probes
# have had their reply window, checks that it ended well and lost nothing,
# keeps its live report as PCAPNG.live.json and the saved file's frames,
# printed by dissect, in PCAPNG.txt.
vt_trace_done() {
	local pid=$1 rc
	sleep 1.2
	cap_stop "$pid"
	rc=$?
	case $rc in
	0 | 1) echo "ok   trace exit status $rc" ;;
	*) echo "FAIL trace exit status $rc: $(tail -3 "$LAB_DIR/$pid.err")"; LAB_FAILED=1 ;;
	esac
	vt_no_sanitizer_report trace "$LAB_DIR/$pid.err"
	grep -a 'watching' "$LAB_DIR/$pid.err" | sed 's/^/  trace| /'
	cp "$LAB_DIR/$pid.out" "$2.live.json"
	expect "trace lost frames" \
		"$(jq '[.points[].capture_drops // 0] | add' "$2.live.json" 2>&1)" 0
	vt_dissect "$2"
}

# vt_verdict_both NAME PCAPNG JQ: the same verdict live (trace) and from
# the saved file (analyze).
vt_verdict_both() {
	vt_verdict "$1 (trace, live)" "$2.live" "$3"
	vt_verdict "$1 (analyze, saved pcapng)" "$2" "$3"
}
