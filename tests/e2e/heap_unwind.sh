#!/bin/bash
# heap_unwind: the shim's own unwinder (compact rules from .eh_frame, and
# its cache of validated stacks) gives exactly libunwind's stacks. With
# CDOC_UNWIND_VERIFY=FILE, the shim checks every allocation's stack id
# against the id of libunwind's unw_backtrace from the same point and
# writes the counts at exit. Programs: C++ exceptions, signal handlers on
# the normal and an alternate stack, a dlopen'ed module (dlclose'd after),
# a realigned frame, deep recursion (alloc_unwind, with and without frame
# pointers), the exact-count examples, threads freeing each other's
# memory, a process tree with exec, and the benchmark workloads (deep
# paths that rarely repeat, an STL-heavy C++ program, the ring churn).
# Walks start at the program's frame that called the shim (its registers
# taken in the shim's entry point), not in the shim's own frames.
# Walks that stopped on frames of the thread's previous walk, or of its
# deepest recent one ("partial": only the new frames walked, the older
# ones checked word by word) are among those compared: on paths and
# alloc_unwind they must occur.
. "$(dirname "$0")/heap_common.bash"
src=${CDOC_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
ex=$CDOC_EXAMPLES
export CDOC_UNWIND_VERIFY=$tmp/verify

# check NAME CMD...: every stack checked matched; prints the counts.
check() {
	local name=$1 checked bad walked partial
	shift
	rm -f "$CDOC_UNWIND_VERIFY"
	"$CDOCTOR" heap run -q --force ${RUN_OPTS:-} --shim "$CDOC_SHIM" \
		-o "$tmp/h.heap" -- "$@" \
		>"$tmp/out" 2>"$tmp/err" || fail "$name: exit $?: $(tail -3 "$tmp/err")"
	[ -s "$CDOC_UNWIND_VERIFY" ] || fail "$name: no verify report"
	checked=$(sed -n 's/.* checked=\([0-9]*\) .*/\1/p' "$CDOC_UNWIND_VERIFY" |
		paste -sd+ | bc)
	bad=$(sed -n 's/.* mismatched=\([0-9]*\) .*/\1/p' "$CDOC_UNWIND_VERIFY" |
		paste -sd+ | bc)
	walked=$(sed -n 's/.* walked=\([0-9]*\) .*/\1/p' "$CDOC_UNWIND_VERIFY" |
		paste -sd+ | bc)
	partial=$(sed -n 's/.* partial=\([0-9]*\) .*/\1/p' "$CDOC_UNWIND_VERIFY" |
		paste -sd+ | bc)
	[ "$checked" -gt 0 ] || fail "$name: nothing checked"
	[ "$bad" = 0 ] || fail "$name: $bad of $checked stacks differ from libunwind's: $(cat "$CDOC_UNWIND_VERIFY")"
	echo "ok $name: $checked stacks, $walked walked by rules ($partial on the previous walk's frames), all as libunwind's"
	echo "$walked" >"$tmp/walked"
	echo "$partial" >"$tmp/partial"
}

check alloc_unwind "$ex/alloc_unwind"
[ "$(cat "$tmp/walked")" -gt 0 ] || fail "alloc_unwind: no stack walked by rules"
[ "$(cat "$tmp/partial")" -gt 0 ] ||
	fail "alloc_unwind: no walk ended on the previous walk's frames"
check alloc_unwind_fp "$ex/alloc_unwind_fp"
grep -q "fallbacks=[1-9]" "$CDOC_UNWIND_VERIFY" ||
	fail "signal frames should have gone to libunwind: $(cat "$CDOC_UNWIND_VERIFY")"
check alloc_counts "$ex/alloc_counts"
check alloc_counts_nofp "$ex/alloc_counts_nofp"
check alloc_counts_cxx "$ex/alloc_counts_cxx"
check alloc_stress "$ex/alloc_stress"
check alloc_fork "$ex/alloc_fork"
[ "$(wc -l <"$CDOC_UNWIND_VERIFY")" -ge 3 ] || fail "alloc_fork: one report per process expected"
# walks start where the program called the shim, from every entry point:
# here also mmap, from a signal handler (through its signal frame)
RUN_OPTS=--mmap check alloc_signal_mmap "$ex/alloc_signal" 20000

if command -v c++ >/dev/null; then
	cc -O2 -o "$tmp/paths" "$src/bench/alloc_paths.c" || fail "cc paths"
	cc -O2 -fno-omit-frame-pointer -o "$tmp/ring_fp" "$src/bench/alloc_ring.c" ||
		fail "cc ring"
	cc -O2 -o "$tmp/ring" "$src/bench/alloc_ring.c" || fail "cc ring"
	cc -O2 -pthread -o "$tmp/threads" "$src/bench/alloc_threads.c" ||
		fail "cc threads"
	c++ -O2 -o "$tmp/stl" "$src/bench/alloc_stl.cpp" || fail "c++ stl"
	check paths "$tmp/paths" 200000
	[ "$(cat "$tmp/partial")" -gt 100000 ] ||
		fail "paths: few walks ended on the previous walk's frames: $(cat "$CDOC_UNWIND_VERIFY")"
	# its depths vary (0-49 at random): a walk deeper than the last one
	# ends on the deepest recent walk's frames, so walks are short
	frames=$(sed -n 's/.* frames=\([0-9]*\).*/\1/p' "$CDOC_UNWIND_VERIFY" |
		paste -sd+ | bc)
	[ "$frames" -lt $(($(cat "$tmp/walked") * 2)) ] ||
		fail "paths: $frames frames walked in $(cat "$tmp/walked") walks"
	check ring "$tmp/ring" 300000
	check ring_fp "$tmp/ring_fp" 300000
	check threads "$tmp/threads" 300000 4
	check stl "$tmp/stl" 2 20000
fi
