#!/bin/bash
# heap_daemon: the shim never takes over the program's descriptors. A
# daemon-style program (examples/alloc_daemon) closes 3-1023 at start,
# opens its log (fd 3), then allocates and logs 100 lines; its "dup2"
# variant puts the log on fds 3-15 and writes through each in turn; its
# "all" variant closes everything (close_range) and puts the log on every
# number up to its limit. Every line must reach the log bare, under the
# default sampled tracking, full tracking, frame-pointer stacks and a
# sample of every allocation, with the soft descriptor limit below the
# hard one and equal to it. Where the channel survives (plain, dup2),
# the allocations are still tracked.
. "$(dirname "$0")/heap_common.bash"
ex=$CDOC_EXAMPLES/alloc_daemon
[ -x "$ex" ] || fail "missing $ex"

# check LABEL VARIANT CMD...: the log holds exactly the 100 lines.
check() {
	local label=$1 variant=$2 n
	shift 2
	rm -f "$tmp/log"
	"$@" "$ex" "$tmp/log" "$variant" >"$tmp/out" 2>"$tmp/err" ||
		fail "$label $variant: exit $?: $(tail -3 "$tmp/out" "$tmp/err")"
	grep -q "logged 100 of 100 lines" "$tmp/out" ||
		fail "$label $variant: $(cat "$tmp/out")"
	n=$(grep -c '^line [0-9]* value [0-9]*$' "$tmp/log")
	[ "$n" = 100 ] && [ "$(wc -l <"$tmp/log")" = 100 ] ||
		fail "$label $variant: $n good lines of $(wc -l <"$tmp/log")"
}

heap=("$CDOCTOR" heap run -q --shim "$CDOC_SHIM" -o "$tmp/h.heap")

# modes TRACKED: every variant under every mode; TRACKED=1 when the
# shim's descriptors are out of the close loop's reach (above 1023).
modes() {
	local v tracked=$1
	for v in plain dup2 all; do
		check bare "$v"
		check "sampled (default rate)" "$v" "${heap[@]}" --sample 524288 --
		check "sampled (every allocation)" "$v" "${heap[@]}" --sample 1 --
		check full "$v" "${heap[@]}" --
		check "full --fp" "$v" "${heap[@]}" --fp --
		if [ "$tracked" = 1 ] && [ "$v" != all ]; then # still tracked
			"$CDOCTOR" heap "$tmp/h.heap" >"$tmp/sum" || fail "heap"
			grep -Eq "^Process .*alloc_daemon: 2[0-9][0-9] allocations" \
				"$tmp/sum" || fail "$v: not tracked (limit $(ulimit -Sn)): $(head -5 "$tmp/sum")"
		fi
	done
	# cdoctor run: sampled by default, --alloc for everything
	if "$CDOCTOR" run --no-html -o "$tmp/p.cdr" -- true >/dev/null 2>&1; then
		for v in plain dup2 all; do
			check "run" "$v" "$CDOCTOR" run --force --no-html -o "$tmp/r.cdr" --
			check "run --alloc" "$v" "$CDOCTOR" run --force --alloc --no-html \
				-o "$tmp/r.cdr" --
		done
	fi
}

hard=$(ulimit -Hn) soft=$(ulimit -Sn)
[ "$soft" = unlimited ] || [ "$soft" -gt 1100 ] && t=1 || t=0
modes $t
if [ "$hard" = unlimited ] || [ "$hard" -gt 1024 ]; then
	(ulimit -Sn 1024 && modes 1) || exit 1 # the shim's fds above the limit
fi
# soft = hard = 1024: the shim's fds are below 1024, the close loop takes
# the channel (tracking stops), the program must not notice
(ulimit -n 1024 2>/dev/null && modes 0) || exit 1
echo "ok: every line logged in every mode"
