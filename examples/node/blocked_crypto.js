// blocked_crypto.js - event loop blocked by synchronous crypto: every
// request hashes a password with crypto.pbkdf2Sync on the loop thread
// (the fix: crypto.pbkdf2 with a callback, or a worker pool).
// `node blocked_crypto.js [PORT] [SECONDS]`
'use strict';
const crypto = require('crypto');
const {serve} = require('./common');

function cdoctorJsHashPassword(user) {
  return crypto.pbkdf2Sync('secret-' + user, 'salt', 20000, 32, 'sha256');
}

serve((req, res) => {
  res.end(cdoctorJsHashPassword(req.url).toString('hex'));
});
