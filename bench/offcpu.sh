#!/bin/bash
# bench/offcpu.sh - what off-CPU sampling costs a server: requests/s of
# examples/http_server under wrk (-t2 -c16, DURATION s) bare, under
# `cdoctor run --no-offcpu`, under `cdoctor run` (every context switch
# unwound: --offcpu-every 1) and with --offcpu-every 8, in one run; each
# ratio against the bare run, the CPU seconds cdoctor itself used, and
# the waits written and records lost. On a shared machine the req/s
# ratios move with the load: run it on an idle one.
# Usage: bench/offcpu.sh [BUILD_DIR] (default: build). DURATION=5.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$SRC/build}
SRV=$B/examples/http_server
CDOCTOR=$B/bin/cdoctor
D=${DURATION:-5}
[ -x "$SRV" ] && [ -x "$CDOCTOR" ] || { echo "build first"; exit 2; }
command -v wrk >/dev/null || { echo "wrk not found"; exit 2; }
T=$(mktemp -d)
trap 'rm -rf "$T"; [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null' EXIT
WRK="wrk -t2 -c16 -d${D}s http://127.0.0.1:\$PORT/"
rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$1" | tail -1; }

port=$((20000 + RANDOM % 20000))
"$SRV" "$port" >/dev/null 2>&1 &
pid=$!
sleep 0.5
PORT=$port eval "$WRK" >"$T/bare" 2>&1
kill "$pid"; wait "$pid" 2>/dev/null; pid=
bare=$(rps "$T/bare")
printf '%-26s %10s req/s\n' bare "$bare"

run() {
	local name=$1
	shift
	"$CDOCTOR" run --no-html --no-alloc --force -o "$T/$name.cdr" \
		--on-port "$WRK" "$@" -- "$SRV" >"$T/$name" 2>&1
	local r
	r=$(rps "$T/$name")
	printf '%-26s %10s req/s  %s of bare  collector CPU %s s %s\n' \
		"$name" "$r" \
		"$(awk -v a="$r" -v b="$bare" 'BEGIN { printf "%.2f", a / b }')" \
		"$(sed -n 's/.*collector CPU \([0-9.]*\) s.*/\1/p' "$T/$name")" \
		"$(grep -E 'offcpu_(samples|lost) ' "$T/$name" | tr -s ' ' | tr '\n' ' ')"
}
run "cdoctor --no-offcpu" --no-offcpu
run "cdoctor (every 1)" --offcpu-every 1
run "cdoctor --offcpu-every 8" --offcpu-every 8
