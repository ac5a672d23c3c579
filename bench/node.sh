#!/bin/bash
# bench/node.sh - what profiling costs a Node.js server: requests per
# second under wrk for the same server (examples/node/healthy.js, or
# $SERVER) bare, under `cdoctor run` (CPU sampling + the Node agent, the
# default), under `node --cpu-prof` (V8's own profiler, what a Node user
# would reach for), and the agent's own share: `cdoctor run` with
# --no-node-agent, with --node-async (async-wait tracking) and with
# --node-inlining (V8 inlining left on). The configurations run in turn,
# RUNS rounds of them (default 3, so a busy machine's swings fall on all
# alike); the median of each and its ratio to the bare run are printed.
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

rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$1" | tail -1; }

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
CONFIGS="bare cdoctor cpuprof no_agent async inlining"
for i in $(seq "$RUNS"); do
	plain bare
	under cdoctor
	plain cpuprof --cpu-prof --cpu-prof-dir="$T/cpuprof"
	under no_agent --no-node-agent
	under async --node-async
	under inlining --node-inlining
	for n in $CONFIGS; do
		echo "$(rps "$T/$n.wrk")" >>"$T/$n.all"
		rm -f "$T/$n.wrk" "$T/$n.cdr"
	done
done

median() { grep . | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
base=$(median <"$T/bare.all")
printf '%-30s %10s %8s   %s\n' configuration req/s ratio "each round"
for n in $CONFIGS; do
	case $n in
	bare) what="node (bare)" ;;
	cdoctor) what="cdoctor run (default)" ;;
	cpuprof) what="node --cpu-prof" ;;
	no_agent) what="cdoctor run --no-node-agent" ;;
	async) what="cdoctor run --node-async" ;;
	inlining) what="cdoctor run --node-inlining" ;;
	esac
	r=$(median <"$T/$n.all")
	printf '%-30s %10s %8s   %s\n' "$what" "${r:-?}" \
		"$( [ -n "$r" ] && [ -n "$base" ] && echo "scale=2; $r / $base" | bc)" \
		"$(tr '\n' ' ' <"$T/$n.all")"
done
