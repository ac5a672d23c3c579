#!/bin/bash
# run_alloc_default: `cdoctor run` samples allocations by default (one per
# 512 KiB, as Go's heap profiler): a plain run of leaky_server ranks the
# leaking call site first with an estimate of the right order, and says
# that it is an estimate. --no-alloc leaves the program alone; a missing
# preload library is a warning, not a failed run; --no-alloc with another
# allocation option is a usage error.
. "$(dirname "$0")/run_common.bash"
need_perf
[ -f "${CDOC_SHIM:-}" ] || { echo "SKIP: no shim" >&2; exit 77; }
export CDOC_SHIM

# 40000 sessions of 256 bytes: 10.24 MB leaked, ~20 samples expected
"$CDOCTOR" run --no-html -o "$T/d.cdr" -- "$EX/leaky_server" 40000 0 \
	>"$T/out" 2>"$T/err" || fail "run exited $?: $(cat "$T/err")"
grep -q "served 40000 requests" "$T/out" || fail "target output lost"
"$CDOCTOR" report "$T/d.cdr" >"$T/text" || fail "report"
grep -Eq "^  heap: +sampled, one per 524288 bytes" "$T/text" ||
	fail "run section does not say how the heap was tracked: $(head -8 "$T/text")"
"$CDOCTOR" report "$T/d.cdr" --folded leak >"$T/leak" || fail "folded leak"
top=$(sort -t' ' -k2 -n -r "$T/leak" | head -1)
case "$top" in
*";remember_session "*) ;;
*) fail "first leak is not remember_session: $top" ;;
esac
got=${top##* }
[ "$got" -gt 3000000 ] && [ "$got" -lt 30000000 ] ||
	fail "default-sampled leak estimate $got far from 10240000"
grep -A2 "Memory was never freed" "$T/text" |
	grep -q "estimated from sampled allocations" ||
	fail "the leak diagnosis does not say it is an estimate"

# --no-alloc: no preload, no heap data
"$CDOCTOR" run --no-alloc --no-html -o "$T/n.cdr" -- \
	sh -c 'echo "[$LD_PRELOAD]"' >"$T/out" 2>"$T/err" ||
	fail "--no-alloc run failed: $(cat "$T/err")"
grep -q "cdoctor-alloc" "$T/out" && fail "--no-alloc still preloads the shim"
"$CDOCTOR" report "$T/n.cdr" >"$T/text" || fail "report of --no-alloc"
grep -Eq "^  heap: +not tracked" "$T/text" || fail "--no-alloc run says heap tracked"

# no preload library: a warning, the run goes on, the exit code is kept
CDOC_SHIM=$T/none.so "$CDOCTOR" run --no-html -o "$T/m.cdr" -- \
	sh -c 'exit 3' >/dev/null 2>"$T/err"
[ $? = 3 ] || fail "run without the shim did not exit 3: $(cat "$T/err")"
grep -q "no allocation tracking" "$T/err" || fail "no warning: $(cat "$T/err")"
"$CDOCTOR" report "$T/m.cdr" >/dev/null || fail "recording unreadable"

# a child left running that keeps the allocation channel busy (it starts
# a tracked process every 0.2 s) does not keep the run from ending
touch "$T/go"
timeout 60 "$CDOCTOR" run --no-html -o "$T/b.cdr" -- sh -c \
	"(while [ -e '$T/go' ]; do ls / >/dev/null; sleep 0.2; done) & exit 5" \
	>/dev/null 2>"$T/err"
st=$?
rm -f "$T/go"
[ $st = 5 ] || fail "run with a busy child left running: status $st (124: hung)"

# contradictory options
"$CDOCTOR" run --no-alloc --alloc -- true >/dev/null 2>"$T/err"
[ $? = 2 ] || fail "--no-alloc --alloc accepted"
echo "ok: default sampling estimated $got of 10240000 leaked bytes"
