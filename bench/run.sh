#!/bin/bash
# bench/run.sh - what sampling costs the profiled program, and how soon the
# report is ready after it exits: the same fixed CPU-bound workload
# (examples/deep_nofp -n CALLS, ~10 s) bare, under `perf record -g` (frame
# pointers), under `perf record --call-graph dwarf`, and under
# `cdoctor run` (DWARF, the default), all at 999 Hz.
#
# For each: the target's own user CPU seconds and wall seconds (it reports
# them itself, so the profiler's own work is not counted), the slowdown
# against the bare run, and the seconds from the target's exit until the
# flame graph is ready (perf: perf record's exit + perf script +
# stackcollapse-perf.pl + flamegraph.pl from $FLAMEGRAPH_DIR; cdoctor:
# its own exit, after writing the recording, the summary and the HTML).
#
# Usage: bench/run.sh [BUILD_DIR] (default: build). BENCH_SECONDS=10 sets the
# workload size; RUNS=N repeats each configuration and keeps the median.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-${BUILD:-$SRC/build}}
EXE=$B/examples/deep_nofp
CDOCTOR=$B/bin/cdoctor
SECONDS_WANTED=${BENCH_SECONDS:-10}  # not SECONDS: bash keeps its own
RUNS=${RUNS:-1}
[ -x "$EXE" ] && [ -x "$CDOCTOR" ] || { echo "build first: $EXE, $CDOCTOR"; exit 2; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
now() { date +%s%N; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" "$2" | tail -1; }

calls=$("$EXE" 1 | sed -n 's/iterations=\([0-9]*\).*/\1/p')
CALLS=$((calls * SECONDS_WANTED))
echo "workload: deep_nofp -n $CALLS (about ${SECONDS_WANTED} s)"

HAVE_PERF=1
command -v perf >/dev/null || { HAVE_PERF=0; echo "perf not found: skipping perf"; }
FG=${FLAMEGRAPH_DIR:-}
[ -n "$FG" ] && [ -x "$FG/stackcollapse-perf.pl" ] ||
	{ FG=; echo "FLAMEGRAPH_DIR unset: perf's report time counts perf record only"; }

# run_one NAME CMD...: runs, leaves user/wall/ready seconds in $T/NAME.N
run_one() {
	local name=$1 i=$2
	shift 2
	local out=$T/$name.out t_end ready
	"$@" >"$out" 2>"$T/$name.err"
	t_end=$(now)
	if [ "$name" != bare ] && [ "$name" != cdoctor ] && [ -n "$FG" ]; then
		perf script -i "$T/perf.data" 2>/dev/null |
			"$FG/stackcollapse-perf.pl" >"$T/folded" 2>/dev/null
		"$FG/flamegraph.pl" "$T/folded" >"$T/perf.svg" 2>/dev/null
		t_end=$(now)
	fi
	local end_ns
	end_ns=$(field end_ns "$out")
	ready=$(echo "($t_end - $end_ns) / 1000000000" | bc -l)
	echo "$(field user_s "$out") $(field wall_s "$out") $ready" >"$T/$name.$i"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

configs="bare"
[ $HAVE_PERF = 1 ] && configs="$configs perf_fp perf_dwarf"
configs="$configs cdoctor"
for i in $(seq "$RUNS"); do
	for c in $configs; do
		case $c in
		bare) run_one bare "$i" "$EXE" -n "$CALLS" ;;
		perf_fp) run_one perf_fp "$i" perf record -q -F 999 -g \
			-o "$T/perf.data" -- "$EXE" -n "$CALLS" ;;
		perf_dwarf) run_one perf_dwarf "$i" perf record -q -F 999 \
			--call-graph dwarf -o "$T/perf.data" -- "$EXE" -n "$CALLS" ;;
		cdoctor) run_one cdoctor "$i" "$CDOCTOR" run -F 999 \
			-o "$T/c.cdr" -- "$EXE" -n "$CALLS" ;;
		esac
	done
done

col() { for i in $(seq "$RUNS"); do cut -d' ' -f"$2" "$T/$1.$i"; done | median; }
bu=$(col bare 1)
bw=$(col bare 2)
printf "%-12s %9s %9s %9s %9s %12s\n" config "user s" "wall s" "user x" \
	"wall x" "ready s"
for c in $configs; do
	u=$(col "$c" 1)
	w=$(col "$c" 2)
	r=$(col "$c" 3)
	[ "$c" = bare ] && r=0
	printf "%-12s %9.3f %9.3f %9.3f %9.3f %12.3f\n" "$c" "$u" "$w" \
		"$(echo "$u / $bu" | bc -l)" "$(echo "$w / $bw" | bc -l)" "$r"
done
if [ -f "$T/cdoctor.err" ]; then
	grep -E "^cdoctor: .*samples" "$T/cdoctor.err"
fi
