#!/bin/bash
# collapse_perl.sh - cflame collapse against stackcollapse-perf.pl run
# live (needs FLAMEGRAPH_DIR; skipped without it): every input in
# tests/data/perfscript, the shared example, FlameGraph's own perf test
# inputs, a fresh perf recording, and generated edge cases, for each
# option set. stdout must match byte for byte.
set -u
fg=${FLAMEGRAPH_DIR:-}
if [ -z "$fg" ] || [ ! -f "$fg/stackcollapse-perf.pl" ]; then
	echo "FLAMEGRAPH_DIR not set; skipping the live comparison"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
n=0

compare() { # FILE OPTION...
	local f=$1
	shift
	zcat -f "$f" | perl "$fg/stackcollapse-perf.pl" "$@" >"$tmp/perl" 2>/dev/null
	"$CFLAME" collapse "$@" "$f" >"$tmp/ours" 2>"$tmp/err"
	n=$((n + 1))
	if ! cmp -s "$tmp/perl" "$tmp/ours"; then
		echo "DIFF: $f $*"
		cat "$tmp/err"
		diff "$tmp/perl" "$tmp/ours" | head -6
		fails=$((fails + 1))
	fi
}

inputs=("$CDOC_SRC"/tests/data/perfscript/*.txt*
	"$CDOC_SHARED/data/perf-script-example.txt.gz" "$fg"/test/*.txt)
if command -v perf >/dev/null &&
	perf record -q -F 499 -g -o "$tmp/p.data" -- "$CDOC_EXAMPLES/hotloop" 0.5 \
		>/dev/null 2>&1; then
	perf script -i "$tmp/p.data" >"$tmp/live.txt" 2>/dev/null
	inputs+=("$tmp/live.txt")
fi
for seed in $(seq 1 40); do
	python3 "$CDOC_SRC/tests/perfscript/gen-edge.py" "$seed" \
		>"$tmp/edge-$seed.txt" || exit 1
	inputs+=("$tmp/edge-$seed.txt")
done
for f in "${inputs[@]}"; do
	[ -f "$f" ] || continue
	for opt in "" --pid --tid --kernel --jit --all --addrs; do
		compare "$f" $opt
	done
done
compare "$CDOC_SRC/tests/data/perfscript/hotloop-multievent.txt" \
	--event-filter=task-clock
echo "$n comparisons, $fails differences"
[ $fails -eq 0 ]
