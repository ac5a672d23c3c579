#!/bin/bash
# A child forked and exec'ed by the target is followed: its hot function
# shows under its own name, and both processes are in the recording.
. "$(dirname "$0")/run_common.bash"

"$CDOCTOR" run --no-html -o "$T/f.cdr" -- "$EX/fork_exec" 1 >/dev/null \
	2>"$T/err" || fail "run fork_exec: $(cat "$T/err")"
folded "$T/f.cdr" >"$T/f"
n=$(total "$T/f" "^shlib_work;.*main;shlib_hot_checksum")
all=$(total "$T/f")
echo "child hot samples $n of $all"
[ $((n * 2)) -gt "$all" ] || fail "child's hot function in $n of $all"
json "$T/f.cdr" >"$T/j"
grep -q '"shlib_work"' "$T/j" || fail "child process missing"
grep -q '"fork_exec"' "$T/j" || fail "parent process missing"
echo ok
