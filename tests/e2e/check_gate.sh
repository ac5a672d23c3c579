#!/bin/bash
# check_gate.sh - cdoctor check as a statistical CI gate on real runs of
# examples/regress: runs of one program at different lengths pass against
# each other (conclusively, not by being inconclusive); a build where
# render_output really does more work fails and names it; JUnit output is
# valid XML; too few samples is inconclusive (exit 0, warning) unless
# --strict.
set -u
. "$(dirname "$0")/run_common.bash"

rec() { # NAME ARGS...
	local name=$1
	shift
	"$CDOCTOR" run --no-html --no-alloc -F 1999 -o "$T/$name.cdr" -- \
		"$EX/regress" "$@" >"$T/$name.out" 2>&1 ||
		{ cat "$T/$name.out"; fail "run $name"; }
}
rec base 1500
rec short 1000
rec long 2500
rec slow --slow-render 1500
rec tiny1 10
rec tiny2 10

status() { # A B: JSON status of check --baseline A B at 5 points
	"$CDOCTOR" check --baseline "$T/$1.cdr" "$T/$2.cdr" --min-effect 5 \
		--format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'
}

for pair in "base short" "short long" "long base" "long short" "short base"; do
	set -- $pair
	s=$(status "$1" "$2")
	echo "$1 vs $2: $s"
	[ "$s" = ok ] || {
		"$CDOCTOR" check --baseline "$T/$1.cdr" "$T/$2.cdr" --min-effect 5
		fail "$1 vs $2 should pass conclusively, got $s"
	}
done

"$CDOCTOR" check --baseline "$T/base.cdr" "$T/slow.cdr" --min-effect 5 >"$T/o"
rc=$?
cat "$T/o"
[ $rc -eq 1 ] || fail "slow render should fail, exit $rc"
grep -qE '^cpu +self .* render_output$' "$T/o" || fail "names render_output"
# of the program's own functions; kernel frames may rise too on a VM
# (the hypervisor's interrupt paths took 9% of one run's samples)
if grep -E '^cpu +self ' "$T/o" | grep -v '_\[k\]$' |
	grep -vq 'render_output$'; then
	fail "only render_output's self share rose"
fi

"$CDOCTOR" check --baseline "$T/base.cdr" "$T/slow.cdr" --min-effect 5 \
	--format junit -o "$T/j.xml"
[ $? -eq 1 ] || fail "junit run should exit 1"
python3 - "$T/j.xml" <<'PY' || fail "junit XML"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
suite = root.find("testsuite")
assert suite.get("failures") == "1", suite.attrib
msgs = [f.get("message") for f in root.iter("failure")]
own = [m for m in msgs if "_[k]" not in m.split(":")[0]]
assert own and all("render_output" in m for m in own), msgs
PY
"$CDOCTOR" check --baseline "$T/base.cdr" "$T/long.cdr" --min-effect 5 \
	--format junit | python3 -c 'import sys, xml.etree.ElementTree as ET
r = ET.fromstring(sys.stdin.read()); assert not list(r.iter("failure"))' || {
	"$CDOCTOR" check --baseline "$T/base.cdr" "$T/long.cdr" --min-effect 5
	fail "passing junit XML"
}

"$CDOCTOR" check --baseline "$T/base.cdr" "$T/slow.cdr" --min-effect 5 \
	--format markdown >"$T/m"
grep -q '^### cdoctor check: \*\*failed\*\*' "$T/m" || fail "markdown head"
grep -q '^| cpu | self | .* | render\\_output |$' "$T/m" || fail "markdown row"

"$CDOCTOR" check --baseline "$T/base.cdr" "$T/slow.cdr" --min-effect 5 \
	--format json | python3 -c 'import json,sys
d = json.load(sys.stdin); assert d["status"] == "fail"
assert {r["function"] for r in d["regressions"] if r["share"] == "self"
        and not r["function"].endswith("_[k]")} == {"render_output"}, d' ||
	fail "json regressions"

"$CDOCTOR" check --baseline "$T/tiny1.cdr" "$T/tiny2.cdr" >"$T/o" 2>"$T/e"
rc=$?
cat "$T/o" "$T/e"
[ $rc -eq 0 ] || fail "inconclusive should exit 0, got $rc"
grep -q '^inconclusive: cpu: ' "$T/o" || fail "inconclusive line"
grep -q 'warning: inconclusive' "$T/e" || fail "warning on stderr"
"$CDOCTOR" check --baseline "$T/tiny1.cdr" "$T/tiny2.cdr" --strict \
	>/dev/null 2>&1
[ $? -eq 1 ] || fail "--strict makes inconclusive fail"
echo ok
