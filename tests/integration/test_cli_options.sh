#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Option values every subcommand checks the same way (cli_opt_seconds,
# cli_opt_count, point_arg_check_path/name): a bad one is one clear error
# line naming the option and exit 2, before any file is read or hook
# attached (so no root is needed); the edges of the ranges still pass.
set -u
: "${DROPSPOT:?}" "${DROPSPOT_SRC:?}"
SAMPLE=$DROPSPOT_SRC/samples/firewall-drop.pcapng.gz
[ -r "$SAMPLE" ] || { echo "skip: no $SAMPLE"; exit 77; }
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
FAILED=0

# rejects WHAT OPTION ARGS...: exit 2, one error line that names OPTION.
rejects() {
	local what=$1 opt=$2 rc
	shift 2
	"$DROPSPOT" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ $rc = 2 ] && [ "$(grep -c 'error:' "$TMP/err")" = 1 ] &&
	   grep -qF -- "$opt" "$TMP/err" && [ ! -s "$TMP/out" ]; then
		echo "ok   $what: $(cat "$TMP/err")"
	else
		echo "FAIL $what: exit $rc, stderr: $(cat "$TMP/err")"
		FAILED=1
	fi
}

# accepts WHAT ARGS...: analyze of the sample runs (exit 0 or 1).
accepts() {
	local what=$1 rc
	shift
	"$DROPSPOT" "$@" >/dev/null 2>"$TMP/err"
	rc=$?
	if [ $rc = 0 ] || [ $rc = 1 ]; then
		echo "ok   $what"
	else
		echo "FAIL $what: exit $rc, stderr: $(cat "$TMP/err")"
		FAILED=1
	fi
}

for t in nan inf -1 0 1e-300 0.0009 3600.5 1e400 5s " 1" "" 0x10; do
	rejects "analyze -t '$t'" --timeout analyze -t "$t" "$SAMPLE"
	rejects "diff -t '$t'" --timeout diff -t "$t" "$SAMPLE" "$SAMPLE"
	rejects "trace -t '$t'" --timeout trace -i lo -t "$t"
done
for a in "" bogus link LINKS tracepoint; do
	rejects "capture --attach '$a'" --attach capture -i lo --attach "$a"
	rejects "trace --attach '$a'" --attach trace -i lo --attach "$a"
done
# per-interface hooks cannot be chosen when no interface is hooked
rejects "capture --attach tracepoints --tc-ingress" --attach \
	capture -i lo --attach tracepoints --tc-ingress
rejects "capture --attach tracepoints --xdp-ingress" --attach \
	capture -i lo --xdp-ingress --attach tracepoints
rejects "trace --attach tracepoints --tc-ingress" --attach \
	trace -i lo --tc-ingress --attach tracepoints
for p in 0,0,0 "0,1,0" "" "0,,1" ",0" "0,"; do
	rejects "analyze -p '$p'" --path analyze -p "$p" "$SAMPLE"
	rejects "trace -p '$p'" --path trace -i lo -p "$p"
done
for n in "0=" "=x" "0" "0=a,b"; do
	rejects "analyze -n '$n'" --name analyze -n "$n" "$SAMPLE"
	rejects "trace -n '$n'" --name trace -i lo -n "$n"
done
for c in 0 -1 " -5" 5x "" 1.5 99999999999999999999999; do
	rejects "capture -c '$c'" -c capture -i lo -c "$c"
	rejects "trace -c '$c'" -c trace -i lo -c "$c"
	rejects "dissect -c '$c'" -c dissect -c "$c" "$SAMPLE"
done
for d in nan inf 0 -1 1e-300 1e300 2x; do
	rejects "capture -d '$d'" --duration capture -i lo -d "$d"
	rejects "trace -d '$d'" --duration trace -i lo -d "$d"
done
for i in nan 0 0.001 3601; do
	rejects "trace --interval '$i'" --interval trace -i lo --interval "$i"
done
rejects "analyze --ladder 5x" --ladder analyze --ladder 5x "$SAMPLE"
rejects "analyze --storm-rate 0" --storm-rate analyze --storm-rate 0 "$SAMPLE"
# the same point twice under two of its names: found once names resolve
rejects "analyze -p 0,tap0" --path analyze -p 0,tap0 "$SAMPLE"

accepts "analyze -t 0.001" analyze -t 0.001 "$SAMPLE"
accepts "analyze -t 3600" analyze -t 3600 "$SAMPLE"
accepts "analyze -t .5" analyze -t .5 "$SAMPLE"
accepts "analyze -p tap0,br0,up0 -n 0=guest-side" \
	analyze -p tap0,br0,up0 -n 0=guest-side "$SAMPLE"
accepts "analyze --ladder 0" analyze --ladder 0 "$SAMPLE"
accepts "diff -t 2.5" diff -t 2.5 "$SAMPLE" "$SAMPLE"
accepts "dissect -c 010 (ten, not octal eight)" dissect -c 010 "$SAMPLE"
# frame lines start with their time; a kernel drop adds an indented line
n=$("$DROPSPOT" dissect --no-summary -c 010 "$SAMPLE" 2>/dev/null | grep -c '^[0-9]')
if [ "$n" = 10 ]; then echo "ok   dissect -c 010 prints 10 frames"
else echo "FAIL dissect -c 010 printed $n frames"; FAILED=1; fi
exit $FAILED
