#!/bin/bash
# check_cli.sh - cdoctor check as a CI gate on real recordings: the same
# program twice passes (exit 0, ok or inconclusive); a different hot
# function fails (exit 1, with a table); bad usage and unreadable files
# exit 2. check_gate.sh tests the statistics.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

rec() {
	"$CDOCTOR" run --no-html -d 20 -o "$tmp/$1.cdr" -- \
		"$CDOC_EXAMPLES/$2" >"$tmp/$1.out" 2>&1
}
if ! rec base sym_deep || ! rec same sym_deep || ! rec other shlib_work; then
	cat "$tmp"/*.out
	echo "cdoctor run failed here; skipping"
	exit 77
fi

"$CDOCTOR" check --baseline "$tmp/base.cdr" "$tmp/same.cdr" >"$tmp/o1"
rc=$?
cat "$tmp/o1"
[ $rc -eq 0 ] || fail "same program should pass, exit $rc"
grep -qE '^(ok|inconclusive): ' "$tmp/o1" || fail "no ok line"

"$CDOCTOR" check --baseline "$tmp/base.cdr" "$tmp/other.cdr" >"$tmp/o2"
rc=$?
cat "$tmp/o2"
[ $rc -eq 1 ] || fail "a new hot function should fail, exit $rc"
grep -qE '^cpu +self +0\.0% +[0-9.]+% +\+[0-9.]+ +[0-9.e+-]+  shlib_hot_checksum$' \
	"$tmp/o2" || fail "regression table"
grep -q 'regressions\?: significant at alpha 0.01 .* beyond 2.0 points' "$tmp/o2" ||
	fail "summary"

# A minimum effect of 100 points lets everything through.
"$CDOCTOR" check --baseline "$tmp/base.cdr" "$tmp/other.cdr" \
	--min-effect 100 >/dev/null || fail "--min-effect 100 should pass"

"$CDOCTOR" check "$tmp/other.cdr" >/dev/null 2>&1
[ $? -eq 2 ] || fail "missing --baseline should exit 2"
"$CDOCTOR" check --baseline "$tmp/base.cdr" "$tmp/other.cdr" \
	--min-effect abc >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad percentage should exit 2"
"$CDOCTOR" check --baseline "$tmp/nope.cdr" "$tmp/other.cdr" 2>"$tmp/e"
[ $? -eq 2 ] || fail "missing file should exit 2"
grep -q 'nope.cdr' "$tmp/e" || fail "message names the file"
"$CDOCTOR" check --help | grep -q -- '--min-effect' || fail "help"
"$CDOCTOR" check --baseline "$tmp/base.cdr" "$tmp/other.cdr" --format yaml \
	>/dev/null 2>&1
[ $? -eq 2 ] || fail "unknown format should exit 2"
echo ok
