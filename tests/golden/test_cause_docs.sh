#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The cause table and its documentation cannot drift apart: every code of
# analyze/causes.def has a row in docs/report-schema.md, with its strength,
# and the doc names no code the table lacks.
set -u
: "${DROPSPOT_SRC:?}"
def=$DROPSPOT_SRC/analyze/causes.def
doc=$DROPSPOT_SRC/docs/report-schema.md
[ -r "$def" ] && [ -r "$doc" ] || { echo "FAIL: $def or $doc missing"; exit 1; }

# "CAUSE(ID, SCOPE, STRENGTH," -> "id strength"
table=$(sed -n 's/^CAUSE(\([A-Z0-9_]*\), *[A-Z]*, *\([A-Z]*\),.*/\1 \2/p' "$def" |
	tr 'A-Z' 'a-z' | sort)
[ "$(echo "$table" | wc -l)" -ge 20 ] || { echo "FAIL: cannot read $def"; exit 1; }
# "| `code` | strength | ..." rows of the cause table in the doc
docs=$(sed -n 's/^| `\([a-z0-9_]*\)` | \(firm\|guess\|incomplete\) |.*/\1 \2/p' "$doc" |
	sort)
if [ "$table" != "$docs" ]; then
	echo "FAIL: causes.def and docs/report-schema.md differ (< table, > doc):"
	diff <(echo "$table") <(echo "$docs")
	exit 1
fi
echo "PASS: $(echo "$table" | wc -l) causes documented"
