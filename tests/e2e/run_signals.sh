#!/bin/bash
# What signals to cdoctor do (docs/cdoctor-run.md, Signals):
# SIGKILL: the target dies with cdoctor instead of running on orphaned;
# SIGUSR1: passed on to the target, cdoctor finishes the recording;
# SIGTERM and SIGINT: passed on, the recording is complete and readable.
. "$(dirname "$0")/run_common.bash"
# Job control: without it bash starts background commands with SIGINT
# and SIGQUIT ignored, and cdoctor and its target would inherit that.
set -m

# start_run NAME: cdoctor on deep_nofp in the background; sets $cd_pid
# and $tgt (the target, once it has exec'd).
start_run() {
	"$CDOCTOR" run --no-html -o "$T/$1.cdr" -- "$EX/deep_nofp" 60 \
		>/dev/null 2>"$T/$1.err" &
	cd_pid=$!
	tgt=
	for _ in $(seq 200); do
		tgt=$(cat "/proc/$cd_pid/task/$cd_pid/children" 2>/dev/null)
		tgt=${tgt%% *}
		[ -n "$tgt" ] &&
			[ "$(cat "/proc/$tgt/comm" 2>/dev/null)" = deep_nofp ] &&
			return
		sleep 0.1
	done
	fail "$1: the target did not start: $(cat "$T/$1.err")"
}

# gone PID: true once PID has ended (bounded wait; a zombie counts).
gone() {
	for _ in $(seq 100); do
		st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
		[ -z "$st" ] || [ "$st" = Z ] && return 0
		sleep 0.1
	done
	return 1
}

start_run kill
sleep 0.5
kill -KILL $cd_pid
wait $cd_pid 2>/dev/null
if ! gone "$tgt"; then
	kill -KILL "$tgt" 2>/dev/null
	fail "the target ran on after cdoctor was killed"
fi

for sig in USR1 TERM INT HUP QUIT; do
	start_run "$sig"
	sleep 0.5
	kill -"$sig" $cd_pid
	wait $cd_pid
	rc=$?
	want=$((128 + $(kill -l "$sig")))
	if ! gone "$tgt"; then
		kill -KILL "$tgt" 2>/dev/null
		fail "SIG$sig: the target still runs"
	fi
	[ $rc = "$want" ] || fail "SIG$sig: status $rc, not $want: $(cat "$T/$sig.err")"
	json "$T/$sig.cdr" >"$T/j" || fail "SIG$sig: recording unreadable"
	grep -q '"complete": *true' "$T/j" ||
		fail "SIG$sig: recording not finished"
	grep -q "\"signal\": *$(kill -l "$sig")" "$T/j" ||
		fail "SIG$sig: the target's end is not recorded"
done
echo ok
