#!/bin/bash
# node: JavaScript functions resolve through the perf map, marked _[j].
. "$(dirname "$0")/run_common.bash"
command -v node >/dev/null || { echo "SKIP: no node"; exit 77; }

"$CDOCTOR" run --no-html -o "$T/n.cdr" -- node \
	"$CDOC_SRC/examples/node_hot.js" 2 >/dev/null 2>"$T/err" ||
	fail "run node: $(cat "$T/err")"
folded "$T/n.cdr" >"$T/f"
n=$(total "$T/f" "cdoctorJsHotFunction[^;]*_\\[j\\]")
all=$(total "$T/f")
# the script's samples: the loop runs for a wall-clock time, so on a loaded
# machine node's start-up and its compiler threads take a larger share of
# all samples; the hot function must dominate the script's own.
script=$(total "$T/f" "node_hot\\.js:1:1[^;]*_\\[j\\]")
echo "JS hot function in $n of $all samples ($script in the script)"
[ "$script" -gt 0 ] && [ $((n * 2)) -gt "$script" ] ||
	fail "cdoctorJsHotFunction_[j] in $n of the script's $script ($all in all)"
pid=$(json "$T/n.cdr" | sed -n 's/.*"target_pid": *"\([0-9]*\)".*/\1/p' | head -1)
[ -n "$pid" ] && rm -f "/tmp/perf-$pid.map"
echo ok
