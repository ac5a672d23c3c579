#!/bin/bash
# node agent, processes and threads: a cluster of 2 forked workers and a
# server with 2 worker_threads report each event loop on its own
# (NAME[PID] for a process's main thread, NAME[PID:TID] for a worker
# thread); the loops that do the work are busy, and GC pressure shows as
# GC count and pause time (verdict gc-pressure naming the allocating
# function). Nothing is left in the working directory.
. "$(dirname "$0")/node_common.bash"

node_record cluster cluster
loops=$($EVIDENCE loops "$T/cluster.json" node_loop_delay_p99_ms)
echo "cluster loops: $(echo $loops)"
[ "$(printf '%s\n' "$loops" | grep -c .)" -ge 3 ] ||
	fail "cluster: loops $loops (primary and 2 workers)"
printf '%s\n' "$loops" | grep -q : && fail "cluster: a thread in $loops"
busy=0
for l in $loops; do
	u=$(metric cluster "node_loop_util_pct[$l]" max)
	echo "  loop $l: utilisation max $u%"
	ge "$u" 20 && busy=$((busy + 1))
done
[ "$busy" -ge 2 ] || fail "cluster: $busy busy worker loops"

node_record threads worker_threads
loops=$($EVIDENCE loops "$T/threads.json" node_loop_util_pct)
echo "worker_threads loops: $(echo $loops)"
[ "$(printf '%s\n' "$loops" | grep -c :)" -ge 2 ] ||
	fail "worker_threads: loops $loops (2 worker threads)"
[ "$(printf '%s\n' "$loops" | grep -vc :)" = 1 ] ||
	fail "worker_threads: loops $loops (one main thread)"
busy=0
for l in $(printf '%s\n' "$loops" | grep :); do
	u=$(metric threads "node_loop_util_pct[$l]" max)
	echo "  thread loop $l: utilisation max $u%"
	ge "$u" 20 && busy=$((busy + 1))
done
[ "$busy" -ge 2 ] || fail "worker_threads: $busy busy thread loops"

node_record gc gc_pressure
n=$(metric gc node_gc_count sum)
ms=$(metric gc node_gc_pause_ms sum)
echo "gc_pressure: $n collections, $ms ms of pauses"
# a saturated machine serves it few requests: a handful of collections
ge "$n" 5 || fail "gc_pressure: $n collections"
ge "$ms" 1 || fail "gc_pressure: $ms ms of GC pauses"
verdict gc gc-pressure cdoctorJsBuildRows
# each process and worker thread unlinked V8's log of its isolate
ls "$T/cwd" | grep -q . && fail "left in the working directory: $(ls "$T/cwd")"
echo ok
