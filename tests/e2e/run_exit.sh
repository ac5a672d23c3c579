#!/bin/bash
# cdoctor exits with the target's status: 7 for exit(7), 139 for SIGSEGV;
# the crashed run still has a full recording with the exit recorded.
. "$(dirname "$0")/run_common.bash"

"$CDOCTOR" run --no-html -o "$T/a.cdr" -- "$EX/crasher" 0.3 7 >/dev/null \
	2>"$T/err"
rc=$?
[ $rc = 7 ] || fail "exit 7 gave $rc: $(cat "$T/err")"

"$CDOCTOR" run --no-html -o "$T/b.cdr" -- "$EX/crasher" 0.8 >/dev/null \
	2>"$T/err"
rc=$?
[ $rc = 139 ] || fail "SIGSEGV gave $rc: $(cat "$T/err")"
folded "$T/b.cdr" >"$T/f" || fail "crashed run's recording unreadable"
[ "$(top_self "$T/f")" = crasher_busy_work ] || fail "top: $(top_self "$T/f")"
json "$T/b.cdr" >"$T/j"
grep -q '"complete": *true' "$T/j" || fail "recording not complete"

"$CDOCTOR" run --no-html -o "$T/c.cdr" -- /nonexistent/program 2>"$T/err"
rc=$?
[ $rc = 2 ] || fail "missing program gave $rc"
grep -q "nonexistent" "$T/err" || fail "no message for a missing program"
echo ok
