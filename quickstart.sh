#!/bin/bash
# dropspot quick start: installs what is missing (Debian 12, as root),
# configures, builds, then either runs the main job on a bundled sample
# (`demo`) or the whole test suite (`test`, what CI runs).
#
#   ./quickstart.sh demo     build + analyze a bundled sample capture
#   ./quickstart.sh test     build (gcc -Werror, clang ASan+UBSan+libFuzzer)
#                            + the whole ctest suite under the sanitizers
#   ./quickstart.sh build    set-up and build only
#   ./quickstart.sh package  build + a Debian package, build/dropspot_*.deb
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")"
ROOT=$PWD
JOBS=$(nproc 2>/dev/null || echo 2)

PACKAGES=(
	build-essential cmake pkg-config clang llvm libclang-rt-14-dev
	libbpf-dev bpftool libpcap-dev zlib1g-dev
	iproute2 iputils-ping nftables iptables tcpdump tshark jq gzip procps python3
	man-db groff-base dpkg-dev
)

install_missing() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "quickstart: missing packages: ${missing[*]}" >&2
		echo "quickstart: run as root (or: sudo apt-get install ${missing[*]})" >&2
		exit 2
	fi
	echo "quickstart: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
}

build_release() {
	cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DDROPSPOT_WERROR=ON >/dev/null
	cmake --build "$ROOT/build" -j"$JOBS"
}

build_sanitized() {
	CC=clang cmake -S "$ROOT" -B "$ROOT/build-asan" -DCMAKE_BUILD_TYPE=Debug \
		-DDROPSPOT_SANITIZE=ON -DDROPSPOT_FUZZ=ON -DDROPSPOT_WERROR=ON >/dev/null
	cmake --build "$ROOT/build-asan" -j"$JOBS"
}

# The demo sample: the host firewall dropping the guest's ping.
DEMO_SAMPLE=samples/firewall-drop.pcapng.gz

case "${1:-demo}" in
demo)
	install_missing
	build_release
	echo "quickstart: ./build/dropspot analyze $DEMO_SAMPLE"
	# exit status 1 = the analysis found a problem, as it should here
	./build/dropspot analyze "$DEMO_SAMPLE" || [ $? -eq 1 ]
	;;
test)
	install_missing
	build_release
	build_sanitized
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	ctest --test-dir "$ROOT/build-asan" --output-on-failure -j"$JOBS"
	;;
build)
	install_missing
	build_release
	;;
package)
	# CPack (cmake/DropspotInstall.cmake): Depends from dpkg-shlibdeps
	install_missing
	build_release
	(cd "$ROOT/build" && cpack -G DEB)
	ls "$ROOT"/build/dropspot_*.deb
	;;
*)
	echo "usage: $0 demo|test|build|package" >&2
	exit 2
	;;
esac
