#!/bin/bash
# --duration stops a long target early (exit 0: we stopped it), and
# cdoctor attach samples a running process's threads without signalling it.
. "$(dirname "$0")/run_common.bash"

timeout 120 "$CDOCTOR" run --no-html -d 1 -o "$T/d.cdr" -- \
	"$EX/deep_nofp" 600 >/dev/null 2>"$T/err"
rc=$?
[ $rc = 0 ] || fail "--duration run gave $rc: $(cat "$T/err")"
[ "$(top_self <(folded "$T/d.cdr"))" = spin_leaf ] || fail "duration run top"

"$EX/threads" 30 2 2>/dev/null &
tp=$!
sleep 0.5
timeout 120 "$CDOCTOR" attach -p $tp -d 1 --no-html -o "$T/a.cdr" \
	>/dev/null 2>"$T/err"
rc=$?
kill -0 $tp 2>/dev/null || fail "attach harmed the target"
kill $tp
wait $tp 2>/dev/null
[ $rc = 0 ] || fail "attach gave $rc: $(cat "$T/err")"
folded "$T/a.cdr" >"$T/f"
[ "$(top_self "$T/f")" = thread_hot_loop ] || fail "attach top: $(top_self "$T/f")"
for i in 0 1; do
	[ "$(total "$T/f" "^worker-$i;")" -gt 0 ] || fail "worker-$i not sampled"
done
json "$T/a.cdr" | grep -q '"mode": *"attach"' || fail "mode is not attach"
"$CDOCTOR" attach -p 999999999 -o "$T/x.cdr" 2>/dev/null && fail "bad pid accepted"
echo ok
