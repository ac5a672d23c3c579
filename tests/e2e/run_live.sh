#!/bin/bash
# run_live.sh - what cdoctor run says while it runs and after:
#  - with stderr on a terminal (a pseudo-terminal from python3's pty
#    module), the one-line live status (elapsed, samples, CPU, RSS, and
#    the event loop's p99 for a program with one);
#  - with stderr piped, no status line and no terminal escapes;
#  - --on-port with a program that never listens: the warning after
#    --port-wait, naming the command it waits to run (run bounded by -d);
#  - --open: the report handed to xdg-open (an xdg-open script first in
#    PATH that writes down its argument), or, with no xdg-open, a message
#    saying why and where the report is.
. "$(dirname "$0")/run_common.bash"
need_perf

# on_tty OUT CMD... - run CMD with its stdout and stderr on a terminal.
on_tty() {
	python3 - "$@" <<'PY'
import os, pty, sys
out = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
data = b""
while True:
    try:
        d = os.read(fd, 65536)
    except OSError:
        break
    if not d:
        break
    data += d
_, st = os.waitpid(pid, 0)
open(out, "wb").write(data)
sys.exit(os.waitstatus_to_exitcode(st))
PY
}

status_re=$'\r\033\\[Kcdoctor: [0-9]+\\.[0-9] s, [0-9]+ samples, CPU [0-9?]+%?, RSS [0-9?]'

# 1. terminal: the status line is drawn (the run lasts 1 s, the status
# comes every 200 ms) and cleared before the summary.
on_tty "$T/tty" "$CDOCTOR" run --no-html -o "$T/a.cdr" -- "$EX/hotloop" 1 ||
	fail "run on a terminal: exit $?: $(tail -5 "$T/tty")"
grep -Eaq "$status_re" "$T/tty" ||
	fail "no status line on a terminal: $(head -c 600 "$T/tty" | od -c | head)"
grep -aq "recording: $T/a.cdr" "$T/tty" || fail "no summary on a terminal"

# 2. piped: no status line, no escapes.
"$CDOCTOR" run --no-html -o "$T/b.cdr" -- "$EX/hotloop" 1 >"$T/out" \
	2>"$T/err" || fail "piped run: exit $?: $(tail -3 "$T/err")"
grep -q "samples, CPU" "$T/err" && fail "status line when piped"
grep -q $'\033' "$T/err" && fail "terminal escapes when piped"
grep -q "recording: $T/b.cdr" "$T/err" || fail "no summary when piped"

# 3. --on-port, the program never listens: warned after --port-wait.
timeout 60 "$CDOCTOR" run --no-html -o "$T/c.cdr" --port-wait 0.5 -d 3 \
	--on-port 'echo never-run' -- sleep 30 >"$T/out" 2>"$T/err"
rc=$?
[ $rc != 124 ] || fail "--on-port run did not end"
[ $rc != 2 ] || fail "--on-port run failed: $(cat "$T/err")"
grep -q "has listened on no TCP port after 0.5 s" "$T/err" ||
	fail "no --on-port warning: $(cat "$T/err")"
grep -q "echo never-run" "$T/err" || fail "warning does not name the command"
grep -q never-run "$T/out" && fail "the load command ran"
[ "$(grep -c "has listened on no TCP port" "$T/err")" = 1 ] ||
	fail "the warning is repeated"

# 4. --open with an xdg-open in PATH: it gets the report's path.
mkdir "$T/bin"
printf '#!/bin/sh\necho "$1" >"%s/opened.tmp" && mv "%s/opened.tmp" "%s/opened"\n' \
	"$T" "$T" "$T" >"$T/bin/xdg-open"
chmod +x "$T/bin/xdg-open"
DISPLAY=:0 PATH="$T/bin:$PATH" "$CDOCTOR" run --open -o "$T/d.cdr" -- \
	"$EX/hotloop" 0.2 >"$T/out" 2>"$T/err" ||
	fail "--open run: exit $?: $(tail -3 "$T/err")"
for _ in $(seq 100); do # xdg-open is not waited for: give it up to 10 s
	[ -e "$T/opened" ] && break
	sleep 0.1
done
[ "$(cat "$T/opened" 2>/dev/null)" = "$T/d.cdr.html" ] ||
	fail "xdg-open did not get the report: $(cat "$T/opened" 2>&1)"

# 5. --open without xdg-open: says why, and where the report is.
env -u DISPLAY -u WAYLAND_DISPLAY PATH=/nonexistent \
	"$CDOCTOR" run --open -o "$T/e.cdr" -- "$EX/hotloop" 0.2 \
	>"$T/out" 2>"$T/err" || fail "--open run (no xdg-open): exit $?"
grep -q "xdg-open is not installed.*$T/e.cdr.html" "$T/err" ||
	fail "no reason given: $(tail -3 "$T/err")"

# 6. an event loop on a terminal: the status line gains the loop's p99 once
# a loop thread is known (loop_ticks runs 2000 turns of >= 1 ms each, so
# the run outlasts many 200 ms status lines whatever the machine's load).
on_tty "$T/tty2" "$CDOCTOR" run --no-html -o "$T/g.cdr" -- \
	"$EX/loop_ticks" epoll 2000 50 >/dev/null ||
	fail "loop run on a terminal: exit $?: $(tail -5 "$T/tty2")"
grep -Eaq "$status_re[^\r]*, loop p99 [0-9]+\.[0-9] ms" "$T/tty2" ||
	fail "no loop p99 in the status line: $(tr '\r' '\n' <"$T/tty2" | tail -5)"
grep -aq "loop p99" "$T/tty" && fail "loop p99 shown for a program with no loop"

# --open with --no-html is a usage error.
"$CDOCTOR" run --open --no-html -o "$T/f.cdr" -- true 2>"$T/err" &&
	fail "--open --no-html accepted"
grep -q "exclude each other" "$T/err" || fail "$(cat "$T/err")"
echo ok
