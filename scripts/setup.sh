#!/usr/bin/env bash
# setup.sh - install what cdoctor needs to build, test and run its demo.
#
# Idempotent: packages already installed are skipped, apt-get runs only
# when something is missing. Pass --bench to add the tools bench/ compares
# against (heaptrack, valgrind, hyperfine).
set -euo pipefail

pkgs=(build-essential cmake pkg-config clang clang-format libclang-rt-14-dev
      libunwind-dev libpfm4-dev libelf-dev libdw-dev libncurses-dev
      libcriterion-dev zlib1g-dev libiberty-dev linux-perf wrk chromium
      golang-go libcurl4-openssl-dev
      jq strace
      ca-certificates)
if [ "${1:-}" = "--bench" ]; then
	pkgs+=(heaptrack valgrind hyperfine)
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"

# LLVM's libunwind-14-dev ships its own <libunwind.h> and conflicts with
# Debian's libunwind-dev (the HP/nongnu libunwind whose remote API we use).
if dpkg-query -W -f='${Status}' libunwind-14-dev 2>/dev/null | grep -q "ok installed"; then
	echo "setup: removing libunwind-14-dev (conflicts with libunwind-dev)" >&2
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q libunwind-14-dev >&2
fi

if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}" >&2
	$sudo apt-get update -q >&2
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >&2
fi

if ! command -v node >/dev/null 2>&1; then
	echo "setup: node not found; installing Debian's nodejs and npm" >&2
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >&2
fi
