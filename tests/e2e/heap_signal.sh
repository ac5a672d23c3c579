#!/bin/bash
# heap_signal: allocations from a signal handler. alloc_signal's SIGALRM
# handler maps and unmaps a page every 50 us while the main loop mallocs
# and frees, so the handler often interrupts the shim's own recording.
# Under full tracking with --mmap the run must end (no deadlock), the
# program's output comes through, and every handler call must be
# either recorded (its mmap, at on_alarm) or counted as re-entrant:
# nothing is lost silently, and nothing else is counted. The main loop's
# pairs stay balanced. Then the handler forks instead: the stream stays
# readable and balanced.
. "$(dirname "$0")/heap_common.bash"

timeout 300 "$CDOCTOR" heap run -q --mmap --shim "$CDOC_SHIM" \
	-o "$tmp/s.heap" -- "$CDOC_EXAMPLES/alloc_signal" 1000000 \
	>"$tmp/out" || fail "run (status $?)"
calls=$(sed -n 's/^alloc_signal: 1000000 pairs, \([0-9]*\) handler calls$/\1/p' "$tmp/out")
[ -n "$calls" ] || fail "output: $(cat "$tmp/out")"
[ "$calls" -gt 100 ] || fail "only $calls handler calls: the timer did not fire"
"$CDOCTOR" heap "$tmp/s.heap" >"$tmp/sum" || fail "summary"
reent=$(sed -n 's/.*not recorded: \([0-9]*\) (re-entrant).*/\1/p' "$tmp/sum")
"$CDOCTOR" heap --folded alloc_count "$tmp/s.heap" >"$tmp/all"
seen=$(grep -E ';on_alarm [0-9]+$' "$tmp/all" | awk '{s += $NF} END {print s + 0}')
[ $((seen + reent)) -ge "$calls" ] ||
	fail "$calls handler calls, $seen recorded + $reent re-entrant: some lost"
# and the shim's own calls (libunwind maps memory while it unwinds) are
# not taken for the program's
[ $((seen + reent)) -le $((calls + 2)) ] ||
	fail "$calls handler calls, $seen recorded + $reent re-entrant: too many"
"$CDOCTOR" heap --folded live_count "$tmp/s.heap" >"$tmp/live"
live=$(grep -E ';(work_alloc|main|on_alarm) [0-9]+$' "$tmp/live" | awk '{s += $NF} END {print s + 0}')
[ "$live" = 0 ] || fail "$live allocations of the loop or the handler still live"
grep -q "unmatched frees 0," "$tmp/sum" || fail "unmatched: $(grep Stream "$tmp/sum")"

# a handler that forks (the child _exits at once), often in the middle of
# the shim's recording: the parent's stream stays readable and balanced
timeout 300 "$CDOCTOR" heap run -q --shim "$CDOC_SHIM" -o "$tmp/f.heap" \
	-- "$CDOC_EXAMPLES/alloc_signal" 1000000 fork >"$tmp/out" 2>"$tmp/err" ||
	fail "forking handler: status $?: $(cat "$tmp/err")"
forks=$(sed -n 's/^alloc_signal: 1000000 pairs, \([0-9]*\) handler calls$/\1/p' "$tmp/out")
[ "${forks:-0}" -gt 10 ] || fail "forking handler: only ${forks:-0} calls"
"$CDOCTOR" heap "$tmp/f.heap" >"$tmp/sum" || fail "forking handler: summary"
grep -q "unmatched frees 0," "$tmp/sum" || fail "forking handler: unmatched: $(grep Stream "$tmp/sum")"
"$CDOCTOR" heap --folded live_count "$tmp/f.heap" >"$tmp/live"
live=$(grep -E ';main [0-9]+$' "$tmp/live" | awk '{s += $NF} END {print s + 0}')
[ "$live" = 0 ] || fail "forking handler: $live of the loop's allocations still live"
echo "heap_signal: ok ($calls handler calls: $seen recorded, $reent re-entrant; $forks forks)"
