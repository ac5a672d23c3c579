#!/bin/bash
# A descriptor leak that runs into the limit: under a hard RLIMIT_NOFILE
# of 512, fdleak_socket_loop's leaked sockets fill the table within a
# second of load, after which the count stops growing (socket() fails
# with EMFILE). The verdict must still be fd-leak naming
# send_access_metric, its summary must say the limit was reached, and
# fds_limit_pct must be among the evidence. Healthy_loop under the same
# limit (16 connections) must not be called a leak.
. "$(dirname "$0")/run_common.bash"

command -v wrk >/dev/null || { echo "SKIP: wrk not installed"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }

# verdict SERVER: record SERVER under the low limit and load; prints the
# report's JSON path.
verdict() {
	local load='wrk -t2 -c16 -d5s "http://127.0.0.1:$PORT/item" >/dev/null'
	(ulimit -Sn 512 && ulimit -Hn 512 &&
		timeout 240 "$CDOCTOR" run --no-html -o "$T/$1.cdr" \
			--on-port "$load" -- "$EX/servers/$1" \
			>"$T/$1.out" 2>"$T/$1.err") ||
		fail "$1: run failed: $(tail -5 "$T/$1.err")"
	json "$T/$1.cdr" >"$T/$1.json" || fail "$1: report --json failed"
}

verdict fdleak_socket_loop
j=$T/fdleak_socket_loop.json
got=$(jq -r '.verdict.category' "$j")
first=$(jq -r '.verdict.culprits[0].function // "-"' "$j")
use=$(jq -r '[.verdict.evidence[] | select(.name == "fds_limit_pct")
	| .value][0] // "none"' "$j")
echo "fdleak_socket_loop at 512 fds: $got, culprit $first, limit use $use%"
echo "  $(jq -r '.verdict.summary' "$j")"
[ "$got" = fd-leak ] || fail "verdict $got, expected fd-leak"
case $first in send_access_metric*) ;; *) fail "culprit $first" ;; esac
[ "$use" != none ] || fail "no fds_limit_pct evidence"
jq -r '.verdict.summary' "$j" | grep -q "limit" ||
	fail "the summary does not say the limit was reached"

verdict healthy_loop
got=$(jq -r '.verdict.category' "$T/healthy_loop.json")
echo "healthy_loop at 512 fds: $got"
[ "$got" != fd-leak ] || fail "healthy_loop called fd-leak"
exit 0
