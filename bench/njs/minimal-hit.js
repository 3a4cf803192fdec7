// Bench-only (not the product): the least njs code a grant-cache hit can be, written by hand,
// to show what the njs APIs alone cost (docs/benchmarks.md, case `minimal-hit`). It does what
// src/njs/cached-grant.ts does on a hit: SHA-256 key, shared-dict read, split, four headers, 200,
// and like it reads no clock (the dict drops entries itself). The entry is made up (stored by the
// first request); nothing is verified.
import crypto from 'crypto';

function hit(r) {
  var dict = ngx.shared.authotron;
  var authorization = r.headersIn.Authorization;
  var realm = r.headersIn['X-Auth-Realm'];
  var key = 'grant2:' + crypto.createHash('sha256')
    .update('config-id' + (realm === undefined ? '\n-\n' : '\n+' + realm + '\n') + authorization)
    .digest('base64url');
  var text = dict.get(key);
  if (text === undefined) {
    text = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2lnbmF0dXJl\nbench\nlocalrealm\nreader,writer\n1\n0\n0\n{}';
    dict.set(key, text, 60000);
  }
  var fields = text.split('\n', 5);
  var headers = r.headersOut;
  headers.Authorization = 'Bearer ' + fields[0];
  if (fields[4] === '1') {
    headers['X-Auth-Username'] = fields[1];
    headers['X-Auth-Realm'] = fields[2];
    headers['X-Auth-Roles'] = fields[3];
  }
  r.return(200, 'Authenticated successfully');
}

function ok(r) {
  r.return(200, 'ok');
}

export default { hit, ok };
