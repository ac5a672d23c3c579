#!/bin/bash
# node, default call graph: whole mixed-mode stacks. DWARF through native
# frames, frame pointers through JIT code and V8's builtins, DWARF again for
# native code called from JavaScript (OpenSSL under crypto.pbkdf2Sync,
# JSON.stringify in an http handler): most samples reach the thread's entry,
# JS functions have one name each (no V8 tier marker), native code called
# from JS sits under its JS caller, and an http server's stacks (JS under
# libuv's loop) are whole under load, with no advice to raise --stack-size.
. "$(dirname "$0")/run_common.bash"
command -v node >/dev/null || { echo "SKIP: no node"; exit 77; }
need_perf

# record NAME SCRIPT: default mode (no --call-graph), folded into $T/NAME.
record() {
	"$CDOCTOR" run --no-html -o "$T/$1.cdr" -- node "$CDOC_SRC/examples/$2" 3 \
		>/dev/null 2>"$T/$1.err" || fail "run node $2: $(cat "$T/$1.err")"
	folded "$T/$1.cdr" >"$T/$1"
	pid=$(json "$T/$1.cdr" |
		sed -n 's/.*"target_pid": *"\([0-9]*\)".*/\1/p' | head -1)
	[ -n "$pid" ] && rm -f "/tmp/perf-$pid.map"
}

# Stacks whose root (after the process name) is a thread's entry.
ENTRY='^[^;]*;(_start|_dl_start_user|clone|clone3|start_thread);'

record hot node_hot.js
all=$(total "$T/hot")
whole=$(total "$T/hot" "$ENTRY")
hot=$(total "$T/hot" ";JS:cdoctorJsHotFunction ")
hot_main=$(total "$T/hot" \
	"^[^;]*;_start;.*;node::Start;.*;JS:cdoctorJsHotFunction [^;]*_\\[j\\]")
hot_caller=$(total "$T/hot" \
	";JS: [^;]*node_hot\\.js:1:1_\\[j\\];JS:cdoctorJsHotFunction ")
trunc=$(sed -n 's/.* \([0-9]*\) truncated stacks.*/\1/p' "$T/hot.err")
echo "node_hot: $whole of $all samples reach an entry, $trunc truncated;" \
	"hot function in $hot ($hot_main from main, $hot_caller under" \
	"the script)"
[ "$all" -ge 50 ] || fail "only $all samples"
[ $((whole * 4)) -ge $((all * 3)) ] || fail "$whole of $all reach an entry"
[ -n "$trunc" ] || fail "no truncation count in: $(cat "$T/hot.err")"
[ $((trunc * 4)) -le "$all" ] || fail "$trunc of $all truncated"
# Among the script's samples (node's start-up, compiler and GC threads
# take a share of the rest that grows on a loaded machine), and a quarter
# of them: once V8 inlines the hot function into the script's loop, its
# samples carry the script's name (45% seen in CI runs, 70% by hand).
script=$(total "$T/hot" ";JS: [^;]*node_hot\\.js:1:1_\\[j\\]")
[ $((hot * 4)) -ge "$script" ] && [ "$script" -gt 0 ] ||
	fail "hot function in $hot of the script's $script samples"
[ $((hot_main * 4)) -ge $((hot * 3)) ] ||
	fail "hot function reaches node::Start in $hot_main of $hot"
[ $((hot_caller * 2)) -ge "$hot" ] ||
	fail "hot function under the script's frame in $hot_caller of $hot"
names=$(tr ';' '\n' <"$T/hot" | sed 's/ [0-9]*$//' |
	grep -c '^JS:cdoctorJsHotFunction .*node_hot\.js' | head -1)
distinct=$(tr ';' '\n' <"$T/hot" | sed 's/ [0-9]*$//' |
	grep 'cdoctorJsHotFunction' | sort -u)
[ "$(printf '%s\n' "$distinct" | wc -l)" = 1 ] ||
	fail "one function, several names: $distinct"
[ "$names" -ge 1 ] || fail "no JS:cdoctorJsHotFunction frame"
if grep -Eq '(^|;)(JS|LazyCompile|Function|Eval|Script):[*~^+]' "$T/hot"; then
	fail "tier markers left: $(grep -Eo '(JS|LazyCompile|Function):[*~^+][^;]*' "$T/hot" | head -3)"
fi

record mixed node_mixed.js
all=$(total "$T/mixed")
whole=$(total "$T/mixed" "$ENTRY")
native=$(total "$T/mixed" ";PKCS5_PBKDF2_HMAC;")
native_js=$(total "$T/mixed" \
	"^[^;]*;_start;.*;node::Start;.*;JS:cdoctorJsWork [^;]*;JS:cdoctorJsHashPassword [^;]*_\\[j\\];.*;PKCS5_PBKDF2_HMAC;")
spin=$(total "$T/mixed" ";JS:cdoctorJsWork [^;]*;JS:cdoctorJsSpin ")
echo "node_mixed: $whole of $all reach an entry; OpenSSL PBKDF2 in" \
	"$native, $native_js of them under the JS caller and node::Start;" \
	"JS spin in $spin"
[ $((whole * 4)) -ge $((all * 3)) ] || fail "$whole of $all reach an entry"
[ "$native" -ge 20 ] || fail "PKCS5_PBKDF2_HMAC in only $native samples"
[ $((native_js * 4)) -ge $((native * 3)) ] ||
	fail "native code under its JS caller in $native_js of $native"
[ "$spin" -ge 1 ] || fail "no cdoctorJsSpin under cdoctorJsWork"

command -v wrk >/dev/null || { echo "SKIP: no wrk for the server part"; exit 77; }
"$CDOCTOR" run --no-html -o "$T/srv.cdr" \
	--on-port 'wrk -t1 -c4 -d3s http://127.0.0.1:$PORT/ >/dev/null' \
	-- node "$CDOC_SRC/examples/node_server.js" 0 60 >/dev/null \
	2>"$T/srv.err" || fail "run node server: $(cat "$T/srv.err")"
folded "$T/srv.cdr" >"$T/srv"
pid=$(json "$T/srv.cdr" | sed -n 's/.*"target_pid": *"\([0-9]*\)".*/\1/p' |
	head -1)
[ -n "$pid" ] && rm -f "/tmp/perf-$pid.map"
all=$(total "$T/srv")
whole=$(total "$T/srv" "$ENTRY")
handler=$(total "$T/srv" ";JS:cdoctorJsHandle ")
handler_main=$(total "$T/srv" \
	"^[^;]*;_start;.*;node::Start;.*;uv_run;.*;JS:cdoctorJsHandle [^;]*_\\[j\\]")
json_native=$(total "$T/srv" ";JS:cdoctorJsHandle [^;]*_\\[j\\];.*JsonStringifier")
json_main=$(total "$T/srv" \
	"^[^;]*;_start;.*;node::Start;.*;JS:cdoctorJsHandle [^;]*_\\[j\\];.*JsonStringifier")
echo "node_server: $whole of $all reach an entry; handler in $handler" \
	"($handler_main under uv_run and node::Start); JSON.stringify under" \
	"the handler in $json_native ($json_main from node::Start)"
[ "$all" -ge 50 ] || fail "only $all samples"
[ $((whole * 4)) -ge $((all * 3)) ] || fail "$whole of $all reach an entry"
[ $((handler_main * 4)) -ge $((handler * 3)) ] ||
	fail "handler reaches node::Start in $handler_main of $handler"
[ "$json_native" -ge 10 ] || fail "JSON serializer under the handler in $json_native"
[ $((json_main * 4)) -ge $((json_native * 3)) ] ||
	fail "JSON serializer reaches node::Start in $json_main of $json_native"
if json "$T/srv.cdr" | grep -q '"truncated-stacks"\|"unwind-failures"'; then
	fail "the report still blames the stack copy: $(json "$T/srv.cdr" |
		grep -o '"[a-z-]*stack[a-z-]*"' | sort -u)"
fi
echo ok
