import test from 'ava'
import { FALLBACK_REDIRECT, LOGIN_PATH, loginLocation, MAX_REDIRECT_LENGTH, safeRedirectTarget } from '../../../src/auth/redirect'

/** `redirect` as nginx's $arg_redirect holds it: still percent-encoded. */
const accepted: [string, string][] = [
  ['/api/get', '/api/get'],
  ['/', '/'],
  ['%2Fapi%2Fget', '/api/get'],
  ['/api/get%3Fa%3D1%26b%3D2', '/api/get?a=1&b=2'],
  ['/a/b.c~d_e-f', '/a/b.c~d_e-f'],
  ['/path:with@colon', '/path:with@colon'],
  ['/%2541', '/%41'],
]

for (const [raw, target] of accepted) {
  test(`same-origin path accepted: ${JSON.stringify(raw)}`, (t) => {
    t.is(safeRedirectTarget(raw), target)
  })
}

const refused: [string, string][] = [
  ['protocol-relative', '//evil.example'],
  ['protocol-relative, encoded', '%2F%2Fevil.example'],
  ['absolute URL', 'https://evil.example'],
  ['absolute URL, encoded', 'https%3A%2F%2Fevil.example'],
  ['scheme without slashes', 'javascript:alert(1)'],
  ['backslash after the slash', '/\\evil.example'],
  ['backslash after the slash, encoded', '%2F%5Cevil.example'],
  ['encoded slashes', '/%2F%2Fevil.example'],
  ['encoded slashes, double-encoded', '/%252F%252Fevil.example'],
  ['encoded backslash, double-encoded', '/%255Cevil.example'],
  ['backslash anywhere', '/a\\b'],
  ['tab', '/%09/evil.example'],
  ['tab, raw', '/\t/evil.example'],
  ['newline', '/%0A/evil.example'],
  ['carriage return + header', '/x%0D%0ASet-Cookie:%20a=b'],
  ['NUL', '/x%00'],
  ['DEL', '/x%7F'],
  ['encoded control character, double-encoded', '/x%2509'],
  ['space', '/a%20b'],
  ['non-ASCII', '/caf%C3%A9'],
  ['relative path', 'api/get'],
  ['dot path', '../x'],
  ['empty', ''],
  ['malformed escape', '/%E0%A4%A'],
  ['over-long', '/' + 'a'.repeat(MAX_REDIRECT_LENGTH)],
  ['over-long before decoding', '/' + '%61'.repeat(MAX_REDIRECT_LENGTH)],
]

for (const [what, raw] of refused) {
  test(`falls back to / : ${what}`, (t) => {
    t.is(safeRedirectTarget(raw), FALLBACK_REDIRECT)
  })
}

test('absent falls back to /', (t) => {
  t.is(safeRedirectTarget(undefined), '/')
})

test('exactly the maximum length is accepted', (t) => {
  const target = '/' + 'a'.repeat(MAX_REDIRECT_LENGTH - 1)
  t.is(safeRedirectTarget(target), target)
})

test('loginLocation: the URI goes into one redirect value, and the login decodes it back whole', (t) => {
  const uris = ['/api/get', '/api/get?a=1&b=2', '/api/x?a=1&redirect=https://evil.example', '/api/x%26y', '/p:q@r;s=t', '/é']
  for (const uri of uris) {
    const location = loginLocation(uri)
    t.true(location.startsWith(LOGIN_PATH + '?redirect='), uri)
    const value = location.slice((LOGIN_PATH + '?redirect=').length)
    t.false(/[?&#]/.test(value), `${uri}: one query value`)
    const back = safeRedirectTarget(value)
    t.is(back, uri === '/é' ? FALLBACK_REDIRECT : uri, uri)
  }
  t.is(loginLocation('/api/get'), '/authenticate?redirect=/api/get')
})

test('loginLocation: no URI or an over-long one gives the bare login path', (t) => {
  t.is(loginLocation(undefined), LOGIN_PATH)
  t.is(loginLocation(''), LOGIN_PATH)
  t.is(loginLocation('/' + 'a'.repeat(MAX_REDIRECT_LENGTH)), LOGIN_PATH)
})
