# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# jq snippets over a dropspot JSON report (docs/report-schema.md), shared by
# the analyze and trace test helpers.

# shellcheck disable=SC2034 # used by the tests that source this
JQ_NO_DROP='(all(.findings[]; .kind != "drop")) and .summary.lost == 0'

# jq_drop AFTER BEFORE DIR: a drop finding at that location ("null" = none).
jq_drop() {
	local before=$2
	[ "$before" = null ] || before="\"$before\""
	printf 'any(.findings[]; .kind == "drop" and .location.after_name == "%s" and .location.before_name == %s and .location.direction == "%s")' \
		"$1" "$before" "$3"
}

# jq_has KIND: a finding of that kind.
jq_has() {
	printf 'any(.findings[]; .kind == "%s")' "$1"
}
