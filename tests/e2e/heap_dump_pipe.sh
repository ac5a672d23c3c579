#!/bin/bash
# heap_dump_pipe: a raw stream dump (`heap run --dump`) read back by
# `cdoctor heap` from a file, a FIFO and a pipe gives the same summary:
# telling the file's kind must not eat the stream's first bytes.
. "$(dirname "$0")/heap_common.bash"

"$CDOCTOR" heap run -q --force --shim "$CDOC_SHIM" --dump "$tmp/d.stream" \
	-o "$tmp/d.heap" -- "$CDOC_EXAMPLES/alloc_counts" >/dev/null ||
	fail "heap run --dump"
"$CDOCTOR" heap --folded alloc_count "$tmp/d.stream" >"$tmp/file" ||
	fail "heap FILE"
grep -q "leak_site 7$" "$tmp/file" || fail "no leak_site in $(cat "$tmp/file")"
mkfifo "$tmp/fifo"
cat "$tmp/d.stream" >"$tmp/fifo" &
"$CDOCTOR" heap --folded alloc_count "$tmp/fifo" >"$tmp/fifo.out" ||
	fail "heap FIFO"
wait
cmp -s "$tmp/file" "$tmp/fifo.out" || fail "FIFO differs: $(head -3 "$tmp/fifo.out")"
cat "$tmp/d.stream" | "$CDOCTOR" heap --folded alloc_count /dev/stdin \
	>"$tmp/pipe.out" || fail "heap /dev/stdin"
cmp -s "$tmp/file" "$tmp/pipe.out" || fail "pipe differs"
echo "stream dump read alike from a file, a FIFO and a pipe"
