// node_mixed.js - JavaScript that calls into native code and back, for
// mixed-mode unwinding: cdoctorJsHashPassword runs OpenSSL's PBKDF2
// synchronously (native code under a JS frame, under node's C++ entry),
// cdoctorJsSpin stays in JIT code. `node node_mixed.js [SECONDS]`.
'use strict';
const crypto = require('crypto');

function cdoctorJsHashPassword(i) {
  return crypto.pbkdf2Sync('password' + i, 'salt', 2000, 32, 'sha256')[0];
}

function cdoctorJsSpin(n) {
  let h = 7;
  for (let i = 0; i < n; i++) h = (h * 31 + i) | 0;
  return h;
}

function cdoctorJsWork(i) {
  return cdoctorJsHashPassword(i) ^ cdoctorJsSpin(100000);
}

const secs = Number(process.argv[2] || 2);
const end = Date.now() + secs * 1000;
let acc = 0;
for (let i = 0; Date.now() < end; i++) acc ^= cdoctorJsWork(i);
console.log(acc & 0xff);
