#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Dissection benchmark (issue 2): how fast does `dropspot dissect` read and
# decode a capture compared with a bare libpcap loop and with tcpdump, and
# does its peak memory stay flat when the file grows?
#
#   bench/run_dissect.sh [FILE]
#
# Without FILE, a deterministic mixed capture of BENCH_PACKETS frames is
# generated with bench/gen_capture. Every command runs BENCH_REPEAT times,
# round-robin (so a burst of noise on this small shared machine hits one
# round, not all runs of one command); the table shows the best wall-clock
# time of each and the largest peak RSS seen. Files are read once before
# timing: this measures CPU cost with a warm page cache, not the disk.
#
# Environment:
#   DROPSPOT_BUILD   existing build dir to use (default: configure and build
#                    $SRC/build-bench)
#   BENCH_PACKETS    frames in the generated capture (default 3000000)
#   BENCH_REPEAT     runs per command (default 3)
#   BENCH_DIR        where captures go (default ${TMPDIR:-/tmp}/dropspot-bench.$$,
#                    removed at exit unless BENCH_KEEP=1)
#   BENCH_LARGE      0 skips the 3x-larger file of the memory check (default 1)
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_PACKETS:-3000000}
REPEAT=${BENCH_REPEAT:-3}
LARGE=${BENCH_LARGE:-1}
KEEP=${BENCH_KEEP:-0}
DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/dropspot-bench.$$}
GNUTIME=/usr/bin/time

die() { echo "run_dissect: $*" >&2; exit 2; }

case $N in ''|*[!0-9]*) die "BENCH_PACKETS must be a number";; esac
case $REPEAT in ''|*[!0-9]*|0) die "BENCH_REPEAT must be a positive number";; esac
[ -x "$GNUTIME" ] || die "$GNUTIME missing: apt-get install time"
command -v tcpdump >/dev/null || die "tcpdump missing: apt-get install tcpdump"

mkdir -p "$DIR"
if [ "$KEEP" != 1 ] && [ -z "${BENCH_DIR:-}" ]; then
	trap 'rm -rf "$DIR"' EXIT
fi

# ---- build ----
if [ -n "${DROPSPOT_BUILD:-}" ]; then
	BUILD=$DROPSPOT_BUILD
else
	BUILD=$SRC/build-bench
	cmake -S "$SRC" -B "$BUILD" >"$DIR/build.log" 2>&1 ||
		{ cat "$DIR/build.log" >&2; die "cmake failed"; }
fi
# The bench tools must build; dropspot may not (yet): its rows say so.
if ! make -C "$BUILD" -j2 gen_capture pcap_loop >"$DIR/build.log" 2>&1; then
	tail -n 20 "$DIR/build.log" >&2
	die "building gen_capture/pcap_loop in $BUILD failed"
fi
make -C "$BUILD" -j2 dropspot >"$DIR/build.log" 2>&1 ||
	echo "run_dissect: warning: dropspot does not build in $BUILD; its rows are skipped" >&2
GEN=$BUILD/bench/gen_capture
LOOP=$BUILD/bench/pcap_loop
DROPSPOT=$BUILD/dropspot
[ -x "$DROPSPOT" ] || DROPSPOT=

TIMEOUT=$DIR/time.out

# ---- the capture ----
if [ $# -ge 1 ]; then
	FILE=$1
	[ -r "$FILE" ] || die "$FILE: cannot read"
else
	FILE=$DIR/bench-$N.pcap
	t0=$(date +%s%N)
	"$GEN" -n "$N" -o "$FILE" 2>/dev/null
	t1=$(date +%s%N)
	awk -v n="$N" -v ns=$((t1 - t0)) -v sz="$(stat -c %s "$FILE")" 'BEGIN {
		printf "generated %d frames (%.0f MB) in %.2f s: %.0f frames/s\n",
		       n, sz / 1e6, ns / 1e9, n / (ns / 1e9) }'
fi
cat "$FILE" >/dev/null		# warm the page cache
NPKT=$("$LOOP" "$FILE" | awk '{ print $2 }')
[ "$NPKT" -gt 0 ] 2>/dev/null || die "$FILE: no packets read by libpcap"

# ---- one timed run: sets RUN_NS, RUN_KB, RUN_RC ----
# $1 = stdout destination, rest = command.
timed() {
	local out=$1 t0 t1
	shift
	t0=$(date +%s%N)
	set +e
	"$GNUTIME" -f %M -o "$TIMEOUT" "$@" >"$out" 2>"$DIR/stderr.last"
	RUN_RC=$?
	set -e
	t1=$(date +%s%N)
	RUN_NS=$((t1 - t0))
	RUN_KB=$(tail -n 1 "$TIMEOUT")
}

# ---- the measurements ----
NAMES=() OUTS=() CMDS=()
add() {		# name, stdout, command...
	NAMES+=("$1")
	OUTS+=("$2")
	shift 2
	CMDS+=("$(printf '%q ' "$@")")
}
add "bare pcap_next_ex loop" /dev/null "$LOOP" "$FILE"
add "tcpdump -n -r F -w /dev/null" /dev/null tcpdump -n -r "$FILE" -w /dev/null
add "tcpdump -n -r F > /dev/null" /dev/null tcpdump -n -r "$FILE"
if [ -n "$DROPSPOT" ]; then
	add "dropspot dissect F > /dev/null" /dev/null "$DROPSPOT" dissect "$FILE"
	add "dropspot dissect --count-only F" "$DIR/count-only.out" "$DROPSPOT" dissect --count-only "$FILE"
	add "dropspot dissect --json F > /dev/null" /dev/null "$DROPSPOT" dissect --json "$FILE"
fi

declare -a BEST_NS MAX_KB RC
for i in "${!NAMES[@]}"; do
	BEST_NS[i]=0 MAX_KB[i]=0 RC[i]=0
done
for ((r = 1; r <= REPEAT; r++)); do
	for i in "${!NAMES[@]}"; do
		eval "timed \"\${OUTS[i]}\" ${CMDS[i]}"
		if [ "$RUN_RC" -ne 0 ]; then
			RC[i]=$RUN_RC
			echo "run_dissect: '${NAMES[i]}' exited $RUN_RC:" >&2
			head -n 3 "$DIR/stderr.last" >&2
		fi
		if [ "${BEST_NS[i]}" -eq 0 ] || [ "$RUN_NS" -lt "${BEST_NS[i]}" ]; then
			BEST_NS[i]=$RUN_NS
		fi
		[ "$RUN_KB" -gt "${MAX_KB[i]}" ] && MAX_KB[i]=$RUN_KB
	done
done

echo
echo "file: $FILE ($NPKT packets, $(stat -c %s "$FILE") bytes)"
echo "best of $REPEAT runs (wall clock of the whole process), peak RSS = max over runs"
printf '%-38s %9s %12s %8s %10s\n' "command" "best s" "packets/s" "x bare" "peak RSS"
BARE_NS=${BEST_NS[0]}
for i in "${!NAMES[@]}"; do
	if [ "${RC[i]}" -ne 0 ]; then
		printf '%-38s %s\n' "${NAMES[i]}" "FAILED (exit ${RC[i]})"
		continue
	fi
	awk -v name="${NAMES[i]}" -v ns="${BEST_NS[i]}" -v bare="$BARE_NS" \
	    -v n="$NPKT" -v kb="${MAX_KB[i]}" 'BEGIN {
		printf "%-38s %9.3f %12.0f %7.2fx %7.1f MiB\n", name, ns / 1e9,
		       n / (ns / 1e9), bare / ns, kb / 1024 }'
done
[ -n "$DROPSPOT" ] || echo "(dropspot not built in $BUILD: dissect rows skipped)"
# Issue 2's target: full dissection of every packet at >= 0.5x the bare loop.
# --count-only is exactly that; text and JSON add formatting on top, shown
# for information.
[ -n "$DROPSPOT" ] && echo "target (issue 2): dissect every packet at >= 0.50x bare (the --count-only row):"
for i in "${!NAMES[@]}"; do
	case ${NAMES[i]} in dropspot*) ;; *) continue;; esac
	[ "${RC[i]}" -eq 0 ] || continue
	awk -v name="${NAMES[i]}" -v ns="${BEST_NS[i]}" -v bare="$BARE_NS" 'BEGIN {
		r = bare / ns
		printf "  %-38s %.2fx %s\n", name, r,
		       (r >= 0.5 ? "met" : "below") }'
done
if [ -s "$DIR/count-only.out" ]; then
	echo
	echo "dropspot dissect --count-only output:"
	sed 's/^/  /' "$DIR/count-only.out" | head -n 20
fi

# ---- peak RSS must not grow with the file ----
[ -n "$DROPSPOT" ] || exit 0
[ $# -ge 1 ] && exit 0	# sizes only for generated captures
echo
echo "peak RSS of dropspot against file size (one run each):"
printf '%-12s %12s %14s %14s %14s\n' "packets" "file MB" "text" "--count-only" "--json"
SIZES=($((N / 10)) "$N")
RSS_MIN=0 RSS_MAX=0
[ "$LARGE" = 1 ] && SIZES+=($((N * 3)))
for n in "${SIZES[@]}"; do
	[ "$n" -gt 0 ] || continue
	f=$DIR/bench-$n.pcap
	[ -e "$f" ] || "$GEN" -n "$n" -o "$f" 2>/dev/null
	row=()
	for mode in "" --count-only --json; do
		# shellcheck disable=SC2086 # $mode is one word or none
		timed /dev/null "$DROPSPOT" dissect $mode "$f"
		if [ "$RUN_RC" -ne 0 ]; then
			row+=("exit $RUN_RC")
		else
			row+=("$(awk -v kb="$RUN_KB" 'BEGIN { printf "%.1f MiB", kb / 1024 }')")
			if [ "$RSS_MIN" -eq 0 ] || [ "$RUN_KB" -lt "$RSS_MIN" ]; then
				RSS_MIN=$RUN_KB
			fi
			[ "$RUN_KB" -gt "$RSS_MAX" ] && RSS_MAX=$RUN_KB
		fi
	done
	printf '%-12s %12.0f %14s %14s %14s\n' "$n" \
		"$(awk -v b="$(stat -c %s "$f")" 'BEGIN { print b / 1e6 }')" "${row[@]}"
	[ "$f" = "$FILE" ] || rm -f "$f"
done
awk -v lo="$RSS_MIN" -v hi="$RSS_MAX" -v a="${SIZES[0]}" -v b="${SIZES[-1]}" 'BEGIN {
	printf "peak RSS from %d to %d packets: %.1f .. %.1f MiB (spread %.1f MiB)\n",
	       a, b, lo / 1024, hi / 1024, (hi - lo) / 1024 }'
