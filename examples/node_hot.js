// node_hot.js - a JavaScript hot function with a distinctive name,
// cdoctorJsHotFunction, for `cdoctor run -- node node_hot.js [SECONDS]`.
'use strict';

function cdoctorJsHotFunction(n) {
  let h = 2166136261;
  for (let i = 0; i < n; i++) {
    h ^= i & 0xff;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

const secs = Number(process.argv[2] || 2);
const end = Date.now() + secs * 1000;
let acc = 0;
while (Date.now() < end) acc ^= cdoctorJsHotFunction(200000);
console.log(acc & 0xff);
