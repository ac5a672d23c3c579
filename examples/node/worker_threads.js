// worker_threads.js - CPU work moved off the event loop: the server hands
// each password hash to one of 2 worker threads and answers when it
// comes back, so the main loop stays responsive while the workers' loops
// are busy. `node worker_threads.js [PORT] [SECONDS]`
'use strict';
const {Worker, isMainThread, parentPort} = require('worker_threads');
const crypto = require('crypto');

if (!isMainThread) {
  parentPort.on('message', ({id, pw}) => {
    const h = crypto.pbkdf2Sync(pw, 'salt', 5000, 32, 'sha256');
    parentPort.postMessage({id, h: h.toString('hex')});
  });
} else {
  const {serve} = require('./common');
  const pending = new Map();
  let next = 0;
  const workers = [0, 1].map(() => {
    const w = new Worker(__filename);
    w.on('message', ({id, h}) => {
      const res = pending.get(id);
      pending.delete(id);
      res.end(h);
    });
    w.unref();
    return w;
  });
  serve((req, res) => {
    const id = next++;
    pending.set(id, res);
    workers[id % 2].postMessage({id, pw: req.url});
  });
}
