// Bench-only (not the product): what the grant key's SHA-256 costs on a leg, measured under load
// with bench/handler-cost.ts (docs/benchmarks.md, `bearer-cached/basic`). Each handler hashes a
// key of the grant cache's shape — config id, realm part, the Authorization header — and answers;
// `long` hashes an RS256-sized header (~700 bytes), `short` a Basic one, with njs's
// crypto.createHash (synchronous) or WebCrypto's crypto.subtle.digest (a promise).
import nodeCrypto from 'crypto';

var LONG = 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImJlbmNoLWtleSJ9.' +
  'eyJzdWIiOiJiZW5jaC11c2VyIiwiaXNzIjoiYmVuY2gtaWRwIiwiYXVkIjoiYXV0aG90cm9uIiwiZXhwIjoxNzk2MTI3MTEzLCJpYXQiOjE3OTYxMjM1MTMsInByZWZlcnJlZF91c2VybmFtZSI6ImJlbmNoIiwicmVhbG1fYWNjZXNzIjp7InJvbGVzIjpbInJlYWRlciIsIndyaXRlciJdfSwic2NvcGUiOiJvcGVuaWQgcHJvZmlsZSBlbWFpbCIsImVtYWlsIjoiYmVuY2hAZXhhbXBsZS5vcmcifQ.' +
  'c2lnbmF0dXJlLW9mLXRoZS1iZW5jaC10b2tlbi1tYWRlLXVwLWZvci10aGUtaGFzaC1jb3N0LW1lYXN1cmVtZW50LW9ubHktdGhlLWxlbmd0aC1tYXR0ZXJzLWhlcmUtMjU2LWJ5dGVzLW9mLXNpZ25hdHVyZS1lbmNvZGVkLWFzLWJhc2U2NHVybC1pcy0zNDItY2hhcmFjdGVycy1zby10aGlzLXN0cmluZy1pcy1wYWRkZWQtdG8tdGhhdC1sZW5ndGgtYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo';
var SHORT = 'Basic YmVuY2g6YmVuY2gtcGFzc3dvcmQ=';

function keyText(authorization) {
  return 'config-id\n-\n' + authorization;
}

function syncLong(r) {
  r.return(200, nodeCrypto.createHash('sha256').update(keyText(LONG)).digest('base64url'));
}

function syncShort(r) {
  r.return(200, nodeCrypto.createHash('sha256').update(keyText(SHORT)).digest('base64url'));
}

async function subtleLong(r) {
  var digest = await globalThis.crypto.subtle.digest('SHA-256', keyText(LONG));
  r.return(200, String(digest.byteLength));
}

async function subtleShort(r) {
  var digest = await globalThis.crypto.subtle.digest('SHA-256', keyText(SHORT));
  r.return(200, String(digest.byteLength));
}

function length(r) {
  r.return(200, String(LONG.length) + ' ' + String(SHORT.length));
}

export default { syncLong, syncShort, subtleLong, subtleShort, length };
