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
echo "JS hot function in $n of $all samples"
[ $((n * 2)) -gt "$all" ] || fail "cdoctorJsHotFunction_[j] in $n of $all"
pid=$(json "$T/n.cdr" | sed -n 's/.*"target_pid": *"\([0-9]*\)".*/\1/p' | head -1)
[ -n "$pid" ] && rm -f "/tmp/perf-$pid.map"
echo ok
