#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A long ping seen at two points, as two pcapng files of two clocks, and
as one file of one clock: the clock-domain tests' input.

usage: ping_gen.py DIR COUNT INTERVAL_S OFFSET_S DRIFT_PPM [LOSE_EVERY]

DIR/whole.pcapng  both points (guest0, uplink0), true time
DIR/a.pcapng      guest0 only, true time
DIR/b.pcapng      uplink0 only, its clock t + OFFSET + DRIFT * (t - t_first)
$PING_GEN_HOST_A, $PING_GEN_HOST_B: hostnames written into a and b, as
dropspot's own captures carry them.
Probe k leaves guest0 at t0 + k*INTERVAL, reaches uplink0 40-60 us later;
the reply is seen 250-350 us later at uplink0 and 40-60 us after that at
guest0 (delays jittered, seeded).  With LOSE_EVERY n, every n-th reply is
lost between uplink0 and guest0 (seen at uplink0, not at guest0).
"""
import os
import random
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def frame(src, dst, typ, ident, seq, payload):
    icmp = struct.pack('!BBHHH', typ, 0, 0, ident, seq) + payload
    icmp = icmp[:2] + struct.pack('!H', csum(icmp)) + icmp[4:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(icmp), seq, 0x4000,
                     64, 1, 0, bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    eth = (b'\x52\x54\x00\x00\x00\x02' if typ == 0 else b'\x52\x54\x00\x00\x00\x01')
    eth += (b'\x52\x54\x00\x00\x00\x01' if typ == 0 else b'\x52\x54\x00\x00\x00\x02')
    return eth + b'\x08\x00' + ip + icmp


def block(btype, body):
    pad = (-len(body)) % 4
    n = 12 + len(body) + pad
    return struct.pack('<II', btype, n) + body + b'\0' * pad + struct.pack('<I', n)


def opt(code, val):
    return struct.pack('<HH', code, len(val)) + val + b'\0' * ((-len(val)) % 4)


def shb(host=''):
    # dropspot's hostname option (capture/pcapng_write.h): custom string
    # option 2988, PEN 32473, "hostname=NAME"
    opts = b''
    if host:
        opts = opt(2988, struct.pack('<I', 32473) + b'hostname=' + host.encode()) + opt(0, b'')
    return block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1) + opts)


def idb(name):
    opts = opt(2, name.encode()) + opt(9, b'\x09') + opt(0, b'')
    return block(1, struct.pack('<HHI', 1, 0, 0) + opts)


def epb(ifid, ts, data):
    return block(6, struct.pack('<IIIII', ifid, ts >> 32, ts & 0xffffffff,
                                len(data), len(data)) + data)


def main():
    d, count, interval = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    off, ppm = float(sys.argv[4]), float(sys.argv[5])
    lose = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    rnd = random.Random(7)
    guest, target = [10, 0, 0, 2], [192, 0, 2, 1]
    t0 = 1_700_000_000 * 10**9
    ev = []  # (true ts, ifid, frame)
    for k in range(count):
        payload = struct.pack('!Q', k) + bytes(range(48))
        t = t0 + int(k * interval * 1e9)
        ta = t + rnd.randint(40_000, 60_000)
        tr = ta + rnd.randint(250_000, 350_000)
        tg = tr + rnd.randint(40_000, 60_000)
        seq = (k + 1) & 0xffff
        ev.append((t, 0, frame(guest, target, 8, 0x4242, seq, payload)))
        ev.append((ta, 1, frame(guest, target, 8, 0x4242, seq, payload)))
        ev.append((tr, 1, frame(target, guest, 0, 0x4242, seq, payload)))
        if not (lose and (k + 1) % lose == 0):
            ev.append((tg, 0, frame(target, guest, 0, 0x4242, seq, payload)))
    ev.sort(key=lambda e: e[0])
    skew = lambda t: int(t + off * 1e9 + ppm * 1e-6 * (t - t0))
    with open(d + '/whole.pcapng', 'wb') as f:
        f.write(shb() + idb('guest0') + idb('uplink0'))
        for t, i, fr in ev:
            f.write(epb(i, t, fr))
    ha, hb = os.environ.get('PING_GEN_HOST_A', ''), os.environ.get('PING_GEN_HOST_B', '')
    with open(d + '/a.pcapng', 'wb') as f:
        f.write(shb(ha) + idb('guest0'))
        for t, i, fr in ev:
            if i == 0:
                f.write(epb(0, t, fr))
    with open(d + '/b.pcapng', 'wb') as f:
        f.write(shb(hb) + idb('uplink0'))
        for t, i, fr in ev:
            if i == 1:
                f.write(epb(0, skew(t), fr))


if __name__ == '__main__':
    main()
