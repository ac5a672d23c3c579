#!/bin/bash
# bench/alloc.sh - allocation tracking overhead on every allocation
# workload, in one run: each workload bare, under cdoctor's full tracking
# (`heap run`, every allocation with its stack), its sampled tracking
# (the default of `cdoctor run`: one sample per 512 KiB) and heaptrack.
# Runs are interleaved (one round runs every mode once, in turn) and the
# best of the rounds is kept for each mode, so that a busy machine
# disturbs the modes alike. Prints wall and CPU seconds (CPU counts the
# target and the tracker's own processes), peak RSS (/usr/bin/time -v: the
# largest process) and the ratios to the bare run.
# Targets (issue 13): full <= 2.5x wall and <= 3x CPU, sampled <= 1.1x.
#
# Workloads (bench/alloc_*.c*):
#   ring     80M malloc/free through a 256-slot ring, 16-528 B, inside a
#            function with a 2 KiB frame, -O2, no frame pointers
#   ring_fp  the same with frame pointers
#   stl      unordered_map<string, vector<int>> filled and pruned in
#            60 rounds, C++ -O2
#   paths    9M pairs from 5000 call paths 1-50 frames deep, -O2
#   threads  16M pairs over 4 threads, one free in 16 crossing threads, -O2
# Each runs about 1 s of CPU bare on the development VM: long enough that
# the fixed cost of starting and stopping a tracker (the first line
# printed, measured apart) does not hide the cost per allocation.
#
# usage: bench/alloc.sh [WORKLOAD...]
#   env: BUILD (default build/), ROUNDS (3), HT_ROUNDS (heaptrack rounds,
#        1: it is slow), HT_TIMEOUT (seconds per heaptrack run, 300),
#        SCALE (work multiplier, default 1), NO_HEAPTRACK=1,
#        BEFORE (another build directory: its full and sampled tracking
#        run too, as full_before and sampled_before, to compare two
#        builds in one run)
# First line: what starting and stopping each tracker costs on a program
# that does nothing (part of every ratio below; it weighs most on the
# shortest workloads).
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${BUILD:-$src/build}" 2>/dev/null && pwd) || {
	echo "no build directory: ${BUILD:-$src/build}"
	exit 1
}
cdoctor=$build/bin/cdoctor
shim=$build/lib/libcdoctor-alloc.so
[ -x "$cdoctor" ] && [ -f "$shim" ] || { echo "build first: $build"; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (GNU time)"; exit 1; }
rounds=${ROUNDS:-3}
ht_rounds=${HT_ROUNDS:-1}
scale=${SCALE:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(ring ring_fp stl paths threads)

# build NAME: the workload's binary and its arguments in $tmp/NAME.args
build_one() {
	case $1 in
	ring) cc -O2 -g -o "$tmp/ring" "$src/bench/alloc_ring.c" &&
		echo $((80000000 * scale)) >"$tmp/ring.args" ;;
	ring_fp) cc -O2 -g -fno-omit-frame-pointer -o "$tmp/ring_fp" \
		"$src/bench/alloc_ring.c" &&
		echo $((80000000 * scale)) >"$tmp/ring_fp.args" ;;
	stl) c++ -O2 -g -o "$tmp/stl" "$src/bench/alloc_stl.cpp" &&
		echo "$((60 * scale)) 50000" >"$tmp/stl.args" ;;
	paths) cc -O2 -g -o "$tmp/paths" "$src/bench/alloc_paths.c" &&
		echo $((9000000 * scale)) >"$tmp/paths.args" ;;
	nop) echo 'int main(void) { return 0; }' >"$tmp/nop.c" &&
		cc -O2 -o "$tmp/nop" "$tmp/nop.c" && : >"$tmp/nop.args" ;;
	threads) cc -O2 -g -pthread -o "$tmp/threads" \
		"$src/bench/alloc_threads.c" &&
		echo "$((16000000 * scale)) 4" >"$tmp/threads.args" ;;
	*) echo "unknown workload: $1"; return 1 ;;
	esac
}

# run_once W MODE: appends "wall cpu rss" to $tmp/W.MODE, or "fail"
run_once() {
	local w=$1 mode=$2 args cmd
	read -r -a args <"$tmp/$w.args"
	case $mode in
	bare) cmd=("$tmp/$w" "${args[@]}") ;;
	full) cmd=("$cdoctor" heap run -q --force --shim "$shim" -o "$tmp/f.heap" \
		-- "$tmp/$w" "${args[@]}") ;;
	sampled) cmd=("$cdoctor" heap run -q --force --sample 524288 --shim "$shim" \
		-o "$tmp/s.heap" -- "$tmp/$w" "${args[@]}") ;;
	full_before) cmd=("$before/bin/cdoctor" heap run -q --force --shim \
		"$before/lib/libcdoctor-alloc.so" -o "$tmp/f.heap" \
		-- "$tmp/$w" "${args[@]}") ;;
	sampled_before) cmd=("$before/bin/cdoctor" heap run -q --force \
		--sample 524288 --shim "$before/lib/libcdoctor-alloc.so" \
		-o "$tmp/s.heap" -- "$tmp/$w" "${args[@]}") ;;
	heaptrack) cmd=(timeout "${HT_TIMEOUT:-300}" heaptrack -o "$tmp/ht.$w"
		"$tmp/$w" "${args[@]}") ;;
	esac
	rm -f "$tmp"/ht.*
	if ! (cd "$tmp" && /usr/bin/time -v "${cmd[@]}" >"$tmp/out" \
		2>"$tmp/time"); then
		echo fail >>"$tmp/$w.$mode"
		return
	fi
	awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0;
		for (i = 1; i <= n; i++) s = s * 60 + t[i]; w = s}
		/User time/ {u = $2} /System time/ {y = $2}
		/Maximum resident/ {r = int($2 / 1024)}
		END {print w, u + y, r}' "$tmp/time" >>"$tmp/$w.$mode"
}

# best W MODE: "wall cpu rss" (least wall, least CPU, largest RSS)
best() {
	awk '$1 == "fail" {f = 1; next}
		{if (!n || $1 < w) w = $1; if (!n || $2 < c) c = $2;
		 if ($3 > r) r = $3; n++}
		END {if (!n) print "fail"; else print w, c, r}' "$tmp/$1.$2"
}

modes=(bare full sampled)
if [ -n "${BEFORE:-}" ]; then
	before=$(cd "$BEFORE" 2>/dev/null && pwd) &&
		[ -x "$before/bin/cdoctor" ] || { echo "no build: $BEFORE"; exit 1; }
	modes+=(full_before sampled_before)
fi
command -v heaptrack >/dev/null && [ -z "${NO_HEAPTRACK:-}" ] &&
	modes+=(heaptrack)
printf "cdoctor allocation tracking, %s round(s), best of each; %s\n" \
	"$rounds" "$(uptime | sed 's/.*load/load/')"
build_one nop || exit 1
for ((r = 0; r < rounds; r++)); do
	for m in "${modes[@]}"; do
		run_once nop "$m"
	done
done
printf "start and stop, on a program that does nothing (s cpu):"
for m in "${modes[@]}"; do
	printf " %s %s" "$m" "$(best nop "$m" | cut -d' ' -f2)"
done
echo
for w in "${workloads[@]}"; do
	build_one "$w" || exit 1
	for ((r = 0; r < rounds; r++)); do
		for m in "${modes[@]}"; do
			[ "$m" = heaptrack ] && [ "$r" -ge "$ht_rounds" ] && continue
			run_once "$w" "$m"
		done
	done
	read -r bw bc _ <<<"$(best "$w" bare)"
	printf "\n%s (%s)\n" "$w" "$(cat "$tmp/$w.args")"
	printf "  %-14s %8s %8s %8s %9s %9s\n" mode wall cpu "rss MB" \
		"wall x" "cpu x"
	for m in "${modes[@]}"; do
		read -r mw mc mr <<<"$(best "$w" "$m")"
		if [ "$mw" = fail ]; then
			printf "  %-14s failed\n" "$m"
			continue
		fi
		printf "  %-14s %8.2f %8.2f %8d %9.2f %9.2f\n" "$m" "$mw" "$mc" \
			"$mr" "$(echo "$mw / $bw" | bc -l)" \
			"$(echo "$mc / ($bc + 0.001)" | bc -l)"
	done
done
