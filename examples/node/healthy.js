// healthy.js - a healthy server: small responses, no blocking, nothing
// kept. The doctor should find nothing. `node healthy.js [PORT] [SECONDS]`
'use strict';
const {serve} = require('./common');

const body = JSON.stringify({status: 'ok', version: 1});

serve((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(body);
});
