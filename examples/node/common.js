// common.js - shared by the examples in this folder: an http server on
// 127.0.0.1 (port argv[2], 0: any; its port printed) that exits after
// argv[3] seconds (default 60) so a run always ends. With
// CDOC_EXAMPLE_STATS=1 in its environment it prints, when it ends (also
// on SIGINT or SIGTERM), the requests it served and the CPU time the
// process used: bench/node.sh's cost per request.
'use strict';
const http = require('http');

exports.serve = function serve(handler) {
  const server = http.createServer(handler);
  server.listen(Number(process.argv[2] || 0), '127.0.0.1', () =>
    console.log('listening on ' + server.address().port));
  setTimeout(() => process.exit(0), Number(process.argv[3] || 60) * 1000)
      .unref();
  if (process.env.CDOC_EXAMPLE_STATS === '1') {
    let requests = 0;
    server.on('request', () => requests++);
    const stop = () => process.exit(0);
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('exit', () => {
      const u = process.cpuUsage();
      require('fs').writeSync(2, 'stats: requests=' + requests +
          ' cpu_ms=' + ((u.user + u.system) / 1000).toFixed(0) + '\n');
    });
  }
  return server;
};
