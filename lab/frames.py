#!/usr/bin/env python3
"""Hand-built Ethernet frames for the lab: what a plain ping cannot produce.

As a module: builders (eth, arp, ip4, icmp, echo, ip6, icmp6) used by the
tests' frame injector.  As a command, lab faults sent from an interface
through an AF_PACKET socket (run it inside the guest's netns):

  frames.py storm IFNAME SRC_IP TARGET_IP COUNT
      COUNT identical broadcast ARP requests, as fast as the socket takes
      them: an ARP storm (SCENARIOS.md row 15).
  frames.py badcsum IFNAME SRC_IP DST_IP DST_MAC COUNT
      COUNT echo requests with a wrong ICMP checksum, one every 0.2 s:
      what broken checksum offload puts on the wire (row 16).
"""
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(src, dst, proto, payload, ttl=64, ident=1, options=b"", bad=False,
        df=True):
    ihl = 5 + len(options) // 4
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(payload),
                      ident, 0x4000 if df else 0, ttl, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst)) + options
    c = csum(hdr) ^ (0x5a5a if bad else 0)
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + payload


def icmp(typ, code, rest, data, bad=False):
    msg = struct.pack("!BBH", typ, code, 0) + rest + data
    c = csum(msg) ^ (0x1111 if bad else 0)
    return msg[:2] + struct.pack("!H", c) + msg[4:]


def echo(ident, seq, data, reply=False, bad=False):
    return icmp(0 if reply else 8, 0, struct.pack("!HH", ident, seq), data,
                bad)


def ip6(src, dst, nh, payload, hlim=64):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, hlim,
                       socket.inet_pton(socket.AF_INET6, src),
                       socket.inet_pton(socket.AF_INET6, dst)) + payload


def icmp6(src, dst, typ, code, body, bad=False):
    msg = struct.pack("!BBH", typ, code, 0) + body
    pseudo = (socket.inet_pton(socket.AF_INET6, src) +
              socket.inet_pton(socket.AF_INET6, dst) +
              struct.pack("!IxxxB", len(msg), 58))
    c = csum(pseudo + msg) ^ (0x2222 if bad else 0)
    return msg[:2] + struct.pack("!H", c) + msg[4:]


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def eth(dst, src, etype, payload, tags=()):
    out = dst + src
    for tpid, vid in tags:
        out += struct.pack("!HH", tpid, vid)
    return out + struct.pack("!H", etype) + payload


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, sha,
                       socket.inet_aton(spa), tha, socket.inet_aton(tpa))


def own_mac(ifname):
    with open("/sys/class/net/%s/address" % ifname) as f:
        return mac(f.read().strip())


def open_socket(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    return s


def storm(ifname, src_ip, target_ip, count):
    src = own_mac(ifname)
    frame = eth(b"\xff" * 6, src, 0x0806,
                arp(1, src, src_ip, b"\0" * 6, target_ip))
    s = open_socket(ifname)
    for _ in range(count):
        s.send(frame)


def badcsum(ifname, src_ip, dst_ip, dst_mac, count):
    src = own_mac(ifname)
    s = open_socket(ifname)
    data = b"dropspot-badcsum" + bytes(range(40))
    for seq in range(1, count + 1):
        req = ip4(src_ip, dst_ip, 1, echo(0x0bad, seq, data, bad=True))
        s.send(eth(mac(dst_mac), src, 0x0800, req))
        time.sleep(0.2)


def main(argv):
    if len(argv) == 6 and argv[1] == "storm":
        storm(argv[2], argv[3], argv[4], int(argv[5]))
    elif len(argv) == 7 and argv[1] == "badcsum":
        badcsum(argv[2], argv[3], argv[4], argv[5], int(argv[6]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
