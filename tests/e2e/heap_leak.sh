#!/bin/bash
# heap_leak: leaky_server under 'cdoctor heap run --interval': the leaking
# call site ranks first by 'heap diff' between an early and a late
# snapshot, and first among leaks at exit; snapshots reload, and a
# corrupted snapshot is rejected with its byte offset.
. "$(dirname "$0")/heap_common.bash"

"$CDOCTOR" heap run -q --shim "$CDOC_SHIM" --interval 150 -o "$tmp/ls.heap" \
	-- "$CDOC_EXAMPLES/leaky_server" 3000 300 >"$tmp/out" || fail "run"
grep -q "served 3000 requests" "$tmp/out" || fail "server output"
n=$(ls "$tmp"/ls.heap.*.heap 2>/dev/null | wc -l)
[ "$n" -ge 2 ] || fail "expected at least 2 interval snapshots, got $n"
late=$(ls "$tmp"/ls.heap.*.heap | sort -t. -k3 -n | tail -1)
"$CDOCTOR" heap diff "$tmp/ls.heap.1.heap" "$late" >"$tmp/diff" || fail "diff"
cat "$tmp/diff"
grep -Eq "^ +1\. \+[0-9]+ bytes +\+[0-9]+ objects .*remember_session" \
	"$tmp/diff" || fail "remember_session is not first by growth"
# leaked at exit: 3000 sessions of 256 bytes
"$CDOCTOR" heap --folded leaked "$tmp/ls.heap" >"$tmp/leaked"
got=$(grep ';remember_session ' "$tmp/leaked" | awk '{s += $NF} END {print s + 0}')
[ "$got" = 768000 ] || fail "leaked by remember_session: $got, expected 768000"
"$CDOCTOR" heap "$tmp/ls.heap" >"$tmp/sum"
grep -A1 "^Leaked at exit" "$tmp/sum" | grep -q remember_session ||
	fail "remember_session not first leak"
grep -q "^Peak heap: " "$tmp/sum" || fail "no peak"
# the cache churns but never leaks; every request was parsed
got=$(grep ';cache_put' "$tmp/leaked" | awk '{s += $NF} END {print s + 0}')
[ "$got" = 0 ] || fail "cache_put leaked $got"
got=$("$CDOCTOR" heap --folded alloc_count "$tmp/ls.heap" |
	grep ';parse_request ' | awk '{s += $NF} END {print s + 0}')
[ "$got" = 3000 ] || fail "parse_request allocations: $got, expected 3000"

# corrupt input: truncated and bit-flipped snapshots are rejected (exit 2)
head -c 60 "$tmp/ls.heap" >"$tmp/trunc.heap"
"$CDOCTOR" heap "$tmp/trunc.heap" >/dev/null 2>"$tmp/err"
[ $? = 2 ] || fail "truncated snapshot accepted"
grep -q "offset [0-9]" "$tmp/err" || fail "no offset in: $(cat "$tmp/err")"
printf 'XXXXXXXX' | cat - "$tmp/ls.heap" >"$tmp/bad.heap"
"$CDOCTOR" heap "$tmp/bad.heap" >/dev/null 2>&1 && fail "garbage accepted"
# the folded output feeds cflame svg
if [ -n "${CFLAME:-}" ] && [ -x "$CFLAME" ]; then
	"$CDOCTOR" heap --folded leaked "$tmp/ls.heap" | "$CFLAME" svg >"$tmp/l.svg" ||
		fail "cflame svg"
	grep -q remember_session "$tmp/l.svg" || fail "leak not in the svg"
fi

# on demand: SIGUSR1 to cdoctor writes a snapshot at once
"$CDOCTOR" heap run -q --shim "$CDOC_SHIM" -o "$tmp/u.heap" \
	-- "$CDOC_EXAMPLES/leaky_server" 4000 500 >/dev/null &
pid=$!
for i in $(seq 300); do
	sleep 0.1
	[ -f "$tmp/u.heap.1.heap" ] && break
	# the handler is set before the target is forked
	pgrep -P $pid >/dev/null && kill -USR1 $pid 2>/dev/null
done
wait $pid || fail "run with SIGUSR1"
[ -f "$tmp/u.heap.1.heap" ] || fail "SIGUSR1 wrote no snapshot"
"$CDOCTOR" heap "$tmp/u.heap.1.heap" >/dev/null || fail "on-demand snapshot"
echo "heap_leak: ok"
