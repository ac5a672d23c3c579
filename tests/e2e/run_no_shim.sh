#!/bin/bash
# Without the preload library (a cdoctor binary copied away from its
# ../lib, or CDOC_SHIM pointing nowhere) the run goes on, and its one
# warning says everything that is lost with it: allocations, event-loop
# ticks and descriptors by call site (a blocked loop then reads as
# healthy). The recording has no TICKS threshold either (META
# long_tick_ns), so readers can tell "no ticks measured" from "no loop".
. "$(dirname "$0")/run_common.bash"
need_perf

CDOC_SHIM=$T/none.so "$CDOCTOR" run --no-html -o "$T/r.cdr" -- \
	"$EX/loop_ticks" >/dev/null 2>"$T/err" ||
	fail "run without the shim: $(cat "$T/err")"
grep -q "no allocation tracking" "$T/err" || fail "no warning: $(cat "$T/err")"
grep -q "no event-loop ticks" "$T/err" ||
	fail "the warning does not say ticks are lost: $(cat "$T/err")"
grep -q "no descriptors by call site" "$T/err" ||
	fail "the warning does not say descriptors are lost: $(cat "$T/err")"
json "$T/r.cdr" >"$T/j" || fail "recording unreadable"
python3 -c 'import json,sys; m = json.load(sys.stdin)["meta"]; sys.exit("long_tick_ns" in m)' <"$T/j" ||
	fail "META long_tick_ns without the shim"
echo "ok"
