#!/bin/bash
# export_formats.sh - cdoctor export on real recordings, each format read
# back by its real consumer where one runs here (go tool pprof) and
# checked against its format's rules otherwise (speedscope's schema and
# event nesting, .cpuprofile's node and sample arrays, trace events'
# B/E balance per thread); an old recording without sample times still
# exports.
set -u
. "$(dirname "$0")/run_common.bash"
command -v go >/dev/null || { echo "SKIP: go (golang-go) not installed"; exit 77; }
export GOFLAGS=-mod=mod GOCACHE="$T/gocache" HOME="$T"

"$CDOCTOR" run --no-html -d 5 -o "$T/t.cdr" -- "$EX/threads" >"$T/run.out" 2>&1 ||
	{ cat "$T/run.out"; fail "run threads"; }
"$CDOCTOR" run --no-html --alloc -d 5 -o "$T/a.cdr" -- "$EX/leaky_server" \
	>"$T/runa.out" 2>&1 || { cat "$T/runa.out"; fail "run leaky_server"; }
OLD=$CDOC_SRC/tests/data/untimed-sym_deep.cdr

exp() { # REC FORMAT OUT [ARGS]
	local rec=$1 fmt=$2 out=$3
	shift 3
	"$CDOCTOR" export "$rec" --format "$fmt" -o "$out" "$@" ||
		fail "export $rec $fmt $*"
}

# pprof: go tool pprof reads it; types, period, duration, the hot function.
exp "$T/t.cdr" pprof "$T/cpu.pb.gz"
go tool pprof -raw "$T/cpu.pb.gz" >"$T/raw" 2>&1 || { cat "$T/raw"; fail "pprof -raw"; }
grep -q '^samples/count cpu/nanoseconds' "$T/raw" || fail "cpu sample types"
grep -q '^PeriodType: cpu nanoseconds' "$T/raw" || fail "period type"
grep -qE '^Period: [0-9]+$' "$T/raw" || fail "period"
grep -qE '^Duration: [0-9]' "$T/raw" || fail "duration"
go tool pprof -top -nodecount=1 "$T/cpu.pb.gz" 2>/dev/null | tail -1 >"$T/top"
grep -q 'thread_hot_loop$' "$T/top" || { cat "$T/top"; fail "pprof top"; }
go tool pprof -traces "$T/cpu.pb.gz" 2>/dev/null | grep -q 'worker-[0-3]' ||
	fail "thread names in pprof traces"
samples=$(folded "$T/t.cdr" | awk '{n += $NF} END {print n}')
pp=$(go tool pprof -raw "$T/cpu.pb.gz" 2>/dev/null |
	awk '/^Samples:/{s=1; next} /^Locations/{s=0} s && $1 ~ /^[0-9]+$/ {n += $1} END {print n}')
[ "$samples" = "$pp" ] || fail "pprof has $pp samples, recording $samples"

exp "$T/a.cdr" pprof "$T/heap.pb.gz" --profile heap
go tool pprof -raw "$T/heap.pb.gz" 2>/dev/null | grep -q \
	'^alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes' ||
	fail "heap sample types"
go tool pprof -sample_index=inuse_space -top "$T/heap.pb.gz" 2>/dev/null |
	grep -q 'leak' || fail "heap pprof names the leaking site"
exp "$T/a.cdr" pprof "$T/leaks.pb.gz" --profile leaks
go tool pprof -raw "$T/leaks.pb.gz" 2>/dev/null | grep -q \
	'^leaked_objects/count leaked_space/bytes' || fail "leak sample types"
exp "$OLD" pprof "$T/old.pb.gz"
go tool pprof -top "$T/old.pb.gz" 2>/dev/null | grep -q 'spin$' || fail "old pprof"
# The old recording has no MODULE/FRAMEINFO chunks: no build-ids, no lines.
go tool pprof -raw "$T/old.pb.gz" 2>/dev/null | grep -q 'sym_deep.c:' &&
	fail "old recording cannot have file:line"

# Mappings with build-ids and file:line, for an example built with -g.
"$CDOCTOR" run --no-html --no-alloc -o "$T/d.cdr" -- "$EX/sym_deep" \
	>"$T/d.out" 2>&1 || { cat "$T/d.out"; fail "run sym_deep"; }
exp "$T/d.cdr" pprof "$T/deep.pb.gz"
go tool pprof -raw "$T/deep.pb.gz" >"$T/draw" 2>&1 || { cat "$T/draw"; fail "pprof -raw sym_deep"; }
bid=$(readelf -n "$EX/sym_deep" | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p')
[ -n "$bid" ] || fail "sym_deep has no build-id"
sed -n '/^Mappings/,$p' "$T/draw" | grep -q "^1: .*/sym_deep $bid " ||
	{ cat "$T/draw"; fail "mapping 1 is not sym_deep with build-id $bid"; }
# Functions of sym_deep carry their source file and a line in it.
grep -Eq ' deep_[0-9] .*/examples/sym_deep\.c:[1-9][0-9]* ' "$T/draw" ||
	{ cat "$T/draw"; fail "no file:line for sym_deep's functions"; }
line=$(sed -n 's/.* spin .*sym_deep\.c:\([0-9]*\) .*/\1/p' "$T/draw" | head -1)
first=$(grep -n '^NOINLINE uint64_t spin(' "$CDOC_SRC/examples/sym_deep.c" | cut -d: -f1)
last=$(awk -v f="$first" 'NR > f && /^}/ {print NR; exit}' "$CDOC_SRC/examples/sym_deep.c")
[ -n "$line" ] && [ "$line" -ge "$first" ] && [ "$line" -le "$last" ] ||
	fail "spin's line $line is not within spin ($first-$last) in sym_deep.c"

# speedscope: schema, one evented profile per thread, nested events.
exp "$T/t.cdr" speedscope "$T/t.speedscope.json"
exp "$OLD" speedscope "$T/old.speedscope.json"
python3 - "$T/t.speedscope.json" "$T/old.speedscope.json" \
	"$CDOC_SRC/tests/browser/node_modules/speedscope/dist/release/file-format-schema.json" <<'PY' || fail "speedscope"
import json, os, sys
new, old, schema = (json.load(open(p)) if os.path.exists(p) else None for p in sys.argv[1:])
try:
    import jsonschema
except ImportError:
    jsonschema = None
for d in (new, old):
    assert d["$schema"] == "https://www.speedscope.app/file-format-schema.json"
    if jsonschema and schema:
        jsonschema.validate(d, schema)
    nf = len(d["shared"]["frames"])
    for p in d["profiles"]:
        assert p["startValue"] <= p["endValue"], p["name"]
        if p["type"] == "evented":
            stack, last = [], p["startValue"]
            for e in p["events"]:
                assert 0 <= e["frame"] < nf and e["at"] >= last, e
                last = e["at"]
                if e["type"] == "O":
                    stack.append(e["frame"])
                else:
                    assert stack.pop() == e["frame"], e
            assert not stack and last <= p["endValue"]
        else:
            assert len(p["samples"]) == len(p["weights"])
names = [p["name"] for p in new["profiles"]]
assert all(p["type"] == "evented" for p in new["profiles"])
assert sum("worker-" in n for n in names) == 4, names
assert len(set(names)) == len(names) >= 5, names
assert old["profiles"][0]["type"] == "sampled"
print("speedscope ok:", len(names), "threads; schema", "checked" if jsonschema and schema else "not checked")
PY

# cpuprofile: nodes, samples and deltas agree.
exp "$T/t.cdr" cpuprofile "$T/t.cpuprofile"
exp "$OLD" cpuprofile "$T/old.cpuprofile"
python3 - "$T/t.cpuprofile" "$T/old.cpuprofile" "$samples" <<'PY' || fail "cpuprofile"
import json, sys
for path, want in ((sys.argv[1], int(sys.argv[3])), (sys.argv[2], 776)):
    d = json.load(open(path))
    ids = {n["id"] for n in d["nodes"]}
    assert len(ids) == len(d["nodes"]) and d["nodes"][0]["callFrame"]["functionName"] == "(root)"
    for n in d["nodes"]:
        assert set(n["children"]) <= ids
        assert set(n["callFrame"]) >= {"functionName", "scriptId", "url", "lineNumber", "columnNumber"}
    assert len(d["samples"]) == len(d["timeDeltas"]) == want, (len(d["samples"]), want)
    assert set(d["samples"]) <= ids and min(d["timeDeltas"]) >= 0
    assert sum(n["hitCount"] for n in d["nodes"]) == want
    assert d["startTime"] + sum(d["timeDeltas"]) <= d["endTime"]
PY

# trace: B/E balanced and ordered per thread, names, counters.
exp "$T/t.cdr" trace "$T/t.trace.json"
python3 - "$T/t.trace.json" <<'PY' || fail "trace"
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["traceEvents"]
stacks, last, names = {}, {}, set()
for e in ev:
    assert e["ph"] in "BEMC", e
    if e["ph"] == "M" and e["name"] == "thread_name":
        names.add(e["args"]["name"])
    if e["ph"] in "BE":
        k = (e["pid"], e["tid"])
        assert e["ts"] >= last.get(k, 0), e
        last[k] = e["ts"]
        s = stacks.setdefault(k, [])
        if e["ph"] == "B":
            s.append(e["name"])
        else:
            assert s.pop() == e["name"], e
assert all(not s for s in stacks.values())
assert len(stacks) >= 5 and sum(n.startswith("worker-") for n in names) == 4, names
assert any(e["ph"] == "C" and e["name"] == "rss_bytes" for e in ev), "no counters"
PY

# folded is report --folded; errors exit 2 with a message.
exp "$T/t.cdr" folded "$T/f"
folded "$T/t.cdr" | cmp - "$T/f" || fail "folded differs from report --folded"
"$CDOCTOR" export "$T/t.cdr" --format pprof --profile nothing -o "$T/x" 2>"$T/e"
[ $? -eq 2 ] && grep -q "no profile 'nothing' (it has: cpu" "$T/e" || fail "unknown profile"
"$CDOCTOR" export "$T/t.cdr" --format svg 2>/dev/null
[ $? -eq 2 ] || fail "unknown format should exit 2"
"$CDOCTOR" export "$T/a.cdr" --format cpuprofile --profile alloc_bytes 2>/dev/null
[ $? -eq 2 ] || fail "cpuprofile of bytes should be refused"
echo ok
