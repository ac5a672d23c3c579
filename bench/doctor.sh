#!/bin/bash
# bench/doctor.sh - what the full doctor costs a server under load: the
# requests per second wrk gets from example servers (examples/servers/)
# bare, under `cdoctor run --on-port` with its default options (the full
# doctor: DWARF CPU sampling, sampled allocation tracking, metrics) and
# under `perf record --call-graph dwarf` (the tool a user would pick),
# all in one run. Rounds are interleaved (one round runs every mode of
# every server once, in turn) and the best round of each mode is kept, so
# a busy machine disturbs the modes alike. Prints requests/s and the ratio
# to the bare run (1.00: no cost; 0.50: half the throughput).
#
# Default servers: healthy_loop (single-threaded epoll), healthy_pool
# (24 threads blocking in accept/read), healthy_prefork (2 forked epoll
# workers), hotspot_pool (CPU-bound thread pool).
#
# usage: bench/doctor.sh [SERVER...]
#   env: BUILD (default build/), ROUNDS (3), DURATION (wrk seconds, 6),
#        WRK (wrk options, "-t2 -c16"), FREQ (perf's -F, 997: cdoctor's
#        default), NO_PERF=1
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${BUILD:-$src/build}" 2>/dev/null && pwd) || {
	echo "no build directory: ${BUILD:-$src/build}"
	exit 1
}
cdoctor=$build/bin/cdoctor
servers=${*:-healthy_loop healthy_pool healthy_prefork hotspot_pool}
rounds=${ROUNDS:-3}
dur=${DURATION:-6}
wrkopt=${WRK:--t2 -c16}
freq=${FREQ:-997}
for s in $servers; do
	[ -x "$build/examples/servers/$s" ] || { echo "build first: $s"; exit 1; }
done
[ -x "$cdoctor" ] || { echo "build first: $cdoctor"; exit 1; }
command -v wrk >/dev/null || { echo "needs wrk"; exit 1; }
modes="bare cdoctor"
if [ -z "${NO_PERF:-}" ] && command -v perf >/dev/null; then
	modes="$modes perf_dwarf"
else
	echo "perf not found (or NO_PERF): skipping perf record"
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# rps FILE: wrk's Requests/sec in FILE (0 when absent)
rps() {
	local v
	v=$(sed -n 's/^Requests\/sec: *//p' "$1" | tail -1)
	echo "${v:-0}"
}

# start_bg OUT CMD...: runs CMD in the background (stdout to OUT) and
# waits until the server in it prints its port; sets $pid and $port.
start_bg() {
	local out=$1
	shift
	"$@" >"$out" 2>"$out.err" &
	pid=$!
	port=
	for _ in $(seq 200); do
		port=$(sed -n 's/^listening on port //p' "$out")
		[ -n "$port" ] && return 0
		sleep 0.05
	done
	return 1
}

stop_bg() {
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# run_mode SERVER MODE: wrk against SERVER under MODE; prints requests/s.
run_mode() {
	local exe=$build/examples/servers/$1 out=$T/$1.$2
	local url='http://127.0.0.1:$PORT/item'
	case $2 in
	bare)
		start_bg "$out.srv" "$exe" || { echo 0; return; }
		wrk $wrkopt -d"${dur}s" "http://127.0.0.1:$port/item" >"$out"
		stop_bg
		;;
	cdoctor)
		"$cdoctor" run --no-html --force -o "$T/r.cdr" --on-port \
			"wrk $wrkopt -d${dur}s $url" -- "$exe" >"$out" 2>"$out.err"
		grep -E "^cdoctor: .*samples" "$out.err" >"$T/$1.last_cdoctor"
		;;
	perf_dwarf)
		start_bg "$out.srv" perf record -q -F "$freq" --call-graph dwarf \
			-o "$T/perf.data" -- "$exe" || { echo 0; return; }
		wrk $wrkopt -d"${dur}s" "http://127.0.0.1:$port/item" >"$out"
		stop_bg
		;;
	esac
	rps "$out"
}

echo "wrk $wrkopt -d${dur}s, $rounds interleaved rounds, best kept;" \
	"$(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
	for s in $servers; do
		for m in $modes; do
			run_mode "$s" "$m" >>"$T/$s.$m.rps"
		done
	done
done

best() { sort -g "$1" | tail -1; }
printf "%-18s" server
for m in $modes; do printf " %12s" "$m req/s"; done
for m in $modes; do [ "$m" != bare ] && printf " %12s" "$m x"; done
echo
for s in $servers; do
	b=$(best "$T/$s.bare.rps")
	printf "%-18s" "$s"
	for m in $modes; do printf " %12.0f" "$(best "$T/$s.$m.rps")"; done
	for m in $modes; do
		[ "$m" = bare ] && continue
		printf " %12.2f" "$(echo "$(best "$T/$s.$m.rps") / $b" | bc -l)"
	done
	echo
done
for s in $servers; do
	[ -s "$T/$s.last_cdoctor" ] && echo "$s: $(cat "$T/$s.last_cdoctor")"
done
