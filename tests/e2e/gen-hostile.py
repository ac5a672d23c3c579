#!/usr/bin/env python3
"""gen-hostile.py KIND OUT - write one hostile input for the reliability
tests (tests/e2e/input_limits.sh, tests/e2e/tty_escape.sh). Recordings
follow docs/recording-format.md, stream dumps lib/alloc/stream.h.

  zero-rec      a recording header, then 64 MiB of zero bytes
  strings-rec   STRINGS chunks holding 16 Mi empty strings (16 MiB)
  nodes-rec     one deep stack, then SAMPLES of it in many profiles
  zero-rec-gz   gzip: a recording header, then 4 GiB of zero bytes
  zero-gz       gzip: 4 GiB of zero bytes
  text-gz       gzip: 4 GiB of valid folded text
  empty-batches a stream dump of 1 Mi empty batches (32 MiB)
  inherit-ids   a stream dump whose forked children each claim 4 Mi
                stack ids inherited and use the last (a few hundred
                bytes that would size 256 MiB of tables per child)
  evil-rec      a valid recording whose frame names hold a terminal
                escape sequence and invalid UTF-8
"""
import gzip
import struct
import sys
import zlib

MAGIC = b"CDOCREC\0" + struct.pack("<II", 1, 0)


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def chunk(ctype, payload):
    return struct.pack("<III", ctype, len(payload), zlib.crc32(payload)) + payload


def strings(first, strs):
    p = varint(first) + varint(len(strs))
    for s in strs:
        p += varint(len(s)) + s
    return chunk(2, p)


def end():
    return chunk(10, b"")


def zero_rec(f):
    f.write(MAGIC)
    block = bytes(1 << 20)
    for _ in range(64):
        f.write(block)


def strings_rec(f):
    f.write(MAGIC)
    per = 4 << 20  # empty strings per chunk: 4 MiB payload each
    for i in range(4):
        p = varint(i * per) + varint(per) + bytes(per)
        f.write(chunk(2, p))
    f.write(end())


def nodes_rec(f):
    # 200k stacks chained one below the other (about 1 MiB), then one
    # sample of the deepest in each of 4096 profiles: every profile
    # would build the whole chain.
    depth = 200000
    nprof = 4096
    names = [b"f"] + [b"p%d" % i for i in range(nprof)]
    f.write(MAGIC)
    f.write(strings(0, names))
    p = bytearray(varint(1) + varint(depth))
    for i in range(depth):
        p += varint(i) + varint(0)
    f.write(chunk(3, bytes(p)))
    for i in range(nprof):
        f.write(chunk(4, varint(1 + i) + varint(1) + varint(1) +
                      varint(depth) + varint(1)))
    f.write(end())


def bomb(f, first, block, total):
    """gzip members of @block repeated up to @total bytes after @first."""
    f.write(gzip.compress(first, 1) if first else b"")
    member = gzip.compress(block * ((64 << 20) // len(block)), 9)
    for _ in range(total // (64 << 20)):
        f.write(member)


def batch(instance, records):
    return struct.pack("<IIQIIQ", 0x32414443, len(records), instance,
                       1000, 1000, 1) + records


def empty_batches(f):
    for i in range(1 << 20):
        f.write(batch(1, b""))


def inherit_ids(f):
    below = (1 << 22) - 1
    f.write(batch(1, b"\x10" + varint(0) * 4 + varint(1)))  # HELLO
    for k in range(2, 10):
        hello = b"\x10" + varint(1) + varint(below) + varint(0) * 2 + varint(1)
        alloc = b"\x20" + varint(0x2000) + varint(0) + varint(8) + varint(below)
        f.write(batch(k, hello + alloc))


def evil_rec(f):
    evil = b"\x1b]0;owned\x07evil\xff\xfe"
    f.write(MAGIC)
    f.write(strings(0, [b"cpu", b"main", evil]))
    f.write(chunk(3, varint(1) + varint(2) + varint(0) + varint(1) +
                  varint(1) + varint(2)))
    f.write(chunk(4, varint(0) + varint(1) + varint(1) + varint(2) +
                  varint(3)))
    f.write(end())


def main():
    kind, out = sys.argv[1], sys.argv[2]
    with open(out, "wb") as f:
        if kind == "zero-rec":
            zero_rec(f)
        elif kind == "strings-rec":
            strings_rec(f)
        elif kind == "nodes-rec":
            nodes_rec(f)
        elif kind == "zero-rec-gz":
            bomb(f, MAGIC, bytes(1 << 20), 4 << 30)
        elif kind == "zero-gz":
            bomb(f, b"", bytes(1 << 20), 4 << 30)
        elif kind == "text-gz":
            bomb(f, b"", b"main;work;leaf 1\n" * 4096, 4 << 30)
        elif kind == "empty-batches":
            empty_batches(f)
        elif kind == "inherit-ids":
            inherit_ids(f)
        elif kind == "evil-rec":
            evil_rec(f)
        else:
            sys.exit("unknown kind " + kind)


main()
