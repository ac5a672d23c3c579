#!/bin/bash
# collapse_hotloop.sh - profile examples/hotloop with real perf, using
# frame pointers (-g) and DWARF unwinding (--call-graph dwarf), collapse
# with cflame, and check what a user would: mix_bits carries most of the
# samples, and its callers main -> run_work -> compute_hash appear in
# that order above it. Skips (77) only when perf cannot record here.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

hot="$CDOC_EXAMPLES/hotloop"
[ -x "$hot" ] || fail "$hot not built"
command -v perf >/dev/null || { echo "no perf here; skipping"; exit 77; }
if ! perf record -q -o "$tmp/probe.data" -- true >"$tmp/probe.out" 2>&1; then
	cat "$tmp/probe.out"
	echo "perf cannot record here; skipping"
	exit 77
fi

# check MODE: folded stacks in $tmp/MODE.folded
check() {
	local f="$tmp/$1.folded"
	awk -v mode="$1" '
	{
		n = $NF; stack = $0; sub(/ [0-9]+$/, "", stack)
		total += n
		k = split(stack, fr, ";")
		if (fr[k] == "mix_bits") leaf += n
		# callers in order: main, run_work, compute_hash, mix_bits
		want[1] = "main"; want[2] = "run_work"
		want[3] = "compute_hash"; want[4] = "mix_bits"
		j = 1
		for (i = 1; i <= k && j <= 4; i++)
			if (fr[i] == want[j]) j++
		if (j > 4) ordered += n
		if (fr[1] != "hotloop") badroot += n
	}
	END {
		if (total == 0) { print mode ": no samples"; exit 1 }
		printf "%s: total %d, mix_bits leaf %.1f%%, ordered chain %.1f%%\n",
			mode, total, 100 * leaf / total, 100 * ordered / total
		if (badroot > 0) { print mode ": stacks not rooted at hotloop"; exit 1 }
		if (leaf * 2 <= total) { print mode ": mix_bits is not hot"; exit 1 }
		if (ordered * 2 <= total) { print mode ": callers out of order"; exit 1 }
	}' "$f"
}

for mode in fp dwarf; do
	if [ $mode = fp ]; then cg=(-g); else cg=(--call-graph dwarf); fi
	perf record -q -F 499 "${cg[@]}" -o "$tmp/$mode.data" \
		-- "$hot" 1.5 >"$tmp/$mode.rec" 2>&1 ||
		{ cat "$tmp/$mode.rec"; fail "perf record $mode failed"; }
	perf script -i "$tmp/$mode.data" >"$tmp/$mode.txt" 2>/dev/null ||
		fail "perf script $mode failed"
	"$CFLAME" collapse "$tmp/$mode.txt" >"$tmp/$mode.folded" ||
		fail "cflame collapse $mode failed"
	head -3 "$tmp/$mode.folded"
	check $mode || fail "$mode profile"
	# Through a pipe, as users run it.
	perf script -i "$tmp/$mode.data" 2>/dev/null | "$CFLAME" collapse |
		cmp - "$tmp/$mode.folded" || fail "$mode: pipe output differs"
done
echo "ok"
