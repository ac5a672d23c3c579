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
# the hot function is on top of the program's own code, with most of its
# samples (write() and the kernel's network path grow when the machine is
# busy, so they are not what this is measured against)
user_leaves "$T/f" >"$T/leaves"
top=$(head -1 "$T/leaves" | cut -d' ' -f2-)
hot=$(head -1 "$T/leaves" | cut -d' ' -f1)
user=$(awk '{ s += $1 } END { print s + 0 }' "$T/leaves")
[ "$top" = naive_hash ] || fail "top user function is $top, not naive_hash"
[ $((hot * 2)) -gt "$user" ] || fail "naive_hash in $hot of $user user samples"
echo ok
