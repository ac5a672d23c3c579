# node_common.bash - shared by tests/e2e/node_*.sh (sourced, not a test):
# run_common.bash, the examples in examples/node, and helpers to record a
# server under wrk and read the agent's evidence back.
. "$(dirname "${BASH_SOURCE[0]}")/run_common.bash"
command -v node >/dev/null || { echo "SKIP: no node"; exit 77; }
command -v wrk >/dev/null || { echo "SKIP: no wrk"; exit 77; }
EXN=$CDOC_SRC/examples/node
EVIDENCE="python3 $CDOC_SRC/tests/e2e/node_evidence.py"

# node_record NAME EXAMPLE [CDOCTOR_OPTIONS...] [-- SERVER_ARGS...]:
# record examples/node/EXAMPLE.js under wrk for ${LOAD_SECS:-6} s (run in
# $T/cwd, so files left in the working directory can be checked); the
# recording is $T/NAME.cdr, its JSON report $T/NAME.json.
node_record() {
	local name=$1 ex=$2 opts=() args=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	args=("$@")
	mkdir -p "$T/cwd"
	(cd "$T/cwd" && "$CDOCTOR" run --no-html -o "$T/$name.cdr" "${opts[@]}" \
		--on-port "wrk -t1 -c8 -d${LOAD_SECS:-6}s http://127.0.0.1:\$PORT/ >/dev/null" \
		-- node "$EXN/$ex.js" 0 120 "${args[@]}" >"$T/$name.out" 2>"$T/$name.err") ||
		fail "run $ex: $(cat "$T/$name.err")"
	json "$T/$name.cdr" >"$T/$name.json" || fail "report $name"
	local pid
	pid=$(sed -n 's/.*"target_pid": *"\([0-9]*\)".*/\1/p' "$T/$name.json" | head -1)
	[ -n "$pid" ] && rm -f "/tmp/perf-$pid.map"
	return 0
}

# metric NAME METRIC STAT: see node_evidence.py.
metric() {
	$EVIDENCE metric "$T/$1.json" "$2" "$3"
}

# ge A B: A >= B for decimal numbers ("none" is never).
ge() {
	[ "$1" != none ] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'
}

# verdict NAME CATEGORY FUNCTION: the verdict is CATEGORY with FUNCTION
# among its culprits (the Node rules' evidence holds on a busy machine:
# CPU per request, GC CPU share, heap floor; docs/node.md).
verdict() {
	local got
	got=$($EVIDENCE verdict "$T/$1.json" "$2" "$3")
	echo "$1: $2 ($3): $got"
	case $got in
	verdict) ;;
	no-verdict) echo "  (this build has no verdict: not checked)" ;;
	*) fail "$1: the verdict is not $2 naming $3: $got" ;;
	esac
}

# top_stack REC PROFILE: the heaviest stack of PROFILE (folded, no count).
top_stack() {
	"$CDOCTOR" report "$1" --folded "$2" |
		awk '{ c = $NF; sub(/ [0-9]+$/, ""); s[$0] += c }
		     END { for (k in s) print s[k] "\t" k }' |
		sort -rn | head -1 | cut -f2-
}
