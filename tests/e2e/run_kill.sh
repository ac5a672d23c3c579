#!/bin/bash
# SIGKILL of the target: cdoctor finishes the recording and exits 137.
# SIGKILL of cdoctor itself: the recording is readable up to the last
# flush (cut short, with samples).
. "$(dirname "$0")/run_common.bash"

# wait_for FILE: until FILE has recorded samples of spin_leaf (bounded:
# on a loaded machine the first ones can take seconds).
wait_for() {
	for _ in $(seq 300); do
		folded "$1" 2>/dev/null | grep -q spin_leaf && return
		sleep 0.1
	done
}

# children PID: the first child of PID (the file ends each pid with a
# space, which would otherwise stay in the name of /proc/PID /comm).
children() {
	local c
	c=$(cat "/proc/$1/task/$1/children" 2>/dev/null)
	echo "${c%% *}"
}

"$CDOCTOR" run --no-html -o "$T/a.cdr" -- "$EX/deep_nofp" 60 >/dev/null \
	2>"$T/err" &
cd_pid=$!
for _ in $(seq 100); do
	tgt=$(children $cd_pid)
	[ -n "$tgt" ] && [ "$(cat /proc/$tgt/comm 2>/dev/null)" = deep_nofp ] &&
		break
	sleep 0.1
done
wait_for "$T/a.cdr"
sleep 1
kill -KILL $tgt
wait $cd_pid
rc=$?
[ $rc = 137 ] || fail "target SIGKILL gave $rc: $(cat "$T/err")"
folded "$T/a.cdr" >"$T/f" || fail "recording unreadable after target kill"
[ "$(top_self "$T/f")" = spin_leaf ] || fail "top: $(top_self "$T/f")"

"$CDOCTOR" run --no-html -o "$T/b.cdr" -- "$EX/deep_nofp" 60 >/dev/null \
	2>"$T/err" &
cd_pid=$!
for _ in $(seq 100); do
	tgt=$(children $cd_pid)
	[ -n "$tgt" ] && [ "$(cat /proc/$tgt/comm 2>/dev/null)" = deep_nofp ] &&
		break
	sleep 0.1
done
wait_for "$T/b.cdr"
sleep 0.5
kill -KILL $cd_pid
wait $cd_pid 2>/dev/null
kill -KILL $tgt 2>/dev/null
folded "$T/b.cdr" >"$T/f" 2>"$T/err" ||
	fail "recording unreadable after cdoctor kill: $(cat "$T/err")"
n=$(total "$T/f" spin_leaf)
echo "after cdoctor SIGKILL: $n samples of spin_leaf"
[ "$n" -gt 0 ] || fail "no samples survived the kill"
json "$T/b.cdr" >"$T/j"
grep -q '"complete": *false' "$T/j" || fail "killed recording claims complete"
echo ok
