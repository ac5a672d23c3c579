// hotspot.js - a CPU hotspot that does not block the loop: every request
// ranks a small catalogue (well under a millisecond each), so no single
// tick is long, but one function takes most of the loop's CPU and caps
// the requests one process serves (the fix: cache the ranking, which
// changes only when the catalogue does, or rank less per request).
// `node hotspot.js [PORT] [SECONDS]`
'use strict';
const {serve} = require('./common');

const products = [];
for (let i = 0; i < 1000; i++)
  products.push({id: i, name: 'product-' + i, price: (i * 37) % 101, stock: i % 13});

function cdoctorJsRankProducts(q) {
  let best = null;
  let bestScore = -1;
  for (let round = 0; round < 30; round++)
    for (const p of products) {
      const s = ((p.price * 7 + p.stock * 3 + q + round) % 97) * (p.name.length % 5 + 1);
      if (s > bestScore) { bestScore = s; best = p; }
    }
  return best;
}

serve((req, res) => {
  res.end(cdoctorJsRankProducts(req.url.length).name);
});
