#!/bin/bash
# Process-tree metrics: prefork_server's master only waits while its two
# forked workers serve wrk through --on-port. The tree's CPU during the
# load window must be clearly above zero (today's per-process metrics
# read 0% for such a server), procs must count master and workers, the
# load window must be recorded, and THREADS chunks must carry the
# workers' threads with their schedstat times.
. "$(dirname "$0")/run_common.bash"

command -v wrk >/dev/null || { echo "SKIP: no wrk"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
timeout 120 "$CDOCTOR" run --no-html -o "$T/t.cdr" \
	--on-port 'wrk -t2 -c8 -d3s http://127.0.0.1:$PORT/' -- \
	"$EX/prefork_server" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] || fail "run gave $rc: $(cat "$T/err")"
grep -q "requests in" "$T/out" || fail "wrk did not run: $(cat "$T/out")"
json "$T/t.cdr" >"$T/j" || fail "report --json failed"
python3 "$(dirname "$0")/cdr_threads.py" "$T/t.cdr" >"$T/threads" ||
	fail "THREADS chunks do not decode"
python3 - "$T/j" "$T/threads" <<'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
meta = d["meta"]
def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)
if "load_start_ns" not in meta or "load_end_ns" not in meta:
    fail("no load window in META: %s" % meta)
start, end = int(meta["load_start_ns"]), int(meta["load_end_ns"])
if not 0 < start < end:
    fail("load window %d..%d not ordered" % (start, end))
if meta.get("load_command", "").find("wrk") < 0:
    fail("load_command: %r" % meta.get("load_command"))
pts = [m for m in d["metrics"] if start < m["time_ns"] <= end]
if not pts:
    fail("no metrics point inside the load window")
cpu = [m["values"].get("cpu_user_pct", 0) + m["values"].get("cpu_sys_pct", 0)
       for m in pts]
procs = max(m["values"].get("procs", 0) for m in d["metrics"])
print("tree CPU in the window: max %.1f%%, mean %.1f%% of one CPU; procs %d"
      % (max(cpu), sum(cpu) / len(cpu), procs))
# the master sleeps; a few % of one CPU is the workers' answer to wrk
if max(cpu) < 5:
    fail("tree CPU during the load is %.1f%%" % max(cpu))
if procs < 3:
    fail("procs %d, expected master and 2 workers" % procs)
if not any("runq_wait_pct" in m["values"] for m in pts):
    fail("no runq_wait_pct in the window")
target = int(meta["target_pid"])
rows = [l.split() for l in open(sys.argv[2])]
workers = {int(r[1]) for r in rows if int(r[1]) != target}
if target not in {int(r[1]) for r in rows} or len(workers) < 2:
    fail("THREADS: master %d and 2 workers expected, saw %s"
         % (target, sorted(workers)))
busy = [r for r in rows if int(r[1]) in workers and int(r[3]) > 0]
if not busy:
    fail("THREADS: no worker thread with on-CPU time")
if not any(int(r[4]) > 0 for r in rows if int(r[1]) in workers):
    fail("THREADS: no run-queue wait recorded for the workers")
PY
echo ok
