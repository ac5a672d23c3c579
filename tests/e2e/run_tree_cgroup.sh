#!/bin/bash
# cgroup_* metrics: two spinning threads in a cgroup with a CPU quota of
# 0.2 CPUs (made here: cgroup v2 when the cpu controller can be enabled
# under /sys/fs/cgroup, else v1's cpu hierarchy) must read back the quota
# and a growing throttle count. Needs root and a writable cgroup tree:
# skipped otherwise.
. "$(dirname "$0")/run_common.bash"

command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: not root"; exit 77; }
CG=
if grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null &&
	grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null &&
	mkdir "/sys/fs/cgroup/cdoc-test-$$" 2>/dev/null; then
	CG=/sys/fs/cgroup/cdoc-test-$$
	echo "20000 100000" >"$CG/cpu.max" || CG=
elif [ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ] &&
	mkdir "/sys/fs/cgroup/cpu/cdoc-test-$$" 2>/dev/null; then
	CG=/sys/fs/cgroup/cpu/cdoc-test-$$
	echo 100000 >"$CG/cpu.cfs_period_us" &&
		echo 20000 >"$CG/cpu.cfs_quota_us" || CG=
fi
[ -n "$CG" ] || { echo "SKIP: cannot make a cgroup with a CPU quota"; exit 77; }
trap 'rmdir "$CG" 2>/dev/null; rm -rf "$T"' EXIT
# check FINAL: $T/c.cdr shows the quota and throttling
check() {
	"$CDOCTOR" report "$T/c.cdr" --json 2>/dev/null >"$T/j" || return 1
	python3 - "$T/j" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
final = sys.argv[2] == "final"
v = [m["values"] for m in d["metrics"] if "cgroup_quota_cpus" in m["values"]]
def fail(msg):
    if final:
        print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)
if not v:
    fail("no cgroup metrics")
q, thr = v[-1]["cgroup_quota_cpus"], v[-1]["cgroup_nr_throttled"]
pct = [x["cgroup_throttled_pct"] for x in v if "cgroup_throttled_pct" in x]
if final:
    print("quota %.2f CPUs, throttled %d times, throttled %% max %.1f"
          % (q, thr, max(pct or [0])))
if abs(q - 0.2) > 1e-9:
    fail("quota %.3f, expected 0.2" % q)
if thr <= v[0]["cgroup_nr_throttled"] or not pct or max(pct) <= 0:
    fail("the quota never throttled two spinning threads")
PY
}
# the run is stopped once the recording (read while it is written) shows
# throttling, so a slow start on a busy machine changes nothing
"$CDOCTOR" run --no-html -o "$T/c.cdr" -- sh -c \
	"echo \$\$ >$CG/cgroup.procs && exec $EX/threads 600 2" \
	>"$T/out" 2>"$T/err" &
run=$!
for _ in $(seq 240); do
	sleep 0.5
	kill -0 $run 2>/dev/null || break
	[ -s "$T/c.cdr" ] && check partial && break
done
kill -TERM $run 2>/dev/null # (a background job ignores SIGINT)
wait $run
check final || fail "$(cat "$T/err")"
echo ok
