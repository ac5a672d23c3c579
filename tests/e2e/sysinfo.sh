#!/bin/bash
# sysinfo.sh - cdoctor sysinfo reports this machine's real settings: the
# sysctls match /proc, cpu-clock opens, hardware counters agree with what
# perf itself says, and the JSON form parses.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$CDOCTOR" sysinfo >"$tmp/text" || fail "exit $?"
cat "$tmp/text"
p=$(cat /proc/sys/kernel/perf_event_paranoid)
k=$(cat /proc/sys/kernel/kptr_restrict)
grep -q "perf_event_paranoid:  $p " "$tmp/text" || fail "paranoid"
grep -q "kptr_restrict:        $k$" "$tmp/text" || fail "kptr_restrict"
grep -qE '^  cpu-clock +works' "$tmp/text" || fail "cpu-clock should work"
grep -q '^To do' "$tmp/text" || fail "no To do section"
grep -q $'\033' "$tmp/text" && fail "colour when not a terminal"

"$CDOCTOR" sysinfo --json -o "$tmp/j.json" || fail "json exit"
python3 - "$tmp/j.json" "$p" "$k" <<'PY' || fail "json content"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["perf_event_paranoid"] == int(sys.argv[2])
assert j["kptr_restrict"] == int(sys.argv[3])
assert j["events"]["cpu-clock"]["works"] is True
hw = [e for e in j["events"].values() if e["hardware"]]
assert len(hw) == 3
assert j["hw_counters"] == any(e["works"] for e in hw)
for e in hw:
    assert e["works"] or e["errno"].startswith("E"), e
assert j["pfm_ok"] is True and len(j["pmus"]) >= 1, j["pmus"]
PY

# Cross-check hardware counters with perf itself, when perf runs here.
if perf stat -x, -e cycles true 2>"$tmp/perf" >/dev/null; then
	if grep -q 'not supported' "$tmp/perf"; then
		grep -qE '^  cycles +not supported' "$tmp/text" ||
			fail "perf says cycles unsupported, sysinfo disagrees"
		grep -q 'hardware counters are not available' "$tmp/text" ||
			fail "no hint about hardware counters"
	elif grep -qE '^[0-9]+,,cycles' "$tmp/perf"; then
		grep -qE '^  cycles +works' "$tmp/text" ||
			fail "perf counts cycles, sysinfo disagrees"
	fi
fi

"$CDOCTOR" sysinfo --bogus >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad option should exit 2"
"$CDOCTOR" sysinfo --help | grep -q -- '--json' || fail "help"
echo ok
