#!/bin/bash
# heap_control_idle: end to end, idle connections to a run's control
# socket. While `cdoctor run --alloc` profiles a CPU-bound program, 14
# connections that never send a request are held open (reconnected when
# the run drops them at their timeout); an on-demand snapshot succeeds and
# lands in the recording, and the share of CPU samples lost is no worse
# than in the same run without them (lenient: +0.25). The stall itself is
# pinned down by tests/heap/control.c (idle_clients_do_not_stall_the_run),
# which fails on the old server; here the rings may absorb it.
. "$(dirname "$0")/run_common.bash"
need_perf
[ -f "${CDOC_SHIM:-}" ] || { echo "SKIP: no shim" >&2; exit 77; }
export CDOC_SHIM
mkdir -m 700 "$T/xdg"
export XDG_RUNTIME_DIR=$T/xdg
SOCKS=$T/xdg/cdoctor

# Small rings (32 KiB, frame-pointer samples of ~100 bytes: a few hundred
# ms of samples) so that a stalled run loses samples instead of finding
# them waiting in the ring.
RUN_OPTS="--alloc --no-html --call-graph fp --mmap-kib 32"

# lost_share REC: lost samples / (samples + lost), from the JSON report.
lost_share() {
	"$CDOCTOR" report --json "$1" | python3 -c '
import json, sys
j = json.load(sys.stdin)
lost = j["counters"].get("lost_samples", 0)
cpu = [p for p in j["profiles"] if p["name"] == "cpu"]
total = cpu[0]["total"] if cpu else 0
print("%.3f %d %d" % (lost / max(1, lost + total), total, lost))'
}

"$CDOCTOR" run $RUN_OPTS -o "$T/base.cdr" -- "$EX/hotloop" 4 \
	>"$T/base.out" 2>&1 || fail "baseline run: $(tail -3 "$T/base.out")"

"$CDOCTOR" run $RUN_OPTS -o "$T/idle.cdr" -- "$EX/hotloop" 4 \
	>"$T/out" 2>"$T/err" &
run=$!
trap 'kill $run $holder 2>/dev/null; rm -rf "$T"' EXIT
holder=
pid=
for _ in $(seq 600); do
	s=$(ls "$SOCKS" 2>/dev/null | grep -E '^[0-9]+\.sock$' | head -1)
	[ -n "$s" ] && { pid=${s%.sock}; break; }
	kill -0 $run 2>/dev/null || fail "run ended early: $(cat "$T/err")"
	sleep 0.05
done
[ -n "$pid" ] || fail "no control socket in $SOCKS"

# 14 idle connections, kept open until the socket goes away
python3 - "$SOCKS/$pid.sock" <<'PY' &
import socket, sys, time
path, conns = sys.argv[1], []
while True:
    conns = [c for c in conns if c.fileno() >= 0]
    try:
        while len(conns) < 14:
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.connect(path)
            c.setblocking(False)
            conns.append(c)
    except OSError:
        break  # the run has ended
    time.sleep(0.05)
    for c in conns:  # a dropped one reads as EOF: reconnect it
        try:
            if c.recv(1) == b"":
                c.close()
        except BlockingIOError:
            pass
PY
holder=$!
sleep 1
"$CDOCTOR" heap snapshot "$pid" --name mid >"$T/a" 2>"$T/aerr" ||
	fail "snapshot among idle connections: exit $?: $(cat "$T/aerr")"
grep -q '^ok mid ' "$T/a" || fail "answer: $(cat "$T/a")"
wait $run || fail "run exited $?: $(tail -5 "$T/err")"
kill $holder 2>/dev/null
wait $holder 2>/dev/null

read -r base_share base_total base_lost < <(lost_share "$T/base.cdr")
read -r idle_share idle_total idle_lost < <(lost_share "$T/idle.cdr")
echo "baseline: $base_total samples, $base_lost lost; with 14 idle" \
	"connections: $idle_total samples, $idle_lost lost"
[ "$idle_total" -gt 0 ] || fail "no samples with idle connections"
python3 -c "import sys; sys.exit(0 if $idle_share <= $base_share + 0.25 else 1)" ||
	fail "lost share $idle_share with idle connections vs $base_share"
"$CDOCTOR" heap --list "$T/idle.cdr" | grep -q ' mid ' ||
	fail "snapshot 'mid' not in the recording"
echo "heap_control_idle: ok"
