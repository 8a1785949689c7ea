#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Real-VM lab mode: a real Linux guest under QEMU whose NIC is a tap on the
# lab's host side, as a VMM holds it.  Everything comes from Debian
# packages: qemu-system-x86 (installed with --no-install-recommends), the
# kernel package that linux-image-amd64 depends on and busybox-static (both
# downloaded and unpacked into a cache outside the repo, never installed).
# The guest is a busybox initramfs (lab/vm/init.sh) that loads the NIC
# driver, configures the address and routes, runs one ping, prints
# "DROPSPOT-VM-RESULT: sent=N received=M rc=R" on its serial console and
# powers off.
#
# As a library (after lab/lib.sh's lab_init; everything started here is
# torn down by lab_cleanup, by PID, on every exit path):
#
#   . "$DROPSPOT_SRC/lab/lib.sh"; . "$DROPSPOT_SRC/lab/vm.sh"
#   vm_prepare || lab_skip "$VM_SKIP_REASON"   # download + cache
#   lab_init
#   vm_tap "$NS" tap0 br0                      # persistent tap, bridge port
#   vm_start g1 --netns "$NS" --tap tap0 --nic virtio --ip 10.9.0.2/24 \
#            --gw 10.9.0.1 --ping 10.9.0.1,5,56
#   vm_wait g1 30                              # prints sent=5 received=5 rc=0
#
# As a command, one scenario by hand:  lab/vm.sh run --help
#
# Environment: DROPSPOT_VM_CACHE (default /var/cache/dropspot-lab),
# DROPSPOT_VM_NO_INSTALL=1 (never apt-get install qemu),
# DROPSPOT_VM_REFRESH=1 (ask apt again which kernel linux-image-amd64 wants),
# DROPSPOT_VM_ACCEL (kvm or tcg; default kvm when usable, else tcg),
# DROPSPOT_VM_QEMU_ARGS / DROPSPOT_VM_APPEND (extra QEMU options / kernel
# command line, for experiments).

VM_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_CACHE=${DROPSPOT_VM_CACHE:-/var/cache/dropspot-lab}
VM_QEMU=
VM_KERNEL=
VM_KVER=
VM_MODDIR=
VM_BUSYBOX=
VM_INITRD=
VM_ACCEL=
VM_SKIP_REASON=
declare -A VM_PID VM_SERIAL VM_T0

# lab/lib.sh provides the process, netns and interface bookkeeping.
if ! declare -F lab_bg >/dev/null; then
	. "$VM_SRC/lib.sh"
fi

vm_log() { echo "vm: $*" >&2; }

_vm_now() { date +%s.%N; }
_vm_since() { awk -v a="$1" -v b="$(_vm_now)" 'BEGIN { printf "%.1f", b - a }'; }

# _vm_apt_download PKG DIR: apt-get download PKG into DIR, refreshing the
# package lists once if the cached ones no longer know the file.
_vm_apt_download() {
	local pkg=$1 dir=$2
	# apt's _apt user cannot write into a root-only directory; apt then
	# downloads as root and warns about it: harmless, so filtered out.
	(cd "$dir" && apt-get download -q "$pkg" 2>&1 | grep -v 'unsandboxed' >&2;
	 exit "${PIPESTATUS[0]}") && return 0
	vm_log "apt-get download $pkg failed, refreshing package lists"
	apt-get update -q >/dev/null 2>&1
	(cd "$dir" && apt-get download -q "$pkg" 2>&1 | grep -v 'unsandboxed' >&2;
	 exit "${PIPESTATUS[0]}")
}

# _vm_kernel_pkg: name of the kernel image package that linux-image-amd64
# depends on (e.g. linux-image-6.1.0-56-amd64), remembered in the cache so
# reruns neither ask apt nor change kernel under a test's feet.
_vm_kernel_pkg() {
	local f=$VM_CACHE/kernel.pkg pkg
	if [ -s "$f" ] && [ -z "${DROPSPOT_VM_REFRESH:-}" ]; then
		cat "$f"
		return 0
	fi
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	if [ -z "$pkg" ]; then
		apt-get update -q >/dev/null 2>&1
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	fi
	[ -n "$pkg" ] || return 1
	echo "$pkg" >"$f"
	echo "$pkg"
}

# _vm_fetch PKG DEST: downloads PKG and unpacks it into DEST (atomically:
# a half-unpacked tree is never taken for a cached one).
_vm_fetch() {
	local pkg=$1 dest=$2 tmp t0 deb
	t0=$(_vm_now)
	tmp=$(mktemp -d "$VM_CACHE/.fetch.XXXXXX") || return 1
	_vm_apt_download "$pkg" "$tmp" || { rm -rf "$tmp"; return 1; }
	deb=$(ls "$tmp"/*.deb 2>/dev/null | head -1)
	[ -n "$deb" ] || { rm -rf "$tmp"; return 1; }
	vm_log "fetched $(basename "$deb") ($(du -h "$deb" | cut -f1))"
	if ! dpkg-deb -x "$deb" "$tmp/root"; then
		rm -rf "$tmp"
		return 1
	fi
	rm -rf "$dest"
	mv "$tmp/root" "$dest" && rm -rf "$tmp"
	vm_log "unpacked $pkg into $dest in $(_vm_since "$t0")s"
}

_vm_prepare_qemu() {
	VM_QEMU=$(command -v qemu-system-x86_64)
	[ -n "$VM_QEMU" ] && return 0
	if [ -n "${DROPSPOT_VM_NO_INSTALL:-}" ] || [ "$(id -u)" != 0 ]; then
		VM_SKIP_REASON="qemu-system-x86_64 not installed (apt-get install --no-install-recommends qemu-system-x86)"
		return 1
	fi
	vm_log "installing qemu-system-x86 (--no-install-recommends)"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends qemu-system-x86 >/dev/null 2>&1; then
		apt-get update -q >/dev/null 2>&1
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends qemu-system-x86 >/dev/null 2>&1
	fi
	VM_QEMU=$(command -v qemu-system-x86_64)
	[ -n "$VM_QEMU" ] && return 0
	VM_SKIP_REASON="cannot install qemu-system-x86 with apt-get"
	return 1
}

_vm_prepare_kernel() {
	local pkg dir
	pkg=$(_vm_kernel_pkg) || {
		VM_SKIP_REASON="apt does not know which kernel linux-image-amd64 depends on"
		return 1
	}
	dir=$VM_CACHE/$pkg
	if [ ! -d "$dir/lib/modules" ] && ! _vm_fetch "$pkg" "$dir"; then
		# the remembered version may have left the archive: ask again
		rm -f "$VM_CACHE/kernel.pkg"
		pkg=$(DROPSPOT_VM_REFRESH=1 _vm_kernel_pkg) && dir=$VM_CACHE/$pkg
		[ -n "$pkg" ] && { [ -d "$dir/lib/modules" ] || _vm_fetch "$pkg" "$dir"; } || {
			VM_SKIP_REASON="cannot download/unpack ${pkg:-the kernel package}"
			return 1
		}
	fi
	VM_KVER=$(ls "$dir/lib/modules" | head -1)
	VM_KERNEL=$dir/boot/vmlinuz-$VM_KVER
	VM_MODDIR=$dir/lib/modules/$VM_KVER
	[ -f "$VM_KERNEL" ] || {
		VM_SKIP_REASON="no kernel image in $dir/boot"
		return 1
	}
	_vm_uncompressed_kernel "$dir"
}

# _vm_uncompressed_kernel DIR: under TCG the bzImage's own decompressor
# (xz in Debian) runs emulated and costs seconds at every boot.  A kernel
# built with CONFIG_PVH can be booted by QEMU as the plain ELF vmlinux,
# so it is unpacked once, on the host, into the cache.  Any problem keeps
# the bzImage, which always works.
_vm_uncompressed_kernel() {
	local dir=$1 out=$1/vmlinux-$VM_KVER cfg=$1/boot/config-$VM_KVER
	local magic dec pos
	if [ -s "$out" ]; then
		VM_KERNEL=$out
		return 0
	fi
	grep -q '^CONFIG_PVH=y' "$cfg" 2>/dev/null || return 0
	case $(grep -oE '^CONFIG_KERNEL_[A-Z0-9]+=y' "$cfg") in
	CONFIG_KERNEL_XZ=y) magic='\xfd7zXZ\x00' dec="xz -dc --single-stream" ;;
	CONFIG_KERNEL_ZSTD=y) magic='\x28\xb5\x2f\xfd' dec="zstd -qdc" ;;
	CONFIG_KERNEL_GZIP=y) magic='\x1f\x8b\x08' dec="gzip -dc" ;;
	*) return 0 ;;
	esac
	command -v "${dec%% *}" >/dev/null || return 0
	pos=$(LC_ALL=C grep -obUaP "$magic" "$VM_KERNEL" | head -1 | cut -d: -f1)
	[ -n "$pos" ] || return 0
	# trailing bytes after the stream make the decompressor complain
	tail -c+$((pos + 1)) "$VM_KERNEL" | $dec >"$out.tmp" 2>/dev/null
	if [ "$(head -c4 "$out.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
		mv "$out.tmp" "$out"
		VM_KERNEL=$out
		vm_log "unpacked the uncompressed kernel (PVH boot) into $out"
	else
		rm -f "$out.tmp"
	fi
}

_vm_prepare_busybox() {
	local dir=$VM_CACHE/busybox-static
	if [ ! -x "$dir/bin/busybox" ]; then
		_vm_fetch busybox-static "$dir" || {
			VM_SKIP_REASON="cannot download/unpack busybox-static"
			return 1
		}
	fi
	VM_BUSYBOX=$dir/bin/busybox
}

# _vm_modchain LEAF: the modules LEAF needs, dependencies first, as paths
# relative to $VM_MODDIR, from modules.dep (no chain is hard-coded here).
_vm_modchain() {
	awk -v leaf="$1" '
	{
		sub(/:$/, "", $1)
		name = $1
		sub(/.*\//, "", name)
		sub(/\.ko(\.[a-z]+)?$/, "", name)
		gsub(/-/, "_", name)
		path[name] = $1
		ndeps[name] = NF - 1
		for (i = 2; i <= NF; i++)
			dep[name, i - 1] = $i
	}
	function byname(p,   n) {
		n = p
		sub(/.*\//, "", n)
		sub(/\.ko(\.[a-z]+)?$/, "", n)
		gsub(/-/, "_", n)
		return n
	}
	function visit(n,   i) {
		if (n in seen)
			return
		seen[n] = 1
		if (!(n in path)) {
			print "missing " n > "/dev/stderr"
			exit 1
		}
		for (i = 1; i <= ndeps[n]; i++)
			visit(byname(dep[n, i]))
		print path[n]
	}
	END { visit(leaf) }' "$VM_MODDIR/modules.dep"
}

# Leaf modules per NIC model: the PCI transport (virtio_pci) binds the
# device, the net driver sits on top; modules.dep resolves the rest.
_vm_nic_leaves() {
	case $1 in
	virtio) echo virtio_pci virtio_net ;;
	e1000) echo e1000 ;;
	*) return 1 ;;
	esac
}

# _vm_build_initrd OUT: busybox + /init + the NIC driver chains.
_vm_build_initrd() {
	local out=$1 root nic leaf m seen list
	root=$(mktemp -d "$VM_CACHE/.initrd.XXXXXX") || return 1
	mkdir -p "$root/bin" "$root/etc/dropspot" "$root/lib/modules" \
		"$root/proc" "$root/sys" "$root/dev" "$root/tmp"
	cp "$VM_BUSYBOX" "$root/bin/busybox"
	cp "$VM_SRC/vm/init.sh" "$root/init"
	chmod 755 "$root/init" "$root/bin/busybox"
	[ -f "$VM_MODDIR/modules.dep" ] ||
		"$VM_BUSYBOX" depmod -b "$VM_MODDIR/../../.." "$VM_KVER" ||
		{ rm -rf "$root"; return 1; }
	for nic in virtio e1000; do
		seen=" " list=
		for leaf in $(_vm_nic_leaves $nic); do
			for m in $(_vm_modchain "$leaf") ; do
				case $seen in *" $m "*) continue ;; esac
				seen="$seen$m "
				list="$list $m"
			done
		done
		[ -n "$list" ] || { rm -rf "$root"; return 1; }
		for m in $list; do
			mkdir -p "$root/lib/modules/$(dirname "$m")"
			# busybox insmod cannot read compressed modules
			case $m in
			*.xz) xz -dc "$VM_MODDIR/$m" >"$root/lib/modules/${m%.xz}" ;;
			*.zst) zstd -qdc "$VM_MODDIR/$m" >"$root/lib/modules/${m%.zst}" ;;
			*.gz) gzip -dc "$VM_MODDIR/$m" >"$root/lib/modules/${m%.gz}" ;;
			*) cp "$VM_MODDIR/$m" "$root/lib/modules/$m" ;;
			esac || { rm -rf "$root"; return 1; }
		done
		echo "$list" | tr ' ' '\n' | sed -E '/^$/d; s/\.(xz|zst|gz)$//' \
			>"$root/etc/dropspot/modules-$nic"
	done
	(cd "$root" && find . | "$VM_BUSYBOX" cpio -o -H newc 2>/dev/null) |
		gzip -1 >"$out.tmp" && mv "$out.tmp" "$out"
	local rc=$?
	rm -rf "$root"
	return $rc
}

_vm_prepare_initrd() {
	local key t0
	# Keyed by kernel, busybox and the scripts that make it: editing
	# init.sh or the builder gives a new initramfs, nothing stale.
	key=$({ echo "$VM_KVER"; sha256sum "$VM_BUSYBOX" "$VM_SRC/vm/init.sh";
		declare -f _vm_build_initrd _vm_modchain _vm_nic_leaves; } |
		sha256sum | cut -c1-12)
	VM_INITRD=$VM_CACHE/initrd/$VM_KVER-$key.cpio.gz
	[ -s "$VM_INITRD" ] && return 0
	mkdir -p "$VM_CACHE/initrd"
	t0=$(_vm_now)
	_vm_build_initrd "$VM_INITRD" || {
		VM_SKIP_REASON="cannot build the guest initramfs"
		return 1
	}
	vm_log "built $(basename "$VM_INITRD") ($(du -h "$VM_INITRD" | cut -f1)) in $(_vm_since "$t0")s"
	# older builds of other script versions, unused for a week
	find "$VM_CACHE/initrd" -name '*.cpio.gz' -mtime +7 -delete 2>/dev/null
}

_vm_prepare_accel() {
	case ${DROPSPOT_VM_ACCEL:-} in
	kvm | tcg) VM_ACCEL=$DROPSPOT_VM_ACCEL; return 0 ;;
	esac
	# /dev/kvm can exist where the CPU has no virtualisation extensions
	# (nested guests): then KVM cannot run a vCPU, use TCG.
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
		grep -qwE 'vmx|svm' /proc/cpuinfo; then
		VM_ACCEL=kvm
	else
		VM_ACCEL=tcg
	fi
}

# vm_prepare: makes sure QEMU, the kernel, busybox and the initramfs are
# there (downloading once into $VM_CACHE), sets VM_KERNEL, VM_INITRD...
# Returns non-zero with VM_SKIP_REASON set when the VM lab cannot run.
vm_prepare() {
	local t0 rc
	t0=$(_vm_now)
	if [ "$(id -u)" != 0 ]; then
		VM_SKIP_REASON="the VM lab needs root (tap devices, apt-get)"
		return 1
	fi
	[ -c /dev/net/tun ] || { VM_SKIP_REASON="no /dev/net/tun"; return 1; }
	mkdir -p "$VM_CACHE" || { VM_SKIP_REASON="cannot create $VM_CACHE"; return 1; }
	_vm_prepare_qemu || return 1
	# One preparer at a time; the others wait and then find it cached.
	exec {_vm_lock}>"$VM_CACHE/.lock"
	flock "$_vm_lock"
	_vm_prepare_kernel && _vm_prepare_busybox && _vm_prepare_initrd
	rc=$?
	flock -u "$_vm_lock"
	exec {_vm_lock}>&-
	[ $rc = 0 ] || return 1
	_vm_prepare_accel
	vm_log "ready in $(_vm_since "$t0")s: kernel $VM_KVER, $VM_ACCEL, cache $VM_CACHE"
}

# vm_tap NS TAP [BRIDGE]: a persistent tap in NS ("" = ours), up, as a
# port of BRIDGE.  Made before QEMU opens it so that captures can be
# attached first; deleted at lab cleanup (with its netns, or by name).
vm_tap() {
	local ns=$1 tap=$2 br=${3:-}
	lab_ip "$ns" tuntap add dev "$tap" mode tap || lab_die "tuntap add $tap"
	[ -z "$ns" ] && LAB_HOST_IFS+=("$tap")
	[ -n "$br" ] && lab_ip "$ns" link set "$tap" master "$br"
	lab_ip "$ns" link set "$tap" up
}

# A stable MAC per VM name (locally administered, QEMU's 52:54:00 prefix).
_vm_mac() {
	local h
	h=$(echo -n "$1" | md5sum | cut -c1-6)
	echo "52:54:00:${h:0:2}:${h:2:2}:${h:4:2}"
}

# vm_start NAME --tap TAP --nic virtio|e1000 --ip A/LEN [--gw G]
#          [--route NET/LEN,VIA]... --ping TARGET,COUNT,SIZE[,INTERVAL]
#          [--netns NS] [--mac MAC] [--deadline S] [--delay S] [--mem M]
# Boots the guest in the background (QEMU runs in NS, where TAP is).
vm_start() {
	local name=$1 ns="" tap="" nic=virtio ip="" gw="" ping="" mac="" deadline=60
	local delay=0 mem=128M routes=() append dev pid serial r
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--netns) ns=$2 ;;
		--tap) tap=$2 ;;
		--nic) nic=$2 ;;
		--ip) ip=$2 ;;
		--gw) gw=$2 ;;
		--route) routes+=("$2") ;;
		--ping) ping=$2 ;;
		--mac) mac=$2 ;;
		--deadline) deadline=$2 ;;
		--delay) delay=$2 ;;
		--mem) mem=$2 ;;
		*) lab_die "vm_start: unknown option $1" ;;
		esac
		shift 2
	done
	[ -n "$VM_INITRD" ] || lab_die "vm_start before vm_prepare"
	[ -n "$tap" ] && [ -n "$ip" ] && [ -n "$ping" ] ||
		lab_die "vm_start $name: --tap, --ip and --ping are required"
	case $nic in
	virtio) dev=virtio-net-pci ;;
	e1000) dev=e1000,mitigation=off ;;
	*) lab_die "vm_start: unknown NIC model $nic (virtio, e1000)" ;;
	esac
	[ -n "$mac" ] || mac=$(_vm_mac "$name")
	append="console=ttyS0 quiet panic=-1 rdinit=/init"
	append+=" dropspot.nic=$nic dropspot.ip=$ip dropspot.ping=$ping"
	append+=" dropspot.deadline=$deadline dropspot.delay=$delay"
	[ -n "$gw" ] && append+=" dropspot.gw=$gw"
	for r in "${routes[@]}"; do
		append+=" dropspot.route=$r"
	done
	serial=$LAB_DIR/vm-$name.serial
	: >"$serial"
	VM_T0[$name]=$(_vm_now)
	# No stdin, no display, no monitor: nothing waits for a terminal.
	# -no-reboot: a guest that panics or reboots ends QEMU instead.
	lab_bg pid "$ns" "$VM_QEMU" -accel "$VM_ACCEL" -nodefaults \
		-no-user-config -display none -monitor none -no-reboot \
		-m "$mem" -smp 1 -cpu max \
		-serial "file:$serial" \
		-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no" \
		-device "$dev,netdev=n0,mac=$mac" \
		-kernel "$VM_KERNEL" -initrd "$VM_INITRD" \
		-append "$append${DROPSPOT_VM_APPEND:+ $DROPSPOT_VM_APPEND}" \
		${DROPSPOT_VM_QEMU_ARGS:-}
	VM_PID[$name]=$pid
	VM_SERIAL[$name]=$serial
	vm_log "$name: pid $pid, $nic on ${ns:+$ns/}$tap, mac $mac, ip $ip${gw:+ gw $gw}, ping $ping"
}

# vm_stop NAME: ends the VM by its PID (TERM, then KILL).
vm_stop() {
	local pid=${VM_PID[$1]:-} i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 20; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# vm_wait NAME TIMEOUT: waits until the guest prints its result, then
# until QEMU exits (the guest powers off), and prints the result fields
# ("sent=N received=M rc=R").  On timeout or when QEMU dies without a
# result, the VM is killed, the serial log shown and 1 returned.
vm_wait() {
	local name=$1 timeout=${2:-30} pid=${VM_PID[$1]:-} serial=${VM_SERIAL[$1]:-}
	local i line
	[ -n "$pid" ] || lab_die "vm_wait: no VM $name"
	for ((i = 0; i < timeout * 10; i++)); do
		line=$(grep -a -m1 '^DROPSPOT-VM-RESULT:' "$serial" 2>/dev/null)
		[ -n "$line" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	# the last moments of output may follow the process's exit
	[ -n "$line" ] || line=$(grep -a -m1 '^DROPSPOT-VM-RESULT:' "$serial" 2>/dev/null)
	if [ -z "$line" ]; then
		if kill -0 "$pid" 2>/dev/null; then
			vm_log "$name: no result after ${timeout}s, killing pid $pid"
		else
			vm_log "$name: QEMU exited without a result: $(tail -5 "$LAB_DIR/$pid.err" 2>/dev/null)"
		fi
		vm_stop "$name"
		vm_log "$name: serial console:"
		sed 's/^/  | /' "$serial" >&2
		return 1
	fi
	vm_log "$name: result after $(_vm_since "${VM_T0[$name]}")s: ${line#*: }"
	# poweroff -f is immediate; give QEMU a moment, then make sure.
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	vm_stop "$name"
	grep -a '^DROPSPOT-VM-ERROR:' "$serial" >&2
	echo "${line#DROPSPOT-VM-RESULT: }" | tr -d '\r'
}

# vm_field RESULT KEY: one field of a vm_wait result ("received").
vm_field() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# vm_serial NAME: the guest's console output so far.
vm_serial() { tr -d '\r' <"${VM_SERIAL[$1]}"; }

# ---------------------------------------------------------------------------
# Command line: one scenario by hand.

_vm_usage() {
	cat <<-EOF
	usage: lab/vm.sh prepare
	       lab/vm.sh run [--mode hostonly|nat] [--nic virtio|e1000]
	                     [--count N] [--size BYTES] [--target IP] [--gw IP]
	                     [--firewall] [--capture FILE.pcapng] [--timeout S]

	prepare     downloads and caches QEMU, the kernel and busybox (once)
	run         builds a lab in network namespaces, boots the guest on a
	            tap that is a port of the lab bridge, lets it ping, prints
	            the guest's result and tears everything down.
	            Exit status: 0 all replies received, 1 some lost, 2 error.
	  --mode      hostonly: guest 10.79.0.2/24 on tap0, port of br0
	                10.79.0.1 (default target and gateway)
	              nat: guest 192.168.122.2/24 on tap0, port of virbr0
	                192.168.122.1 (gateway); the host forwards and
	                masquerades out of up0 203.0.113.1 to the "wan" netns
	                203.0.113.2 (default target)
	  --gw IP     the guest's default gateway (a wrong one: SCENARIOS #5)
	  --firewall  the host's input chain drops echo requests (SCENARIOS #6)
	  --capture   watch tap0, the bridge (and up0, wan eth0) with
	              \$DROPSPOT capture (default: dropspot on PATH, else
	              build/dropspot) into one pcapng, for dropspot analyze
	EOF
}

# The dropspot binary for --capture: $DROPSPOT, on PATH, or the build dir.
_vm_dropspot() {
	local d
	for d in "${DROPSPOT:-}" "$(command -v dropspot)" "$VM_SRC/../build/dropspot"; do
		[ -n "$d" ] && [ -x "$d" ] && { echo "$d"; return 0; }
	done
	return 1
}

_vm_run() {
	local mode=hostonly nic=virtio count=3 size=56 target="" gw="" cap="" fw=""
	local timeout=60 H W res recv sent br ip ds pid pts i hip
	while [ $# -gt 0 ]; do
		case $1 in
		--mode) mode=$2 ;;
		--nic) nic=$2 ;;
		--count) count=$2 ;;
		--size) size=$2 ;;
		--target) target=$2 ;;
		--gw) gw=$2 ;;
		--capture) cap=$(realpath -m "$2") ;;
		--timeout) timeout=$2 ;;
		--firewall) fw=1; shift; continue ;;
		-h | --help) _vm_usage; exit 0 ;;
		*) _vm_usage >&2; exit 2 ;;
		esac
		[ $# -ge 2 ] || { _vm_usage >&2; exit 2; }
		shift 2
	done
	if [ -n "$cap" ]; then
		ds=$(_vm_dropspot) || { vm_log "--capture: no dropspot binary (set DROPSPOT)"; exit 2; }
	fi
	vm_prepare || { vm_log "cannot run: $VM_SKIP_REASON"; exit 2; }
	lab_init
	lab_netns H host
	case $mode in
	hostonly)
		br=br0
		lab_bridge "$H" $br
		hip=10.79.0.1
		lab_addr "$H" $br $hip/24
		vm_tap "$H" tap0 $br
		: "${target:=$hip}" "${gw:=$hip}"
		ip=10.79.0.2/24
		;;
	nat)
		lab_require nft
		br=virbr0
		lab_netns W wan
		lab_bridge "$H" $br
		hip=192.168.122.1
		lab_addr "$H" $br $hip/24
		vm_tap "$H" tap0 $br
		lab_veth "$H" up0 "$W" eth0
		lab_addr "$H" up0 203.0.113.1/24
		lab_addr "$W" eth0 203.0.113.2/24
		lab_exec "$H" sysctl -qw net.ipv4.ip_forward=1
		lab_exec "$H" nft -f - <<-NFT || lab_die "nft"
			table ip dslab {
				chain post {
					type nat hook postrouting priority srcnat;
					ip saddr 192.168.122.0/24 oifname "up0" masquerade
				}
			}
		NFT
		: "${target:=203.0.113.2}" "${gw:=192.168.122.1}"
		ip=192.168.122.2/24
		;;
	*) lab_die "unknown mode $mode" ;;
	esac
	if [ -n "$fw" ]; then
		lab_input_rule "$H" "iifname \"$br\" icmp type echo-request drop"
	fi
	if [ -n "$cap" ]; then
		pts="$H/tap0,$H/$br"
		[ -n "${W:-}" ] && pts="$pts,$H/up0,$W/eth0"
		lab_bg pid "" "$ds" capture -i "$pts" -f "icmp or arp" --no-print -w "$cap"
		for ((i = 0; i < 200; i++)); do
			grep -q watching "$LAB_DIR/$pid.err" 2>/dev/null && break
			kill -0 "$pid" 2>/dev/null || lab_die "capture: $(cat "$LAB_DIR/$pid.err")"
			sleep 0.05
		done
	fi
	vm_start guest --netns "$H" --tap tap0 --nic "$nic" --ip "$ip" \
		--gw "$gw" --ping "$target,$count,$size" --deadline "$timeout"
	res=$(vm_wait guest "$timeout") || exit 2
	vm_serial guest | grep -aE '^(ping|DROPSPOT)' >&2
	echo "$res"
	if [ -n "$cap" ]; then
		# Let late replies (or their absence, > 1 s) be on record, then
		# end with one gratuitous ARP from the host: dropspot analyze
		# takes a file's last frame as the end of the capture, and
		# probes followed by silence would count as unfinished.
		sleep 1.2
		lab_exec "$H" "$VM_BUSYBOX" arping -U -c 1 -I "$br" "$hip" >/dev/null 2>&1
		sleep 0.2
		kill -INT "$pid"
		wait "$pid"
		vm_log "capture of $pts written to $cap: dropspot analyze $cap"
	fi
	sent=$(vm_field "$res" sent) recv=$(vm_field "$res" received)
	[ "$sent" = "$recv" ] && [ "$recv" != 0 ] && exit 0
	exit 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-} in
	prepare) vm_prepare || { vm_log "$VM_SKIP_REASON"; exit 2; } ;;
	run) shift; _vm_run "$@" ;;
	*) _vm_usage >&2; exit 2 ;;
	esac
fi
