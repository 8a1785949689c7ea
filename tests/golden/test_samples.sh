#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Golden tests: every capture in samples/ is analyzed again and compared with
# the verdict recorded beside it (NAME.expected.json), semantically, by
# `dropspot diff`: per-probe fates, drop points, kernel reasons, NAT,
# neighbour findings.  A changed verdict fails with diff's explanation.
set -u
: "${DROPSPOT:?DROPSPOT must name the dropspot binary}"
: "${DROPSPOT_SRC:?}"

samples=("$DROPSPOT_SRC"/samples/*.pcapng.gz)
[ -e "${samples[0]}" ] || { echo "skip: no samples" >&2; exit 77; }
failed=0
for s in "${samples[@]}"; do
	name=$(basename "$s" .pcapng.gz)
	expected=$DROPSPOT_SRC/samples/$name.expected.json
	if [ ! -e "$expected" ]; then
		echo "FAIL $name: no $name.expected.json beside it"
		failed=1
		continue
	fi
	out=$("$DROPSPOT" diff "$expected" "$s" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok   $name"
	else
		echo "FAIL $name (diff exit $rc): the verdict changed:"
		echo "$out" | sed 's/^/     /'
		failed=1
	fi
done
[ "$failed" -eq 0 ] && echo PASS
exit "$failed"
