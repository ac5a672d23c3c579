#!/bin/bash
# Allocation rate: cdoctor run writes cumulative METRICS alloc_count_total,
# alloc_bytes_total and free_count_total from the preload library's
# stream. alloc_counts makes 35 allocations (9802 bytes) and 28 frees;
# libc adds its stdout buffer (one allocation, never freed).
. "$(dirname "$0")/run_common.bash"

"$CDOCTOR" run --alloc --no-html -o "$T/a.cdr" -- "$EX/alloc_counts" \
	>/dev/null 2>"$T/err" || fail "run: $(cat "$T/err")"
json "$T/a.cdr" | python3 -c '
import json, sys
d = json.load(sys.stdin)
rows = [m["values"] for m in d["metrics"] if "alloc_count_total" in m["values"]]
assert rows, "no allocation metrics"
last = rows[-1]
assert 35 <= last["alloc_count_total"] <= 40, last
assert last["free_count_total"] == 28, last
assert 9802 <= last["alloc_bytes_total"] <= 9802 + 65536, last
for k in ("alloc_count_total", "alloc_bytes_total", "free_count_total"):
    v = [r[k] for r in rows]
    assert v == sorted(v), (k, v)
' || fail "allocation totals"

"$CDOCTOR" run --no-alloc --no-html -o "$T/b.cdr" -- "$EX/alloc_counts" \
	>/dev/null 2>"$T/err" || fail "run --no-alloc: $(cat "$T/err")"
json "$T/b.cdr" | grep -q alloc_count_total && fail "totals without the shim"
echo ok
