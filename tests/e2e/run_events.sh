#!/bin/bash
# -e: software events work; an unsupported hardware event falls back to
# cpu-clock with one message and the reason in the recording; an unknown
# name is a usage error.
. "$(dirname "$0")/run_common.bash"

"$CDOCTOR" run --no-html -e task-clock -o "$T/a.cdr" -- "$EX/deep_nofp" 0.5 \
	>/dev/null 2>"$T/err" || fail "task-clock: $(cat "$T/err")"
json "$T/a.cdr" | grep -q '"event": *"task-clock"' || fail "event not task-clock"

"$CDOCTOR" run --no-html -e cycles -o "$T/b.cdr" -- "$EX/deep_nofp" 0.5 \
	>/dev/null 2>"$T/err" || fail "cycles: $(cat "$T/err")"
json "$T/b.cdr" >"$T/j"
if grep -q "fallback_reason" "$T/j"; then
	[ "$(grep -c "not supported" "$T/err")" = 1 ] ||
		fail "fallback not said exactly once: $(cat "$T/err")"
	grep -q '"event": *"cpu-clock"' "$T/j" || fail "fallback event not cpu-clock"
	grep -q '"event_requested": *"cycles"' "$T/j" || fail "requested not kept"
else
	grep -q '"event": *"cycles"' "$T/j" || fail "cycles neither used nor fell back"
fi
[ "$(total <(folded "$T/b.cdr"))" -gt 0 ] || fail "no samples with -e cycles"

"$CDOCTOR" run -e no_such_event_xyz -- true 2>"$T/err"
[ $? = 2 ] || fail "unknown event accepted"
grep -q "no_such_event_xyz" "$T/err" || fail "message does not name the event"
"$CDOCTOR" run --call-graph fp --no-html -o "$T/c.cdr" -- "$EX/shlib_work" 0.5 \
	>/dev/null 2>"$T/err" || fail "fp: $(cat "$T/err")"
json "$T/c.cdr" | grep -q '"call_graph": *"fp"' || fail "call_graph not fp"
grep -q "main;shlib_hot_checksum" <(folded "$T/c.cdr") || fail "fp stacks"
echo ok
