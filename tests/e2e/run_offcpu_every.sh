#!/bin/bash
# Every wait is timed, even when its stack is not taken: with
# --offcpu-every 40 one context switch in 40 is unwound, and the others
# (and any whose sample a full ring dropped) are written with the
# thread's last unwound stack. examples/offcpu_tail naps 300 x 1 ms,
# then 600 ms once, all in nap(): offcpu_sleep through nap must hold
# the long nap (at least 600 ms) and no more than the napper's life.
# (Before, only unwound waits were written, each weighing 40 times its
# own time: 40 s and more when the long nap was one of them.)
. "$(dirname "$0")/run_common.bash"
need_perf

"$CDOCTOR" run --no-html --no-alloc --offcpu-every 40 -o "$T/t.cdr" -- \
	"$EX/offcpu_tail" 300 >/dev/null 2>"$T/err" ||
	fail "run offcpu_tail: $(cat "$T/err")"
json "$T/t.cdr" >"$T/j"
state=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["meta"].get("offcpu", ""))' <"$T/j")
if [ "${state%%:*}" = off ]; then
	echo "SKIP: off-CPU is $state" >&2
	exit 77
fi
"$CDOCTOR" report "$T/t.cdr" --folded offcpu_sleep >"$T/f" 2>/dev/null ||
	fail "no offcpu_sleep profile"
nap_ns=$(awk '/^napper;.*;nap;/ { n += $NF } END { printf "%.0f\n", n }' "$T/f")
dur_ns=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["meta"]["duration_ns"])' <"$T/j")
echo "nap: $nap_ns ns of a $dur_ns ns run"
[ "$nap_ns" -ge 600000000 ] || fail "nap: $nap_ns ns, the 600 ms nap is missing"
[ "$nap_ns" -le "$dur_ns" ] || fail "nap: $nap_ns ns, more than the run ($dur_ns ns)"
nostack=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"].get("offcpu_nostack_ns", -1))' <"$T/j")
[ "$nostack" -gt 0 ] || fail "counter offcpu_nostack_ns: $nostack"
echo "ok"
