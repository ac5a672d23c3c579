#!/bin/bash
# cli_errors.sh - the front ends reject malformed numbers (exit 2 with a
# message naming the option) instead of reading them as 0 or as their
# leading digits, and every output path checks its writes: output to a
# full device (/dev/full) or past a file size limit exits non-zero with a
# message, never 0. Inputs are real files kept in fuzz/corpus.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
rec=$CDOC_SRC/fuzz/corpus/recording/complete.seed
snap=$CDOC_SRC/fuzz/corpus/heapsnap/counts.heap
folded=$CDOC_SRC/fuzz/corpus/folded/basic.folded
perf=$CDOC_SRC/tests/data/perfscript/edge-3.txt

# usage_error 'PATTERN' CMD...: exit 2 and PATTERN on stderr.
usage_error() {
	local pat=$1
	shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] || fail "$* exit $rc, want 2: $(cat "$tmp/err")"
	grep -q -- "$pat" "$tmp/err" || fail "$*: no '$pat' in: $(cat "$tmp/err")"
}
usage_error "--top: 'abc' is not a number" "$CDOCTOR" report --top abc "$rec"
usage_error "--top: '5x' is not a number" "$CDOCTOR" report --top 5x "$rec"
usage_error "--top: '-3' is not a number" "$CDOCTOR" report --top -3 "$rec"
usage_error "--top: 'abc' is not a number" "$CDOCTOR" heap --top abc "$snap"
usage_error "--max-regress: '5x'" "$CDOCTOR" check --max-regress 5x \
	--baseline "$rec" "$rec"
usage_error "--limit: '0' is not a number" "$CFLAME" top --limit 0 "$folded"
usage_error "--threads: '3x' is not a number" "$CFLAME" collapse \
	--threads 3x "$perf"
usage_error "--minwidth: 'x' is not a number" "$CFLAME" html --minwidth x% \
	"$folded"

# Valid numbers still work.
"$CDOCTOR" report --top 3 "$rec" >/dev/null || fail "report --top 3"
"$CFLAME" html --minwidth 0.5% -o "$tmp/a.html" "$folded" ||
	fail "html --minwidth 0.5%"
"$CFLAME" collapse --threads 2 "$perf" >/dev/null || fail "--threads 2"

# write_error WHAT CMD...: standard output is /dev/full.
write_error() {
	"$@" >/dev/full 2>"$tmp/err"
	rc=$?
	[ $rc -ne 0 ] || fail "$*: exit 0 writing to /dev/full"
	grep -q 'write to standard output failed: No space left' "$tmp/err" ||
		fail "$*: no message: $(cat "$tmp/err")"
}
write_error "$CDOCTOR" report "$rec"
write_error "$CDOCTOR" report --json "$rec"
write_error "$CDOCTOR" check --baseline "$rec" "$rec"
write_error "$CDOCTOR" heap "$snap"
write_error "$CDOCTOR" heap diff "$snap" "$snap"
write_error "$CDOCTOR" sysinfo
write_error "$CDOCTOR" --help
write_error "$CDOCTOR" report --help
write_error "$CFLAME" top "$folded"
write_error "$CFLAME" svg "$folded"
write_error "$CFLAME" diff "$folded" "$folded"
write_error "$CFLAME" collapse "$perf"

# A file size limit (SIGXFSZ ignored: writes fail with EFBIG): -o FILE.
cd "$tmp" || fail "cd"
limited() {
	(
		trap '' XFSZ
		ulimit -f 1
		exec "$@"
	) 2>"$tmp/err"
	rc=$?
	[ $rc -ne 0 ] || fail "$*: exit 0 past the file size limit"
	grep -q 'write failed: File too large' "$tmp/err" ||
		fail "$*: no message: $(cat "$tmp/err")"
}
limited "$CDOCTOR" report --json -o big.json "$rec"
limited "$CFLAME" svg -o big.svg "$folded"
limited "$CFLAME" html -o big.html "$folded"
exit 0
