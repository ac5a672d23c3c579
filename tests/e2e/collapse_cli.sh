#!/bin/bash
# collapse_cli.sh - cflame collapse as a command: files, '-', standard
# input, gzip, -o, several files, --help, golden output for the options,
# and exit 2 with file:line for input that is not perf script text.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
data="$CDOC_SRC/tests/data/perfscript"
in="$data/ls-cpu-pidtid.txt"
exp="$data/expected"

"$CFLAME" collapse --help | grep -q -- '--event-filter' || fail "--help"
"$CFLAME" collapse "$in" >"$tmp/a" || fail "file"
cmp "$tmp/a" "$exp/ls-cpu-pidtid.default.folded" || fail "file output"
"$CFLAME" collapse <"$in" | cmp - "$tmp/a" || fail "stdin"
"$CFLAME" collapse - <"$in" | cmp - "$tmp/a" || fail "'-'"
gzip -c "$in" >"$tmp/in.gz"
"$CFLAME" collapse "$tmp/in.gz" | cmp - "$tmp/a" || fail "gzip file"
"$CFLAME" collapse <"$tmp/in.gz" | cmp - "$tmp/a" || fail "gzip stdin"
"$CFLAME" collapse -o "$tmp/o" "$in" && cmp "$tmp/o" "$tmp/a" || fail "-o"
"$CFLAME" collapse --output="$tmp/o" "$in" && cmp "$tmp/o" "$tmp/a" ||
	fail "-o over an existing file"

for opt in pid tid kernel jit all addrs; do
	"$CFLAME" collapse --$opt "$in" |
		cmp - "$exp/ls-cpu-pidtid.$opt.folded" || fail "--$opt"
done
for ev in cpu-clock task-clock page-faults; do
	"$CFLAME" collapse --event-filter "$ev" "$data/hotloop-multievent.txt" |
		cmp - "$exp/hotloop-multievent.event-$ev.folded" ||
		fail "--event-filter $ev"
done
# The default keeps the first event and says so on stderr.
"$CFLAME" collapse "$data/hotloop-multievent.txt" 2>"$tmp/err" >"$tmp/o"
cmp "$tmp/o" "$exp/hotloop-multievent.default.folded" || fail "default event"
grep -q "page-faults" "$tmp/err" || fail "no note about the event kept"

# Several files read as one stream, like perl's <>.
"$CFLAME" collapse "$data/hotloop-fp.txt" "$data/dd-kernel-pidtid.txt" \
	>"$tmp/two" || fail "two files"
[ "$(wc -l <"$tmp/two")" -eq $(($(wc -l <"$exp/hotloop-fp.default.folded") + \
	$(wc -l <"$exp/dd-kernel-pidtid.default.folded"))) ] ||
	fail "two files: line count"

# Not perf script: a folded file, binary data, a perf.data file.
"$CFLAME" collapse "$tmp/a" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "folded input should exit 2"
grep -q "$tmp/a:1: not perf script" "$tmp/err" || { cat "$tmp/err"; fail "folded message"; }
head -c 3000 /dev/urandom >"$tmp/junk"
"$CFLAME" collapse "$tmp/junk" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "binary junk should exit 2"
grep -q "$tmp/junk:[0-9]*:" "$tmp/err" || { cat "$tmp/err"; fail "junk message"; }
printf 'PERFILE2\0\0\0' >"$tmp/perf.data"
"$CFLAME" collapse "$tmp/perf.data" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "perf script" "$tmp/err" || fail "perf.data message"
"$CFLAME" collapse "$tmp/none" >/dev/null 2>&1
[ $? -eq 2 ] || fail "missing file should exit 2"
"$CFLAME" collapse --bogus "$in" >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad option should exit 2"
"$CFLAME" collapse --inline "$in" >/dev/null 2>&1
[ $? -eq 2 ] || fail "--inline should say it is unsupported"

# Lines perf script -F+srcline adds are skipped with a warning.
awk '{print} /^\t/ {print "  file.c:12"}' "$in" >"$tmp/src.txt"
"$CFLAME" collapse "$tmp/src.txt" 2>"$tmp/err" | cmp - "$tmp/a" ||
	fail "srcline lines changed the output"
grep -q "unrecognized.*src.txt:3" "$tmp/err" || { cat "$tmp/err"; fail "warning"; }
echo ok
