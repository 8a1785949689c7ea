#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Link types: the ones dropspot decodes (Ethernet, SLL/SLL2, raw IP as
# LINKTYPE_RAW and as the DLT_RAW values 12 and 14, LINKTYPE_IPV4/IPV6, BSD
# loopback NULL in either byte order and LOOP) give verdicts; one it cannot
# decode (Solaris ipnet, 226) is said plainly and never becomes a network
# fact: alone it gives exit 2 and no report, next to a decodable interface
# its point counts as not watched.  And ATMARP is an unsupported ARP, not
# an Ethernet ARP for 0.0.0.0.  The captures are crafted with python3.
#
# Needs python3 and jq; exits 77 (skipped) otherwise.

set -u

skip() { echo "SKIP: $*"; exit 77; }

for tool in python3 jq; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool missing"
done
D=${DROPSPOT:-$(dirname "$0")/../../build/dropspot}
[ -x "$D" ] || skip "dropspot not built (DROPSPOT unset)"

work=$(mktemp -d /tmp/test_linktypes.XXXXXX)
trap 'rm -rf "$work"' EXIT
OUT=$work/out
failures=0

fail() {
	echo "FAIL: $*" >&2
	[ -f "$OUT" ] && sed 's/^/  | /' "$OUT" >&2
	failures=$((failures + 1))
}

# run WANT_RC DESC CMD...: stdout in $OUT, stderr in $OUT.err
run() {
	local want=$1 desc=$2 rc
	shift 2
	"$@" >"$OUT" 2>"$OUT.err"
	rc=$?
	[ "$rc" = "$want" ] || fail "$desc: exit $rc, want $want"
}

# expect_err DESC TEXT: stderr of the last run holds TEXT
expect_err() {
	grep -qF -- "$2" "$OUT.err" ||
		fail "$1: stderr lacks '$2': $(cat "$OUT.err")"
}

# jq_ok DESC FILTER: the last run's JSON satisfies FILTER
jq_ok() {
	[ "$(jq -r "$2" <"$OUT" 2>/dev/null)" = true ] || fail "$1: $2"
}

python3 - "$work" <<'PY' || skip "python3 could not write the captures"
import struct, sys

work = sys.argv[1]

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def ip4(src, dst, payload, ttl=64):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, ttl,
                    1, 0, bytes(src), bytes(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload

def echo(t, seq):
    m = struct.pack("!BBHHH", t, 0, 0, 0x77, seq) + b"dropspot-linktype-payload-32byte"
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]

G, H = [10, 0, 0, 1], [10, 0, 0, 2]
req = lambda s: ip4(G, H, echo(8, s))
rep = lambda s: ip4(H, G, echo(0, s), ttl=63)
ipv6_req = lambda s: (struct.pack("!IHBB", 6 << 28, 8 + 32, 58, 64) +
                      bytes(15) + b"\1" + bytes(15) + b"\2" +
                      struct.pack("!BBHHH", 128, 0, 0, 0x77, s) + bytes(32))

def eth(pl, dst=b"\x52\x54\0\0\0\2", et=0x0800):
    return dst + b"\x52\x54\0\0\0\1" + struct.pack("!H", et) + pl

# Solaris ipnet: a 24-byte header we do not decode, then the datagram
ipnet = lambda pl: struct.pack("!BBHIIIII", 2, 2, 0, 0, 0, 0, 0, 0) + pl

def pcap(name, lt, frames):
    with open(work + "/" + name, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, lt))
        for ts, b in frames:
            f.write(struct.pack("<IIII", int(ts), round(ts % 1 * 1e6),
                                len(b), len(b)) + b)

def block(t, body):
    body += b"\0" * (-len(body) % 4)
    return struct.pack("<II", t, 12 + len(body)) + body + \
        struct.pack("<I", 12 + len(body))

def opt(code, val):
    return struct.pack("<HH", code, len(val)) + val + b"\0" * (-len(val) % 4)

def pcapng(name, ifaces, frames):
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    for lt, ifname in ifaces:
        out += block(1, struct.pack("<HHI", lt, 0, 0) +
                     opt(2, ifname.encode()) + opt(0, b""))
    for ifid, ts, b in frames:
        us = round(ts * 1e6)
        out += block(6, struct.pack("<IIIII", ifid, us >> 32,
                                    us & 0xffffffff, len(b), len(b)) + b)
    open(work + "/" + name, "wb").write(out)

t0 = 1700000000.0
answered = lambda hdr: [x for i in range(3) for x in
                        ((t0 + i, hdr + req(i)), (t0 + i + 0.001, hdr + rep(i)))]
pcap("ipnet.pcap", 226, [(t0 + i, ipnet(req(i))) for i in range(3)])
pcap("null_le.pcap", 0, answered(struct.pack("<I", 2)))
pcap("null_be.pcap", 0, answered(struct.pack(">I", 2)))
pcap("loop.pcap", 108, answered(struct.pack(">I", 2)))
pcap("raw101.pcap", 101, answered(b""))
pcap("raw12.pcap", 12, answered(b""))
pcap("raw14.pcap", 14, answered(b""))
pcap("ipv4_228.pcap", 228, answered(b""))
pcap("null_v6.pcap", 0, [(t0 + i, struct.pack("<I", 30) + ipv6_req(i))
                         for i in range(2)])
# guest side Ethernet sees the requests (no reply); the ipnet side sees
# them too but cannot be read
fr = []
for i in range(4):
    fr.append((0, t0 + i, eth(req(i))))
    fr.append((1, t0 + i + 0.001, ipnet(req(i))))
fr.append((0, t0 + 10, eth(req(99))))
pcapng("mixed.pcapng", [(1, "tap0"), (226, "net0")], fr)
# ATMARP (hardware type 19) over Ethernet, as tcpdump's arp-oobr.pcap:
# octets 4-5 happen to read as hlen 6, plen 4
atm = struct.pack("!HHBBHBBBB", 19, 0x0800, 6, 4, 1, 4, 0, 0, 4) + bytes(20)
pcap("atmarp.pcap", 1, [(t0 + i, eth(atm, dst=b"\xff" * 6, et=0x0806))
                        for i in range(4)])
PY

# ---- a link type it cannot decode, alone ------------------------------
run 2 "analyze ipnet" "$D" analyze "$work/ipnet.pcap"
expect_err "analyze ipnet" \
	"cannot decode link type ipnet (226) of $work/ipnet.pcap: no verdict for its 3 frames"
[ "$(grep -c 'cannot decode' "$OUT.err")" = 1 ] || fail "analyze ipnet: said more than once"
grep -q "probe left" "$OUT" "$OUT.err" && fail "analyze ipnet: a verdict on the network"
[ -s "$OUT" ] && fail "analyze ipnet: printed a report"
run 2 "analyze --json ipnet" "$D" analyze --json "$work/ipnet.pcap"
[ -s "$OUT" ] && fail "analyze --json ipnet: printed a report"
run 2 "diff ipnet" "$D" diff "$work/ipnet.pcap" "$work/ipnet.pcap"
expect_err "diff ipnet" "cannot decode link type ipnet (226)"

# dissect prints the frames with the anomaly and says so in its summary
run 0 "dissect ipnet" "$D" dissect "$work/ipnet.pcap"
[ "$(grep -c 'link type ipnet (226) not decoded !link.unknown_type' "$OUT")" = 3 ] ||
	fail "dissect ipnet: frames without the anomaly"
grep -q "link type ipnet (226) not decoded: 3 frame" "$OUT" ||
	fail "dissect ipnet: summary does not say so"
run 0 "dissect -j ipnet" "$D" dissect -j "$work/ipnet.pcap"
[ "$(jq -s 'map(select(.type == "summary"))[0].points[0].undecodable' <"$OUT")" = 3 ] ||
	fail "dissect -j ipnet: summary lacks undecodable"

# ---- next to a decodable interface ------------------------------------
run 1 "analyze mixed" "$D" analyze --json "$work/mixed.pcapng"
expect_err "analyze mixed" \
	"cannot decode link type ipnet (226) of $work/mixed.pcapng interface net0: no verdict for its 4 frames"
jq_ok "mixed: undecodable_link finding" \
	'any(.findings[]; .kind == "evidence_incomplete" and .details.reason == "undecodable_link" and .details.linktype == 226 and .location.after_name == "net0")'
jq_ok "mixed: no drop located" 'all(.findings[]; .kind != "drop")'
jq_ok "mixed: the loss is not blamed on net0" \
	'any(.findings[]; .kind == "evidence_incomplete" and .location.before_name == "net0" and (.summary | test("link type cannot be decoded")))'
jq_ok "mixed: verdict" \
	'(.verdict | test("cannot locate the loss")) and (.verdict | test("No probe") | not)'
jq_ok "mixed: points" \
	'(.points[] | select(.name == "net0") | .undecodable == 4 and .frames == 0)'
run 1 "analyze mixed text" "$D" analyze --no-color "$work/mixed.pcapng"
grep -q "frames of link type 226 not decoded: not watched" "$OUT" ||
	fail "analyze mixed text: point line"

# ---- link types it decodes --------------------------------------------
for f in null_le null_be loop raw101 raw12 raw14 ipv4_228; do
	run 0 "analyze $f" "$D" analyze "$work/$f.pcap"
	grep -q "^3/3 probes answered" "$OUT" || fail "analyze $f: verdict"
	[ -s "$OUT.err" ] && fail "analyze $f: messages: $(cat "$OUT.err")"
done
run 0 "dissect null_le" "$D" dissect "$work/null_le.pcap"
grep -q "AF IPv4 (2), length 64: IP 10.0.0.1 > 10.0.0.2" "$OUT" ||
	fail "dissect null_le: line"
run 0 "dissect null_v6" "$D" dissect "$work/null_v6.pcap"
grep -q "AF IPv6 (30), .*IP6 ::1 > ::2 .*echo request" "$OUT" ||
	fail "dissect null_v6: line"

# ---- ATMARP -----------------------------------------------------------
run 0 "dissect atmarp" "$D" dissect "$work/atmarp.pcap"
[ "$(grep -c 'ARP request, hardware type 19, protocol 0x0800 !arp.unsupported' "$OUT")" = 4 ] ||
	fail "dissect atmarp: not an unsupported ARP"
grep -q "who-has\|0\.0\.0\.0" "$OUT" && fail "dissect atmarp: read as Ethernet ARP"
run 1 "analyze atmarp" "$D" analyze --json "$work/atmarp.pcap"
jq_ok "analyze atmarp: no neighbour finding" \
	'all(.findings[]; .kind != "arp_unanswered" and .kind != "ip_conflict" and .kind != "gratuitous_arp")'
grep -q "0\.0\.0\.0" "$OUT" && fail "analyze atmarp: 0.0.0.0 in the report"

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "PASS"
