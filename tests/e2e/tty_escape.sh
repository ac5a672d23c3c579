#!/bin/bash
# tty_escape.sh - folded output (cdoctor report --folded, cflame diff,
# cflame collapse) holding a frame name with an escape sequence and
# invalid UTF-8: byte-exact through a pipe, neutralised ('?') on a
# terminal (a pseudo-terminal from python3's pty module).
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

python3 "$CDOC_SRC/tests/e2e/gen-hostile.py" evil-rec "$tmp/evil.cdr" ||
	fail "gen"
printf 'main;\033]0;owned\007evil\377\376 3\nmain;ok 2\n' >"$tmp/evil.folded"
printf 'main 1 1.0: 1 cpu-clock:\n\t1234 \033[2Jevil\377 (/bin/x)\n\n' \
	>"$tmp/evil.txt"

# on_tty OUT CMD... - run CMD with its stdout on a pseudo-terminal.
on_tty() {
	python3 - "$@" <<'PY'
import os, pty, sys
out = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    # stderr off the terminal: progress lines use escapes of their own
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
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

# check NAME: piped output holds the raw bytes, the terminal's none.
check() {
	grep -q $'\033' "$tmp/$1.pipe" || fail "$1: piped output changed"
	grep -q $'\377' "$tmp/$1.pipe" || fail "$1: piped output changed"
	grep -q $'\033' "$tmp/$1.tty" && fail "$1: escape sent to a terminal"
	python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' \
		"$tmp/$1.tty" || fail "$1: invalid UTF-8 sent to a terminal"
	grep -q 'evil' "$tmp/$1.tty" || fail "$1: name missing on the terminal"
}

"$CDOCTOR" report --folded cpu "$tmp/evil.cdr" >"$tmp/report.pipe" ||
	fail "report exit"
on_tty "$tmp/report.tty" "$CDOCTOR" report --folded cpu "$tmp/evil.cdr" ||
	fail "report on a tty"
check report
# The pipe is byte-exact: the name as recorded.
grep -q $'main;\033]0;owned\007evil\377\376 3' "$tmp/report.pipe" ||
	fail "report: bytes changed"

"$CFLAME" diff "$tmp/evil.folded" "$tmp/evil.folded" >"$tmp/diff.pipe" ||
	fail "diff exit"
on_tty "$tmp/diff.tty" "$CFLAME" diff "$tmp/evil.folded" "$tmp/evil.folded" ||
	fail "diff on a tty"
check diff
grep -q $'^main;\033]0;owned\007evil\377\376 3 3$' "$tmp/diff.pipe" ||
	fail "diff: bytes changed"

"$CFLAME" collapse "$tmp/evil.txt" >"$tmp/collapse.pipe" || fail "collapse"
on_tty "$tmp/collapse.tty" "$CFLAME" collapse "$tmp/evil.txt" ||
	fail "collapse on a tty"
check collapse
echo ok
