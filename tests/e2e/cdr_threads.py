#!/usr/bin/env python3
"""cdr_threads.py REC - print the THREADS chunks (type 15) of a cdoctor
recording, one line per thread and sample: TIME_NS PID TID ON_CPU_NS
RUNQ_NS TIMESLICES VOL INVOL STATE. Decoded independently of the C reader
(docs/recording-format.md), so the e2e tests check the file itself."""
import struct
import sys


def varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return v, i


def main(path):
    data = open(path, "rb").read()
    if data[:7] != b"CDOCREC":
        sys.exit(path + ": not a recording")
    off = 16
    while off + 12 <= len(data):
        ctype, size, _crc = struct.unpack_from("<III", data, off)
        p = data[off + 12:off + 12 + size]
        off += 12 + size
        if ctype != 15:
            continue
        t, i = varint(p, 0)
        n, i = varint(p, i)
        for _ in range(n):
            f = []
            for _ in range(9):
                v, i = varint(p, i)
                f.append(v)
            pid, tid, _name, oncpu, runq, slices, vol, invol, st = f
            print(t, pid, tid, oncpu, runq, slices, vol, invol, chr(st or 63))


main(sys.argv[1])
