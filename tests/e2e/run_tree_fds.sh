#!/bin/bash
# fds_* metrics: fd_hold opens 200 files, a socket pair and a pipe and
# holds them; the recording's metrics must count them by kind. The run is
# stopped once the recording, read while it is written, shows
# them, so a slow start on a busy machine changes nothing.
. "$(dirname "$0")/run_common.bash"

command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
# check FINAL: the fds_* metrics of $T/f.cdr hold the descriptors
check() {
	"$CDOCTOR" report "$T/f.cdr" --json 2>/dev/null >"$T/j" || return 1
	python3 - "$T/j" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
v = [m["values"] for m in d["metrics"] if "fds" in m["values"]]
top = max(v, key=lambda x: x["fds_file"]) if v else None
final = sys.argv[2] == "final"
if final:
    print("fds %(fds)d: file %(fds_file)d socket %(fds_socket)d "
          "pipe %(fds_pipe)d other %(fds_other)d" % top if top else "no fds")
if not top or top["fds_file"] < 200 or top["fds_socket"] < 2 or \
        top["fds_pipe"] < 2:
    if final:
        print("FAIL: expected >= 200 files, 2 sockets, 2 pipes",
              file=sys.stderr)
    sys.exit(1)
if top["fds"] != sum(top[k] for k in
                     ("fds_file", "fds_socket", "fds_pipe", "fds_other")):
    print("FAIL: fds is not the sum of its kinds", file=sys.stderr)
    sys.exit(2)
PY
}
"$CDOCTOR" run --no-html -o "$T/f.cdr" -- "$EX/fd_hold" 200 600 \
	>"$T/out" 2>"$T/err" &
run=$!
for _ in $(seq 240); do
	sleep 0.5
	kill -0 $run 2>/dev/null || break
	[ -s "$T/f.cdr" ] && check partial && break
done
kill -TERM $run 2>/dev/null # (a background job ignores SIGINT)
wait $run
check final || fail "$(cat "$T/err")"
echo ok
