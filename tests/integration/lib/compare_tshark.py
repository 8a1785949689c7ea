#!/usr/bin/env python3
"""Differential check: for every packet of a capture, the fields dropspot
decodes must equal tshark's.  Reads `tshark -T fields` output (the FIELDS
below, occurrence=a, aggregator=',') and `dropspot dissect --json` output,
and prints every disagreement.  Exit 0 when all packets agree.

usage: compare_tshark.py TSHARK.tsv DROPSPOT.ndjson
"""
import json
import sys

# tshark field -> how to read it from a dropspot packet object
FIELDS = [
    "frame.number", "vlan.id", "ieee8021ad.id", "arp.opcode", "arp.src.proto_ipv4",
    "arp.dst.proto_ipv4", "arp.src.hw_mac", "ip.src", "ip.dst", "ipv6.src",
    "ipv6.dst", "icmp.type", "icmp.code", "icmp.ident", "icmp.seq",
    "icmp.mtu", "icmpv6.type", "icmpv6.code", "icmpv6.echo.identifier",
    "icmpv6.echo.sequence_number", "icmpv6.mtu", "ip.checksum.status",
    "icmp.checksum.status", "icmpv6.checksum.status",
]
# only the outermost occurrence is compared (tshark also rates the quoted
# headers, which dropspot does not verify)
FIRST_ONLY = {"ip.checksum.status", "icmp.checksum.status",
              "icmpv6.checksum.status"}
CSUM = {"bad": "0", "good": "1", "unverifiable": "2"}


def datagrams(pkt):
    """Outer datagram, then the one quoted by an ICMP error."""
    out = []
    if "ip" in pkt:
        out.append(pkt)
    if "quoted" in pkt and "ip" in pkt["quoted"]:
        out.append(pkt["quoted"])
    return out


def ours(pkt):
    f = {k: [] for k in FIELDS}
    f["frame.number"] = [str(pkt["n"])]
    for t in pkt.get("vlan", []):
        key = "ieee8021ad.id" if t["tpid"] == 0x88A8 else "vlan.id"
        f[key].append(str(t["vid"]))
    arp = pkt.get("arp")
    if arp:
        f["arp.opcode"] = [str(arp["op"])]
        if "spa" in arp:
            f["arp.src.proto_ipv4"] = [arp["spa"]]
            f["arp.dst.proto_ipv4"] = [arp["tpa"]]
            f["arp.src.hw_mac"] = [arp["sha"]]
    for i, d in enumerate(datagrams(pkt)):
        ip = d["ip"]
        v = "ip" if ip["v"] == 4 else "ipv6"
        f[v + ".src"].append(ip["src"])
        f[v + ".dst"].append(ip["dst"])
        if i == 0 and ip["v"] == 4 and ip.get("csum", "-") in CSUM:
            f["ip.checksum.status"].append(CSUM[ip["csum"]])
        ic = d.get("icmp") or d.get("icmp6")
        if not ic:
            continue
        p = "icmp" if "icmp" in d else "icmpv6"
        f[p + ".type"].append(str(ic["type"]))
        f[p + ".code"].append(str(ic["code"]))
        if "id" in ic:
            f["icmp.ident" if p == "icmp" else
              "icmpv6.echo.identifier"].append(str(ic["id"]))
            f["icmp.seq" if p == "icmp" else
              "icmpv6.echo.sequence_number"].append(str(ic["seq"]))
        if "mtu" in ic:
            f[p + ".mtu"].append(str(ic["mtu"]))
        if i == 0 and ic.get("csum", "-") in CSUM:
            f[p + ".checksum.status"].append(CSUM[ic["csum"]])
    return f


def theirs(line):
    cols = line.rstrip("\n").split("\t")
    cols += [""] * (len(FIELDS) - len(cols))
    f = {}
    for k, v in zip(FIELDS, cols):
        vals = [x for x in v.split(",") if x != ""]
        if k in FIRST_ONLY:
            vals = vals[:1]
        f[k] = vals
    return f


def norm(k, vals):
    if k in ("icmp.ident", "icmp.seq", "icmpv6.echo.identifier",
             "icmpv6.echo.sequence_number", "vlan.id", "ieee8021ad.id", "arp.opcode",
             "icmp.type", "icmp.code", "icmpv6.type", "icmpv6.code",
             "icmp.mtu", "icmpv6.mtu"):
        return [str(int(x, 0)) for x in vals]
    return [x.lower() for x in vals]


def main():
    with open(sys.argv[1]) as fp:
        t_rows = [theirs(l) for l in fp if l.strip()]
    with open(sys.argv[2]) as fp:
        d_rows = [ours(o) for o in map(json.loads, fp)
                  if o.get("type") == "packet"]
    bad = 0
    if len(t_rows) != len(d_rows):
        print("packet count differs: tshark %d, dropspot %d"
              % (len(t_rows), len(d_rows)))
        bad += 1
    checked = 0
    for t, d in zip(t_rows, d_rows):
        for k in FIELDS:
            # tshark omits ICMPv6 checksum status when it cannot verify
            tv, dv = norm(k, t[k]), norm(k, d[k])
            if k.endswith("checksum.status") and not tv and dv == ["2"]:
                continue
            checked += 1
            if tv != dv:
                bad += 1
                print("frame %s: %s tshark=%s dropspot=%s"
                      % (t["frame.number"], k, tv, dv))
    print("compared %d packets, %d fields, %d disagreements"
          % (len(d_rows), checked, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
