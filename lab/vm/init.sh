#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the real-VM lab guest (busybox-static, runs as PID 1 from the
# initramfs that lab/vm.sh builds).  It loads the NIC driver chosen on the
# kernel command line, configures the address, routes and gateway given
# there, runs one ping and prints a single result line on the serial
# console, then powers the VM off.  Parameters (kernel command line):
#
#   dropspot.nic=virtio|e1000        driver chain to load (/etc/dropspot/)
#   dropspot.ip=A.B.C.D/LEN          guest address
#   dropspot.gw=A.B.C.D              optional default gateway
#   dropspot.route=NET/LEN,VIA       optional extra route, repeatable
#   dropspot.ping=TARGET,COUNT,SIZE[,INTERVAL]
#   dropspot.deadline=SECONDS        hard stop: the VM powers itself off
#                                    even if nobody waits for it
#   dropspot.delay=SECONDS           pause between link up and the ping
#
# Output markers (one line each, parsed by vm_wait):
#   DROPSPOT-VM-READY: if=eth0 mac=... ip=...
#   DROPSPOT-VM-RESULT: sent=N received=M rc=RC
#   DROPSPOT-VM-ERROR: what went wrong   (followed by a RESULT with rc=-1)

/bin/busybox mkdir -p /proc /sys /dev /bin /sbin /usr/bin /usr/sbin /tmp
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null

say() { echo "$*" >/dev/console; }

finish() {
	sync
	poweroff -f
	# poweroff -f does not return; if it ever does, -no-reboot on the
	# host side still ends QEMU when the kernel panics on init's exit.
	exit 0
}

fail() {
	say "DROPSPOT-VM-ERROR: $*"
	say "DROPSPOT-VM-RESULT: sent=0 received=0 rc=-1"
	finish
}

nic="" ip="" gw="" ping="" deadline=60 delay=0 routes=""
for arg in $(cat /proc/cmdline); do
	case $arg in
	dropspot.nic=*) nic=${arg#*=} ;;
	dropspot.ip=*) ip=${arg#*=} ;;
	dropspot.gw=*) gw=${arg#*=} ;;
	dropspot.route=*) routes="$routes ${arg#*=}" ;;
	dropspot.ping=*) ping=${arg#*=} ;;
	dropspot.deadline=*) deadline=${arg#*=} ;;
	dropspot.delay=*) delay=${arg#*=} ;;
	esac
done

# Watchdog: an orphaned VM (its caller was killed) must still end.
(sleep "$deadline"; say "DROPSPOT-VM-ERROR: deadline ${deadline}s reached"
 say "DROPSPOT-VM-RESULT: sent=0 received=0 rc=-2"; finish) &

[ -n "$nic" ] || fail "no dropspot.nic"
[ -f "/etc/dropspot/modules-$nic" ] || fail "no driver list for nic $nic"
# The list is in load order (dependencies first), resolved on the host
# from modules.dep when the initramfs was built.
for m in $(cat "/etc/dropspot/modules-$nic"); do
	insmod "/lib/modules/$m" 2>/tmp/insmod.err ||
		grep -q 'File exists' /tmp/insmod.err ||
		fail "insmod $m: $(cat /tmp/insmod.err)"
done

# The driver probes asynchronously: wait for the interface to appear.
ifc=
i=0
while [ $i -lt 100 ]; do
	for d in /sys/class/net/*; do
		n=${d##*/}
		[ "$n" = lo ] || { ifc=$n; break; }
	done
	[ -n "$ifc" ] && break
	sleep 0.05
	i=$((i + 1))
done
[ -n "$ifc" ] || fail "no network interface after loading $nic"

ip link set lo up
ip link set "$ifc" up || fail "link up $ifc"
# e1000 reports carrier from a watchdog a moment after link up; frames
# sent before that are dropped in the guest, so wait for it.
i=0
while [ "$(cat /sys/class/net/$ifc/carrier 2>/dev/null)" != 1 ]; do
	[ $i -ge 100 ] && fail "no carrier on $ifc"
	sleep 0.05
	i=$((i + 1))
done
[ -n "$ip" ] && { ip addr add "$ip" dev "$ifc" || fail "addr $ip"; }
for r in $routes; do
	ip route add "${r%%,*}" via "${r#*,}" || fail "route $r"
done
[ -n "$gw" ] && { ip route add default via "$gw" || fail "gateway $gw"; }
say "DROPSPOT-VM-READY: if=$ifc mac=$(cat /sys/class/net/$ifc/address) ip=$ip gw=$gw"

[ -n "$ping" ] || fail "no dropspot.ping"
IFS=, read -r target count size interval <<EOF
$ping
EOF
[ "$delay" != 0 ] && sleep "$delay"
# -W 1: after the last request, wait one second for late replies instead
# of busybox's default ten.  -w bounds the whole run.
ping -c "${count:-3}" -s "${size:-56}" -i "${interval:-0.2}" -W 1 \
	-w $((${count:-3} + 5)) "$target" >/tmp/ping.out 2>&1
rc=$?
while read -r line; do say "ping: $line"; done </tmp/ping.out

# "N packets transmitted, M packets received"; when busybox ping dies on
# a send error there is no summary: count what it printed instead.
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' /tmp/ping.out)
recv=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' /tmp/ping.out)
[ -n "$recv" ] || recv=$(grep -c 'bytes from' /tmp/ping.out)
[ -n "$sent" ] || sent=unknown
say "DROPSPOT-VM-RESULT: sent=$sent received=$recv rc=$rc"
finish
