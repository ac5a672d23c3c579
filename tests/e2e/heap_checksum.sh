#!/bin/bash
# heap_checksum: tracking never changes what a program computes: the same
# output (checksum and errno) bare, tracked, sampled and with --mmap.
. "$(dirname "$0")/heap_common.bash"

bare=$("$CDOC_EXAMPLES/alloc_checksum" 100000) || fail "bare run"
for mode in "" "--fp" "--sample 1000" "--mmap"; do
	got=$("$CDOCTOR" heap run -q --force --shim "$CDOC_SHIM" $mode -o "$tmp/c.heap" \
		-- "$CDOC_EXAMPLES/alloc_checksum" 100000) || fail "run $mode"
	[ "$got" = "$bare" ] || fail "$mode: '$got' != '$bare'"
done
# preloaded without a channel: passes through, same result
got=$(LD_PRELOAD="$CDOC_SHIM" "$CDOC_EXAMPLES/alloc_checksum" 100000)
[ "$got" = "$bare" ] || fail "untracked preload: '$got' != '$bare'"
echo "heap_checksum: ok ($bare)"
