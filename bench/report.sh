#!/bin/bash
# bench/report.sh - HTML report render time and page size for a long,
# high-rate recording, against the bound of issue 11: an hour-long
# recording renders in seconds (target: <= 10 s wall on an idle machine)
# into a page of a few MB (target: <= 5 MB).
#
# The recording is written by bench/report_gen.c with the recording writer
# API: SECONDS of run (default 3600) with metrics every 200 ms, timed cpu
# samples at HZ (default 1000, 16 threads, ~4000 distinct stacks up to 44
# frames deep, changing with time) and two allocation profiles of 20000
# call sites. In the same run it times `cdoctor report --text` on the same
# file (loading the recording is most of the cost; the difference is what
# the page costs) and `cflame html` on the cpu profile's folded stacks (a
# flame graph page without timelines), and prints the ratios.
#
# usage: bench/report.sh [SECONDS [HZ]]
#   env: BUILD (default build/)
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${BUILD:-$src/build}" 2>/dev/null && pwd) || { echo "no build directory: ${BUILD:-$src/build}"; exit 1; }
secs=${1:-3600}
hz=${2:-1000}
cdoctor=$build/bin/cdoctor
cflame=$build/bin/cflame
[ -x "$cdoctor" ] && [ -x "$cflame" ] && [ -f "$build/lib/libcdoc.a" ] ||
	{ echo "build first: $build"; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (GNU time)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cc -O2 -I"$build/include" -o "$tmp/gen" "$src/bench/report_gen.c" \
	"$build/lib/libcdoc.a" -lz -lm -lpthread || exit 1
"$tmp/gen" "$tmp/long.cdr" "$secs" "$hz" || exit 1
printf "recording: %s s at %s Hz, %.1f MB\n" "$secs" "$hz" \
	"$(echo "$(stat -c %s "$tmp/long.cdr") / 1000000" | bc -l)"

# run NAME CMD...: wall and CPU seconds, peak RSS; sets $wall
run() {
	local name=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$tmp/t" "$@" >"$tmp/out" 2>"$tmp/err" ||
		{ cat "$tmp/err"; echo "failed: $*"; exit 1; }
	read -r wall user sys rss <"$tmp/t"
	printf "%-28s %6.2f s wall %6.2f s CPU %7.1f MB peak RSS\n" "$name" \
		"$wall" "$(echo "$user + $sys" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}

run "cdoctor report --html" "$cdoctor" report --html "$tmp/r.html" "$tmp/long.cdr"
html_wall=$wall
size=$(stat -c %s "$tmp/r.html")
run "cdoctor report --text" "$cdoctor" report --text "$tmp/long.cdr"
text_wall=$wall
"$cdoctor" report --folded cpu "$tmp/long.cdr" >"$tmp/cpu.folded"
run "cflame html (cpu only)" "$cflame" html -o "$tmp/f.html" "$tmp/cpu.folded"
flame_wall=$wall
fsize=$(stat -c %s "$tmp/f.html")

printf "page: %.2f MB (cflame html of the cpu profile alone: %.2f MB)\n" \
	"$(echo "$size / 1000000" | bc -l)" "$(echo "$fsize / 1000000" | bc -l)"
printf "ratio html/text: %.2fx (the page's cost over loading the file)\n" \
	"$(echo "$html_wall / ($text_wall + 0.001)" | bc -l)"
printf "ratio html/(text + cflame html): %.2fx\n" \
	"$(echo "$html_wall / ($text_wall + $flame_wall + 0.001)" | bc -l)"
ok=1
[ "$(echo "$html_wall <= 10" | bc -l)" = 1 ] || ok=0
[ "$size" -le 5000000 ] || ok=0
[ $ok = 1 ] && echo "bound: met (<= 10 s, <= 5 MB)" ||
	echo "bound: NOT met (<= 10 s, <= 5 MB)"
