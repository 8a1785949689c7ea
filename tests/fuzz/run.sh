#!/bin/bash
# Runs one fuzz target for a bounded time over a corpus seeded with every
# capture and byte sample the tests have (tests/fuzz/seeds, samples/).
#   run.sh TARGET CORPUS_DIR SECONDS     (SECONDS=0: replay the seeds only)
set -euo pipefail
target=$1 corpus=$2 seconds=$3
src=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$corpus"
for dir in "$src/tests/fuzz/seeds" "$src/samples"; do
	[ -d "$dir" ] && find "$dir" -type f ! -name '*.json' ! -name '*.md' \
		-exec cp -n {} "$corpus/" \; 2>/dev/null
done
# libFuzzer's own exit code for a crash or a timeout is 77, which ctest
# takes for "skipped": a finding must fail the test instead.
exits=(-error_exitcode=1 -timeout_exitcode=1)
if [ "$seconds" = 0 ]; then
	shopt -s nullglob
	exec "$target" "${exits[@]}" "$corpus"/*
fi
# -rss_limit_mb: an unbounded allocation on hostile input is a bug too.
exec "$target" "${exits[@]}" -max_total_time="$seconds" -rss_limit_mb=1024 \
	-timeout=10 -print_final_stats=1 "$corpus"
