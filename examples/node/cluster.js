// cluster.js - a cluster of 2 workers (forked processes) sharing the
// port; each hashes a password synchronously per request, so each
// worker's loop is busy on its own. `node cluster.js [PORT] [SECONDS]`
'use strict';
const cluster = require('cluster');
const crypto = require('crypto');

if (cluster.isPrimary) {
  for (let i = 0; i < 2; i++) cluster.fork();
  setTimeout(() => {
    for (const id in cluster.workers) cluster.workers[id].kill();
    process.exit(0);
  }, Number(process.argv[3] || 60) * 1000).unref();
} else {
  const {serve} = require('./common');
  serve((req, res) => {
    res.end(crypto.pbkdf2Sync(req.url, 'salt', 5000, 32, 'sha256')
                .toString('hex'));
  });
}
