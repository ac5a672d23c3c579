#!/bin/bash
# report_tui.sh - cdoctor report --tui under tmux (send-keys, capture-pane):
# findings first, help on ?, the top view re-ranks, the call tree expands,
# search finds a function (n steps), the flame view zooms, the profile
# picker opens, human units in the header, q quits with exit 0; `--tui
# KIND` picks a profile and an unknown KIND fails with exit 2; without a
# terminal it refuses with exit 2.
set -u
tmp=$(mktemp -d)
sock="$tmp/tmux.sock" # own server, no user configuration
tmx() { tmux -S "$sock" -f /dev/null "$@"; }
cleanup() {
	tmx kill-server 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	[ -f "$tmp/screen" ] && cat "$tmp/screen"
	exit 1
}
command -v tmux >/dev/null || { echo "no tmux; skipping"; exit 77; }

if ! "$CDOCTOR" run --no-html -d 3 -o "$tmp/a.cdr" -- \
	"$CDOC_EXAMPLES/sym_deep" >"$tmp/run.out" 2>&1; then
	cat "$tmp/run.out"
	echo "cdoctor run failed here; skipping"
	exit 77
fi

"$CDOCTOR" report --tui "$tmp/a.cdr" </dev/null >"$tmp/o" 2>"$tmp/e"
[ $? -eq 2 ] || fail "--tui without a terminal should exit 2"
grep -q 'needs a terminal' "$tmp/e" || fail "message: $(cat "$tmp/e")"
"$CDOCTOR" report "$tmp/a.cdr" --tui nosuch </dev/null >"$tmp/o" 2>"$tmp/e"
[ $? -eq 2 ] || fail "--tui with an unknown profile should exit 2"
grep -q "no samples in profile 'nosuch' (it has: cpu" "$tmp/e" ||
	fail "unknown profile message: $(cat "$tmp/e")"

# Wait (up to 60 s, polling) until the pane shows text matching $1.
screen() { tmx capture-pane -p -t t >"$tmp/screen"; }
wait_for() {
	local i
	for i in $(seq 1 300); do
		screen
		grep -qE -- "$1" "$tmp/screen" && return 0
		sleep 0.2
	done
	fail "did not see /$1/"
}
keys() { tmx send-keys -t t "$@"; }
start() {
	local i
	tmx kill-server 2>/dev/null
	for i in 1 2 3; do # a busy machine may fail to start the server
		tmx new-session -d -s t -x 120 -y 30 \
			"TERM=xterm $*; echo EXIT=\$? >$tmp/exit; sleep 30" &&
			tmx has-session -t t 2>/dev/null && return 0
		sleep 1
	done
	fail "tmux did not start"
}

start "$CDOCTOR" report --tui "$tmp/a.cdr"
wait_for 'cdoctor: Findings \| cpu \| [0-9.]+ (ms|s|min) \|'
grep -qE '^Verdict: [a-z-]+' "$tmp/screen" || fail "the verdict first"
grep -q 'One function dominates' "$tmp/screen" || fail "findings first"

keys '?'
wait_for 'this help'
keys x
wait_for 'Findings \(Tab'

keys 2
wait_for 'Callees \(total\)'
grep -q 'Top functions by self' "$tmp/screen" || fail "top by self"
grep -qE '^ *[0-9.]+% +[0-9.]+ (ms|s) +spin' "$tmp/screen" ||
	fail "spin with % and time first"
keys t
wait_for 'Top functions by total'

keys 3
wait_for 'Callees: from the entry point'
grep -q 'deep_8' "$tmp/screen" && fail "tree should start collapsed"
keys Down Right
wait_for '^ *[0-9.]+% .* - +sym_deep'
grep -q ' _start' "$tmp/screen" || fail "expanded: callees shown"
keys Left
wait_for '\+ +sym_deep' # collapsed again
grep -q ' _start' "$tmp/screen" && fail "collapsed: callees hidden"
keys e
wait_for '^ *[0-9.]+% .* - +deep_8'
grep -q ' spin' "$tmp/screen" || fail "hottest path expanded to spin"

keys c
wait_for 'Callers: where time went'
keys / spin Enter
wait_for "found 'spin'"
keys n
wait_for "found 'spin'"

keys 4
wait_for 'Flame graph, callers above callees'
grep -q '\[all' "$tmp/screen" || fail "flame root"
keys Down Enter
wait_for '\[sym_deep'
grep -q '\[all' "$tmp/screen" && fail "zoom should hide the root"
keys u
wait_for '\[all'

keys p
wait_for 'Profile \(up/down'
# each profile with its total in human units and its unit
wait_for ' cpu +[0-9.]+ (ms|s|min) +\(samples\)'
keys Escape
keys q
for i in $(seq 1 100); do
	[ -f "$tmp/exit" ] && break
	sleep 0.2
done
grep -q 'EXIT=0' "$tmp/exit" 2>/dev/null || fail "q should exit 0"

# --tui KIND (either order) opens that profile.
rm -f "$tmp/exit"
start "$CDOCTOR" report --tui cpu "$tmp/a.cdr"
wait_for 'cdoctor: Findings \| cpu \|'
keys q
echo ok
