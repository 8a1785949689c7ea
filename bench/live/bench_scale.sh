#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Live capture at scale (issue 17): N veth pairs in one lab netns, dropspot
# capture watching one end of each (N points), for N = 8, 64, 256 (or the
# counts given).  For each N it measures
#   - attach: wall time from starting `dropspot capture` until it says
#     "watching" (polled every 10 ms: process start and BPF load included);
#   - detach: wall time from SIGINT until the process has exited;
#   - memory: the process's RSS once watching, and the kernel memory of the
#     BPF programs and maps it holds (bytes_memlock from bpftool, found
#     through the process's own fds: the 8 MiB ring is most of it), each
#     also per point as the delta to a 1-point run over N - 1.
#
#   bench/live/bench_scale.sh [DROPSPOT] [N...]
#   BENCH_SCALE_ARGS="--xdp-ingress" bench/live/bench_scale.sh ...
#
# Needs root, bpftool, python3.  Prints a table and a JSON line at the end.
set -u
here=$(cd "$(dirname "$0")" && pwd)
DROPSPOT=${1:-${DROPSPOT:-$here/../../build/dropspot}}
shift || true
COUNTS=("$@")
[ ${#COUNTS[@]} -gt 0 ] || COUNTS=(8 64 256)
EXTRA=${BENCH_SCALE_ARGS:-}
export DROPSPOT_SRC=${DROPSPOT_SRC:-$here/../..}
. "$DROPSPOT_SRC/lab/lib.sh"
lab_init bpftool python3
[ -x "$DROPSPOT" ] || lab_die "no dropspot binary at $DROPSPOT"

max=1
for n in "${COUNTS[@]}"; do [ "$n" -gt "$max" ] && max=$n; done
lab_netns A scale
# one batch: creating 256 pairs one `ip` at a time costs seconds
{
	for ((i = 0; i < max; i++)); do
		echo "link add va$i type veth peer name vb$i"
		echo "link set va$i up"
		echo "link set vb$i up"
	done
} | ip -n "$A" -batch - || lab_die "cannot create $max veth pairs"

now_ns() { date +%s%N; }

# kernel memory (bytes_memlock) of the programs and maps pid's fds hold
kmem() {
	local pid=$1 ids
	ids=$(grep -h -E '^(prog_id|map_id):' /proc/"$pid"/fdinfo/* 2>/dev/null | sort -u)
	python3 - "$ids" <<'EOF'
import json, subprocess, sys
progs, maps = set(), set()
for line in sys.argv[1].split("\n"):
    if ":" not in line:
        continue
    k, v = line.split(":", 1)
    (progs if k == "prog_id" else maps).add(int(v))
def memlock(kind, i):
    try:
        out = subprocess.run(["bpftool", "-j", kind, "show", "id", str(i)],
                             capture_output=True, text=True).stdout
        return int(json.loads(out).get("bytes_memlock", 0))
    except Exception:
        return 0
p = sum(memlock("prog", i) for i in progs)
m = sum(memlock("map", i) for i in maps)
print(len(progs), len(maps), p, m)
EOF
}

# run N: sets ATT_MS DET_MS RSS_KB NPROG NMAP PROG_B MAP_B
run() {
	local n=$1 pts="" i pid t0 t1 t2 err
	for ((i = 0; i < n; i++)); do pts+="${pts:+,}$A/va$i"; done
	t0=$(now_ns)
	lab_bg pid "" "$DROPSPOT" capture -i "$pts" --no-print $EXTRA
	err=$LAB_DIR/$pid.err
	for ((i = 0; i < 6000; i++)); do
		grep -q 'watching' "$err" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || lab_die "dropspot exited: $(cat "$err")"
		sleep 0.01
	done
	t1=$(now_ns)
	grep -q 'watching' "$err" || lab_die "dropspot did not start: $(cat "$err")"
	RSS_KB=$(awk '/^VmRSS:/ { print $2 }' /proc/"$pid"/status)
	read -r NPROG NMAP PROG_B MAP_B < <(kmem "$pid")
	t1b=$(now_ns)
	kill -INT "$pid"
	wait "$pid"
	t2=$(now_ns)
	ATT_MS=$(( (t1 - t0) / 1000000 ))
	DET_MS=$(( (t2 - t1b) / 1000000 ))
	grep -q 'not watched' "$err" && lab_die "a point was not watched: $(cat "$err")"
	return 0
}

run 1
base_rss=$RSS_KB base_kmem=$(( PROG_B + MAP_B ))
printf '%-6s %10s %10s %8s %12s %7s %7s %9s %14s\n' points attach_ms detach_ms \
	rss_kb rss_kb/point progs maps kmem_kb kmem_kb/point
printf '%-6s %10s %10s %8s %12s %7s %7s %9s %14s\n' 1 "$ATT_MS" "$DET_MS" \
	"$RSS_KB" - "$NPROG" "$NMAP" $((base_kmem / 1024)) -
json="{\"args\":\"$EXTRA\",\"one_point\":{\"attach_ms\":$ATT_MS,\"detach_ms\":$DET_MS,\"rss_kb\":$base_rss,\"kmem_kb\":$((base_kmem / 1024))},\"runs\":["
sep=""
for n in "${COUNTS[@]}"; do
	run "$n"
	kmem_kb=$(( (PROG_B + MAP_B) / 1024 ))
	rss_pp=$(python3 -c "print('%.1f' % (($RSS_KB - $base_rss) / max($n - 1, 1)))")
	kmem_pp=$(python3 -c "print('%.2f' % (($PROG_B + $MAP_B - $base_kmem) / 1024 / max($n - 1, 1)))")
	printf '%-6s %10s %10s %8s %12s %7s %7s %9s %14s\n' "$n" "$ATT_MS" "$DET_MS" \
		"$RSS_KB" "$rss_pp" "$NPROG" "$NMAP" "$kmem_kb" "$kmem_pp"
	json+="$sep{\"points\":$n,\"attach_ms\":$ATT_MS,\"detach_ms\":$DET_MS,\"rss_kb\":$RSS_KB,\"rss_kb_per_point\":$rss_pp,\"progs\":$NPROG,\"maps\":$NMAP,\"prog_memlock_kb\":$((PROG_B / 1024)),\"map_memlock_kb\":$((MAP_B / 1024)),\"kmem_kb_per_point\":$kmem_pp}"
	sep=","
done
echo "(targets: 64 points < 1000 ms attach and detach, 256 points < 3000 ms)"
echo "$json]}"
