#!/bin/bash
# push.sh - cdoctor push and cdoctor run --push against a local stand-in
# for Pyroscope's /ingest API (ingest_receiver.py, 127.0.0.1 only,
# bounded): the request's path, query and multipart field are checked and
# the body is read back with go tool pprof. A real Pyroscope server is not
# run here (docs/exports.md says how to try one).
set -u
. "$(dirname "$0")/run_common.bash"
command -v go >/dev/null || { echo "SKIP: go (golang-go) not installed"; exit 77; }
export GOCACHE="$T/gocache" HOME="$T"
RECV=$(dirname "$0")/ingest_receiver.py
sum() { "$CDOCTOR" report "$1" --folded cpu | awk '{n += $NF} END {print n}'; }

# receiver DIR N: start one in the background, set $URL.
receiver() {
	mkdir -p "$1"
	python3 "$RECV" "$1" "$1/port" "$2" 120 &
	for _ in $(seq 300); do
		[ -s "$1/port" ] && break
		sleep 0.1
	done
	[ -s "$1/port" ] || fail "receiver did not start"
	URL=http://127.0.0.1:$(cat "$1/port")
}

"$CDOCTOR" run --no-html --alloc -d 5 -o "$T/a.cdr" -- "$EX/leaky_server" \
	>"$T/run.out" 2>&1 || { cat "$T/run.out"; fail "run"; }

receiver "$T/r1" 2
"$CDOCTOR" push "$T/a.cdr" --pyroscope "$URL/" --app shop-api \
	--labels env=ci,host=h1 2>"$T/e" || { cat "$T/e"; fail "push"; }
grep -q "pushed 2 profiles to $URL" "$T/e" || fail "push message"
wait
[ ! -e "$T/r1/errors" ] || { cat "$T/r1/errors"; fail "receiver refused"; }
q=$(cat "$T/r1/req1.query")
echo "$q"
[[ $q == name=shop-api%7Benv%3Dci%2Chost%3Dh1%7D\&from=*\&until=*\&format=pprof\&spyName=cdoctor\&sampleRate=* ]] ||
	fail "query string"
from=$(sed -n 's/.*from=\([0-9]*\).*/\1/p' <<<"$q")
until=$(sed -n 's/.*until=\([0-9]*\).*/\1/p' <<<"$q")
now=$(date +%s)
[ "$from" -lt "$until" ] && [ "$until" -le $((now + 1)) ] &&
	[ "$from" -gt $((now - 3600)) ] || fail "from/until $from $until"
go tool pprof -raw "$T/r1/req1.pprof" 2>/dev/null | grep -q '^samples/count cpu/nanoseconds' ||
	fail "first request is not the cpu pprof"
go tool pprof -raw "$T/r1/req2.pprof" 2>/dev/null |
	grep -q '^alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes' ||
	fail "second request is not the heap pprof"

# run --push: the run ends, then the profiles go out.
receiver "$T/r2" 1
"$CDOCTOR" run --no-html --no-alloc --push "$URL" -o "$T/b.cdr" -- \
	"$EX/hotloop" 0.5 >"$T/run2.out" 2>&1 || { cat "$T/run2.out"; fail "run --push"; }
wait
grep -q "^pushed: *1 profile to $URL" "$T/run2.out" || { cat "$T/run2.out"; fail "run --push message"; }
grep -q '^name=hotloop&' "$T/r2/req1.query" || fail "default app name"
go tool pprof -top "$T/r2/req1.pprof" 2>/dev/null | grep -q 'mix_bits' ||
	fail "run --push pprof"

# run --push-interval: pushes while the run goes on, one interval each
# (not cumulative), then the rest at the end. The receiver takes any
# number of requests; cdoctor has sent them all when it exits.
mkdir -p "$T/r4"
python3 "$RECV" "$T/r4" "$T/r4/port" 1000 300 &
rpid=$!
for _ in $(seq 300); do [ -s "$T/r4/port" ] && break; sleep 0.1; done
[ -s "$T/r4/port" ] || fail "receiver did not start"
URL=http://127.0.0.1:$(cat "$T/r4/port")
"$CDOCTOR" run --push-interval 1 2>"$T/e" -- true
[ $? -eq 2 ] && grep -q 'push-interval needs --push' "$T/e" || fail "--push-interval without --push"
"$CDOCTOR" run --no-html --no-alloc --push "$URL" --push-interval 1 -d 4 \
	-o "$T/c.cdr" -- "$EX/hotloop" 30 >"$T/run3.out" 2>&1
rc=$?
kill "$rpid" 2>/dev/null
wait "$rpid" 2>/dev/null
[ $rc -eq 0 ] || [ $rc -eq 130 ] || { cat "$T/run3.out"; fail "run --push-interval ($rc)"; }
[ ! -e "$T/r4/errors" ] || { cat "$T/r4/errors"; fail "receiver refused"; }
n=$(ls "$T/r4" | grep -c '\.pprof$')
[ "$n" -ge 2 ] || fail "run --push-interval: $n request(s), expected more than one"
grep -q "^pushed: *$n profiles to $URL" "$T/run3.out" || { cat "$T/run3.out"; fail "run --push-interval message"; }
total=0 prev_from=0
for k in $(seq "$n"); do
	q=$(cat "$T/r4/req$k.query")
	from=$(sed -n 's/.*from=\([0-9]*\).*/\1/p' <<<"$q")
	until=$(sed -n 's/.*until=\([0-9]*\).*/\1/p' <<<"$q")
	[ "$from" -lt "$until" ] && [ "$from" -ge "$prev_from" ] ||
		fail "interval $k: from/until $from $until after $prev_from"
	prev_from=$from
	raw=$(go tool pprof -raw "$T/r4/req$k.pprof" 2>/dev/null) || fail "interval $k: not a pprof"
	grep -q '^samples/count cpu/nanoseconds' <<<"$raw" || fail "interval $k: sample types"
	c=$(awk '/^Samples:/ {s = 1; next} /^Locations/ {s = 0} s && $2 ~ /:$/ {n += $1} END {print n + 0}' <<<"$raw")
	[ "$c" -gt 0 ] || fail "interval $k: no samples"
	total=$((total + c))
done
# Each sample went out exactly once: the intervals add up to the run.
[ "$total" -eq "$(sum "$T/c.cdr")" ] || fail "interval samples $total != recording $(sum "$T/c.cdr")"

# Errors: bad labels never send; a refusing server and no server exit 2.
"$CDOCTOR" push "$T/a.cdr" --pyroscope http://127.0.0.1:9 --labels 'a b=c' 2>"$T/e"
[ $? -eq 2 ] && grep -q "bad label 'a b=c'" "$T/e" || fail "bad label"
receiver "$T/r3" 1
"$CDOCTOR" push "$T/b.cdr" --pyroscope "$URL/nope" 2>"$T/e"
[ $? -eq 2 ] && grep -q 'HTTP 400' "$T/e" || { cat "$T/e"; fail "HTTP error"; }
wait
port=$(cat "$T/r3/port") # the receiver is gone: nobody listens there now
"$CDOCTOR" push "$T/b.cdr" --pyroscope "http://127.0.0.1:$port" --timeout 5 2>"$T/e"
[ $? -eq 2 ] && grep -q "127.0.0.1:$port" "$T/e" || { cat "$T/e"; fail "no server"; }

# merge: two runs add up.
"$CDOCTOR" merge "$T/a.cdr" "$T/b.cdr" -o "$T/m.cdr" || fail "merge"
[ "$(sum "$T/m.cdr")" -eq $(($(sum "$T/a.cdr") + $(sum "$T/b.cdr"))) ] ||
	fail "merged cpu samples"
"$CDOCTOR" report "$T/m.cdr" --folded alloc_bytes | cmp - <("$CDOCTOR" report "$T/a.cdr" --folded alloc_bytes) ||
	fail "merged alloc_bytes"
"$CDOCTOR" report "$T/m.cdr" --json | python3 -c 'import json,sys
d = json.load(sys.stdin); assert d["meta"]["merged_from"] == "2"' || fail "merged_from"
"$CDOCTOR" merge "$T/a.cdr" "$T/b.cdr" -o "$T/a.cdr" 2>"$T/e"
[ $? -eq 2 ] && grep -q 'output is one of the inputs' "$T/e" || fail "merge onto input"
echo ok
