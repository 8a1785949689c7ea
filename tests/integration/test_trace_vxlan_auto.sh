#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace --auto across a VXLAN overlay (issue 16): the discovery
# (capture/topology.c) follows the route to the target into a's vx0, then
# the underlay to its remote (vx0's lower device va, its veth peer vb in
# b, which holds the remote), then b's vx0 (same kind and VNI, bound to
# the remote) where the overlay walk goes on to the target.
#
#   a: vx0 10.42.0.1 ─ va 192.168.100.1 ══ vb 192.168.100.2 ─ vx0 10.42.0.2 :b
#
# topo_show must list exactly those four points with their roles; the
# trace over them sees every probe at all four, encapsulated on va and vb,
# live and from the saved pcapng; `dropspot dissect` of that file names
# the tunnel before the inner packet.  Then a VXLAN without a remote (FDB
# entries per peer, as flannel makes): the same four points.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init capinfos
SHOW=$DROPSPOT_TESTBIN/topo_show
[ -x "$SHOW" ] || lab_skip "$SHOW not built"

tr_vxlan_lab

got=$("$SHOW" -t 10.42.0.2 "$A" 2>&1 | grep -v '^#') || lab_die "topo_show: $got"
want=$(printf '%s\t%s\t%s\n' \
	"$A/vx0" other "route to target, vxlan 42 to 192.168.100.2" \
	"$A/va" veth underlay \
	"$B/vb" veth "underlay, far VTEP 192.168.100.2" \
	"$B/vx0" other "far tunnel end (vxlan 42), target side")
if [ "$got" != "$want" ]; then
	diff <(echo "$want") <(echo "$got") >&2
	lab_die "discovered points differ (above: < want, > got)"
fi
echo "ok: a's vx0, the underlay va and vb, b's vx0 discovered"

TR_JSON_LIVE=$LAB_DIR/report-live.json
"$DROPSPOT" trace --json --auto --ping 10.42.0.2 --from "$A" -c 3 \
	--interval 0.2 --no-drops -w "$LAB_DIR/trace.pcapng" \
	>"$TR_JSON_LIVE" 2>"$TR_JSON_LIVE.err" &
wait $!
TR_RC=$?
cat "$TR_JSON_LIVE.err" >&2
_tr_check "$TR_JSON_LIVE" "$TR_RC" "dropspot trace --auto"
[ "$TR_RC" = 0 ] || lab_die "trace --auto exited $TR_RC on a healthy overlay"
capinfos "$LAB_DIR/trace.pcapng" | grep -q "topology to 10.42.0.2: $A/vx0 -> $A/va -> $B/vb -> $B/vx0" ||
	lab_die "topology not recorded: $(capinfos "$LAB_DIR/trace.pcapng" | grep -i comment)"
echo "ok: the discovered topology is recorded in the file"
tr_analyze
tr_expect "all three answered" '.summary.answered == 3 and .summary.lost == 0'
tr_expect "the underlay points are watched" \
	'[.points[] | .name | split("/") | last] as $n |
	 ($n | index("va")) != null and ($n | index("vb")) != null and
	 ([$n[] | select(. == "vx0")] | length) == 2'
tr_expect "every probe seen at all four points, both ways" \
	'[.points | to_entries[] | select(.value.name | test("(^|/)(vx0|va|vb)$")) | .key] as $p |
	 ($p | length) == 4 and all(.probes[];
		($p - [.sightings[] | select(.kind == "request") | .point]) == [] and
		($p - [.sightings[] | select(.kind == "reply") | .point]) == [])'
tr_expect "encapsulated (VNI 42) on the underlay points only" \
	'. as $r | all(.probes[].sightings[];
		($r.points[.point].name | test("(^|/)v[ab]$")) as $u |
		if $u then .encap.type == "vxlan" and .encap.id == 42 else .encap == null end)'
tr_expect "the path runs through the underlay" \
	'. as $r | [.flows[0].path[] | $r.points[.].name | split("/") | last] == ["vx0","va","vb","vx0"]'

# dropspot dissect names the tunnel before the inner summary
"$DROPSPOT" dissect "$LAB_DIR/trace.pcapng" >"$LAB_DIR/dissect.txt" ||
	lab_die "dropspot dissect failed"
grep -qE ':va out .*length 148: vxlan vni 42 192\.168\.100\.1>192\.168\.100\.2 \| IP 10\.42\.0\.1 > 10\.42\.0\.2 ttl 64 len 84( DF)?: ICMP echo request' \
	"$LAB_DIR/dissect.txt" ||
	lab_die "no tunnel token at va: $(grep ':va ' "$LAB_DIR/dissect.txt" | head -3)"
grep -qE ':vb out .*: vxlan vni 42 192\.168\.100\.2>192\.168\.100\.1 \| IP 10\.42\.0\.2 > 10\.42\.0\.1 .*ICMP echo reply' \
	"$LAB_DIR/dissect.txt" ||
	lab_die "no tunnel token for the reply at vb"
if grep -E 'vx0(#2)? (in|out) .*vxlan' "$LAB_DIR/dissect.txt" >&2; then
	lab_die "a tunnel token on the overlay devices"
fi
"$DROPSPOT" dissect --json "$LAB_DIR/trace.pcapng" |
	jq -se '[.[] | select(.type == "packet" and .tunnel != null)] |
		length > 0 and all(.[]; .tunnel.type == "vxlan" and .tunnel.id == 42 and
			.tunnel.dport == 4789 and (.point | test(":v[ab]$")))' >/dev/null ||
	lab_die "dissect --json: no tunnel object, or one off the underlay"
echo "ok: dissect shows the tunnel tokens on the underlay only, text and JSON"

# The same overlay the way flannel and EVPN build it: no remote, one FDB
# entry per peer MAC (and a static neighbour).  The remote is the FDB's
# entry for the MAC of the route's next hop.
lab_netns A a2
lab_netns B b2
lab_veth "$A" va "$B" vb
lab_addr "$A" va 192.168.100.1/24
lab_addr "$B" vb 192.168.100.2/24
fdb_vxlan() {	# NS LOCAL DEV ADDR
	lab_ip "$1" link add vx0 type vxlan id 42 local "$2" dstport 4789 \
		dev "$3" nolearning || lab_die "vxlan without remote"
	lab_addr "$1" vx0 "$4"
}
fdb_vxlan "$A" 192.168.100.1 va 10.42.0.1/24
fdb_vxlan "$B" 192.168.100.2 vb 10.42.0.2/24
mac_a=$(lab_ip "$A" -j link show vx0 | jq -r '.[0].address')
mac_b=$(lab_ip "$B" -j link show vx0 | jq -r '.[0].address')
lab_exec "$A" bridge fdb append "$mac_b" dev vx0 dst 192.168.100.2 || lab_die "fdb a"
lab_exec "$B" bridge fdb append "$mac_a" dev vx0 dst 192.168.100.1 || lab_die "fdb b"
lab_ip "$A" neigh replace 10.42.0.2 lladdr "$mac_b" dev vx0 nud permanent
lab_ip "$B" neigh replace 10.42.0.1 lladdr "$mac_a" dev vx0 nud permanent
got=$("$SHOW" -t 10.42.0.2 "$A" 2>&1 | grep -v '^#') || lab_die "topo_show: $got"
want=$(printf '%s\t%s\t%s\n' \
	"$A/vx0" other "route to target, vxlan 42 to 192.168.100.2 (FDB)" \
	"$A/va" veth underlay \
	"$B/vb" veth "underlay, far VTEP 192.168.100.2" \
	"$B/vx0" other "far tunnel end (vxlan 42), target side")
if [ "$got" != "$want" ]; then
	diff <(echo "$want") <(echo "$got") >&2
	lab_die "FDB-driven VXLAN: discovered points differ (above: < want, > got)"
fi
echo "ok: FDB-driven VXLAN: the remote taken from the FDB, same four points"
echo PASS
