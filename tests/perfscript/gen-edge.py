#!/usr/bin/env python3
"""gen-edge.py SEED - print random perf-script-like text full of edge cases.

Used by tests/e2e/collapse_differential.sh to compare cflame collapse with
stackcollapse-perf.pl on inputs no capture would contain (odd spacing,
names with parens, quotes and semicolons, inline chains, odd headers).
"""
import random
import sys

r = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
WS = [" ", "  ", "\t", " \t", "\x0b", "\f", "\r"]
COMMS = ["perf", "java", "V8 WorkerThread", "a", "ab", "x y z", "kworker/0:1",
         "java-foo", "0", "00", "sh 1", "node", "a:b", "ev: 1 x:", "12",
         "Lfoo", "\xe9t\xe9", "pool-1 thread:"]
EVENTS = ["cycles", "cpu-clock", "task-clock:ppp", "page-faults", "a::",
          "instructions:u", "sched:sched_switch", "x"]
FUNCS = ["main", "[unknown]", "foo+0x1a", "foo+0x1A", "bar+0x", "+0x10",
         "(anonymous namespace)::f()", "f(int) const", "net/http.(*Client).Do",
         "a.()." , "x;y;z", "Lorg/mozilla/Foo;.call(Lfoo;)V", "Lfoo", "L/x",
         "q\"uo'te", "a->b->c", "a->", "->b", "->", "a->->b",
         "inl_[i]->x_[i]", "j_[j]", "(paren", "f+0x10+0x20", "sym (x)", "",
         "x) (y", "<init>", "std::vector<int>::push_back(int const&)",
         "RegExp:[&<>\"']", "func+0xabc->g+0x1"]
MODS = ["[kernel.kallsyms]", "[unknown]", "/usr/lib/libc.so.6",
        "/tmp/perf-123.map", "/tmp/perf-.map", "/boot/vmlinux",
        "[nf_conntrack_ipv4]", "/x/unknown/vmlinux", "vmlinux", "",
        "/a (deleted)", "a)b", "/tmp/perf-99.mapx", "[vdso]"]


def ws():
    return r.choice(WS) if r.random() < 0.2 else " "


def header():
    comm = r.choice(COMMS)
    ids = r.choice(["%d" % r.randint(0, 99999),
                    "%d/%d" % (r.randint(0, 999), r.randint(0, 999)),
                    "%d/0" % r.randint(1, 9), "0/%d" % r.randint(1, 9),
                    "%d//%d" % (r.randint(1, 9), r.randint(1, 9)),
                    "%d/" % r.randint(1, 9), "x12"])
    cpu = r.choice(["", " [000]", " [001]", "[002]"])
    t = "%d.%06d:" % (r.randint(0, 9999999), r.randint(0, 999999))
    period = r.choice(["", " 1", " 0", " 10101010", " 00", " 250000",
                       " 18446744073709551615", " 99999999999999999999"])
    ev = r.choice(EVENTS)
    tail = r.choice([":", ": ", ":  ", ":\t", "", ": extra"])
    sep = " " * r.randint(1, 4)
    return "%s%s%s%s%s %s%s %s%s" % (comm, sep, ids, cpu, ws(), t, period,
                                      ev, tail)


def frame():
    pc = r.choice(["ffffffff8104f45a", "7f0", "415ad5", "0", "_x", "g"])
    f = r.choice(FUNCS)
    if r.random() < 0.3:
        f = r.choice(FUNCS) + r.choice(["", "+0x1f", "->"]) + r.choice(FUNCS)
    m = r.choice(MODS)
    lead = r.choice(["\t", "\t    ", "  ", "", "\t\t"])
    mid = r.choice([" ", "  ", "", "\t"])
    form = r.random()
    if form < 0.85:
        return "%s%s%s%s (%s)" % (lead, pc, mid, f, m)
    if form < 0.9:
        return "%s%s %s" % (lead, pc, f)
    return "%s%s%s (%s) (%s)" % (lead, pc, mid, f, m)


# A first line that perl and cflame both take as perf script.
lines = ["perf 1 [000] 1.0: 1 " + r.choice(EVENTS) + ":"]
for _ in range(r.randint(1, 40)):
    x = r.random()
    if x < 0.05:
        lines.append("# comment " + r.choice(COMMS))
    if r.random() < 0.95:
        lines.append(header())
    for _ in range(r.randint(0, 8)):
        lines.append(frame())
    if r.random() < 0.03:
        lines.append("garbage line")
    if r.random() < 0.9:
        lines.append("")
    if r.random() < 0.05:
        lines.append("")
sys.stdout.buffer.write(("\n".join(lines) + r.choice(["", "\n"])).encode("latin-1"))
