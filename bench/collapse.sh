#!/bin/bash
# bench/collapse.sh - cflame collapse against FlameGraph's
# stackcollapse-perf.pl on the same ~125 MB of perf script text (the
# shared example capture repeated), in one run. Prints seconds, MB/s and
# the speed ratio, and checks that both outputs are identical (cmp).
# Target: >= 20x the perl script (about 0.19 s here, >= 650 MB/s).
#
# usage: bench/collapse.sh [COPIES]   (default 40 copies, ~125 MB)
#   env: BUILD (default build/), REPEAT (cflame runs, best kept; default 5),
#        THREADS (cflame --threads; default: its own choice),
#        FLAMEGRAPH_DIR (perl comparison; skipped when unset)
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$src/build}
cflame=$build/bin/cflame
copies=${1:-40}
example=${CDOC_SHARED:-$src/../shared}/data/perf-script-example.txt.gz
[ -x "$cflame" ] || { echo "build first: $cflame"; exit 1; }
[ -f "$example" ] || { echo "missing $example"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

zcat "$example" >"$tmp/one.txt"
for ((i = 0; i < copies; i++)); do cat "$tmp/one.txt"; done >"$tmp/in.txt"
bytes=$(stat -c %s "$tmp/in.txt")
mb=$(echo "$bytes / 1000000" | bc -l)
cat "$tmp/in.txt" >/dev/null # into the page cache for both tools
printf "input: %d copies of %s, %.1f MB, %d lines\n" "$copies" \
	"$(basename "$example")" "$mb" "$(wc -l <"$tmp/in.txt")"

# secs CMD...: wall seconds of one run (output in $tmp/out)
secs() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >"$tmp/out" 2>/dev/null || { echo "failed: $*" >&2; return 1; }
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}

args=()
[ -n "${THREADS:-}" ] && args=(--threads "$THREADS")
best=999999
for ((i = 0; i < ${REPEAT:-5}; i++)); do
	s=$(secs "$cflame" collapse "${args[@]}" "$tmp/in.txt") || exit 1
	best=$(echo "if ($s < $best) $s else $best" | bc -l)
done
mv "$tmp/out" "$tmp/cflame.out"
printf "%-24s %8.3f s %9.1f MB/s  (best of %d)\n" "cflame collapse" "$best" \
	"$(echo "$mb / $best" | bc -l)" "${REPEAT:-5}"

fg=${FLAMEGRAPH_DIR:-}
if [ -z "$fg" ] || [ ! -f "$fg/stackcollapse-perf.pl" ]; then
	echo "FLAMEGRAPH_DIR not set: skipping stackcollapse-perf.pl comparison"
	exit 0
fi
p=$(secs perl "$fg/stackcollapse-perf.pl" "$tmp/in.txt") || exit 1
printf "%-24s %8.3f s %9.1f MB/s\n" "stackcollapse-perf.pl" "$p" \
	"$(echo "$mb / $p" | bc -l)"
if cmp -s "$tmp/out" "$tmp/cflame.out"; then
	echo "outputs identical ($(wc -l <"$tmp/out") stacks)"
else
	echo "OUTPUTS DIFFER"
	exit 1
fi
printf "ratio: cflame is %.1fx faster\n" "$(echo "$p / $best" | bc -l)"
