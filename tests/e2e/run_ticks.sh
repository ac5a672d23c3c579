#!/bin/bash
# Event-loop ticks: loop_ticks waits on a 1 ms timerfd and blocks its loop
# with a ~30 ms handler every 50th turn. The recording must have TICKS
# for its thread with at least as many long ticks of 30 ms as handlers it
# ran (a busy machine makes ticks longer, never shorter), through
# epoll_wait, poll, select and epoll_pwait alike; --long-tick sets the
# threshold; a thread that waits a few times is not a loop; the program's
# output is the same as without cdoctor.
. "$(dirname "$0")/run_common.bash"

# check REC OUT HOW THRESHOLD_NS: the ticks of REC against the program's
# output OUT.
check() {
	python3 - "$1" "$2" "$3" "$4" <<'PY' || fail "ticks of $3 ($1)"
import json, re, subprocess, sys
rec, out, how, thr = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
d = json.loads(subprocess.check_output([__import__("os").environ["CDOCTOR"],
                                        "report", rec, "--json"]))
text = open(out).read()
turns = int(re.search(r"turns: (\d+)", text).group(1))
slow = int(re.search(r"slow handlers: (\d+)", text).group(1))
assert d["meta"]["long_tick_ns"] == str(thr), d["meta"].get("long_tick_ns")
th = d["ticks"]["threads"]
assert len(th) == 1, th
t = th[0]
# every turn but the last ends a tick (the first starts at the first
# return); timer reads that find no expiration still wait
assert t["ticks"] >= turns - 1, (t["ticks"], turns)
assert sum(t["hist"]) == t["ticks"], t
assert t["long_count"] == len(t["long_ticks"]), t
assert all(dur >= thr for _, dur in t["long_ticks"]), t["long_ticks"]
blocked = [l for l in t["long_ticks"] if l[1] >= 30_000_000]
assert len(blocked) >= slow, (how, len(blocked), slow, t["long_ticks"])
assert t["max_ns"] >= 30_000_000 and t["busy_ns"] >= slow * 30_000_000, t
# long ticks are in time order and inside the run
starts = [s for s, _ in t["long_ticks"]]
assert starts == sorted(starts), starts
span = float(d["duration_s"]) * 1e9
assert all(s + dur <= span + 1e9 for s, dur in t["long_ticks"]), span
# ticks_total counts them
tot = [m["values"]["ticks_total"] for m in d["metrics"]
       if "ticks_total" in m["values"]]
assert tot and tot[-1] == t["ticks"], (tot[-1:], t["ticks"])
assert tot == sorted(tot), "ticks_total goes down"
PY
}

"$EX/loop_ticks" epoll 400 50 >"$T/bare" || fail "loop_ticks alone"

"$CDOCTOR" run --no-html -o "$T/e.cdr" -- "$EX/loop_ticks" epoll 400 50 \
	>"$T/e.out" 2>"$T/err" || fail "run: $(cat "$T/err")"
cmp -s "$T/bare" "$T/e.out" || fail "output changed: $(cat "$T/e.out")"
grep -q "slow handlers: 7" "$T/e.out" || fail "handlers: $(cat "$T/e.out")"
check "$T/e.cdr" "$T/e.out" epoll 10000000

for how in poll select pwait; do
	"$CDOCTOR" run --no-html --long-tick 20 -o "$T/$how.cdr" -- \
		"$EX/loop_ticks" "$how" 200 50 >"$T/$how.out" 2>"$T/err" ||
		fail "run $how: $(cat "$T/err")"
	grep -q "slow handlers: 3" "$T/$how.out" || fail "$how: $(cat "$T/$how.out")"
	check "$T/$how.cdr" "$T/$how.out" "$how" 20000000
done

# five waits: not a loop
"$CDOCTOR" run --no-html -o "$T/few.cdr" -- "$EX/loop_ticks" epoll 5 0 \
	>/dev/null 2>"$T/err" || fail "run few: $(cat "$T/err")"
json "$T/few.cdr" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["ticks"]["threads"] == [], d["ticks"]' || fail "five waits made a loop"

"$CDOCTOR" run --no-alloc --long-tick 5 -- true 2>"$T/err"
[ $? = 2 ] || fail "--no-alloc with --long-tick accepted"
echo ok
