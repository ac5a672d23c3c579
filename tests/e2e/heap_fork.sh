#!/bin/bash
# heap_fork: a forked child and an exec'd child are tracked into the same
# snapshot, each under its own pid, with their own leaks; the child's free
# of inherited memory is not an unmatched free. The same when the forks
# happen while a second thread is allocating. A child left running does
# not hang the run.
. "$(dirname "$0")/heap_common.bash"

for mode in "" threaded; do
	"$CDOCTOR" heap run -q --force --shim "$CDOC_SHIM" -o "$tmp/f.heap" -- \
		"$CDOC_EXAMPLES/alloc_fork" $mode >"$tmp/out" || fail "run $mode"
	grep -q "alloc_fork done" "$tmp/out" || fail "output"
	"$CDOCTOR" heap "$tmp/f.heap" >"$tmp/sum"
	[ "$(grep -c '^Process [0-9]' "$tmp/sum")" = 3 ] || fail "$mode: expected 3 processes"
	grep -q '^Process [0-9]* .*alloc_fork (forked)' "$tmp/sum" || fail "$mode: no forked child"
	pids=$(grep '^Process ' "$tmp/sum" | awk '{print $2}' | sort -u | wc -l)
	[ "$pids" = 3 ] || fail "pids not distinct"
	"$CDOCTOR" heap --folded leaked "$tmp/f.heap" >"$tmp/leaked"
	for pair in parent_leak:1500 child_leak:1500 exec_child_leak:1400; do
		f=${pair%%:*} want=${pair#*:}
		got=$(grep ";$f " "$tmp/leaked" | awk '{s += $NF} END {print s + 0}')
		[ "$got" = "$want" ] || fail "$mode: $f leaked $got, expected $want"
	done
	grep -q "unmatched frees 0," "$tmp/sum" || fail "$mode: unmatched: $(grep Stream "$tmp/sum")"
	if [ "$mode" = threaded ]; then
		"$CDOCTOR" heap --folded alloc_count "$tmp/f.heap" | grep -q ";churn " ||
			fail "threaded: the thread's allocations are missing"
		grep -q ";churn " "$tmp/leaked" && fail "threaded: the thread leaked"
	fi
done
# a child left running that keeps starting tracked processes holds the
# channel open: heap run still ends (after its 5 s grace), with the
# target's status and a warning
touch "$tmp/go"
timeout 60 "$CDOCTOR" heap run -q --force --shim "$CDOC_SHIM" -o "$tmp/b.heap" -- sh -c \
	"(while [ -e '$tmp/go' ]; do ls / >/dev/null; sleep 0.2; done) & exit 5" \
	>/dev/null 2>"$tmp/err"
st=$?
rm -f "$tmp/go"
[ $st = 5 ] || fail "busy child left running: status $st (124: hung)"
grep -q "still open" "$tmp/err" || fail "no warning: $(cat "$tmp/err")"
echo "heap_fork: ok"
