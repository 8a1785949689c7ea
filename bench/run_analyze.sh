#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Analysis benchmark (issue 4): `dropspot analyze` over a generated capture
# of two points, against the bare libpcap loop over the same file in the
# same run; then its peak RSS on a capture ten times larger, which must be
# the same (the engine's memory is bounded, not proportional to the file).
#
#   bench/run_analyze.sh
#
# Environment: BENCH_PACKETS (default 3000000), BENCH_REPEAT (3),
# BENCH_LARGE=0 skips the 10x file (30 M frames, ~3 GB on disk),
# DROPSPOT_BUILD (default: configure and build $SRC/build-bench).
# Targets: >= 0.40x the bare loop's packets/s, peak RSS <= 64 MiB, and the
# same RSS (within 10%) on the 10x file.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_PACKETS:-3000000}
REPEAT=${BENCH_REPEAT:-3}
LARGE=${BENCH_LARGE:-1}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/dropspot-bench-analyze.XXXXXX")
trap 'rm -rf "$DIR"' EXIT

die() { echo "run_analyze: $*" >&2; exit 2; }
[ -x /usr/bin/time ] || die "/usr/bin/time missing: apt-get install time"

BUILD=${DROPSPOT_BUILD:-$SRC/build-bench}
if [ -z "${DROPSPOT_BUILD:-}" ]; then
	cmake -S "$SRC" -B "$BUILD" >"$DIR/build.log" 2>&1 || die "cmake failed"
fi
make -C "$BUILD" -j2 gen_capture pcap_loop dropspot >"$DIR/build.log" 2>&1 ||
	{ tail -20 "$DIR/build.log" >&2; die "build failed"; }

# best_of CMD...: best wall-clock seconds and the largest peak RSS (KiB)
# over BENCH_REPEAT runs, into BEST_S and PEAK_KB.
best_of() {
	local r t0 t1 kb
	BEST_S= PEAK_KB=0
	for ((r = 0; r < REPEAT; r++)); do
		t0=$(date +%s%N)
		/usr/bin/time -f %M -o "$DIR/rss" "$@" >/dev/null 2>"$DIR/err" ||
			[ $? -eq 1 ] || { cat "$DIR/err" >&2; die "$* failed"; }
		t1=$(date +%s%N)
		kb=$(tail -1 "$DIR/rss")
		[ "$kb" -gt "$PEAK_KB" ] && PEAK_KB=$kb
		BEST_S=$(awk -v a="${BEST_S:-1e9}" -v b="$(((t1 - t0) / 1000))" \
			'BEGIN { b /= 1e6; print (b < a ? b : a) }')
	done
}

# A two-point pcapng: every event stays on one point, as the generator
# documents; libpcap reads it too (one link type).
gen() { "$BUILD/bench/gen_capture" -n "$1" --pcapng --points 2 -o "$2" 2>/dev/null; }

FILE=$DIR/bench.pcapng
gen "$N" "$FILE"
cat "$FILE" >/dev/null

best_of "$BUILD/bench/pcap_loop" "$FILE"
BARE_S=$BEST_S
best_of "$BUILD/dropspot" analyze --json "$FILE"
AN_S=$BEST_S AN_KB=$PEAK_KB

echo "file: $N frames, two points, $(($(stat -c %s "$FILE") / 1000000)) MB; best of $REPEAT"
awk -v n="$N" -v b="$BARE_S" -v a="$AN_S" -v kb="$AN_KB" 'BEGIN {
	printf "%-28s %8.3f s %12.0f pkt/s\n", "bare pcap_next_ex loop", b, n / b
	printf "%-28s %8.3f s %12.0f pkt/s  %.2fx bare (target >= 0.40: %s)\n",
	       "dropspot analyze --json", a, n / a, b / a, (b / a >= 0.4 ? "met" : "below")
	printf "peak RSS %.1f MiB (target <= 64: %s)\n", kb / 1024,
	       (kb / 1024 <= 64 ? "met" : "above") }'

[ "$LARGE" = 1 ] || exit 0
rm -f "$FILE"
gen $((N * 10)) "$FILE"
REPEAT=1 best_of "$BUILD/dropspot" analyze --json "$FILE"
awk -v n=$((N * 10)) -v a="$BEST_S" -v kb="$PEAK_KB" -v base="$AN_KB" 'BEGIN {
	d = (kb - base) / base
	printf "10x file (%d frames): %.3f s, peak RSS %.1f MiB (%+.0f%%: %s)\n",
	       n, a, kb / 1024, d * 100, (d <= 0.10 ? "same" : "grows") }'
