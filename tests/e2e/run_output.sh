#!/bin/bash
# An existing recording or report is never replaced without --force, and
# nothing is created before the command has started: a typo in the
# command leaves the old files whole and makes no new ones.
. "$(dirname "$0")/run_common.bash"
cd "$T" || fail "cd"

echo old >keep.cdr
echo oldhtml >keep.cdr.html
"$CDOCTOR" run -o keep.cdr -- ./tpyo 2>err
rc=$?
[ $rc = 2 ] || fail "existing output: status $rc"
grep -q "keep.cdr exists" err || fail "no message: $(cat err)"
[ "$(cat keep.cdr)" = old ] || fail "keep.cdr was replaced"
[ "$(cat keep.cdr.html)" = oldhtml ] || fail "keep.cdr.html was replaced"

# --force and a command that cannot start: still nothing touched
"$CDOCTOR" run --force -o keep.cdr -- ./tpyo 2>err
rc=$?
[ $rc = 2 ] || fail "failed launch: status $rc"
grep -q "cannot run ./tpyo" err || fail "no reason given: $(cat err)"
[ "$(cat keep.cdr)" = old ] || fail "keep.cdr replaced by a failed launch"
[ "$(cat keep.cdr.html)" = oldhtml ] || fail "keep.cdr.html replaced"

# the report alone blocks too, unless --no-html
rm keep.cdr
"$CDOCTOR" run --no-alloc -o keep.cdr -- "$EX/crasher" 0.1 0 2>err
rc=$?
[ $rc = 2 ] || fail "existing report: status $rc"
grep -q "keep.cdr.html exists" err || fail "no message: $(cat err)"
[ ! -e keep.cdr ] || fail "recording made though the run was refused"
"$CDOCTOR" run --no-alloc --no-html -o keep.cdr -- "$EX/crasher" 0.1 0 \
	2>err || fail "--no-html run: $(cat err)"
[ "$(cat keep.cdr.html)" = oldhtml ] || fail "--no-html touched the report"
folded keep.cdr >/dev/null || fail "new recording unreadable"

# --force replaces both
"$CDOCTOR" run --force --no-alloc -o keep.cdr -- "$EX/crasher" 0.1 0 \
	2>err || fail "--force run: $(cat err)"
grep -q "<html" keep.cdr.html || fail "report not replaced"

# a command that does not exist: no recording under the default name
mkdir empty && cd empty || fail "mkdir"
"$CDOCTOR" run nosuchprog 2>err
rc=$?
[ $rc = 2 ] || fail "nosuchprog: status $rc"
grep -q "cannot run nosuchprog" err || fail "no reason: $(cat err)"
left=$(ls | grep -v '^err$')
[ -z "$left" ] || fail "files left by a failed launch: $left"
echo ok
