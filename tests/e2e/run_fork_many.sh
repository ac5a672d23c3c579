#!/bin/bash
# 200 children forked by the target: every one's end is in the recording
# (their statuses go to their own parent, so the report says "ended").
# A low rate keeps the rings from filling on a busy machine: a full ring
# drops fork records too, and the processes would go missing altogether
# (counted as lost_samples).
. "$(dirname "$0")/run_common.bash"

"$CDOCTOR" run -F 20 --no-html -o "$T/f.cdr" -- /bin/sh -c \
	'i=0; while [ $i -lt 200 ]; do (exit 3) & i=$((i + 1)); done; wait' \
	>/dev/null 2>"$T/err" || fail "run: $(cat "$T/err")"
json "$T/f.cdr" >"$T/j" || fail "report --json"
procs=$(grep -o '"ppid"' "$T/j" | wc -l)
open=$(grep -o '"exited": *false' "$T/j" | wc -l)
echo "$procs processes, $open without an end"
[ "$procs" -ge 201 ] || fail "only $procs processes recorded"
[ "$open" = 0 ] || fail "$open processes have no end recorded"
"$CDOCTOR" report "$T/f.cdr" --text >"$T/txt" 2>&1 || fail "report"
grep -q "no exit recorded" "$T/txt" && fail "text report: no exit recorded"
grep -q "exited 0" "$T/txt" || fail "the target's own exit is missing"
echo ok
