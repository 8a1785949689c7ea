#!/usr/bin/env python3
"""Sends hand-built Ethernet frames out of an interface through an AF_PACKET
socket, so real capture tools record frames a plain ping cannot produce:
VLAN and QinQ tags, bad IPv4/ICMP/ICMPv6 checksums, ICMP errors quoting an
echo, IPv4 options, IPv6 extension headers.

usage: inject_frames.py IFNAME SRC_MAC DST_MAC
"""
import os
import socket
import struct
import sys

# The frame builders are the lab's (lab/frames.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "lab"))
from frames import arp, echo, eth, icmp, icmp6, ip4, ip6, mac  # noqa: E402


def frames(src, dst):
    data = bytes(range(56))
    a, b = "10.99.0.1", "10.99.0.2"
    a6, b6 = "fd99::1", "fd99::2"
    req = ip4(a, b, 1, echo(0x4242, 1, data))
    yield eth(dst, src, 0x0800, req, tags=[(0x8100, 100)])
    yield eth(dst, src, 0x0806, arp(1, src, a, b"\0" * 6, b),
              tags=[(0x88A8, 200), (0x8100, 100)])
    yield eth(dst, src, 0x0806, arp(2, src, a, dst, b))
    yield eth(dst, src, 0x0806, arp(1, src, a, b"\0" * 6, a))  # gratuitous
    yield eth(dst, src, 0x0800, ip4(a, b, 1, echo(7, 2, data), bad=True))
    yield eth(dst, src, 0x0800, ip4(a, b, 1, echo(7, 3, data, bad=True)))
    yield eth(dst, src, 0x0800, ip4(b, a, 1, echo(7, 3, data, reply=True)))
    # router alert + record-route style options (NOP padded)
    opts = b"\x94\x04\x00\x00" + b"\x07\x07\x04" + b"\0" * 4 + b"\x01"
    yield eth(dst, src, 0x0800, ip4(a, b, 1, echo(7, 4, data), options=opts))
    # errors quoting an echo: time exceeded, frag needed (mtu 1280),
    # admin prohibited, redirect
    quoted = ip4(a, b, 1, echo(0x99, 5, data))[:28]
    yield eth(dst, src, 0x0800, ip4("10.99.0.254", a, 1,
                                    icmp(11, 0, b"\0" * 4, quoted)))
    yield eth(dst, src, 0x0800, ip4("10.99.0.254", a, 1,
                                    icmp(3, 4, struct.pack("!HH", 0, 1280),
                                         quoted)))
    yield eth(dst, src, 0x0800, ip4(b, a, 1, icmp(3, 13, b"\0" * 4, quoted)))
    yield eth(dst, src, 0x0800, ip4("10.99.0.254", a, 1,
                                    icmp(5, 1, socket.inet_aton("10.99.0.3"),
                                         quoted)))
    # UDP and TCP
    udp = struct.pack("!HHHH", 5353, 53, 8 + 4, 0) + b"abcd"
    yield eth(dst, src, 0x0800, ip4(a, b, 17, udp))
    tcp = struct.pack("!HHIIBBHHH", 40000, 80, 1, 0, 5 << 4, 0x02, 64240, 0,
                      0)
    yield eth(dst, src, 0x0800, ip4(a, b, 6, tcp))
    # IPv6: echo, bad checksum, NS with SLL option, NA with TLL, packet too big
    e6 = struct.pack("!HH", 0x66, 1) + data
    yield eth(dst, src, 0x86DD, ip6(a6, b6, 58, icmp6(a6, b6, 128, 0, e6)))
    yield eth(dst, src, 0x86DD, ip6(a6, b6, 58, icmp6(a6, b6, 128, 0, e6,
                                                      bad=True)))
    ns = (b"\0" * 4 + socket.inet_pton(socket.AF_INET6, b6) +
          b"\x01\x01" + src)
    yield eth(dst, src, 0x86DD, ip6(a6, "ff02::1:ff00:2", 58,
                                    icmp6(a6, "ff02::1:ff00:2", 135, 0, ns),
                                    hlim=255))
    na = (b"\x60\0\0\0" + socket.inet_pton(socket.AF_INET6, b6) +
          b"\x02\x01" + dst)
    yield eth(src, dst, 0x86DD, ip6(b6, a6, 58, icmp6(b6, a6, 136, 0, na),
                                    hlim=255))
    q6 = ip6(a6, b6, 58, icmp6(a6, b6, 128, 0, e6))[:48 + 40]
    ptb = struct.pack("!I", 1280) + q6
    yield eth(dst, src, 0x86DD, ip6("fd99::fe", a6, 58,
                                    icmp6("fd99::fe", a6, 2, 0, ptb)))
    # IPv6 with hop-by-hop (padN) then a fragment header, then ICMPv6 echo
    frag_body = icmp6(a6, b6, 128, 0, e6)
    hbh = struct.pack("!BB", 44, 0) + b"\x01\x04\0\0\0\0"
    frag = struct.pack("!BBHI", 58, 0, 0, 0x1234)
    yield eth(dst, src, 0x86DD, ip6(a6, b6, 0, hbh + frag + frag_body))


def main():
    ifname, src, dst = sys.argv[1], mac(sys.argv[2]), mac(sys.argv[3])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    n = 0
    for f in frames(src, dst):
        s.send(f)
        n += 1
    print(n)


if __name__ == "__main__":
    main()
