#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Longer fuzzing than the suite's bounded run: every libFuzzer target of a
# clang build with -DDROPSPOT_FUZZ=ON (the test build, build-asan, is one),
# SECONDS each (default 600), over a corpus kept between runs.
#
#   bench/fuzz.sh [SECONDS] [BUILD_DIR]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_EACH=${1:-600}
BUILD=${2:-$SRC/build-asan}
status=0
shopt -s nullglob
targets=("$BUILD"/tests/fuzz_*)
[ ${#targets[@]} -gt 0 ] || {
	echo "fuzz: no fuzz targets in $BUILD/tests (./quickstart.sh test builds them)" >&2
	exit 2
}
for t in "${targets[@]}"; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	echo "== $(basename "$t"): $SECONDS_EACH s"
	"$SRC/tests/fuzz/run.sh" "$t" "$BUILD/tests/$(basename "$t").corpus" \
		"$SECONDS_EACH" || status=1
done
exit $status
