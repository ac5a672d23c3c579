#!/bin/bash
# run_fds: `cdoctor run` keeps live file descriptors by the call site that
# opened them. fd_leak opens a file per request and forgets one in EVERY
# in load_settings_leaky, while other functions open and close files,
# pipes, socket pairs, stdio streams and dups correctly, then forks a
# child that inherits the leaked descriptors. fd_live (descriptors open at
# the end, by opening site) must rank load_settings_leaky first with
# exactly the count the program printed (the child's inherited copies are
# not counted again), and no correctly closed site may appear in it;
# fd_open and fd_close count every open and close per site.
. "$(dirname "$0")/run_common.bash"
need_perf
[ -f "${CDOC_SHIM:-}" ] || { echo "SKIP: no shim" >&2; exit 77; }
export CDOC_SHIM

"$CDOCTOR" run --no-html -o "$T/f.cdr" -- "$EX/fd_leak" 600 7 \
	>"$T/out" 2>"$T/err" || fail "run exited $?: $(cat "$T/err")"
want=$(sed -n 's/^leaked \([0-9]*\) descriptors.*/\1/p' "$T/out")
[ "$want" = 85 ] || fail "target output lost or changed: $(cat "$T/out")"

"$CDOCTOR" report "$T/f.cdr" --folded fd_live >"$T/live" ||
	fail "no fd_live profile"
top=$(sort -t' ' -k2 -n -r "$T/live" | head -1)
case "$top" in
"fd_leak;"*";load_settings_leaky;[open:file] $want") ;;
*) fail "first live site is not load_settings_leaky $want: $top
$(cat "$T/live")" ;;
esac
for f in read_page exchange_over_pipe ping_over_socketpair append_log \
	check_dup; do
	! grep -q ";$f;" "$T/live" || fail "$f closes what it opens, yet is live:
$(grep ";$f;" "$T/live")"
done

# opens and closes per site, with the call and type as the last frame
"$CDOCTOR" report "$T/f.cdr" --folded fd_open >"$T/open" || fail "fd_open"
"$CDOCTOR" report "$T/f.cdr" --folded fd_close >"$T/close" || fail "fd_close"
n=$(total "$T/open" ';read_page;\[open:file\] ')
[ "$n" = 601 ] || fail "read_page opened $n files, not 601 (600 + the child)"
n=$(total "$T/close" ';read_page;\[open:file\] ')
[ "$n" = 601 ] || fail "read_page closed $n files, not 601"
n=$(total "$T/open" ';load_settings_leaky;\[open:file\] ')
[ "$n" = 85 ] || fail "load_settings_leaky opened $n, not 85"
[ "$(total "$T/close" ';load_settings_leaky;')" = 0 ] ||
	fail "load_settings_leaky never closes, yet has closes"
for s in 'exchange_over_pipe;\[pipe:pipe\]' \
	'ping_over_socketpair;\[socketpair:socket\]' \
	'append_log;\[fopen:file\]' 'check_dup;\[dup:'; do
	o=$(total "$T/open" ";$s")
	c=$(total "$T/close" ";$s")
	[ "$o" -ge 600 ] && [ "$o" = "$c" ] ||
		fail "$s: $o opens, $c closes (want equal, >= 600)"
done

# nothing silent
"$CDOCTOR" report "$T/f.cdr" >"$T/text" || fail "report"
grep -Eq "^  fd_events +[1-9][0-9]*$" "$T/text" || fail "no fd_events counter"
grep -Eq "^  fd_untracked +0$" "$T/text" ||
	fail "untracked: $(grep fd_untracked "$T/text")"
echo "ok: load_settings_leaky holds $want descriptors at the end"

# exec: the leaked descriptors (not close-on-exec) survive into the new
# image and stay live; the one opened O_CLOEXEC just before is closed by
# the exec (and the old image's last events are sent before it)
"$CDOCTOR" run --no-html -o "$T/x.cdr" -- "$EX/fd_leak" 300 7 0 exec \
	>"$T/xout" 2>"$T/xerr" || fail "exec run exited $?: $(cat "$T/xerr")"
want=$(sed -n '1s/^leaked \([0-9]*\) descriptors.*/\1/p' "$T/xout")
[ "$want" = 42 ] && grep -q "^leaked 0 descriptors" "$T/xout" ||
	fail "exec run output: $(cat "$T/xout")"
"$CDOCTOR" report "$T/x.cdr" --folded fd_live >"$T/xlive" || fail "fd_live"
n=$(total "$T/xlive" ';load_settings_leaky;\[open:file\] ')
[ "$n" = 42 ] || fail "after exec, load_settings_leaky holds $n, not 42:
$(cat "$T/xlive")"
! grep -q ";keep_cloexec_file;" "$T/xlive" ||
	fail "a close-on-exec descriptor is live after exec"
"$CDOCTOR" report "$T/x.cdr" --folded fd_close >"$T/xclose" || fail "fd_close"
[ "$(total "$T/xclose" ';keep_cloexec_file;\[open:file\] ')" = 1 ] ||
	fail "the exec did not close keep_cloexec_file's descriptor:
$(grep keep_cloexec "$T/xclose")"
echo "ok: exec keeps the 42 leaked, closes the close-on-exec one"
