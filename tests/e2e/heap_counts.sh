#!/bin/bash
# heap_counts: exact allocation counts and bytes for alloc_counts (every
# interposed function, a realloc chain, a leak) and alloc_counts_cxx (new,
# new[], delete), identical with and without frame pointers.
. "$(dirname "$0")/heap_common.bash"

# expect FOLDED_FILE FUNCTION VALUE: the one stack ending in FUNCTION.
expect() {
	local got
	got=$(grep -E "[;]$2 [0-9]+\$" "$1" | awk '{s += $NF} END {print s + 0}')
	[ "$got" = "$3" ] || fail "$1: $2 is $got, expected $3"
}

check_c() { # name of the example
	local ex=$1 h="$tmp/$1.heap"
	"$CDOCTOR" heap run -q --force --shim "$CDOC_SHIM" -o "$h" -- \
		"$CDOC_EXAMPLES/$ex" >"$tmp/out" || fail "$ex run"
	grep -q "alloc_counts done" "$tmp/out" || fail "$ex output"
	for k in alloc_count alloc_bytes leaked temp live_count; do
		"$CDOCTOR" heap --folded $k "$h" >"$tmp/$ex.$k" || fail "folded $k"
	done
	expect "$tmp/$ex.alloc_count" do_malloc 10
	expect "$tmp/$ex.alloc_bytes" do_malloc 1000
	expect "$tmp/$ex.temp" do_malloc 10
	expect "$tmp/$ex.alloc_count" do_calloc 5
	expect "$tmp/$ex.alloc_bytes" do_calloc 160
	expect "$tmp/$ex.alloc_count" do_realloc_chain 4
	expect "$tmp/$ex.alloc_bytes" do_realloc_chain 240
	expect "$tmp/$ex.alloc_count" do_reallocarray 1
	expect "$tmp/$ex.alloc_bytes" do_reallocarray 30
	expect "$tmp/$ex.alloc_count" do_posix_memalign 3
	expect "$tmp/$ex.alloc_bytes" do_posix_memalign 768
	expect "$tmp/$ex.alloc_count" do_aligned_alloc 2
	expect "$tmp/$ex.alloc_bytes" do_aligned_alloc 256
	expect "$tmp/$ex.alloc_count" do_memalign 3
	expect "$tmp/$ex.alloc_bytes" do_memalign 348
	expect "$tmp/$ex.alloc_count" leak_site 7
	expect "$tmp/$ex.leaked" leak_site 7000
	expect "$tmp/$ex.live_count" leak_site 7
	# nothing of ours is leaked but leak_site
	for f in do_malloc do_calloc do_realloc_chain do_reallocarray \
		do_posix_memalign do_aligned_alloc do_memalign; do
		expect "$tmp/$ex.leaked" $f 0
	done
	"$CDOCTOR" heap "$h" >"$tmp/$ex.txt" || fail "summary"
	grep -Eq "^ +1\. .*leak_site" "$tmp/$ex.txt" || fail "leak_site not first leak"
	for fn in "reallocarray +1 calls, 30 bytes" "posix_memalign +3 calls, 768 bytes" \
		"aligned_alloc +2 calls, 256 bytes" "memalign +1 calls, 48 bytes" \
		"valloc +1 calls, 100 bytes" "pvalloc +1 calls, 200 bytes"; do
		grep -Eq "^  $fn\$" "$tmp/$ex.txt" || fail "$ex: no line '$fn'"
	done
}

check_c alloc_counts
check_c alloc_counts_nofp
# The same call sites with and without frame pointers.
for k in alloc_count alloc_bytes leaked temp; do
	diff <(grep -E ';(do_|leak_)' "$tmp/alloc_counts.$k" | sort) \
		<(grep -E ';(do_|leak_)' "$tmp/alloc_counts_nofp.$k" | sort) ||
		fail "$k differs with and without frame pointers"
done

# C++: new/delete go through malloc/free; leaf frame is operator new.
if [ -x "$CDOC_EXAMPLES/alloc_counts_cxx" ]; then
	h="$tmp/cxx.heap"
	"$CDOCTOR" heap run -q --force --shim "$CDOC_SHIM" -o "$h" -- \
		"$CDOC_EXAMPLES/alloc_counts_cxx" >/dev/null || fail "cxx run"
	"$CDOCTOR" heap --folded alloc_count "$h" >"$tmp/cxx.count"
	"$CDOCTOR" heap --folded alloc_bytes "$h" >"$tmp/cxx.bytes"
	"$CDOCTOR" heap --folded leaked "$h" >"$tmp/cxx.leaked"
	sum() { grep -E ";$2;operator new" "$1" | awk '{s += $NF} END {print s + 0}'; }
	[ "$(sum "$tmp/cxx.count" new_site)" = 6 ] || fail "cxx new_site count"
	[ "$(sum "$tmp/cxx.bytes" new_site)" = 288 ] || fail "cxx new_site bytes"
	[ "$(sum "$tmp/cxx.count" new_array_site)" = 2 ] || fail "cxx new[] count"
	[ "$(sum "$tmp/cxx.bytes" new_array_site)" = 200 ] || fail "cxx new[] bytes"
	[ "$(sum "$tmp/cxx.leaked" cxx_leak)" = 144 ] || fail "cxx leak"
	[ "$(sum "$tmp/cxx.leaked" new_site)" = 0 ] || fail "cxx new_site leaked"
fi
echo "heap_counts: ok"
