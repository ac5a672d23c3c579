#!/bin/bash
# Functions in a shared library linked at start, and in a plugin loaded
# later with dlopen(), resolve by name.
. "$(dirname "$0")/run_common.bash"

"$CDOCTOR" run --no-html -o "$T/s.cdr" -- "$EX/shlib_work" 1 >/dev/null \
	2>"$T/err" || fail "run shlib_work: $(cat "$T/err")"
folded "$T/s.cdr" >"$T/s"
[ "$(top_self "$T/s")" = shlib_hot_checksum ] ||
	fail "shlib_work top: $(top_self "$T/s")"
grep -q ";main;shlib_hot_checksum" "$T/s" || fail "no main;shlib_hot_checksum"

"$CDOCTOR" run --no-html -o "$T/p.cdr" -- "$EX/plugin_host" 1 >/dev/null \
	2>"$T/err" || fail "run plugin_host: $(cat "$T/err")"
folded "$T/p.cdr" >"$T/p"
[ "$(top_self "$T/p")" = plugin_hot_transform ] ||
	fail "plugin_host top: $(top_self "$T/p")"
grep -q ";main;plugin_hot_transform" "$T/p" ||
	fail "no main;plugin_hot_transform"
echo ok
