#!/bin/bash
# The real-VM lab itself (lab/vm.sh): every way a VM run can end must end
# cleanly and leave nothing behind — a wait that times out kills QEMU by
# its PID; a guest left alone powers itself off at its deadline; a QEMU
# that cannot start is reported at once; and a lab script killed by
# SIGTERM or SIGINT mid-boot removes its QEMU, tap, bridge and netns.
set -u
. "${DROPSPOT_SRC:?}/tests/integration/vm_lib.sh"
vt_init
vt_hostonly 10.85.0

alive() { kill -0 "$1" 2>/dev/null && echo alive || echo gone; }

# 1. vm_wait times out: QEMU is killed by PID, vm_wait fails.
vm_start slow --netns "$H" --tap tap0 --nic virtio --ip 10.85.0.2/24 \
	--ping 10.85.0.1,100,56,1 --deadline 120
t0=$SECONDS
vm_wait slow 2 >/dev/null 2>&1
expect "vm_wait status on timeout" $? 1
pid=${VM_PID[slow]}
expect "QEMU after the timeout" "$(alive "$pid")" gone
vt_expect_min "seconds vm_wait took (<= 6)" $((6 - (SECONDS - t0))) 0

# 2. Nobody kills it: the guest's own deadline powers it off.
vm_start orphan --netns "$H" --tap tap0 --nic e1000 --ip 10.85.0.2/24 \
	--ping 10.85.0.1,100,56,1 --deadline 2
res=$(vm_wait orphan 40 2>/dev/null)
expect "guest deadline result rc" "$(vm_field "$res" rc)" -2
expect "QEMU after the guest deadline" "$(alive "${VM_PID[orphan]}")" gone

# 3. QEMU refuses to start: reported at once, not after the timeout.
t0=$SECONDS
vm_start broken --netns "$H" --tap tap0 --nic virtio --ip 10.85.0.2/24 \
	--ping 10.85.0.1,1,56 --mac not-a-mac
vm_wait broken 30 >/dev/null 2>&1
expect "vm_wait status when QEMU fails" $? 1
vt_expect_min "seconds to notice (<= 5)" $((5 - (SECONDS - t0))) 0

# 4. A lab script killed mid-boot, with its tap and bridge in our own
# netns (deleted by name) and QEMU started from it: nothing survives.
child=$LAB_DIR/child.sh
cat >"$child" <<'CHILD'
set -u
. "$DROPSPOT_SRC/lab/lib.sh"
. "$DROPSPOT_SRC/lab/vm.sh"
vm_prepare 2>/dev/null || exit 77
lab_init
br=$(lab_ifname vtbr) tap=$(lab_ifname vttap)
lab_bridge "" "$br"
vm_tap "" "$tap" "$br"
vm_start k --tap "$tap" --nic virtio --ip 10.86.0.2/24 \
	--ping 10.86.0.1,100,56,1 --deadline 120 2>/dev/null
echo "$br $tap ${VM_PID[k]} $LAB_DIR" >"$1"
vm_wait k 100 >/dev/null 2>&1
CHILD
for sig in TERM INT; do
	info=$LAB_DIR/child.$sig
	# job control on: a background job of a script ignores SIGINT otherwise
	set -m
	bash "$child" "$info" &
	cpid=$!
	set +m
	LAB_PIDS+=("$cpid")
	lab_wait_line "$info" . 20 || lab_die "child lab did not start"
	read -r br tap qpid cdir <"$info"
	expect "$sig: QEMU running before" "$(alive "$qpid")" alive
	sleep 1
	kill -"$sig" "$cpid"
	for _ in $(seq 50); do [ "$(alive "$cpid")" = gone ] && break; sleep 0.1; done
	expect "$sig: lab script ended" "$(alive "$cpid")" gone
	for _ in $(seq 50); do [ "$(alive "$qpid")" = gone ] && break; sleep 0.1; done
	expect "$sig: QEMU after" "$(alive "$qpid")" gone
	ip link show "$tap" >/dev/null 2>&1 && r=present || r=deleted
	expect "$sig: tap $tap" $r deleted
	ip link show "$br" >/dev/null 2>&1 && r=present || r=deleted
	expect "$sig: bridge $br" $r deleted
	[ -d "$cdir" ] && r=present || r=deleted
	expect "$sig: lab dir" $r deleted
done

exit $LAB_FAILED
