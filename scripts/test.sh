#!/usr/bin/env bash
# test.sh - install what is needed, build, and run every test cdoctor has:
#   1. the normal build: criterion suites, end-to-end tests on examples/,
#      browser tests in headless Chromium;
#   2. an ASan+UBSan build: the criterion suites and the cflame end-to-end
#      tests again;
#   3. a libFuzzer build (clang): a short fuzz run of every parser.
# Ends with one line "N passed, N failed". Exit status 0 only if all passed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=$(nproc)
fuzz_seconds=${CDOC_FUZZ_SECONDS:-15}

bash scripts/setup.sh || { echo "test: setup failed" >&2; exit 2; }

passed=0
failed=0
failures=()

# run_ctest NAME DIR ARGS...: run ctest, add its counts to the totals.
run_ctest() {
	local name=$1 dir=$2 log
	shift 2
	log=$(mktemp)
	(cd "$dir" && ctest --output-on-failure "$@") 2>&1 | tee "$log"
	local line total nfail
	line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1)
	if [ -z "$line" ]; then
		if grep -q 'No tests were found' "$log"; then
			rm -f "$log"
			return
		fi
		failed=$((failed + 1))
		failures+=("$name: ctest did not finish")
	else
		nfail=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
		total=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$line")
		passed=$((passed + total - nfail))
		failed=$((failed + nfail))
		[ "$nfail" = 0 ] || failures+=("$name: $nfail failed")
	fi
	rm -f "$log"
}

# build DIR CMAKE-ARGS...: configure and build; counts a failure if not.
build() {
	local dir=$1
	shift
	if cmake -S "$root" -B "$dir" "$@" >"$dir.cmake.log" 2>&1 &&
	   cmake --build "$dir" -j"$jobs" 2>&1 | tail -n 40; then
		[ "${PIPESTATUS[0]}" = 0 ] && return 0
	fi
	cat "$dir.cmake.log" >&2
	failed=$((failed + 1))
	failures+=("build $dir failed")
	return 1
}

echo "== build (RelWithDebInfo)"
mkdir -p build
if build build -DCMAKE_BUILD_TYPE=RelWithDebInfo; then
	if [ -f tests/browser/package-lock.json ]; then
		(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error) ||
			echo "test: npm ci failed; browser tests will be skipped" >&2
	fi
	echo "== tests: unit, end-to-end, browser"
	run_ctest main build -j"$jobs" -LE fuzz
fi

echo "== build (ASan + UBSan)"
mkdir -p build-asan
if build build-asan -DCMAKE_BUILD_TYPE=Debug -DCDOC_SANITIZE=ON; then
	echo "== tests under sanitizers: unit and cflame end-to-end"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_ctest asan build-asan -j"$jobs" -L unit
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
		run_ctest asan-e2e build-asan -R '^e2e_(collapse|flame)'
fi

echo "== build (libFuzzer, clang)"
mkdir -p build-fuzz
if CC=clang CXX=clang++ build build-fuzz -DCMAKE_BUILD_TYPE=Debug \
	-DCDOC_FUZZ=ON -DCDOC_TESTS=OFF -DCDOC_FUZZ_SECONDS="$fuzz_seconds"; then
	echo "== fuzz: ${fuzz_seconds}s per parser"
	run_ctest fuzz build-fuzz -L fuzz
fi

echo
for f in "${failures[@]}"; do
	echo "FAILED: $f"
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
