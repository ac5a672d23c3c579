#!/bin/bash
# doctor_verdicts.bash SERVER [CATEGORY CULPRIT [SECONDARY]] - the doctor's
# verdict on one example server (examples/servers/SERVER) under real HTTP
# load: `cdoctor run --on-port 'wrk -t2 -c16 -d6s ...'`, then
# `cdoctor report REC --json` must have verdict.category == CATEGORY and
# CULPRIT as verdict.culprits[0].function: its name, or its name followed
# by a C++ parameter list or ABI tag, or by a compiler clone suffix such
# as .constprop.0 ("-": no culprit at all); and SECONDARY, when given
# (CODE or CODE|CODE...: any of them), among the codes of "diagnoses". Without CATEGORY the expectation is read
# from tests/e2e/doctor_expected.txt. Nothing here depends on speed: wrk
# only has to complete some requests.
# Named .bash, not .sh, so that the tests/e2e/*.sh glob does not register
# it as one argument-less test: it is registered once per line of
# doctor_expected.txt (e2e_doctor_SERVER, running `bash doctor_verdicts.bash
# SERVER`).
. "$(dirname "$0")/run_common.bash"

srv=${1:?usage: doctor_verdicts.bash SERVER [CATEGORY CULPRIT [SECONDARY]]}
if [ $# -ge 3 ]; then
	want=$2 culprit=$3 second=${4:-}
else
	read -r _ want culprit second < <(awk -v s="$srv" \
		'$1 == s && $0 !~ /^#/' "$(dirname "$0")/doctor_expected.txt")
	[ -n "${want:-}" ] || fail "$srv is not in doctor_expected.txt"
fi
command -v wrk >/dev/null || { echo "SKIP: wrk not installed"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
[ -x "$EX/servers/$srv" ] || fail "no server $EX/servers/$srv"

load='wrk -t2 -c16 -d6s "http://127.0.0.1:$PORT/item" && echo "port=$PORT"'
timeout 240 "$CDOCTOR" run --no-html -o "$T/r.cdr" --on-port "$load" -- \
	"$EX/servers/$srv" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] || fail "run gave $rc: $(tail -5 "$T/err")"
grep -q "port=[1-9]" "$T/out" || fail "load did not run: $(tail -5 "$T/out")"
reqs=$(awk '/requests in/ { print $1 }' "$T/out")
[ "${reqs:-0}" -gt 0 ] || fail "wrk completed no request"

json "$T/r.cdr" >"$T/j" || fail "report --json failed"
got=$(jq -r '.verdict.category // "(no verdict)"' "$T/j")
first=$(jq -r '.verdict.culprits[0].function // "-"' "$T/j")
echo "$srv: $reqs requests; verdict $got, culprit $first" \
	"($(jq -r '.verdict.summary // ""' "$T/j"))"
[ "$got" = "$want" ] || fail "$srv: verdict $got, expected $want"
if [ "$culprit" = - ]; then
	n=$(jq '.verdict.culprits | length' "$T/j")
	[ "$n" = 0 ] || fail "$srv: expected no culprit, got $n ($first)"
else
	case $first in
	"$culprit" | "$culprit("* | "$culprit["* | "$culprit".*) ;;
	*) fail "$srv: culprit $first, expected $culprit" ;;
	esac
fi
if [ -n "${second:-}" ]; then
	jq -e --arg c "$second" \
		'any(.diagnoses[]; .code as $d | $c | split("|") | index($d))' \
		"$T/j" \
		>/dev/null || fail "$srv: no secondary finding $second in" \
		"$(jq -c '[.diagnoses[].code]' "$T/j")"
fi
echo ok
