// node_server.js - a small http server whose handler serializes a big
// object (JSON.stringify, native code called from JS) and hashes it in JS;
// for `cdoctor run --on-port 'wrk ...' -- node node_server.js`.
// Listens on an ephemeral port (or argv[2]) and exits after argv[3]
// seconds (default 30) so a run always ends.
'use strict';
const http = require('http');

const items = [];
for (let i = 0; i < 2000; i++)
  items.push({id: i, name: 'item' + i, tags: ['a', 'b', String(i)]});

function cdoctorJsChecksum(s) {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}

function cdoctorJsHandle(req, res) {
  const body = JSON.stringify({items});
  res.setHeader('x-sum', cdoctorJsChecksum(body));
  res.end(body);
}

const server = http.createServer(cdoctorJsHandle);
server.listen(Number(process.argv[2] || 0), '127.0.0.1');
setTimeout(() => process.exit(0), Number(process.argv[3] || 30) * 1000)
    .unref();
