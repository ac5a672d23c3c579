// blocked_loop.js - event loop blocked by a long synchronous JS loop:
// every request scores every item of a catalogue in one go (the fix:
// chunk the work with setImmediate, cache the result, or a worker).
// `node blocked_loop.js [PORT] [SECONDS]`
'use strict';
const {serve} = require('./common');

const catalogue = [];
for (let i = 0; i < 200000; i++) catalogue.push({id: i, price: i % 997});

function cdoctorJsScoreCatalogue(seed) {
  let best = 0;
  for (let round = 0; round < 20; round++)
    for (const item of catalogue) {
      const s = (item.price * 31 + item.id * seed + round) % 1009;
      if (s > best) best = s;
    }
  return best;
}

serve((req, res) => {
  res.end(String(cdoctorJsScoreCatalogue(req.url.length)));
});
