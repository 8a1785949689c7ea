#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Rewrite a pcapng's clock: every timestamp t (EPB, ISB start/end) becomes
t + OFFSET + DRIFT_PPM * 1e-6 * (t - t_first), t_first the first packet's.
A capture taken by a host whose clock is off and runs fast or slow, for the
clock-domain tests.  Plain pcapng in and out (little- or big-endian), one
or more sections; if_tsresol honoured (power of 10 or 2).

usage: pcapng_skew.py IN OUT OFFSET_S DRIFT_PPM
"""
import struct
import sys


def main():
    src, dst, off_s, ppm = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    data = bytearray(open(src, 'rb').read())
    pos, e, res, first = 0, '<', [], None

    def fix(units, r):
        nonlocal first
        ns = units * r
        if first is None:
            first = ns
        ns = ns + off_s * 1e9 + ppm * 1e-6 * (ns - first)
        return int(round(ns / r))

    while pos + 12 <= len(data):
        btype = struct.unpack_from('<I', data, pos)[0]
        if btype == 0x0A0D0D0A:
            bom = data[pos + 8:pos + 12]
            e = '<' if bom == b'\x4d\x3c\x2b\x1a' else '>'
            res = []
        blen = struct.unpack_from(e + 'I', data, pos + 4)[0]
        if blen < 12 or pos + blen > len(data):
            break
        body = pos + 8
        if btype == 1:  # IDB: options after 8 bytes
            r = 1000.0  # microseconds by default
            o = body + 8
            while o + 4 <= pos + blen - 4:
                code, olen = struct.unpack_from(e + 'HH', data, o)
                if code == 0:
                    break
                if code == 9 and olen >= 1:
                    v = data[o + 4]
                    r = 1e9 * (2.0 ** -(v & 0x7f) if v & 0x80 else 10.0 ** -v)
                o += 4 + ((olen + 3) & ~3)
            res.append(r)
        elif btype in (6, 5):  # EPB, ISB: if id, ts high, ts low
            ifid, hi, lo = struct.unpack_from(e + 'III', data, body)
            r = res[ifid] if ifid < len(res) else 1000.0
            if btype == 6:
                t = fix((hi << 32) | lo, r)
                struct.pack_into(e + 'II', data, body + 4, t >> 32, t & 0xffffffff)
            else:
                o = body + 12
                while o + 4 <= pos + blen - 4:
                    code, olen = struct.unpack_from(e + 'HH', data, o)
                    if code == 0:
                        break
                    if code in (2, 3) and olen == 8:  # isb_starttime/endtime
                        h2, l2 = struct.unpack_from(e + 'II', data, o + 4)
                        if first is not None:
                            t = fix((h2 << 32) | l2, r)
                            struct.pack_into(e + 'II', data, o + 4, t >> 32, t & 0xffffffff)
                    o += 4 + ((olen + 3) & ~3)
        pos += blen
    open(dst, 'wb').write(data)


if __name__ == '__main__':
    main()
