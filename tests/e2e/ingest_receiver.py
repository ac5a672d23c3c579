#!/usr/bin/env python3
"""ingest_receiver.py - a stand-in for a Pyroscope server's /ingest API in
the tests (used by push.sh; not a test itself). Listens on 127.0.0.1 only,
on a free port it writes to PORTFILE, answers at most N requests or
stops after TIMEOUT seconds, and for each POST /ingest saves the query
string and the multipart "profile" field to OUTDIR/reqK.{query,pprof}.
Answers 200, or 400 when the request is not what Pyroscope expects.

usage: ingest_receiver.py OUTDIR PORTFILE N TIMEOUT
"""
import email.parser
import email.policy
import http.server
import os
import sys
import threading

OUT, PORTFILE, N, TIMEOUT = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def fail(self, why):
        self.done()
        self.send_response(400)
        self.end_headers()
        self.wfile.write(why.encode())
        with open(os.path.join(OUT, "errors"), "a") as f:
            f.write(why + "\n")

    def do_POST(self):
        global count
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length", "0"))
        if length > 64 << 20:
            return self.fail("body too large")
        body = self.rfile.read(length)
        if path != "/ingest":
            return self.fail("path " + path)
        ctype = self.headers.get("Content-Type", "")
        if not ctype.startswith("multipart/form-data"):
            return self.fail("content type " + ctype)
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
        parts = {p.get_param("name", header="content-disposition"): p
                 for p in msg.iter_parts()}
        if "profile" not in parts:
            return self.fail("no profile field")
        data = parts["profile"].get_payload(decode=True)
        self.done()
        with open(os.path.join(OUT, "req%d.query" % count), "w") as f:
            f.write(query + "\n")
        with open(os.path.join(OUT, "req%d.pprof" % count), "wb") as f:
            f.write(data)
        self.send_response(200)
        self.end_headers()

    def done(self):
        """Count a request; the Nth ends the server after its answer."""
        global count
        count += 1
        if count >= N:
            threading.Thread(target=self.server.shutdown, daemon=True).start()


srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
timer = threading.Timer(TIMEOUT, srv.shutdown)
timer.daemon = True
timer.start()
srv.serve_forever()
sys.exit(0)
