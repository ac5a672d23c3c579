// slow_downstream.js - requests wait on a slow downstream call: every
// request fetches a price from a backend (slow_backend.js, port
// argv[4]) over http.get; the loop idles while requests wait (the fix:
// cache the answer, a timeout, a pooled keep-alive agent, or a faster
// backend). `node slow_downstream.js [PORT] [SECONDS] BACKEND_PORT`
'use strict';
const http = require('http');
const {serve} = require('./common');
const backend = Number(process.argv[4]);

function cdoctorJsFetchPrice(item, done) {
  http.get({host: '127.0.0.1', port: backend, path: '/price/' + item}, (r) => {
    let body = '';
    r.on('data', (d) => body += d);
    r.on('end', () => done(null, body));
  }).on('error', done);
}

serve((req, res) => {
  cdoctorJsFetchPrice(req.url, (err, body) => {
    res.statusCode = err ? 502 : 200;
    res.end(err ? 'backend down' : body);
  });
});
