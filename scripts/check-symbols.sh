#!/bin/bash
# check-symbols.sh BUILD - the naming rule for libcdoc's external symbols
# (docs/architecture.md): public API is cdoc_..., and an internal shared
# between files of module M is M__... (libuv's uv__ rule); everything else
# is static. Reads the objects of BUILD/CMakeFiles/cdoc.dir/lib/<M>/,
# prints each symbol that breaks the rule with its file, exits 1 if any.
#
# Modules in CDOC_SYMBOLS_PENDING (space-separated; default none) are
# listed but do not fail.
set -u
dir=${1:?usage: check-symbols.sh BUILD-DIR}/CMakeFiles/cdoc.dir/lib
pending=" ${CDOC_SYMBOLS_PENDING-} "
bad=0
nobj=0
for obj in "$dir"/*/*.o; do
	[ -e "$obj" ] || continue
	nobj=$((nobj + 1))
	mod=$(basename "$(dirname "$obj")")
	src=lib/$mod/$(basename "$obj" .o)
	for sym in $(nm -g --defined-only "$obj" | awk 'NF == 3 { print $3 }'); do
		case $sym in
		cdoc_* | "$mod"__*) continue ;;
		__*) continue ;; # the compiler's (sanitizers: __odr_asan...)
		esac
		if [[ $pending == *" $mod "* ]]; then
			echo "pending: $src: $sym"
		else
			echo "unprefixed: $src: $sym"
			bad=1
		fi
	done
done
if [ "$nobj" = 0 ]; then
	echo "check-symbols: no objects under $dir" >&2
	exit 2
fi
exit $bad
