#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Clock domains (issue 14): each capture file is its own clock.
#  1. Every sample split by interface into two files (interface 0, the
#     rest: tests/tools/pcapng_split.py), the second file's clock moved by +37.5 s (editcap -t): analyze
#     of the two files gives the whole file's summary, flow paths and
#     findings (kinds, causes, locations), the point names' file prefix
#     aside.  Also unshifted: the offset comes out within its uncertainty
#     and nothing is shifted.
#  2. A long ping (tests/tools/ping_gen.py) whose second file's clock is
#     off by 12.3 ms and runs 80 ppm fast: the estimate is within its
#     uncertainty of the truth, the drift within 5 ppm, and the verdict is
#     the whole file's.
#  2b. pcapng sections: each its own clock.
#  3. No probe in common: said, and the raw clocks kept.
#  4. Hosts: files whose section header names their host (as dropspot's
#     captures do) or named by --host NAME=FILE: HOST/IFNAME in the report
#     when there are several, names as before with one.
set -u
: "${DROPSPOT:?DROPSPOT must name the dropspot binary}"
: "${DROPSPOT_SRC:?}"
for t in tshark editcap jq python3; do
	command -v $t >/dev/null || { echo "skip: $t missing" >&2; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# what must not change: counts, paths, findings; names without file prefix
norm='def strip: if type == "string" then sub("^[a-z]+\\.pcapng:"; "") else . end;
{summary: .summary,
 paths: [.points as $p | .flows[] | [.path[] | $p[.].name | strip]],
 findings: ([.findings[] | {kind, code: .cause.code,
	after: (.location.after_name | strip),
	before: (.location.before_name | strip),
	dir: .location.direction}] | sort)}'

cd "$tmp" || exit 1
n=0
for s in "$DROPSPOT_SRC"/samples/*.pcapng.gz; do
	name=$(basename "$s" .pcapng.gz)
	zcat "$s" > whole.pcapng
	ifs=$(tshark -r whole.pcapng -T fields -e frame.interface_id 2>/dev/null |
	      sort -u | wc -l)
	[ "$ifs" -ge 2 ] || continue
	# tshark -Y -w would keep every interface, empty: a point watched
	# that saw nothing, which no capture of another host holds
	python3 "$DROPSPOT_SRC/tests/tools/pcapng_split.py" whole.pcapng a.pcapng 0 &&
	python3 "$DROPSPOT_SRC/tests/tools/pcapng_split.py" whole.pcapng b.pcapng '!0' &&
	editcap -t 37.5 b.pcapng bs.pcapng 2>/dev/null &&
	python3 "$DROPSPOT_SRC/tests/tools/pcapng_skew.py" b.pcapng bk.pcapng 37.5 0 ||
		{ fail "$name: cannot split"; continue; }
	"$DROPSPOT" analyze --json whole.pcapng 2>/dev/null | jq -S "$norm" > want.json
	"$DROPSPOT" analyze --json a.pcapng bs.pcapng 2>/dev/null > shifted.json
	# editcap leaves the statistics blocks (ISB: when each interface was
	# watched) out: the paths must agree; the whole verdict is compared
	# over the same shift by pcapng_skew.py, which moves them too
	jq -S "$norm | .paths" shifted.json > got_paths.json
	jq -S .paths want.json > want_paths.json
	"$DROPSPOT" analyze --json a.pcapng bk.pcapng 2>/dev/null |
		jq -S "$norm" > got.json
	# probes seen in both files: the shift must be found and undone
	applied=$(jq -r '.clock_domains.domains[1].applied' shifted.json)
	if [ "$(jq '.clock_domains.domains[1].probes' shifted.json)" -gt 0 ]; then
		off=$(jq '.clock_domains.domains[1].offset_ns' shifted.json)
		unc=$(jq '.clock_domains.domains[1].uncertainty_ns' shifted.json)
		# crossings: within tens of us; one-way sightings only: 1 ms
		awk -v o="$off" -v u="$unc" 'BEGIN { d = o - 37.5e9; if (d < 0) d = -d;
			exit !(d <= u && u < 2e6) }' ||
			fail "$name: +37.5 s estimated as $off +- $unc ns"
		[ "$applied" = true ] || fail "$name: shift not applied"
		diff -q want_paths.json got_paths.json >/dev/null ||
			fail "$name: shifted by editcap -t 37.5: paths differ"
		if ! diff -u want.json got.json > d.txt; then
			fail "$name: split and shifted by 37.5 s differs:"
			cat d.txt
		fi
		n=$((n + 1))
	else
		# nothing to estimate from: said, raw clocks kept
		[ "$(jq '.clock_domains.estimated' shifted.json)" = false ] ||
			fail "$name: an estimate without shared probes"
		[ "$applied" = false ] || fail "$name: shifted without probes"
	fi
	# same host, same clock: ~0, within its own uncertainty, not shifted
	"$DROPSPOT" analyze --json a.pcapng b.pcapng 2>/dev/null > same.json
	if [ "$(jq '.clock_domains.domains[1].probes' same.json)" -gt 0 ]; then
		[ "$(jq '.clock_domains.domains[1].applied' same.json)" = false ] ||
			fail "$name: same clock shifted: $(jq -c '.clock_domains.domains[1]' same.json)"
		jq -S "$norm" same.json > got.json
		diff -q want.json got.json >/dev/null ||
			fail "$name: split (same clock) differs from the whole file"
	fi
done
[ "$n" -ge 5 ] || fail "only $n samples had probes in both halves"
echo "split samples with a shared probe: $n"

# 2. offset with drift, over 300 probes and 300 s
python3 "$DROPSPOT_SRC/tests/tools/ping_gen.py" . 300 1 0.0123 80 ||
	{ fail "ping_gen.py"; exit 1; }
"$DROPSPOT" analyze --json whole.pcapng 2>/dev/null | jq -S "$norm" > want.json
"$DROPSPOT" analyze --json a.pcapng b.pcapng 2>/dev/null > drift.json
jq -S "$norm" drift.json > got.json
diff -u want.json got.json || fail "drifting clock: verdict differs"
jq -r '.clock_domains.domains[1] | "\(.offset_ns) \(.uncertainty_ns) \(.drift_ppm) \(.at_ns) \(.applied)"' \
	drift.json | {
	read -r off unc ppm at applied
	# the truth at the estimate's time: 12.3 ms + 80 ppm since 1.7e18 ns
	awk -v o="$off" -v u="$unc" -v p="$ppm" -v at="$at" 'BEGIN {
		t = 12.3e6 + 80e-6 * (at - 1.7e18); d = o - t; if (d < 0) d = -d;
		dp = p - 80; if (dp < 0) dp = -dp;
		printf "drift test: estimated %d +- %d ns, true %.0f ns; drift %.3f ppm (80)\n", o, u, t, p;
		exit !(d <= u && dp < 5) }' || exit 1
	[ "$applied" = true ] || exit 1
} || fail "drifting clock: estimate off"
# and the estimate against the whole file's clock of one-way sightings:
# every 5th reply lost before guest0 still gives crossings for the rest
python3 "$DROPSPOT_SRC/tests/tools/ping_gen.py" . 50 0.2 -2.5 0 5 ||
	fail "ping_gen.py"
"$DROPSPOT" analyze --json whole.pcapng 2>/dev/null | jq -S "$norm" > want.json
"$DROPSPOT" analyze --json a.pcapng b.pcapng 2>/dev/null > lossy.json
jq -S "$norm" lossy.json > got.json
diff -u want.json got.json || fail "lossy, clock -2.5 s: verdict differs"

# 2b. sections: one file of two pcapng sections (cat), each its own clock
#     (+5 s and -12 s), with a third file: the whole file's verdict
split=$DROPSPOT_SRC/tests/tools/pcapng_split.py
skew=$DROPSPOT_SRC/tests/tools/pcapng_skew.py
zcat "$DROPSPOT_SRC/samples/healthy-nat.pcapng.gz" > whole.pcapng
python3 "$split" whole.pcapng s0.pcapng 0 && python3 "$split" whole.pcapng s1.pcapng 1 &&
python3 "$split" whole.pcapng s2.pcapng 2,3 && python3 "$skew" s1.pcapng s1k.pcapng 5 0 &&
python3 "$skew" s2.pcapng s2k.pcapng -12 0 && cat s1k.pcapng s2k.pcapng > secs.pcapng ||
	fail "sections: cannot build"
"$DROPSPOT" analyze --json whole.pcapng 2>/dev/null | jq -S "$norm | del(.paths)" > want.json
"$DROPSPOT" analyze --json s0.pcapng secs.pcapng 2>/dev/null > secs.json
jq -S "$norm | del(.paths)" secs.json > got.json
diff -u want.json got.json || fail "sections: verdict differs"
[ "$(jq -c '[.clock_domains.domains[] | [.file, .applied]]' secs.json)" = \
	'[["s0.pcapng",false],["secs.pcapng#1",true],["secs.pcapng#2",true]]' ] ||
	fail "sections: domains $(jq -c .clock_domains secs.json)"

# 3. nothing shared: said in the report
python3 "$DROPSPOT_SRC/tests/tools/ping_gen.py" . 3 1 0 0 && cp a.pcapng x.pcapng
zcat "$DROPSPOT_SRC/samples/healthy-nat.pcapng.gz" > y.pcapng
"$DROPSPOT" analyze x.pcapng y.pcapng 2>/dev/null |
	grep -q 'clock domains: no probe seen in two files' ||
	fail "no shared probe: not said"

# 4. hosts: two files of two hosts (the hostname dropspot writes in its
#    section header), 3.3 s apart, every 4th reply lost on the way back
#    between them: points named HOST/IFNAME, the verdict names the host
PING_GEN_HOST_A=hv1 PING_GEN_HOST_B=hv2 \
	python3 "$DROPSPOT_SRC/tests/tools/ping_gen.py" . 12 0.1 3.3 0 4 ||
	fail "ping_gen.py"
"$DROPSPOT" analyze --json a.pcapng b.pcapng 2>/dev/null > hosts.json
[ "$(jq -c '[.points as $p | .flows[0].path[] | $p[.].name]' hosts.json)" = \
	'["hv1/guest0","hv2/uplink0"]' ] || fail "hosts: path $(jq -c .flows hosts.json)"
jq -r .verdict hosts.json | grep -q 'replies stop after hv2/uplink0, not seen at hv1/guest0' ||
	fail "hosts: verdict $(jq -r .verdict hosts.json)"
[ "$(jq -r '[.points[].host] | join(",")' hosts.json)" = hv1,hv2 ] ||
	fail "hosts: points' host"
# --host overrides; one host for both: names as without hosts
"$DROPSPOT" analyze --json --host x=a.pcapng --host y=b.pcapng a.pcapng b.pcapng \
	2>/dev/null | jq -r .verdict | grep -q 'after y/uplink0, not seen at x/guest0' ||
	fail "--host NAME=FILE not applied"
"$DROPSPOT" analyze --json --host x=a.pcapng --host x=b.pcapng a.pcapng b.pcapng \
	2>/dev/null | jq -r .verdict | grep -q 'after b.pcapng:uplink0, not seen at a.pcapng:guest0' ||
	fail "one host: names changed"
"$DROPSPOT" analyze --host x=nosuch.pcapng a.pcapng b.pcapng >/dev/null 2>&1
[ $? = 2 ] || fail "--host of no input file: not a usage error"

[ $failed = 0 ] && echo "PASS: clock domains"
exit $failed
