// leak.js - a memory leak: a cache keyed per request (a new key every
// time) that is never bounded, so the JS heap grows with the load (the
// fix: a bounded cache such as lru-cache, or no cache for unique keys).
// `node leak.js [PORT] [SECONDS]`
'use strict';
const {serve} = require('./common');

const cache = new Map();
let n = 0;

function cdoctorJsRememberSession(id) {
  const session = {id, created: Date.now(), tags: new Array(4096).fill(id)};
  cache.set(id, session);
  return session;
}

serve((req, res) => {
  const s = cdoctorJsRememberSession(req.url + ':' + n++);
  res.end(String(s.tags.length));
});
