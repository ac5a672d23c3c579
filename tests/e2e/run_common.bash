# run_common.bash - shared by tests/e2e/run_*.sh (sourced, not a test).
# Sets $T (scratch dir, removed on exit), $EX (examples) and helpers.
set -u
: "${CDOCTOR:?}" "${CDOC_EXAMPLES:?}"
EX=$CDOC_EXAMPLES
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Skip (77) when perf events cannot be opened here at all.
need_perf() {
	local p
	p=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 2)
	if [ "$(id -u)" != 0 ] && [ "$p" -gt 1 ]; then
		echo "SKIP: perf_event_paranoid=$p and not root" >&2
		exit 77
	fi
}

# folded REC: the cpu profile as folded stacks.
folded() {
	"$CDOCTOR" report "$1" --folded cpu
}

# total FOLDED_FILE [REGEX]: sum of counts of lines matching REGEX.
total() {
	awk -v re="${2:-.}" '$0 ~ re { n += $NF } END { print n + 0 }' "$1"
}

# top_self FOLDED_FILE: the leaf frame with the most samples.
top_self() {
	awk '{ c = $NF; sub(/ [0-9]+$/, ""); n = split($0, f, ";");
	       s[f[n]] += c } END { for (k in s) print s[k], k }' "$1" |
		sort -rn | head -1 | cut -d' ' -f2-
}

# user_leaves FOLDED_FILE: the samples whose leaf is outside the kernel,
# as "COUNT LEAF" lines (how much CPU the program's own code burned, and
# where; syscalls are left out, a busy machine inflates them).
user_leaves() {
	awk '{ c = $NF; sub(/ [0-9]+$/, ""); n = split($0, f, ";");
	       if (f[n] !~ /_\[k\]$/) s[f[n]] += c }
	     END { for (k in s) print s[k], k }' "$1" | sort -rn
}

# json REC: the report as JSON (meta, counters, processes).
json() {
	"$CDOCTOR" report "$1" --json
}
need_perf
