#!/bin/bash
# heap_stress: many threads allocating and freeing each other's memory
# finish under tracking (bounded wait: no deadlock) with balanced counts:
# nothing live at the stress sites, and every free matched.
. "$(dirname "$0")/heap_common.bash"

for mode in "" "--fp" "--sample 65536"; do
	timeout 300 "$CDOCTOR" heap run -q --force --shim "$CDOC_SHIM" $mode \
		-o "$tmp/s.heap" -- "$CDOC_EXAMPLES/alloc_stress" 8 50000 2 \
		>"$tmp/out" || fail "run $mode (status $?)"
	grep -q "alloc_stress: 8 threads" "$tmp/out" || fail "output $mode"
	"$CDOCTOR" heap --folded live_count "$tmp/s.heap" >"$tmp/live"
	"$CDOCTOR" heap --folded alloc_count "$tmp/s.heap" >"$tmp/all"
	live=$(grep -E ';stress_(alloc|grow) ' "$tmp/live" | awk '{s += $NF} END {print s + 0}')
	all=$(grep -E ';stress_(alloc|grow) ' "$tmp/all" | awk '{s += $NF} END {print s + 0}')
	[ "$live" = 0 ] || fail "$mode: $live allocations still live at stress sites"
	[ "$all" -gt 0 ] || fail "$mode: no allocations seen"
	"$CDOCTOR" heap "$tmp/s.heap" >"$tmp/sum"
	grep -q "unmatched frees 0," "$tmp/sum" || fail "$mode: unmatched frees: $(grep Stream "$tmp/sum")"
	grep -q "(re-entrant), 0 (sample table full), 0 (send errors)" "$tmp/sum" ||
		fail "$mode: events lost: $(grep Stream "$tmp/sum")"
	if [ -z "$mode" ]; then
		# exact mode: 8 threads x 50000 ops x 2 rounds, 3/4 of ops allocate
		[ "$all" -gt 200000 ] || fail "only $all allocations"
		exact=$all
	fi
	# sampled: the estimate is of the exact count's order (events read
	# before the process's HELLO were once weighed as unsampled)
	if [ "$mode" = "--sample 65536" ]; then
		[ $((all * 2)) -gt "$exact" ] && [ "$all" -lt $((exact * 2)) ] ||
			fail "sampled estimate $all, exact $exact"
	fi
done
# The same with the target built with AddressSanitizer (its allocator
# under ours; tracking starts from the shim's constructor).
# --fp too: its stack bounds once came from pthread_getattr_np, which
# deadlocked under ASan.
for mode in "" "--fp"; do
	[ -x "$CDOC_EXAMPLES/alloc_stress_asan" ] || break
	ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 timeout 300 \
		"$CDOCTOR" heap run -q --force --shim "$CDOC_SHIM" $mode -o "$tmp/a.heap" \
		-- "$CDOC_EXAMPLES/alloc_stress_asan" 4 20000 1 >"$tmp/out" ||
		fail "asan $mode run (status $?)"
	"$CDOCTOR" heap --folded live_count "$tmp/a.heap" >"$tmp/live"
	"$CDOCTOR" heap --folded alloc_count "$tmp/a.heap" >"$tmp/all"
	live=$(grep -E ';stress_(alloc|grow) ' "$tmp/live" | awk '{s += $NF} END {print s + 0}')
	all=$(grep -E ';stress_(alloc|grow) ' "$tmp/all" | awk '{s += $NF} END {print s + 0}')
	[ "$live" = 0 ] || fail "asan $mode: $live allocations live at stress sites"
	[ "$all" -gt 10000 ] || fail "asan $mode: only $all allocations seen"
done
echo "heap_stress: ok"
