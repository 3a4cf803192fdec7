// Bench-only (not the product): the least njs code a grant-cache hit can be, written by hand,
// to show what the njs APIs alone cost (docs/benchmarks.md). It does what src/njs/cached-grant.ts
// does on a hit: SHA-256 key, shared-dict read, split, four headers, 200. The entry is made up
// (stored on the first request); nothing is verified.
import crypto from 'crypto';

function hit(r) {
  var dict = ngx.shared.authotron;
  var authorization = r.headersIn.Authorization;
  var realm = r.headersIn['x-auth-realm'];
  var key = 'grant:' + crypto.createHash('sha256')
    .update('config-id\n' + (realm === undefined ? '-' : '+' + realm) + '\n' + authorization)
    .digest('base64url');
  var text = dict.get(key);
  if (text === undefined) {
    text = (Math.floor(Date.now() / 1000) + 60) + '\n0\neyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2lnbmF0dXJl\nbench\nlocalrealm\nreader,writer\n{}';
    dict.set(key, text);
  }
  var fields = text.split('\n', 6);
  if (!(Number(fields[0]) > Math.floor(Date.now() / 1000))) {
    r.return(500);
    return;
  }
  var headers = r.headersOut;
  headers.Authorization = 'Bearer ' + fields[2];
  headers['X-Auth-Username'] = fields[3];
  headers['X-Auth-Realm'] = fields[4];
  headers['X-Auth-Roles'] = fields[5];
  r.return(200, 'Authenticated successfully');
}

function ok(r) {
  r.return(200, 'ok');
}

export default { hit, ok };
