#!/bin/bash
# node agent, JS heap: a server that caches every request in an unbounded
# Map grows its V8 heap under wrk, and the sampled JS heap names the
# function that allocates what is kept (js_heap_growth, and js_heap over
# time); a healthy server's heap does not grow by as much.
. "$(dirname "$0")/node_common.bash"

node_record leak leak
first=$(metric leak node_heap_used_bytes min)
last=$(metric leak node_heap_used_bytes last)
top=$(top_stack "$T/leak.cdr" js_heap_growth)
echo "leak: V8 heap used from $first to $last bytes; most growth at: $top"
ge "$last" "$(awk -v f="$first" 'BEGIN { print f + 4000000 }')" ||
	fail "leak: heap used $first .. $last bytes"
case "$top" in
*"JS:cdoctorJsRememberSession "*) ;;
*) fail "leak: the top of js_heap_growth is not the caching function: $top" ;;
esac
# the growing stack is in the timed js_heap profile too, in every snapshot
n=$("$CDOCTOR" report "$T/leak.cdr" --folded js_heap |
	awk '/JS:cdoctorJsRememberSession / { n += $NF } END { print n + 0 }')
[ "$n" -gt 0 ] || fail "leak: js_heap has no cdoctorJsRememberSession"
"$CDOCTOR" report "$T/leak.cdr" --folded js_heap_live |
	grep -q 'JS:cdoctorJsRememberSession ' || fail "leak: not in js_heap_live"
verdict leak memory-leak cdoctorJsRememberSession
echo ok
