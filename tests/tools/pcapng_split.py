#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Keep some interfaces of a pcapng: what a capture on one host would hold.

usage: pcapng_split.py IN OUT KEEP      KEEP: "0" or "1,2,3" or "!0"

IN may be gzip.  Interface description blocks of the other interfaces are
left out and the kept ones renumbered, with their packets (EPB) and
statistics (ISB); every other block (section header, name resolution,
decryption secrets...) is copied.  tshark -Y ... -w keeps every interface
of the input, a point that was "watched" and saw nothing: not what a
second host's capture holds.  One section per file (the samples).
"""
import gzip
import struct
import sys


def main():
    src, dst, spec = sys.argv[1], sys.argv[2], sys.argv[3]
    raw = open(src, 'rb').read()
    if raw[:2] == b'\x1f\x8b':
        raw = gzip.decompress(raw)
    neg = spec.startswith('!')
    ids = {int(x) for x in spec.lstrip('!').split(',')}
    keep = (lambda i: i not in ids) if neg else (lambda i: i in ids)
    out, pos, e, n_if, remap = bytearray(), 0, '<', 0, {}
    while pos + 12 <= len(raw):
        btype = struct.unpack_from('<I', raw, pos)[0]
        if btype == 0x0A0D0D0A:
            e = '<' if raw[pos + 8:pos + 12] == b'\x4d\x3c\x2b\x1a' else '>'
            n_if, remap = 0, {}
        blen = struct.unpack_from(e + 'I', raw, pos + 4)[0]
        if blen < 12 or pos + blen > len(raw):
            break
        blk = bytearray(raw[pos:pos + blen])
        pos += blen
        if btype == 1:
            if keep(n_if):
                remap[n_if] = len(remap)
                out += blk
            n_if += 1
            continue
        if btype in (5, 6, 3):  # ISB, EPB, (obsolete) packet block: if id
            fmt = e + ('H' if btype == 3 else 'I')
            ifid = struct.unpack_from(fmt, blk, 8)[0]
            if ifid not in remap:
                continue
            struct.pack_into(fmt, blk, 8, remap[ifid])
        out += blk
    open(dst, 'wb').write(out)


if __name__ == '__main__':
    main()
