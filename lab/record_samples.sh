#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Re-records samples/: every recipe of lab/scenarios.sh is built in fresh
# network namespaces, watched live by dropspot at the host-side points while
# the guest pings, and saved as NAME.pcapng.gz (gzip -n: no name or time in
# the header) with its verdict NAME.expected.json beside it.
#
#   lab/record_samples.sh [-o DIR] [-b DROPSPOT] [-r] [NAME...]
#
# -r keeps the captures and only writes their expected verdicts anew, for a
# deliberate change of the engine's verdicts (review the git diff of the
# .expected.json files: it is the change of behaviour).
#
# NAME is a recipe (healthy_bridged, firewall_drop, ...; default: all), and
# the file name uses dashes (healthy-bridged.pcapng.gz).  Needs root, the
# built binary (default build/dropspot) and the lab's tools.  IPv6 is off in
# the lab namespaces so that autoconfiguration chatter, whose timing varies,
# does not change the verdicts from one recording to the next.
set -u

ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
OUT=$ROOT/samples
DROPSPOT=${DROPSPOT:-$ROOT/build/dropspot}

usage() {
	sed -n '4,15p' "$0" | sed 's/^# \{0,1\}//'
	exit "${1:-2}"
}

REANALYZE=0
while getopts "o:b:rh" opt; do
	case $opt in
	o) OUT=$OPTARG ;;
	r) REANALYZE=1 ;;
	b) DROPSPOT=$OPTARG ;;
	h) usage 0 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))

export DROPSPOT DROPSPOT_SRC=$ROOT LAB_NO_IPV6=1
export DROPSPOT_TESTBIN=${DROPSPOT_TESTBIN:-$(dirname "$DROPSPOT")/tests}
[ -x "$DROPSPOT" ] || { echo "record: no binary at $DROPSPOT (build first)" >&2; exit 2; }
mkdir -p "$OUT" || exit 2

. "$ROOT/lab/lib.sh"
. "$ROOT/lab/capture.sh"
. "$ROOT/lab/scenarios.sh"

# expect NAME: the verdict of samples' NAME.pcapng.gz, NAME.expected.json.
expect() {
	local file=${1//_/-}
	"$DROPSPOT" analyze --json "$OUT/$file.pcapng.gz" >"$OUT/$file.expected.json"
	[ $? -le 1 ] || { echo "record: $1: analyze failed" >&2; return 1; }
	printf '%-20s %6s bytes  %s\n' "$file" \
		"$(stat -c %s "$OUT/$file.pcapng.gz")" \
		"$(jq -r .verdict "$OUT/$file.expected.json")"
}

# record NAME: one recipe in its own subshell, so that the lab's traps tear
# its namespaces down before the next one starts.
record() (
	local name=$1 file=${1//_/-}
	lab_init nft ping gzip
	scn_record "$name" "$LAB_DIR/$file.pcapng"
	gzip -9 -n -c "$LAB_DIR/$file.pcapng" >"$OUT/$file.pcapng.gz" ||
		lab_die "$name: gzip"
	expect "$name" || exit 1
)

[ $# -gt 0 ] || set -- "${SCN_ALL[@]}"
status=0
for name in "$@"; do
	if ! declare -F "scn_$name" >/dev/null; then
		echo "record: unknown scenario '$name' (known: ${SCN_ALL[*]})" >&2
		status=2
		continue
	fi
	if [ "$REANALYZE" = 1 ]; then
		expect "$name" || status=1
	else
		record "$name" || status=1
	fi
done
exit $status
