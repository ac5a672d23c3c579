#!/bin/bash
# Every thread is sampled (one frame per thread name first), and the
# hot function dominates.
. "$(dirname "$0")/run_common.bash"

"$CDOCTOR" run --no-html -o "$T/t.cdr" -- "$EX/threads" 1.5 4 >/dev/null \
	2>"$T/err" || fail "run threads: $(cat "$T/err")"
folded "$T/t.cdr" >"$T/f"
[ "$(top_self "$T/f")" = thread_hot_loop ] || fail "top: $(top_self "$T/f")"
for i in 0 1 2 3; do
	n=$(total "$T/f" "^worker-$i;.*thread_hot_loop")
	echo "worker-$i: $n samples"
	[ "$n" -gt 0 ] || fail "thread worker-$i not sampled"
done
echo ok
