#!/bin/bash
# bench/fds.sh - what tracking descriptors by call site costs a server
# that accepts a connection per request: examples/http_server under
# `wrk -t2 -c16 -H 'Connection: close'` (every request a new connection:
# accept4 and close), bare, under `cdoctor run` with descriptor tracking
# off (CDOC_ALLOC_FDS=0: cpu sampling and sampled allocation tracking)
# and under `cdoctor run` (the default: every descriptor recorded).
#
# Throughput on a shared machine moves with everyone else's load, so the
# figure is CPU per request: user + system seconds of the server and
# everything cdoctor runs for it (/usr/bin/time around the server or
# around cdoctor, wrk outside both), divided by the requests wrk
# completed. Requests per second are printed too. ROUNDS=N interleaves
# the configurations N times (default 1: one run each).
#
# Usage: bench/fds.sh [BUILD_DIR] (default: build). DURATION=5 (seconds
# of wrk per configuration), KEEPALIVE=1 (wrk's default keep-alive
# instead of a connection per request).
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-${BUILD:-$SRC/build}}
SRV=$B/examples/http_server
CDOCTOR=$B/bin/cdoctor
D=${DURATION:-5}
ROUNDS=${ROUNDS:-1}
HDR=(-H 'Connection: close')
[ "${KEEPALIVE:-0}" = 1 ] && HDR=()
[ -x "$SRV" ] && [ -x "$CDOCTOR" ] || { echo "build first: $SRV, $CDOCTOR"; exit 2; }
command -v wrk >/dev/null || { echo "wrk not found"; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not found"; exit 2; }
export CDOC_SHIM=${CDOC_SHIM:-$B/lib/libcdoctor-alloc.so}
T=$(mktemp -d)
[ -n "${KEEP:-}" ] && echo "scratch: $T" || trap 'rm -rf "$T"' EXIT
PORT=$((20000 + $$ % 20000))

# server_pid: the pid listening on $PORT, waiting up to 10 s.
server_pid() {
	local p
	for _ in $(seq 200); do
		p=$(ss -ltnpH "sport = :$PORT" 2>/dev/null |
			sed -n 's/.*pid=\([0-9]*\),.*/\1/p' | head -1)
		[ -n "$p" ] && { echo "$p"; return; }
		sleep 0.05
	done
}

# one NAME ROUND: run a configuration; leaves "cpu_s requests rps" in
# $T/NAME.ROUND
one() {
	local name=$1 r=$2 pid tpid
	case $name in
	bare) /usr/bin/time -f "%U %S" -o "$T/time" "$SRV" "$PORT" \
		>/dev/null 2>&1 & ;;
	nofd) CDOC_ALLOC_FDS=0 /usr/bin/time -f "%U %S" -o "$T/time" \
		"$CDOCTOR" run --no-html --force -o "$T/$name.cdr" \
		-- "$SRV" "$PORT" >/dev/null 2>&1 & ;;
	fds) /usr/bin/time -f "%U %S" -o "$T/time" \
		"$CDOCTOR" run --no-html --force -o "$T/$name.cdr" \
		-- "$SRV" "$PORT" >/dev/null 2>&1 & ;;
	esac
	tpid=$!
	pid=$(server_pid)
	[ -n "$pid" ] || { echo "$name: server did not listen"; exit 1; }
	wrk -t2 -c16 -d"${D}s" "${HDR[@]}" "http://127.0.0.1:$PORT/" \
		>"$T/wrk" 2>&1
	kill -INT "$pid"
	wait "$tpid"
	awk -v req="$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$T/wrk")" \
		-v rps="$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$T/wrk")" \
		'{ print $1 + $2, req, rps }' "$T/time" >"$T/$name.$r"
}

for r in $(seq "$ROUNDS"); do
	for c in bare nofd fds; do
		one "$c" "$r"
	done
done

printf "%-8s %10s %10s %14s %10s\n" config requests "req/s" \
	"CPU us/req" "CPU x bare"
base=
for c in bare nofd fds; do
	read -r cpu req rps < <(cat "$T/$c".[0-9]* | awk '{ c += $1; q += $2;
		s += $3 } END { print c, q, s / NR }')
	per=$(echo "$cpu * 1000000 / $req" | bc -l)
	[ -z "$base" ] && base=$per
	printf "%-8s %10d %10.0f %14.1f %10.2f\n" "$c" "$req" "$rps" "$per" \
		"$(echo "$per / $base" | bc -l)"
done
if [ -f "$T/fds.cdr" ]; then
	"$CDOCTOR" report "$T/fds.cdr" --folded fd_open |
		awk '{ n += $NF } END { print "descriptors recorded (last fds run): " n + 0 }'
fi
