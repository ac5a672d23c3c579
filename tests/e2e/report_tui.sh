#!/bin/bash
# report_tui.sh - cdoctor report --tui in a pseudo-terminal: shows the top
# functions, the callers of the selected one, re-ranks by total, quits on
# q with exit 0; without a terminal it refuses with exit 2.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

if ! "$CDOCTOR" run --no-html -d 5 -o "$tmp/a.cdr" -- \
	"$CDOC_EXAMPLES/sym_deep" >"$tmp/run.out" 2>&1; then
	cat "$tmp/run.out"
	echo "cdoctor run failed here; skipping"
	exit 77
fi

"$CDOCTOR" report --tui "$tmp/a.cdr" </dev/null >"$tmp/o" 2>"$tmp/e"
[ $? -eq 2 ] || fail "--tui without a terminal should exit 2"
grep -q 'needs a terminal' "$tmp/e" || fail "message: $(cat "$tmp/e")"

python3 - "$CDOCTOR" "$tmp/a.cdr" <<'PY' || fail "tui session"
import os, pty, select, sys, time

def read_until(fd, text, limit=60):
    buf = b""
    end = time.time() + limit
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 1)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            if text in buf:
                return buf
    raise SystemExit("did not see %r in %r" % (text, buf[-400:]))

pid, fd = pty.fork()
if pid == 0:
    os.environ["TERM"] = "xterm"
    os.environ["LINES"], os.environ["COLUMNS"] = "30", "120"
    os.execv(sys.argv[1], [sys.argv[1], "report", "--tui", sys.argv[2]])
screen = read_until(fd, b"Callees (total)")
assert b"top functions by self" in screen
assert b"spin" in screen and b"Callers (total)" in screen
os.write(fd, b"t")
read_until(fd, b"total")  # curses redraws only what changed
os.write(fd, b"q")
_, status = os.waitpid(pid, 0)
assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
PY
echo ok
