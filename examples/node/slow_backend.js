// slow_backend.js - a stand-in for a slow downstream service: answers
// every request after argv[4] ms (default 50) from a timer. Run it on its
// own; slow_downstream.js calls it. `node slow_backend.js PORT [SECONDS] [MS]`
'use strict';
const {serve} = require('./common');
const delay = Number(process.argv[4] || 50);

serve((req, res) => {
  setTimeout(() => res.end('{"price": 42}'), delay);
});
