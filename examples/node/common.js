// common.js - shared by the examples in this folder: an http server on
// 127.0.0.1 (port argv[2], 0: any; its port printed) that exits after
// argv[3] seconds (default 60) so a run always ends.
'use strict';
const http = require('http');

exports.serve = function serve(handler) {
  const server = http.createServer(handler);
  server.listen(Number(process.argv[2] || 0), '127.0.0.1', () =>
    console.log('listening on ' + server.address().port));
  setTimeout(() => process.exit(0), Number(process.argv[3] || 60) * 1000)
      .unref();
  return server;
};
