// Bench-only (not the product): the least njs code a grant-cache hit can be, written by hand,
// to show what the njs APIs alone cost (docs/benchmarks.md, case `minimal-hit`). It does what
// src/njs/cached-grant.ts does on a hit: SHA-256 key, shared-dict read, split, four headers, 200,
// and like it reads no clock (the dict drops entries itself). The entry is made up (stored by the
// first request), nothing is verified, but it has the size and shape of the module's entry for the
// bench user (a 321-byte HS256 token with the same claims, 486 bytes in all): njs copies and scans
// strings per byte, and a 55-byte token measured 11k instructions less per request (sid), which
// made this ceiling look higher than any real token allows.
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
    text =
      'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsb2NhbHJlYWxtLWJlbmNoIiwiaXNzIjoiYXV0aG90cm9uLWJlbmNoIiwiZXhwIjoxNzk2MTI3MTEzLCJpYXQiOjE3OTYxMjM1MTMsInJvbGVzIjpbInJlYWRlciIsIndyaXRlciJdLCJ1c2VybmFtZSI6ImJlbmNoIiwic2NvcGVzIjp7fSwicmVhbG0iOiJsb2NhbHJlYWxtIiwiYXR0cmlidXRlcyI6e319.bWFkZS11cC1zaWduYXR1cmUtb2YtYmVuY2gtdG9rISE\n' +
      'bench\n' +
      'localrealm\n' +
      'reader,writer\n' +
      '1\n' +
      '1796123543\n' +
      '1796127113\n' +
      '{"version":1,"username":"bench","realm":"localrealm","roles":["reader","writer"],"attributes":{},"scopes":{}}';
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
