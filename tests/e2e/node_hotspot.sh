#!/bin/bash
# node verdicts, CPU hotspot: a server whose handler spends most of the
# loop's CPU in one JS function, each request well under the 2 ms that
# blocks a loop, gets the verdict cpu-hotspot naming that function (not
# event-loop-blocked: no request holds the loop long).
. "$(dirname "$0")/node_common.bash"

node_record hot hotspot
cpu=$(metric hot node_http_cpu_ms median)
echo "hotspot: CPU per request (median) $cpu ms"
ge 2 "$cpu" || fail "hotspot: $cpu ms of CPU per request, a blocked loop"
verdict hot cpu-hotspot cdoctorJsRankProducts
echo ok
