#!/bin/bash
# report_cli.sh - cdoctor report on a real recording of examples/sym_deep:
# every format, a recording cut short (warning, exit 0), a corrupt file and
# a non-recording (exit 2 with the byte offset), an unknown profile.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

if ! "$CDOCTOR" run --no-html -d 5 -o "$tmp/a.cdr" -- \
	"$CDOC_EXAMPLES/sym_deep" >"$tmp/run.out" 2>&1; then
	cat "$tmp/run.out"
	echo "cdoctor run failed here; skipping"
	exit 77
fi

"$CDOCTOR" report "$tmp/a.cdr" >"$tmp/text" || fail "text exit $?"
grep -q 'command:  .*sym_deep' "$tmp/text" || fail "no command line"
grep -qE '^ +[0-9.]+% +[0-9.]+% +[0-9]+  spin$' "$tmp/text" ||
	fail "spin not in the top table"
grep -q 'One function dominates CPU time' "$tmp/text" || fail "no diagnosis"
grep -q 'unwind_failures' "$tmp/text" || fail "counters missing"
grep -q $'\033' "$tmp/text" && fail "colour when not a terminal"

"$CDOCTOR" report --json "$tmp/a.cdr" -o "$tmp/j.json" || fail "json exit"
python3 - "$tmp/j.json" <<'PY' || fail "json content"
import json, sys
j = json.load(open(sys.argv[1]))
cpu = [p for p in j["profiles"] if p["name"] == "cpu"][0]
assert cpu["total"] > 0
assert cpu["top_self"][0]["name"] == "spin", cpu["top_self"][0]
assert any(d["code"] == "hot-function" for d in j["diagnoses"])
assert "lost_samples" in j["counters"] and j["complete"] is True
assert j["processes"][0]["exit_code"] == 0
PY

"$CDOCTOR" report --folded cpu "$tmp/a.cdr" >"$tmp/folded" || fail "folded"
grep -qE '^sym_deep;.*;deep_8;spin [0-9]+$' "$tmp/folded" ||
	fail "folded stacks: $(head -2 "$tmp/folded")"

"$CDOCTOR" report --html "$tmp/r.html" "$tmp/a.cdr" || fail "html exit"
head -c 15 "$tmp/r.html" | grep -q '<!DOCTYPE html>' || fail "not html"
grep -q 'One function dominates' "$tmp/r.html" || fail "html diagnoses"

"$CDOCTOR" report --folded nosuch "$tmp/a.cdr" 2>"$tmp/err"
[ $? -eq 2 ] || fail "unknown profile should exit 2"
grep -q "it has: cpu" "$tmp/err" || fail "unknown profile message"

# Cut short: drop the last 20 bytes (the END chunk and more).
size=$(stat -c %s "$tmp/a.cdr")
head -c $((size - 20)) "$tmp/a.cdr" >"$tmp/short.cdr"
"$CDOCTOR" report "$tmp/short.cdr" >"$tmp/st" 2>"$tmp/se" ||
	fail "cut short should exit 0"
grep -q 'cut short at byte' "$tmp/se" || fail "no cut short warning"
grep -q 'Top functions' "$tmp/st" || fail "cut short still reports"

# Corrupt: flip the first payload byte of the first chunk (CRC fails).
cp "$tmp/a.cdr" "$tmp/bad.cdr"
printf '\xff' | dd of="$tmp/bad.cdr" bs=1 seek=28 conv=notrunc 2>/dev/null
"$CDOCTOR" report "$tmp/bad.cdr" >/dev/null 2>"$tmp/be"
[ $? -eq 2 ] || fail "corrupt file should exit 2"
grep -q 'corrupt chunk .* at byte' "$tmp/be" || fail "$(cat "$tmp/be")"

echo "not a recording" >"$tmp/x.txt"
"$CDOCTOR" report "$tmp/x.txt" >/dev/null 2>"$tmp/xe"
[ $? -eq 2 ] || fail "non-recording should exit 2"
grep -q 'not a cdoctor recording' "$tmp/xe" || fail "$(cat "$tmp/xe")"

"$CDOCTOR" report >/dev/null 2>&1
[ $? -eq 2 ] || fail "no argument should be a usage error"
"$CDOCTOR" report --help | grep -q -- '--folded KIND' || fail "help"
echo ok
