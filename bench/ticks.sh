#!/bin/bash
# bench/ticks.sh - what timing event-loop ticks costs (the preload
# library wraps epoll_wait, poll, select, ...: two CLOCK_MONOTONIC reads
# per wait, and a record every 200 ms per loop thread). One run each:
#
# 1. requests/s of examples/http_server (a poll loop) under
#    `wrk -t1 -c8 -d${SECS}s`: bare, under `cdoctor run --no-alloc` (CPU
#    sampling only, no preload) and under `cdoctor run` (the default:
#    CPU sampling, the preload library with sampled allocations and
#    ticks); the last ratio is what the preload library adds.
# 2. ns per poll() call (zero timeout, readable pipe: the wait itself
#    is as cheap as it gets) bare, under `cdoctor run --no-alloc` and
#    under `cdoctor run`, best of five interleaved rounds.
#
# usage: bench/ticks.sh [BUILD_DIR]   env: SECS (5)
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-${BUILD:-$SRC/build}}
CDOCTOR=$B/bin/cdoctor
SRV=$B/examples/http_server
SECS=${SECS:-5}
command -v wrk >/dev/null || { echo "wrk not found"; exit 2; }
[ -x "$CDOCTOR" ] && [ -x "$SRV" ] || { echo "build first"; exit 2; }
T=$(mktemp -d)
trap 'rm -rf "$T"; [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null' EXIT
WRK="wrk -t1 -c8 -d${SECS}s"

rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$1"; }

port=$((20000 + RANDOM % 20000))
"$SRV" "$port" & pid=$!
for _ in $(seq 100); do
	$WRK -d1s "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
	sleep 0.1
done
$WRK "http://127.0.0.1:$port/" >"$T/bare"
kill "$pid"; wait "$pid" 2>/dev/null; pid=

for mode in noalloc shim; do
	flag=; [ $mode = noalloc ] && flag=--no-alloc
	"$CDOCTOR" run $flag --no-html -o "$T/$mode.cdr" \
		--on-port "$WRK http://127.0.0.1:\$PORT/ >$T/$mode" -- "$SRV" \
		>/dev/null 2>"$T/$mode.err" || { cat "$T/$mode.err"; exit 1; }
done
b=$(rps "$T/bare"); n=$(rps "$T/noalloc"); s=$(rps "$T/shim")
printf 'http_server requests/s: bare %s, cdoctor run --no-alloc %s (%.3fx), cdoctor run %s (%.3fx of bare, %.3fx of --no-alloc)\n' \
	"$b" "$n" "$(echo "$b / $n" | bc -l)" "$s" "$(echo "$b / $s" | bc -l)" \
	"$(echo "$n / $s" | bc -l)"

cc -O2 -o "$T/poll" "$SRC/bench/ticks_poll.c"
# five interleaved rounds, the best of each kept: a busy machine slows
# the modes alike
min() { sort -n | head -1; }
for r in 1 2 3 4 5; do
	"$T/poll" 300000 | sed 's/.*=//' >>"$T/p.bare"
	"$CDOCTOR" run --no-alloc --no-html --force -o "$T/p.cdr" -- \
		"$T/poll" 300000 2>/dev/null | sed -n 's/ns_per_call=//p' >>"$T/p.noalloc"
	"$CDOCTOR" run --no-html --force -o "$T/p.cdr" -- "$T/poll" 300000 \
		2>/dev/null | sed -n 's/ns_per_call=//p' >>"$T/p.shim"
done
pb=$(min <"$T/p.bare"); pn=$(min <"$T/p.noalloc"); ps=$(min <"$T/p.shim")
printf 'poll() with zero timeout (best of 5): bare %s ns, cdoctor run --no-alloc %s ns, cdoctor run %s ns (+%.0f ns a wait for the preload library)\n' \
	"$pb" "$pn" "$ps" "$(echo "$ps - $pn" | bc -l)"
