#!/bin/bash
# node agent, async waits (--node-async): a server whose requests wait on
# a slow downstream service (examples/node/slow_backend.js, started here
# on its own, outside the run) spends its async-wait time under the
# function that made the downstream call; without --node-async there is
# no async_wait profile.
. "$(dirname "$0")/node_common.bash"

node "$EXN/slow_backend.js" 0 300 50 >"$T/backend.out" 2>&1 &
backend=$!
trap 'kill $backend 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do
	port=$(sed -n 's/^listening on //p' "$T/backend.out")
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || fail "the backend did not start: $(cat "$T/backend.out")"

node_record slow slow_downstream --node-async -- "$port"
top=$(top_stack "$T/slow.cdr" async_wait)
echo "slow downstream: most async wait at: $top"
case "$top" in
*"JS:cdoctorJsFetchPrice "*"[async:"*) ;;
*) fail "the top async wait is not the downstream call: $top" ;;
esac
count=$("$CDOCTOR" report "$T/slow.cdr" --folded async_wait_count |
	awk '/JS:cdoctorJsFetchPrice / { n += $NF } END { print n + 0 }')
[ "$count" -ge 10 ] || fail "only $count waits counted under the call"
verdict slow io-wait cdoctorJsFetchPrice
grep -q '"node_async_waits": *"on"' "$T/slow.json" || fail "no META node_async_waits on"

node_record plain slow_downstream -- "$port"
"$CDOCTOR" report "$T/plain.cdr" --folded async_wait >/dev/null 2>&1 &&
	fail "async_wait without --node-async"
echo ok
