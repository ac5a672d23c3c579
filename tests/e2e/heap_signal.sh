#!/bin/bash
# heap_signal: allocations from a signal handler. alloc_signal's SIGALRM
# handler maps and unmaps a page every 50 us while the main loop mallocs
# and frees, so the handler often interrupts the shim's own recording.
# Under full tracking with --mmap the run must end (no deadlock), the
# program's output must not change, and every handler call must be
# either recorded (its mmap, at on_alarm) or counted as re-entrant:
# nothing is lost silently. The main loop's pairs stay balanced.
set -u
: "${CDOCTOR:?}" "${CDOC_EXAMPLES:?}" "${CDOC_SHIM:?}"
[ -f "$CDOC_SHIM" ] || exit 77
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

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
"$CDOCTOR" heap --folded live_count "$tmp/s.heap" >"$tmp/live"
live=$(grep -E ';(work_alloc|main|on_alarm) [0-9]+$' "$tmp/live" | awk '{s += $NF} END {print s + 0}')
[ "$live" = 0 ] || fail "$live allocations of the loop or the handler still live"
grep -q "unmatched frees 0," "$tmp/sum" || fail "unmatched: $(grep Stream "$tmp/sum")"
echo "heap_signal: ok ($calls handler calls: $seen recorded, $reent re-entrant)"
