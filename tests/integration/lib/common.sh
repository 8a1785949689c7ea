# Shared helpers for the integration tests (sourced).
# Exit status 77 tells ctest the test was skipped, never passed.

require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: needs root (network namespaces, packet sockets)"
		exit 77
	fi
}

require_cmd() {
	local c
	for c in "$@"; do
		if ! command -v "$c" >/dev/null 2>&1; then
			echo "SKIP: $c not installed"
			exit 77
		fi
	done
}

: "${DROPSPOT:?DROPSPOT must point at the dropspot binary}"
TESTLIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# compare_with_tshark FILE: every packet's fields must agree (see
# compare_tshark.py for the list).  Prints the disagreements.
compare_with_tshark() {
	local file=$1 tsv ndjson fields=() f
	tsv=$(mktemp) ndjson=$(mktemp)
	for f in $(python3 -c "import sys; sys.path.insert(0, '$TESTLIB'); import compare_tshark; print(' '.join(compare_tshark.FIELDS))"); do
		fields+=(-e "$f")
	done
	tshark -r "$file" -n -o ip.check_checksum:TRUE -T fields \
		-E occurrence=a -E aggregator=, "${fields[@]}" >"$tsv" 2>/dev/null
	"$DROPSPOT" dissect --json --no-summary "$file" >"$ndjson"
	echo "== $(basename "$file")"
	python3 "$TESTLIB/compare_tshark.py" "$tsv" "$ndjson"
	local rc=$?
	rm -f "$tsv" "$ndjson"
	return $rc
}
