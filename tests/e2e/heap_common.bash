# heap_common.bash - shared by tests/e2e/heap_*.sh (sourced, not a test):
# the variables they need, skip (77) without the preload library, $tmp (a
# scratch directory removed on exit) and fail().
set -u
: "${CDOCTOR:?}" "${CDOC_EXAMPLES:?}" "${CDOC_SHIM:?}"
[ -f "$CDOC_SHIM" ] || { echo "SKIP: no preload library" >&2; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
