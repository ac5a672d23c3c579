#!/bin/bash
# heap_snapshot: on-demand heap snapshots of a running `cdoctor run --alloc`
# through its private control socket. Two snapshots named "early" and
# "late" land in the recording; the diff between them ranks the leak
# (remember_session) first; `heap export` writes one as its own .heap file
# that `cdoctor heap` reads; the socket is gone after the run; asking for
# a pid with no run fails with exit 2 and names the path tried.
. "$(dirname "$0")/run_common.bash"
need_perf
[ -f "${CDOC_SHIM:-}" ] || { echo "SKIP: no shim" >&2; exit 77; }
export CDOC_SHIM
# a private runtime directory of our own: nothing shared with other runs
mkdir -m 700 "$T/xdg"
export XDG_RUNTIME_DIR=$T/xdg
SOCKS=$T/xdg/cdoctor

# leaky_server: 20000 requests, 500 us apart: about 10 s or more
"$CDOCTOR" run --alloc --no-html -o "$T/r.cdr" \
	-- "$EX/leaky_server" 20000 500 >"$T/out" 2>"$T/err" &
run=$!
trap 'kill $run 2>/dev/null; rm -rf "$T"' EXIT

# wait (bounded) until the run listens; the socket is named by the pid
pid=
for _ in $(seq 600); do
	s=$(ls "$SOCKS" 2>/dev/null | grep -E '^[0-9]+\.sock$' | head -1)
	[ -n "$s" ] && { pid=${s%.sock}; break; }
	kill -0 $run 2>/dev/null || fail "run ended early: $(cat "$T/err")"
	sleep 0.1
done
[ -n "$pid" ] || fail "no control socket in $SOCKS after 60 s"
[ -S "$SOCKS/$pid.sock" ] || fail "$SOCKS/$pid.sock is not a socket"
[ "$(stat -c %a "$SOCKS")" = 700 ] || fail "socket dir not 0700"
# the run says which pid to ask
for _ in $(seq 100); do
	grep -q "target pid $pid" "$T/err" && break
	sleep 0.1
done
grep -q "cdoctor heap snapshot $pid" "$T/err" ||
	fail "run did not print the target pid: $(cat "$T/err")"

# let some sessions (and the shim's first batches) arrive first: on a
# loaded machine the target may not have served a request yet
sleep 1
"$CDOCTOR" heap snapshot "$pid" --name early >"$T/a1" ||
	fail "snapshot early: exit $?"
grep -Eq "^ok early /.*/r\.cdr$" "$T/a1" || fail "answer: $(cat "$T/a1")"
sleep 2 # sessions accumulate meanwhile
"$CDOCTOR" heap snapshot "$pid" --name late >"$T/a2" ||
	fail "snapshot late: exit $?"
grep -q "^ok late " "$T/a2" || fail "answer: $(cat "$T/a2")"
# a name the run cannot keep as it is comes back sanitized
"$CDOCTOR" heap snapshot "$pid" --name 'x y/z' >"$T/a3" ||
	fail "snapshot x y/z: exit $?"
grep -q "^ok x_y_z " "$T/a3" || fail "answer: $(cat "$T/a3")"

wait $run || fail "run exited $?: $(tail -5 "$T/err")"
grep -q "served 20000 requests" "$T/out" || fail "target output lost"
[ ! -e "$SOCKS/$pid.sock" ] || fail "socket left behind after the run"

# the recording holds early, late, x_y_z and exit, in that order
"$CDOCTOR" heap "$T/r.cdr" --list >"$T/list" || fail "heap --list"
names=$(awk '{print $2}' "$T/list" | grep -v '^t=' | tr '\n' ' ')
[ "$names" = "early late x_y_z exit " ] || fail "snapshots: $names"
"$CDOCTOR" heap "$T/r.cdr" --snapshot early >"$T/early.txt" ||
	fail "heap --snapshot early"
grep -q "remember_session" "$T/early.txt" || fail "early: no leak site"

# exported, each is a .heap file of its own; the diff ranks the leak first
"$CDOCTOR" heap export "$T/r.cdr" --snapshot early -o "$T/early.heap" ||
	fail "export early"
"$CDOCTOR" heap export "$T/r.cdr" --snapshot 1 -o "$T/late.heap" ||
	fail "export late (by index)"
[ "$(head -c 8 "$T/early.heap")" = "CDHEAP1" ] || fail "not a .heap file"
"$CDOCTOR" heap "$T/early.heap" >"$T/early2.txt" || fail "heap FILE.heap"
cmp -s "$T/early.txt" "$T/early2.txt" ||
	fail "exported snapshot reads differently from the recording's"
"$CDOCTOR" heap diff "$T/early.heap" "$T/late.heap" >"$T/diff" ||
	fail "heap diff"
grep -Eq "^ +1\. \+[0-9]+ bytes .*remember_session" "$T/diff" ||
	fail "remember_session not first by growth: $(head -5 "$T/diff")"

# no run for that pid: exit 2, naming the path tried
"$CDOCTOR" heap snapshot "$pid" >"$T/none" 2>"$T/none.err"
rc=$?
[ $rc = 2 ] || fail "snapshot without a run: exit $rc"
grep -q "$SOCKS/$pid.sock" "$T/none.err" ||
	fail "message does not name the path: $(cat "$T/none.err")"
"$CDOCTOR" heap export "$T/r.cdr" --snapshot nope -o "$T/n.heap" \
	2>/dev/null && fail "export of a missing snapshot succeeded"
# a planted control directory (a symlink): the run goes on without the
# channel, and says why
mkdir -m 700 "$T/xdg2" "$T/elsewhere"
ln -s "$T/elsewhere" "$T/xdg2/cdoctor"
XDG_RUNTIME_DIR=$T/xdg2 "$CDOCTOR" run --alloc --no-html -o "$T/p.cdr" \
	-- "$EX/leaky_server" 200 0 >/dev/null 2>"$T/p.err" ||
	fail "run with a planted directory exited $?: $(cat "$T/p.err")"
grep -q "warning: no on-demand heap snapshots: .*symbolic link" \
	"$T/p.err" || fail "no warning: $(cat "$T/p.err")"
[ -z "$(ls "$T/elsewhere")" ] || fail "wrote through the planted link"
echo "ok: early/late on demand, diff ranks remember_session first"
