#!/bin/bash
# cdoctor run on deep_nofp (no frame pointers): the hot function is on top
# and DWARF unwinding recovers the full caller chain in >= 90% of samples;
# the recording carries the documented META keys and counters.
. "$(dirname "$0")/run_common.bash"

"$CDOCTOR" run -o "$T/deep.cdr" -- "$EX/deep_nofp" 2 >"$T/out" 2>"$T/err" ||
	fail "cdoctor run failed: $(cat "$T/err")"
[ -s "$T/deep.cdr.html" ] || fail "no HTML report next to the recording"
grep -q "spin_leaf" "$T/err" || fail "summary does not name spin_leaf"
folded "$T/deep.cdr" >"$T/f" || fail "report --folded failed"
[ "$(top_self "$T/f")" = spin_leaf ] || fail "top function: $(top_self "$T/f")"
chain="deep_nofp;.*main;level_01"
for i in $(seq -w 2 24); do chain="$chain;level_$i"; done
chain="$chain;spin_leaf"
all=$(total "$T/f")
full=$(total "$T/f" "$chain")
echo "samples $all, full chain $full"
[ "$all" -gt 100 ] || fail "only $all samples"
[ $((full * 100)) -ge $((all * 90)) ] || fail "full chain in $full of $all"
json "$T/deep.cdr" >"$T/j"
for k in command event event_requested frequency call_graph start_time \
	hostname cdoctor_version mode target_pid duration_ns; do
	grep -q "\"$k\"" "$T/j" || fail "META $k missing"
done
for k in samples lost_samples unwind_failures truncated_stacks \
	unresolved_frames throttle_events; do
	grep -q "\"$k\"" "$T/j" || fail "counter $k missing"
done
grep -q '"call_graph": *"dwarf"' "$T/j" || fail "call_graph is not dwarf"
grep -q '"mode": *"run"' "$T/j" || fail "mode is not run"
echo ok
