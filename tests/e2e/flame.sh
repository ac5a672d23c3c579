#!/bin/bash
# flame.sh - cflame svg / html / diff / top on the command line: inputs
# (stdin, gzip, several files), errors with file and line, options,
# differentials, and (when FLAMEGRAPH_DIR is set) flamegraph.pl parity.
set -u
[ -x "${CFLAME:-}" ] || { echo "SKIP: CFLAME not built"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok - $*"; }

cd "$tmp"
printf 'main;parse;lex 30\nmain;parse;<b>x</b> 10\nmain;compute;hot_loop 50\nmain;io 10\n' > a.folded
printf 'main;parse;lex 10\nmain;compute;hot_loop 80\nmain;compute;new_fn 5\nmain;io 0x7f12 5\n' > b.folded
printf 'main;io 0x7f12 5\n' > hex.folded

# svg: file, stdin, gzip and merged files.
"$CFLAME" svg a.folded > a.svg || fail "svg exit status"
grep -q '<title>main (100 samples, 100.00%)</title>' a.svg && ok "svg totals" || fail "svg totals"
grep -q '&lt;b&gt;x&lt;/b&gt;' a.svg && ! grep -q '<b>x' a.svg && ok "svg escapes names" || fail "svg escaping"
"$CFLAME" svg - < a.folded | cmp -s - a.svg && ok "svg from stdin" || fail "svg stdin"
gzip -c a.folded > a.folded.gz
"$CFLAME" svg a.folded.gz | cmp -s - a.svg && ok "svg from gzip" || fail "svg gzip"
"$CFLAME" svg a.folded a.folded | grep -q '<title>main (200 samples' && ok "svg merges files" || fail "svg merge"
"$CFLAME" svg --title 'T&T' --countname bytes --width 600 --colors mem --inverted a.folded > o.svg
grep -q 'T&amp;T' o.svg && grep -q 'width="600"' o.svg && grep -q '(100 bytes, 100%)' o.svg &&
	ok "svg options" || fail "svg options"
"$CFLAME" svg --reverse a.folded | grep -q '<title>hot_loop (50 samples, 50.00%)' && ok "svg --reverse" || fail "svg --reverse"
"$CFLAME" svg --flamechart a.folded | grep -q '>Flame Chart<' && ok "svg --flamechart" || fail "flamechart"
"$CFLAME" svg -o out.svg a.folded && cmp -s out.svg a.svg && ok "svg -o" || fail "svg -o"

# Errors: exit 2, naming the file and line.
printf 'main;a 1\nthis is not folded\n' > bad.txt
err=$("$CFLAME" svg bad.txt 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && [[ $err == *"bad.txt:2"* ]] && ok "bad input: exit 2, file:line" || fail "bad input: rc=$rc err=$err"
printf 'perf 123 [000] 1.000: 1 cpu-clock:\n\t  4005d6 main+0x10 (/bin/x)\n\n' > perf.txt
err=$("$CFLAME" svg perf.txt 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && [[ $err == *"cflame collapse"* ]] && ok "perf script input gets a hint" || fail "perf hint: $rc $err"
err=$("$CFLAME" html bad.txt 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && [[ $err == *"bad.txt:2"* ]] && ok "html bad input" || fail "html bad input: $rc $err"
"$CFLAME" svg --colors rainbow a.folded >/dev/null 2>&1; [ $? = 2 ] && ok "bad palette: exit 2" || fail "bad palette"
: > empty.folded
"$CFLAME" svg empty.folded > e.svg 2>/dev/null; rc=$?
[ $rc = 2 ] && grep -q 'ERROR' e.svg && ok "empty input: error picture, exit 2" || fail "empty: $rc"

# diff: difffolded.pl's lines, sorted; -n, -s; the picture.
"$CFLAME" diff a.folded b.folded > d.folded || fail "diff exit"
grep -qx 'main;compute;hot_loop 50 80' d.folded && grep -qx 'main;parse;<b>x</b> 10 0' d.folded &&
	grep -qx 'main;compute;new_fn 0 5' d.folded && ok "diff two-count lines" || fail "diff lines: $(cat d.folded)"
sed 's/ [0-9]* [0-9]*$//' d.folded | LC_ALL=C sort -c 2>/dev/null && ok "diff output sorted" || fail "diff order"
"$CFLAME" diff -n a.folded b.folded | grep -qx 'main;compute;hot_loop 50 80' && ok "diff -n (equal totals)" || fail "diff -n"
printf 'main;io 0x1234 5\n' > hexa.folded
"$CFLAME" diff -s hexa.folded hex.folded | grep -qx 'main;io 0x... 5 5' && ok "diff -s strips addresses" || fail "diff -s: $("$CFLAME" diff -s hexa.folded hex.folded)"
"$CFLAME" diff --svg a.folded b.folded > d.svg
grep -q 'hot_loop (80 samples, 80.00%; +30.00%)' d.svg && grep -q 'fill="rgb(255,' d.svg && ok "diff --svg" || fail "diff --svg"
"$CFLAME" diff -o d2.svg a.folded b.folded && grep -q '<svg' d2.svg && ok "diff -o x.svg draws" || fail "diff -o svg"
"$CFLAME" svg d.folded | grep -q '; +30.00%)' && ok "svg of two-count input is differential" || fail "svg diff input"
"$CFLAME" diff a.folded >/dev/null 2>&1; [ $? = 2 ] && ok "diff needs two files" || fail "diff usage"

# top: self and total, percentages, no colour off a terminal / with NO_COLOR.
"$CFLAME" top a.folded > top.txt
grep -q 'Top functions by self' top.txt && grep -Eq '^ +50 +50\.00% +50 +50\.00%  hot_loop$' top.txt &&
	grep -Eq '100\.00%  main$' top.txt && ok "top tables" || fail "top: $(cat top.txt)"
! grep -q $'\033' top.txt && ok "top: no colour in a file" || fail "top colour"
[ "$("$CFLAME" top --limit 1 --sort self a.folded | grep -Ec '^ +[0-9,]+ +[0-9.]+%')" = 1 ] && ok "top --limit" || fail "top limit"
printf 'a;b;a;b;a 4\n' | "$CFLAME" top - | grep -Eq '4 100\.00%  a$' && ok "top counts recursion once" || fail "top recursion"

# html: one offline page.
"$CFLAME" html --title 'Perf <1>' -o page.html a.folded || fail "html exit"
grep -q '<title>Perf &lt;1&gt;</title>' page.html && ! grep -Eq '(src|href)="' page.html &&
	ok "html page offline and escaped" || fail "html page"

# --report must be one JSON object: anything else is refused with the
# file and offset, and no page is written
printf '{"diagnoses":[1,2,}' > bad.json
"$CFLAME" html --report bad.json -o bad.html a.folded 2>err
[ $? = 2 ] && grep -q 'bad.json: offset 18: unexpected character' err && [ ! -e bad.html ] &&
	ok "html --report rejects bad JSON" || fail "html --report bad JSON: $(cat err)"
printf '{"title":"x"}\n' > good.json
"$CFLAME" html --report good.json -o good.html a.folded &&
	grep -q '"report":{"title":"x"}' good.html &&
	ok "html --report embeds a JSON object" || fail "html --report good JSON"

# Parity with flamegraph.pl (titles, rects, colours) when available.
if [ -n "${FLAMEGRAPH_DIR:-}" ] && [ -f "$FLAMEGRAPH_DIR/flamegraph.pl" ]; then
	for opts in "" "--inverted" "--hash" "--colors java" "--minwidth 5%"; do
		"$CFLAME" svg $opts a.folded | grep '<title>' | sort > mine
		perl "$FLAMEGRAPH_DIR/flamegraph.pl" $opts a.folded 2>/dev/null |
			grep '<title>' | sed 's| />|/>|' | sort > theirs
		cmp -s mine theirs && ok "matches flamegraph.pl $opts" || fail "differs from flamegraph.pl $opts"
	done
	"$CFLAME" diff a.folded b.folded | sort > mine
	perl "$FLAMEGRAPH_DIR/difffolded.pl" a.folded b.folded | sort > theirs
	cmp -s mine theirs && ok "matches difffolded.pl" || fail "differs from difffolded.pl"
else
	echo "# FLAMEGRAPH_DIR not set: flamegraph.pl parity not checked"
fi

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
