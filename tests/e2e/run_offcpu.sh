#!/bin/bash
# Off-CPU time by stack: examples/offcpu_waits has one thread per kind
# of wait; each class's profile (offcpu_lock, _disk, _net, _sleep,
# _other) must have that thread's function on top, weights in
# nanoseconds of wall time (not CPU: a busy machine does not change
# them much). --no-offcpu turns it off and says so in META.
. "$(dirname "$0")/run_common.bash"

"$CDOCTOR" run --no-html -o "$T/w.cdr" -- "$EX/offcpu_waits" 2 >/dev/null \
	2>"$T/err" || fail "run offcpu_waits: $(cat "$T/err")"
json "$T/w.cdr" >"$T/j"
state=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["meta"].get("offcpu", ""))' <"$T/j")
[ "$state" = on ] || fail "META offcpu: '$state' (stderr: $(cat "$T/err"))"

FNS="wait_for_lock hold_lock_and_wait sync_to_disk wait_for_packet nap"
# top PROFILE: "FUNCTION PERCENT" of the example's wait function with
# the most weight in PROFILE, and its share of the weight of all five
# (main's own wait, and the start-up's, count for none of them).
top() {
	"$CDOCTOR" report "$T/w.cdr" --folded "$1" >"$T/f.$1" 2>/dev/null ||
		fail "no profile $1"
	awk -v fns="$FNS" 'BEGIN { n = split(fns, a, " ");
	                           for (i = 1; i <= n; i++) want[a[i]] = 1 }
	     { c = $NF; sub(/ [0-9]+$/, "");
	       k = split($0, f, ";");
	       for (i = k; i >= 1; i--)
	               if (f[i] in want) { w[f[i]] += c; all += c; break } }
	     END { for (x in w) if (w[x] > best) { best = w[x]; b = x }
	           printf "%s %d\n", b, all ? 100 * best / all : 0 }' "$T/f.$1"
}

check() {
	local got
	got=$(top "$1")
	echo "$1: $got"
	[ "${got% *}" = "$2" ] || fail "$1: top is '${got% *}', not $2"
	[ "${got#* }" -ge 50 ] || fail "$1: $2 has only ${got#* }%"
}

check offcpu_lock wait_for_lock
check offcpu_net wait_for_packet
check offcpu_sleep nap
check offcpu_other hold_lock_and_wait
# fsync waits for the device only on a disk (not on tmpfs).
if [ "$(stat -f -c %T /var/tmp)" != tmpfs ]; then
	check offcpu_disk sync_to_disk
fi

# Stacks have the cpu profile's shape: thread name first, user frames
# through DWARF (the libc wrapper's caller is there), kernel frames last.
grep -q '^lock-waiter;.*;wait_for_lock;.*futex.*_\[k\]' "$T/f.offcpu_lock" ||
	fail "offcpu_lock stack shape: $(head -c 400 "$T/f.offcpu_lock")"

# Weights are nanoseconds of wall time: the sleeper naps 10 ms at a
# time through the 2 s run. Records can be lost on a busy machine
# (offcpu_lost counts them), so only the unit and an upper bound are
# checked: more than 5 naps' worth, less than the run itself.
nap_ns=$(total "$T/f.offcpu_sleep" ';nap;')
echo "nap: $nap_ns ns"
[ "$nap_ns" -ge 50000000 ] || fail "nap: only $nap_ns ns"
[ "$nap_ns" -le 3000000000 ] || fail "nap: $nap_ns ns in a 2 s run"

"$CDOCTOR" run --no-html --no-offcpu -o "$T/n.cdr" -- "$EX/offcpu_waits" 0.3 \
	>/dev/null 2>"$T/err" || fail "run --no-offcpu: $(cat "$T/err")"
json "$T/n.cdr" >"$T/j"
state=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["meta"].get("offcpu", ""))' <"$T/j")
[ "$state" = "off: --no-offcpu" ] || fail "--no-offcpu: META offcpu '$state'"
if "$CDOCTOR" report "$T/n.cdr" --folded offcpu_sleep >/dev/null 2>&1; then
	fail "--no-offcpu still wrote offcpu_sleep"
fi

# Where perf_event_paranoid forbids kernel events (a user without
# CAP_PERFMON at level 2), the run goes on without off-CPU and says why.
p=$(cat /proc/sys/kernel/perf_event_paranoid)
if [ "$(id -u)" = 0 ] && [ "$p" -ge 2 ] && command -v setpriv >/dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$CDOCTOR" --help >/dev/null 2>&1; then
	chmod 777 "$T"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$CDOCTOR" run --no-html -o "$T/p.cdr" -- "$EX/offcpu_waits" 0.3 \
		>/dev/null 2>"$T/err" || fail "run as nobody: $(cat "$T/err")"
	grep -q 'off-CPU time is not recorded: perf_event_paranoid=' "$T/err" ||
		fail "no notice: $(cat "$T/err")"
	json "$T/p.cdr" >"$T/j"
	state=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["meta"].get("offcpu", ""))' <"$T/j")
	case $state in
	"off: perf_event_paranoid=$p"*) echo "paranoid $p: $state" ;;
	*) fail "paranoid $p: META offcpu '$state'" ;;
	esac
fi
echo ok
