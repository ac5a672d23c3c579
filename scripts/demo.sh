#!/usr/bin/env bash
# demo.sh - install, build, then profile the bundled example HTTP server
# under load from wrk and write its report:
#   demo/http_server.cdr       the recording
#   demo/http_server.cdr.html  the report (open it in a browser)
# and the diagnosis in the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
mkdir -p demo
build/bin/cdoctor run -o demo/http_server.cdr \
	--on-port 'wrk -t2 -c16 -d8s http://127.0.0.1:$PORT/' \
	-- build/examples/http_server
echo "report: $PWD/demo/http_server.cdr.html"
