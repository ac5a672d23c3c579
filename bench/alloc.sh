#!/bin/bash
# bench/alloc.sh - allocation tracking overhead on a churn workload
# (N malloc/free pairs of varied sizes, default 10 million): bare, under
# heaptrack, under valgrind massif, and under cdoctor heap (full tracking
# with libunwind and with frame pointers, and sampled), in one run.
# Prints wall and CPU seconds, peak RSS (/usr/bin/time -v; for the
# trackers, the largest of the tracker and the target) and the slowdown
# against the bare run. Targets: full <= 2.5x wall and <= 3x CPU,
# sampled <= 1.1x.
#
# usage: bench/alloc.sh [N]
#   env: BUILD (default build/), SAMPLE (bytes), REPEAT (runs, best kept),
#        NO_MASSIF=1 (skip valgrind, the slowest), WORKLOAD=threads (the
#        churn split over 2 threads with cross-thread frees:
#        bench/alloc_threads.c), WORKLOAD=paths (the
#        same pairs from 5000 call paths: bench/alloc_paths.c)
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${BUILD:-$src/build}" 2>/dev/null && pwd) || { echo "no build directory: ${BUILD:-$src/build}"; exit 1; }
n=${1:-10000000}
sample=${SAMPLE:-524288}
cdoctor=$build/bin/cdoctor
shim=$build/lib/libcdoctor-alloc.so
[ -x "$cdoctor" ] && [ -f "$shim" ] || { echo "build first: $build"; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (GNU time)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
workload=${WORKLOAD:-churn}
cc -O2 -g -fno-omit-frame-pointer -pthread -o "$tmp/churn" \
	"$src/bench/alloc_$workload.c" ||
	exit 1

# measure NAME CMD...: one line of results, the best of $REPEAT runs
# (the machine may be shared: the minimum is the least disturbed run).
repeat=${REPEAT:-3}
bare_wall=
measure() {
	local name=$1 i wall cpu rss w c r
	shift
	wall=999999 cpu=999999 rss=0
	for ((i = 0; i < repeat; i++)); do
		(cd "$tmp" && /usr/bin/time -v "$@" >"$tmp/out" 2>"$tmp/time") || {
			echo "$name: failed"; tail -3 "$tmp/time"; return; }
		w=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":");
			s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$tmp/time")
		c=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2}
			END {print u + s}' "$tmp/time")
		r=$(awk -F': ' '/Maximum resident/ {print int($2 / 1024)}' "$tmp/time")
		wall=$(echo "if ($w < $wall) $w else $wall" | bc -l)
		cpu=$(echo "if ($c < $cpu) $c else $cpu" | bc -l)
		[ "$r" -gt "$rss" ] && rss=$r
	done
	[ -z "$bare_wall" ] && { bare_wall=$wall; bare_cpu=$cpu; }
	printf "%-28s %8.2f s wall %8.2f s cpu %6d MB  %6.2fx wall %6.2fx cpu\n" \
		"$name" "$wall" "$cpu" "$rss" \
		"$(echo "$wall / $bare_wall" | bc -l)" \
		"$(echo "$cpu / ($bare_cpu + 0.001)" | bc -l)"
}

echo "$workload: $n malloc/free pairs"
measure "bare" "$tmp/churn" "$n"
measure "cdoctor heap (libunwind)" "$cdoctor" heap run -q --shim "$shim" \
	-o "$tmp/a.heap" -- "$tmp/churn" "$n"
measure "cdoctor heap --fp" "$cdoctor" heap run -q --fp --shim "$shim" \
	-o "$tmp/b.heap" -- "$tmp/churn" "$n"
measure "cdoctor heap --sample $sample" "$cdoctor" heap run -q \
	--sample "$sample" --shim "$shim" -o "$tmp/c.heap" -- "$tmp/churn" "$n"
if command -v heaptrack >/dev/null; then
	measure "heaptrack" heaptrack -o "$tmp/ht" "$tmp/churn" "$n"
else
	echo "heaptrack: not installed, skipped"
fi
if command -v valgrind >/dev/null && [ -z "${NO_MASSIF:-}" ]; then
	measure "valgrind massif" valgrind --tool=massif \
		--massif-out-file="$tmp/massif.out" "$tmp/churn" "$n"
else
	echo "valgrind massif: skipped"
fi
