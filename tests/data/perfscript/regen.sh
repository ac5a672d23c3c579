#!/bin/bash
# regen.sh - rebuild the expected outputs in expected/ with FlameGraph's
# stackcollapse-perf.pl (from $FLAMEGRAPH_DIR). Run after adding an input
# here; the files it writes are data, compared byte for byte by
# tests/perfscript/golden.c and tests/e2e/collapse_golden.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fg=${FLAMEGRAPH_DIR:?set FLAMEGRAPH_DIR to a FlameGraph checkout}
shared=${CDOC_SHARED:-$here/../../../../shared}
mkdir -p "$here/expected"
inputs=("$here"/*.txt "$here"/*.txt.gz "$shared/data/perf-script-example.txt.gz")
for in in "${inputs[@]}"; do
	name=$(basename "$in"); name=${name%.gz}; name=${name%.txt}
	for opt in default pid tid kernel jit all addrs; do
		args=(); [ "$opt" = default ] || args=(--"$opt")
		out="$here/expected/$name.$opt.folded"
		zcat -f "$in" | perl "$fg/stackcollapse-perf.pl" "${args[@]}" \
			>"$out" 2>/dev/null
		if [ "$(stat -c %s "$out")" -gt 20000 ]; then
			gzip -9 -f -n "$out"
		fi
	done
done
# Event filter cases.
for ev in cpu-clock task-clock page-faults; do
	perl "$fg/stackcollapse-perf.pl" --event-filter="$ev" \
		"$here/hotloop-multievent.txt" \
		>"$here/expected/hotloop-multievent.event-$ev.folded" 2>/dev/null
done
