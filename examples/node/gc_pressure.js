// gc_pressure.js - GC pressure: every request builds and throws away a
// large number of short-lived objects (the fix: reuse buffers, avoid
// per-request copies, stream instead of building whole arrays).
// `node gc_pressure.js [PORT] [SECONDS]`
'use strict';
const {serve} = require('./common');

function cdoctorJsBuildRows(n) {
  const rows = [];
  for (let i = 0; i < n; i++)
    rows.push({id: i, label: 'row-' + i, cells: [i, i * 2, String(i)]});
  return rows.filter((r) => r.id % 100 === 0).length;
}

serve((req, res) => {
  res.end(String(cdoctorJsBuildRows(20000)));
});
