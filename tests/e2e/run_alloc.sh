#!/bin/bash
# run_alloc: `cdoctor run --alloc` profiles CPU and allocations into one
# recording. On leaky_server the leaking call site is first by leaked
# bytes at exit and first by growth between the recording's first and last
# heap snapshots; the doctor names it; the target's exit code and output
# are kept; sampled mode scales its estimates to the same order.
. "$(dirname "$0")/run_common.bash"
need_perf
[ -f "${CDOC_SHIM:-}" ] || { echo "SKIP: no shim" >&2; exit 77; }
export CDOC_SHIM

"$CDOCTOR" run --alloc --heap-interval 0.1 -o "$T/l.cdr" --no-html \
	-- "$EX/leaky_server" 3000 300 >"$T/out" 2>"$T/err" ||
	fail "run exited $?: $(cat "$T/err")"
grep -q "served 3000 requests" "$T/out" || fail "target output lost"

# leaked at exit: 3000 sessions of 256 bytes, ranked first
"$CDOCTOR" report "$T/l.cdr" --folded leak >"$T/leak" || fail "folded leak"
top=$(sort -t' ' -k2 -n -r "$T/leak" | head -1)
case "$top" in
*";remember_session 768000") ;;
*) fail "first leak is not remember_session 768000: $top" ;;
esac

# growth between the first and the last snapshot of the recording
"$CDOCTOR" heap diff "$T/l.cdr" >"$T/diff" || fail "heap diff"
grep -Eq "^ +1\. \+[0-9]+ bytes .*remember_session" "$T/diff" ||
	fail "remember_session not first by growth: $(head -5 "$T/diff")"

# the doctor says so
"$CDOCTOR" report "$T/l.cdr" >"$T/text" || fail "report"
grep -A3 "Memory was never freed" "$T/text" | grep -q remember_session ||
	fail "no leak diagnosis naming remember_session"

# nothing silent: what tracking saw and missed is in the data-quality list
grep -Eq "^  alloc_events +[1-9][0-9]*$" "$T/text" || fail "no alloc_events counter"
grep -Eq "^  alloc_unmatched_free +0$" "$T/text" ||
	fail "unmatched frees: $(grep alloc_unmatched "$T/text")"

# the target's own exit status comes back through the shim and collector
"$CDOCTOR" run --alloc --no-html -o "$T/e.cdr" -- sh -c 'exit 7' \
	>/dev/null 2>&1
[ $? = 7 ] || fail "exit status not propagated with --alloc"

# sampled: estimates of the same order (one sample per 4 KiB on average)
"$CDOCTOR" run --alloc-sample 4096 --no-html -o "$T/s.cdr" \
	-- "$EX/leaky_server" 3000 300 >/dev/null 2>&1 || fail "sampled run"
got=$("$CDOCTOR" report "$T/s.cdr" --folded leak |
	awk '/;remember_session /{s += $NF} END {print s + 0}')
[ "$got" -gt 300000 ] && [ "$got" -lt 2000000 ] ||
	fail "sampled leak estimate $got far from 768000"
echo "ok: leaked 768000 exact, sampled estimate $got"
