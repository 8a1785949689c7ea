#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The offline fast paths (issue 17) change no byte of a report.  Each
# capture is analyzed twice with the same path: once as shipped (a plain
# file is mapped and read in place, the echo fingerprint is the
# word-at-a-time hash) and once with DROPSPOT_NO_MMAP=1 (buffered read()s
# and the merge window's copies) and DROPSPOT_REFERENCE_HASH=1 (the old
# byte-at-a-time FNV-1a 64); the two JSON reports must be identical, byte
# for byte.  Captures: every sample (uncompressed, so that it can be
# mapped) and generated ones from bench/gen_capture (pcapng with two
# points, two classic pcap files merged, nanosecond pcapng), plus one file
# cut in the middle of a record, whose error must be the same too, and
# stdin redirected from a file (mapped) against the same bytes piped.
# The engine in a thread of its own (DROPSPOT_THREADS=2, forced even on
# one CPU) is compared with one thread (DROPSPOT_THREADS=1) the same way,
# on the mapped files, the only ones the threaded pipeline takes.
set -u
: "${DROPSPOT:?DROPSPOT must name the dropspot binary}"
: "${DROPSPOT_SRC:?}"
: "${DROPSPOT_BUILD:?}"

GEN=$DROPSPOT_BUILD/bench/gen_capture
N=${FASTPATH_FRAMES:-60000}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/dropspot-fastpath.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
failed=0
checked=0

# run WAY ENV... -- FILE...: analyze --json into $DIR/WAY.json/.err, the
# exit status into rc[WAY]
declare -A rc
run() {
	local way=$1
	shift
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	env "${envs[@]}" "$DROPSPOT" analyze --json "$@" \
		>"$DIR/$way.json" 2>"$DIR/$way.err"
	rc[$way]=$?
}

# differs NAME A B WHAT: A's and B's report, stderr and exit status differ
# (said, with the difference)
differs() {
	local name=$1 a=$2 b=$3
	[ "${rc[$a]}" -eq "${rc[$b]}" ] && cmp -s "$DIR/$a.json" "$DIR/$b.json" &&
		cmp -s "$DIR/$a.err" "$DIR/$b.err" && return 1
	echo "FAIL $name: $4: $a exit ${rc[$a]}, $b exit ${rc[$b]}"
	diff "$DIR/$b.json" "$DIR/$a.json" | head -20 | sed 's/^/     /'
	diff "$DIR/$b.err" "$DIR/$a.err" | head -5 | sed 's/^/     /'
	return 0
}

# same NAME FILE...: the report (and exit code, stderr) of every way
same() {
	local name=$1
	shift
	run fast DROPSPOT_THREADS=2 -- "$@"
	run one DROPSPOT_THREADS=1 -- "$@"
	run slow DROPSPOT_NO_MMAP=1 DROPSPOT_REFERENCE_HASH=1 -- "$@"
	checked=$((checked + 1))
	if differs "$name" fast slow "fast paths against the reference" ||
	   differs "$name" fast one "two threads against one"; then
		failed=1
	elif [ ! -s "$DIR/fast.json" ]; then
		echo "FAIL $name: empty report (exit ${rc[fast]})"
		sed 's/^/     /' "$DIR/fast.err" | head -5
		failed=1
	else
		echo "ok   $name ($(wc -c <"$DIR/fast.json") bytes, exit ${rc[fast]})"
	fi
}

for s in "$DROPSPOT_SRC"/samples/*.pcapng.gz; do
	[ -e "$s" ] || continue
	name=$(basename "$s" .gz)
	gzip -dc "$s" >"$DIR/$name"
	same "sample $name" "$DIR/$name"
	rm -f "$DIR/$name"
done

# Sections one after the other: interfaces (points) appear in the middle
# of the file, while frames flow (the threaded pipeline's point copies).
sections=0
for s in healthy-nat firewall-drop mtu-blackhole; do
	[ -e "$DROPSPOT_SRC/samples/$s.pcapng.gz" ] || continue
	gzip -dc "$DROPSPOT_SRC/samples/$s.pcapng.gz" >>"$DIR/sections.pcapng"
	sections=$((sections + 1))
done
[ "$sections" -gt 1 ] &&
	same "$sections samples as sections of one pcapng" "$DIR/sections.pcapng"
rm -f "$DIR/sections.pcapng"

if [ -x "$GEN" ]; then
	"$GEN" -n "$N" --pcapng --points 2 -o "$DIR/gen.pcapng" 2>/dev/null
	same "gen_capture -n $N --pcapng --points 2" "$DIR/gen.pcapng"
	"$GEN" -n "$N" --pcapng --nsec --points 3 -o "$DIR/gen-ns.pcapng" 2>/dev/null
	same "gen_capture -n $N --pcapng --nsec --points 3" "$DIR/gen-ns.pcapng"
	"$GEN" -n "$N" --points 2 -o "$DIR/gen.pcap" 2>/dev/null
	same "gen_capture -n $N --points 2 (two pcap files)" \
		"$DIR/gen-p0.pcap" "$DIR/gen-p1.pcap"
	# stdin: a redirected file is mapped, a pipe is read(); same report
	checked=$((checked + 1))
	"$DROPSPOT" analyze --json - <"$DIR/gen.pcapng" >"$DIR/fast.json" 2>&1
	cat "$DIR/gen.pcapng" | "$DROPSPOT" analyze --json - >"$DIR/slow.json" 2>&1
	if cmp -s "$DIR/fast.json" "$DIR/slow.json" && [ -s "$DIR/fast.json" ]; then
		echo "ok   stdin: redirected file (mapped) = pipe"
	else
		echo "FAIL stdin: redirected file (mapped) != pipe"
		diff "$DIR/slow.json" "$DIR/fast.json" | head -20 | sed 's/^/     /'
		failed=1
	fi
	# cut inside a record: the same frames, then the same error
	size=$(stat -c %s "$DIR/gen.pcapng")
	head -c $((size / 2 + 7)) "$DIR/gen.pcapng" >"$DIR/cut.pcapng"
	same "pcapng cut in a record" "$DIR/cut.pcapng"
else
	echo "note: $GEN not built (make gen_capture): generated captures skipped"
fi

[ "$checked" -gt 0 ] || { echo "skip: nothing to compare" >&2; exit 77; }
[ "$failed" -eq 0 ] && echo "PASS ($checked captures)"
exit "$failed"
