#!/usr/bin/env python3
# node_evidence.py - what the Node agent put into a recording, read from
# `cdoctor report REC --json` (for tests/e2e/node_*.sh; not a test).
#   node_evidence.py metric JSON NAME STAT   STAT: max, median, min, first,
#                                            last, sum or count of NAME's
#                                            values in the load window
#   node_evidence.py loops JSON NAME         the loops that reported NAME:
#                                            "PID" or "PID:TID", one a line
#   node_evidence.py verdict JSON CATEGORY FUNCTION
#                                            "verdict" when the verdict is
#                                            CATEGORY with FUNCTION among
#                                            its culprits, "secondary" when
#                                            a secondary finding is, else
#                                            "absent: " and the verdict
#                                            (FUNCTION "-node": a finding
#                                            of the Node rules, whatever
#                                            its culprit)
# The load window: META load_start_ns..load_end_ns when present, else
# the whole run less its first agent interval (start-up).
import json
import re
import sys


def window(d):
    m = d.get('meta', {})
    if 'load_start_ns' in m and 'load_end_ns' in m:
        return int(m['load_start_ns']), int(m['load_end_ns'])
    return None


def values(d, name):
    w = window(d)
    pts = [(p['time_ns'], p['values'][name]) for p in d['metrics']
           if name in p['values']]
    if w:
        return [v for t, v in pts if w[0] <= t <= w[1] + 1e9]
    return [v for t, v in pts[1:]]


def main():
    cmd, path, name = sys.argv[1:4]
    d = json.load(open(path))
    if cmd == 'loops':
        seen = set()
        for p in d['metrics']:
            for k in p['values']:
                m = re.fullmatch(re.escape(name) + r'\[([0-9:]+)\]', k)
                if m:
                    seen.add(m.group(1))
        print('\n'.join(sorted(seen)))
        return
    if cmd == 'verdict':
        fn = sys.argv[4]
        if 'verdict' not in d:
            print('no-verdict')
            return
        v = d.get('verdict') or {}

        def has(x):
            # the function, or its JS frame ("JS:fn file:line:col_[j]")
            return x.get('category') == name and (
                not fn or any(c.get('function') == fn or
                              c.get('function', '').startswith(
                                  'JS:' + fn + ' ')
                              for c in x.get('culprits', [])))
        if fn == '-node':
            # findings of the Node rules (lib/doctor/rules_node.c): their
            # evidence names start with node_
            def has(x):
                return x.get('category') == name and any(
                    e.get('name', '').startswith('node_')
                    for e in x.get('evidence', []))
        if has(v):
            print('verdict')
        elif any(has(x) for x in v.get('secondary', [])):
            print('secondary')
        else:
            print('absent: %s %s' % (v.get('category'), [
                c.get('function') for c in v.get('culprits', [])]))
        return
    v = values(d, name)
    stat = sys.argv[4]
    if stat == 'count':
        print(len(v))
        return
    if not v:
        print('none')
        return
    s = sorted(v)
    r = {'max': s[-1], 'min': s[0], 'median': s[len(s) // 2],
         'first': v[0], 'last': v[-1], 'sum': sum(v)}[stat]
    print('%.3f' % r)


main()
