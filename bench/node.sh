#!/bin/bash
# bench/node.sh - what profiling costs a Node.js server: requests per
# second under wrk for the same server (examples/node/healthy.js, or
# $SERVER) bare, under `cdoctor run` (CPU sampling + the Node agent, the
# default), under `node --cpu-prof` (V8's own profiler, what a Node user
# would reach for), and the agent's own share: `cdoctor run` with
# --no-node-agent, with --node-async (async-wait tracking), with
# --node-inlining (V8 inlining left on) and with CDOC_NODE_HEAP=1 (the
# sampling heap profiler on from the start, not only once the heap's
# floor keeps rising). The configurations run in turn,
# RUNS rounds of them (default 3, so a busy machine's swings fall on all
# alike); the median of each and its ratio to the bare run are printed,
# and the server's CPU time per 1000 requests (it reports its own
# requests and CPU time at exit, CDOC_EXAMPLE_STATS=1): the cost that a
# busy machine does not blur, since the server's CPU is counted only
# when it runs.
#
# Usage: bench/node.sh [BUILD_DIR] (default: build). LOAD_SECS=10 sets
# each wrk run's length, CONNS=8 its connections, RUNS=3 the rounds.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-${BUILD:-$SRC/build}}
CDOCTOR=$B/bin/cdoctor
SERVER=${SERVER:-$SRC/examples/node/healthy.js}
SECS=${LOAD_SECS:-10}
CONNS=${CONNS:-8}
RUNS=${RUNS:-3}
[ -x "$CDOCTOR" ] || { echo "build first: $CDOCTOR"; exit 2; }
command -v node >/dev/null && command -v wrk >/dev/null ||
	{ echo "needs node and wrk"; exit 2; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
WRK="wrk -t1 -c$CONNS -d${SECS}s"
export CDOC_EXAMPLE_STATS=1

rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$1" | tail -1; }
# CPU ms per 1000 requests from the server's own stats line in FILE.
cpu_per_k() {
	sed -n 's/^stats: requests=\([0-9]*\) cpu_ms=\([0-9]*\).*/\1 \2/p' "$1" |
		tail -1 | awk '$1 > 0 { printf "%.1f", $2 * 1000 / $1 }'
}

# plain NAME NODE_ARGS...: the server started by hand, wrk on its port.
plain() {
	local name=$1 pid port=
	shift
	(cd "$T" && exec node "$@" "$SERVER" 0 $((SECS + 60))) >"$T/$name.srv" 2>&1 &
	pid=$!
	for _ in $(seq 200); do
		port=$(sed -n 's/^listening on //p' "$T/$name.srv")
		[ -n "$port" ] && break
		sleep 0.05
	done
	[ -n "$port" ] || { echo "$name: the server did not start"; kill $pid; return; }
	$WRK "http://127.0.0.1:$port/" >"$T/$name.wrk" 2>&1
	kill -INT $pid 2>/dev/null
	wait $pid 2>/dev/null
}

# under NAME CDOCTOR_OPTIONS...: the server under cdoctor run.
under() {
	local name=$1
	shift
	(cd "$T" && "$CDOCTOR" run --no-html --force -o "$T/$name.cdr" "$@" \
		--on-port "$WRK http://127.0.0.1:\$PORT/ >$T/$name.wrk 2>&1" \
		-- node "$SERVER" 0 $((SECS + 60))) >"$T/$name.out" 2>&1
}

echo "server: $SERVER; wrk -t1 -c$CONNS, ${SECS} s each, $RUNS rounds;" \
	"$(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
CONFIGS="bare cdoctor cpuprof no_agent async inlining heap"
for i in $(seq "$RUNS"); do
	plain bare
	under cdoctor
	plain cpuprof --cpu-prof --cpu-prof-dir="$T/cpuprof"
	under no_agent --no-node-agent
	under async --node-async
	under inlining --node-inlining
	CDOC_NODE_HEAP=1 under heap
	for n in $CONFIGS; do
		echo "$(rps "$T/$n.wrk")" >>"$T/$n.all"
		f=$T/$n.out
		[ -f "$f" ] || f=$T/$n.srv
		echo "$(cpu_per_k "$f")" >>"$T/$n.cpu"
		rm -f "$T/$n.wrk" "$T/$n.cdr" "$T/$n.out" "$T/$n.srv"
	done
done

median() { grep . | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
base=$(median <"$T/bare.all")
cbase=$(median <"$T/bare.cpu")
printf '%-30s %9s %6s %12s %6s   %s\n' configuration req/s ratio \
	"CPU ms/1k req" ratio "req/s of each round"
for n in $CONFIGS; do
	case $n in
	bare) what="node (bare)" ;;
	cdoctor) what="cdoctor run (default)" ;;
	cpuprof) what="node --cpu-prof" ;;
	no_agent) what="cdoctor run --no-node-agent" ;;
	async) what="cdoctor run --node-async" ;;
	inlining) what="cdoctor run --node-inlining" ;;
	heap) what="CDOC_NODE_HEAP=1 cdoctor run" ;;
	esac
	r=$(median <"$T/$n.all")
	cp=$(median <"$T/$n.cpu")
	printf '%-30s %9s %6s %12s %6s   %s\n' "$what" "${r:-?}" \
		"$( [ -n "$r" ] && [ -n "$base" ] && echo "scale=2; $r / $base" | bc)" \
		"${cp:-?}" \
		"$( [ -n "$cp" ] && [ -n "$cbase" ] && echo "scale=2; $cp / $cbase" | bc)" \
		"$(tr '\n' ' ' <"$T/$n.all")"
done
