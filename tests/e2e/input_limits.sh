#!/bin/bash
# input_limits.sh - endless, zero-filled, amplifying and gzip-bomb inputs
# (issue 14 items 2 and 3) exit 2 under a 1 GiB address-space limit with a
# message naming the file and the offset, instead of reading everything,
# aborting, or passing; an empty file is no heap profile. The inputs come
# from tests/e2e/gen-hostile.py.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
gen() { python3 "$CDOC_SRC/tests/e2e/gen-hostile.py" "$1" "$tmp/$1" || fail "gen $1"; }

# expect2 PATTERN CMD... - CMD exits 2 under the limit, and its message
# matches PATTERN. The timeout only guards against a hang.
expect2() {
	local pat=$1 rc
	shift
	(ulimit -v 1048576 && exec timeout 300 "$@") >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] || { cat "$tmp/err"; fail "$* exited $rc, not 2"; }
	grep -qE -- "$pat" "$tmp/err" || { cat "$tmp/err"; fail "$*: message"; }
}

# Endless input: the first bytes decide.
expect2 '/dev/zero: not a cdoctor recording .*byte 0' "$CDOCTOR" report /dev/zero
expect2 '/dev/zero: offset 0: not an allocation stream' "$CDOCTOR" heap /dev/zero
expect2 '/dev/zero:1: binary data \(a NUL byte at offset 0\)' \
	"$CFLAME" collapse /dev/zero
expect2 '/dev/zero:1: binary data' "$CFLAME" svg /dev/zero
expect2 '<stdin>:1: binary data' "$CFLAME" top </dev/zero

# A recording header followed by zeros: no type-0 chunks.
gen zero-rec
expect2 "zero-rec: corrupt chunk \(type 0\) at byte 16" \
	"$CDOCTOR" report "$tmp/zero-rec"
expect2 "zero-rec: corrupt chunk \(type 0\) at byte 16" \
	"$CDOCTOR" heap "$tmp/zero-rec"

# Amplification: many empty strings (interned: a second one is corrupt);
# one deep stack sampled in many profiles (over the memory budget).
gen strings-rec
expect2 "strings-rec: corrupt chunk \(type 2\) at byte 16: expected a string not defined before" \
	"$CDOCTOR" report "$tmp/strings-rec"
gen nodes-rec
expect2 "nodes-rec: corrupt chunk \(type 4\) at byte [0-9]+: its entries" \
	"$CDOCTOR" report "$tmp/nodes-rec"

# gzip bombs (4 GiB inflated): checked while inflating.
gen zero-rec-gz
expect2 "zero-rec-gz: corrupt chunk \(type 0\) at byte 16" \
	"$CDOCTOR" report "$tmp/zero-rec-gz"
gen zero-gz
expect2 "zero-gz:1: binary data" "$CFLAME" collapse "$tmp/zero-gz"
expect2 "zero-gz:1: binary data" "$CFLAME" svg "$tmp/zero-gz"
# Valid text that does not fit: out of memory is a message, not an abort.
gen text-gz
expect2 "out of memory reading .*text-gz at offset [0-9]+" \
	"$CFLAME" svg "$tmp/text-gz"

# Allocation stream dumps: empty batches; children claiming huge tables.
gen empty-batches
expect2 "empty-batches: offset 0: an empty batch" \
	"$CDOCTOR" heap "$tmp/empty-batches"
gen inherit-ids
expect2 "inherit-ids: offset [0-9]+: more memory than a stream" \
	"$CDOCTOR" heap "$tmp/inherit-ids"

# An empty file is no heap profile.
: >"$tmp/empty"
expect2 "empty: empty file" "$CDOCTOR" heap "$tmp/empty"
expect2 "empty: not a cdoctor recording" "$CDOCTOR" report "$tmp/empty"

# What is valid still loads under the same limit.
gen evil-rec
(ulimit -v 1048576 && "$CDOCTOR" report --folded cpu "$tmp/evil-rec") \
	>"$tmp/out" || fail "a valid recording failed under the limit"
grep -q '^main;' "$tmp/out" || fail "folded output"
gzip -c "$tmp/evil-rec" >"$tmp/evil-rec.gz"
"$CDOCTOR" report --folded cpu "$tmp/evil-rec.gz" | cmp -s - "$tmp/out" ||
	fail "a gzipped recording reads differently"

# A gzipped .heap snapshot is told apart by its inflated magic.
if "$CDOCTOR" heap run -q --shim "$CDOC_SHIM" -o "$tmp/s.heap" -- \
	"$CDOC_EXAMPLES/alloc_counts" >/dev/null 2>&1; then
	gzip -c "$tmp/s.heap" >"$tmp/s.heap.gz"
	"$CDOCTOR" heap "$tmp/s.heap" >"$tmp/plain" || fail "heap summary"
	"$CDOCTOR" heap "$tmp/s.heap.gz" | cmp -s - "$tmp/plain" ||
		fail "a gzipped snapshot reads differently"
fi
echo ok
