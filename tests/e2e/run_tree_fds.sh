#!/bin/bash
# fds_* metrics: fd_hold opens 200 files, a socket pair and a pipe and
# holds them; the recording's metrics must count them by kind.
. "$(dirname "$0")/run_common.bash"

command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
timeout 120 "$CDOCTOR" run --no-html -o "$T/f.cdr" -- "$EX/fd_hold" 200 2 \
	>"$T/out" 2>"$T/err" || fail "run failed: $(cat "$T/err")"
json "$T/f.cdr" >"$T/j" || fail "report --json failed"
python3 - "$T/j" <<'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
v = [m["values"] for m in d["metrics"] if "fds" in m["values"]]
if not v:
    print("FAIL: no fds metrics", file=sys.stderr)
    sys.exit(1)
top = max(v, key=lambda x: x["fds_file"])
print("fds %(fds)d: file %(fds_file)d socket %(fds_socket)d "
      "pipe %(fds_pipe)d other %(fds_other)d" % top)
if top["fds_file"] < 200 or top["fds_socket"] < 2 or top["fds_pipe"] < 2:
    print("FAIL: expected >= 200 files, 2 sockets, 2 pipes", file=sys.stderr)
    sys.exit(1)
if top["fds"] != top["fds_file"] + top["fds_socket"] + top["fds_pipe"] + top["fds_other"]:
    print("FAIL: fds is not the sum of its kinds", file=sys.stderr)
    sys.exit(1)
PY
echo ok
