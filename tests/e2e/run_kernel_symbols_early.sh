#!/bin/bash
# The kernel's symbols are read before the target runs, not at its
# first kernel frame inside the run loop: reading /proc/kallsyms takes
# half a second to seconds on a busy machine, and a loop busy with it
# takes no metrics and finds no --on-port port (tried on nginx: the
# load started 5.8 s after nginx listened). Checked by the order of
# cdoctor's open of /proc/kallsyms and the target's exec (strace -f).
. "$(dirname "$0")/run_common.bash"
need_perf
command -v strace >/dev/null || fail "strace is missing (scripts/setup.sh installs it)"
p=$(cat /proc/sys/kernel/perf_event_paranoid)
if [ "$(id -u)" != 0 ] && [ "$p" -ge 2 ]; then
	echo "SKIP: no kernel frames at perf_event_paranoid=$p" >&2
	exit 77
fi
if ! strace -f -qq -e trace=none true 2>/dev/null; then
	echo "SKIP: strace cannot trace here" >&2
	exit 77
fi

strace -f -qq -e trace=openat,execve -o "$T/st" \
	"$CDOCTOR" run --no-html --no-alloc -o "$T/r.cdr" -- "$EX/hotloop" 0.3 \
	>/dev/null 2>"$T/err" || fail "run hotloop: $(cat "$T/err")"
k=$(grep -n '"/proc/kallsyms"' "$T/st" | head -1 | cut -d: -f1)
x=$(grep -n "execve(\"$EX/hotloop\"" "$T/st" | head -1 | cut -d: -f1)
echo "kallsyms opened at line ${k:-none}, target exec at line ${x:-none}"
[ -n "$x" ] || fail "no exec of hotloop in the trace: $(head -c 600 "$T/st")"
[ -n "$k" ] || fail "/proc/kallsyms never opened"
[ "$k" -lt "$x" ] || fail "/proc/kallsyms read after the target started"
echo "ok"
