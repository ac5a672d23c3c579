#!/bin/bash
# --on-port: once http_server listens, the load command runs with $PORT;
# when it ends the server is stopped, and its hot handler is on top.
. "$(dirname "$0")/run_common.bash"

load='for i in $(seq 300); do curl -s "http://127.0.0.1:$PORT/x" >/dev/null || exit 1; done; echo "port=$PORT"'
if command -v wrk >/dev/null; then
	load='wrk -t1 -c2 -d2s "http://127.0.0.1:$PORT/x" && echo "port=$PORT"'
elif ! command -v curl >/dev/null; then
	echo "SKIP: neither wrk nor curl"
	exit 77
fi
timeout 120 "$CDOCTOR" run --no-html -o "$T/h.cdr" --on-port "$load" -- \
	"$EX/http_server" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] || fail "run gave $rc: $(cat "$T/err")"
grep -q "port=[1-9]" "$T/out" || fail "load command did not get a port"
folded "$T/h.cdr" >"$T/f"
n=$(total "$T/f" "render_json_slowly;naive_hash")
all=$(total "$T/f")
echo "handler in $n of $all samples"
# the hot function is on top (outside the kernel, where write() samples
# land, more of them when the machine is busy) and takes a good share
top=$(top_user_self "$T/f")
[ "$top" = naive_hash ] || fail "top function is $top, not naive_hash"
[ $((n * 3)) -gt "$all" ] || fail "render_json_slowly;naive_hash in $n of $all"
echo ok
