/**
 * Browser sessions and our own tokens (issue 18) through nginx/nginx.conf itself, in front of a
 * real httpbin, on every runtime leg: the whole round trip with a cookie jar, every open-redirect
 * attempt, the cookie's attributes, our tokens accepted back (cookie or Bearer), expired, tampered
 * and foreign ones refused, secret rotation. Tokens are made and checked with jose.
 */
import test from 'ava'
import { jwtVerify, SignJWT } from 'jose'
import { exampleConf } from '../nginx-harness/example-conf'
import { withNginxOnEveryLeg } from '../support/suite'

const SECRET = 'the-current-secret-of-at-least-32-bytes'
const PREVIOUS = 'the-previous-secret-of-at-least-32-bytes'
const TEST_USER = 'Basic ' + Buffer.from('test_user:secret123').toString('base64')

const config = `
version: 2.0.0
logging: {level: debug, format: console}
store: {enabled: false}
services: []
server: {port: 8080}
include_legacy_headers: true
jwt: {exp: 3600, iss: authotron-test, secret: "${SECRET}", previous_secrets: ["${PREVIOUS}"]}
session: {}
providers:
  - {type: plain, name: plain-provider, realm: localrealm, users: [{username: test_user, password: secret123, roles: [ops]}]}
`

const suite = withNginxOnEveryLeg(test, { label: 'session', complete: true, httpbin: true, config, conf: exampleConf })

const COOKIE = 'authotron_session'
const ATTRIBUTES = '; Path=/; HttpOnly; SameSite=Lax; Secure'

/** The cookie jar of one client: what Set-Cookie said last, sent back on every request. */
class Jar {
  value: string | undefined
  take(response: Response) {
    const setCookie = response.headers.get('set-cookie')
    if (setCookie === null) return
    const value = setCookie.slice(setCookie.indexOf('=') + 1, setCookie.indexOf(';'))
    this.value = /Max-Age=0(;|$)/.test(setCookie) ? undefined : value
  }
  headers(): Record<string, string> {
    return this.value === undefined ? {} : { Cookie: `${COOKIE}=${this.value}` }
  }
}

async function get(nginx: { url(path: string): string }, path: string, headers: Record<string, string> = {}) {
  return fetch(nginx.url(path), { headers, redirect: 'manual' })
}

function ownClaims(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000)
  return {
    sub: 'localrealm-test_user', iss: 'authotron-test', exp: now + 600, iat: now,
    roles: ['ops'], username: 'test_user', scopes: {}, realm: 'localrealm', attributes: {}, ...overrides,
  }
}

async function signed(secret: string, overrides: Record<string, unknown> = {}) {
  return new SignJWT(ownClaims(overrides)).setProtectedHeader({ typ: 'JWT', alg: 'HS256' }).sign(new TextEncoder().encode(secret))
}

suite.test('the browser round trip: 302 → challenge → credentials → cookie → the page → logout → 302', async (t, nginx) => {
  const jar = new Jar()
  const first = await get(nginx, '/api/get', jar.headers())
  t.is(first.status, 302)
  const login = first.headers.get('location')!
  t.is(login, '/authenticate?redirect=/api/get')

  const challenge = await get(nginx, login, jar.headers())
  t.is(challenge.status, 401)
  t.is(challenge.headers.get('www-authenticate'), 'Basic realm="localrealm"')
  t.is(challenge.headers.get('set-cookie'), null)

  const loggedIn = await get(nginx, login, { ...jar.headers(), Authorization: TEST_USER })
  t.is(loggedIn.status, 302)
  t.is(loggedIn.headers.get('location'), '/api/get')
  t.is(loggedIn.headers.get('cache-control'), 'no-store')
  jar.take(loggedIn)
  t.truthy(jar.value)
  const { payload } = await jwtVerify(jar.value!, new TextEncoder().encode(SECRET), { algorithms: ['HS256'] })
  t.like(payload, { sub: 'localrealm-test_user', iss: 'authotron-test', username: 'test_user' })

  const page = await get(nginx, '/api/get', jar.headers())
  t.is(page.status, 200)
  const echoed = (await page.json()) as { headers: Record<string, string> }
  // The backend gets the very token of the cookie: reuse mints nothing, extends nothing.
  t.is(echoed.headers.Authorization, `Bearer ${jar.value}`)
  t.is(echoed.headers['X-Auth-Username'], 'test_user')
  t.is(echoed.headers['X-Auth-Roles'], 'ops')

  const logout = await get(nginx, '/logout', jar.headers())
  t.is(logout.status, 302)
  t.is(logout.headers.get('location'), '/')
  t.is(logout.headers.get('set-cookie'), `${COOKIE}=; Max-Age=0${ATTRIBUTES}`)
  jar.take(logout)
  t.is(jar.value, undefined)
  const after = await get(nginx, '/api/get', jar.headers())
  t.is(after.status, 302)
  t.is(after.headers.get('location'), '/authenticate?redirect=/api/get')
})

suite.test('the session cookie: HttpOnly, SameSite=Lax, Secure, Path=/, Max-Age the token lifetime', async (t, nginx) => {
  const response = await get(nginx, '/authenticate?redirect=/api/get', { Authorization: TEST_USER })
  const setCookie = response.headers.get('set-cookie')!
  const match = new RegExp(`^${COOKIE}=([A-Za-z0-9_.-]+); Max-Age=(\\d+)${ATTRIBUTES.replace(/[;=/]/g, (c) => c)}$`).exec(setCookie)
  t.truthy(match, setCookie)
  const { payload } = await jwtVerify(match![1], new TextEncoder().encode(SECRET), { algorithms: ['HS256'] })
  t.is(Number(match![2]), payload.exp! - payload.iat!)
  t.is(Number(match![2]), 3600)
})

suite.test('a failed login never sets a cookie: 401 with the challenge', async (t, nginx) => {
  for (const authorization of [undefined, 'Basic ' + Buffer.from('test_user:wrong').toString('base64'), 'Bearer not.a.token']) {
    const response = await get(nginx, '/authenticate?redirect=/api/get', authorization ? { Authorization: authorization } : {})
    t.is(response.status, 401)
    t.is(response.headers.get('set-cookie'), null)
    t.is(response.headers.get('www-authenticate'), 'Basic realm="localrealm"')
  }
})

/** `redirect` values as they appear in the query string (percent-encoded where a client must). */
const OPEN_REDIRECTS: [string, string][] = [
  ['protocol-relative //evil.example', '//evil.example'],
  ['absolute https://evil.example', 'https://evil.example'],
  ['absolute, encoded', 'https%3A%2F%2Fevil.example'],
  ['/\\evil.example', '/%5Cevil.example'],
  ['/%2F%2Fevil.example (kept encoded)', '/%252F%252Fevil.example'],
  ['/%2F%2Fevil.example (decoded by the query)', '/%2F%2Fevil.example'],
  ['encoded //', '%2F%2Fevil.example'],
  ['a backslash later', '/a%5Cb'],
  ['a tab', '/%09/evil.example'],
  ['a newline', '/%0A/evil.example'],
  ['CR LF header injection', '/x%0D%0ASet-Cookie:%20a=b'],
  ['a NUL', '/x%00'],
  ['DEL', '/x%7F'],
  ['javascript:', 'javascript:alert(1)'],
  ['over-long', '/' + 'a'.repeat(2048)],
]

for (const [what, redirect] of OPEN_REDIRECTS) {
  suite.test(`open redirect refused, back to /: ${what}`, async (t, nginx) => {
    const response = await get(nginx, `/authenticate?redirect=${redirect}`, { Authorization: TEST_USER })
    t.is(response.status, 302)
    t.is(response.headers.get('location'), '/')
    t.regex(response.headers.get('set-cookie') ?? '', new RegExp(`^${COOKIE}=`))
    const logout = await get(nginx, `/logout?redirect=${redirect}`)
    t.is(logout.headers.get('location'), '/')
  })
}

suite.test('a same-origin target with a query string comes back decoded', async (t, nginx) => {
  const response = await get(nginx, '/authenticate?redirect=%2Fapi%2Fget%3Fa%3D1%26b%3D2', { Authorization: TEST_USER })
  t.is(response.headers.get('location'), '/api/get?a=1&b=2')
})

suite.test('the 302 to the login carries the whole URI, encoded, and the login sends the browser back to it', async (t, nginx) => {
  const location = async (path: string) => (await get(nginx, path)).headers.get('location')
  t.is(await location('/api/get'), '/authenticate?redirect=/api/get')
  t.is(await location('/api/a-b/c_d.e~f'), '/authenticate?redirect=/api/a-b/c_d.e~f')
  // A query string of its own stays inside the one `redirect` value: no second `redirect=`.
  const withQuery = await location('/api/get?a=1&redirect=https://evil.example')
  t.is(withQuery, '/authenticate?redirect=/api/get%3Fa%3D1%26redirect%3Dhttps%3A//evil.example')
  const login = await get(nginx, withQuery!, { Authorization: TEST_USER })
  t.is(login.status, 302)
  t.is(login.headers.get('location'), '/api/get?a=1&redirect=https://evil.example')
  // An escape of the URI is escaped again, so the login's one decoding gives the URI back; an
  // encoded slash there still falls back to /.
  t.is(await location('/api/x%26y'), '/authenticate?redirect=/api/x%2526y')
  const encodedSlash = await location('/api/x%2F%2Fevil.example')
  t.is((await get(nginx, encodedSlash!, { Authorization: TEST_USER })).headers.get('location'), '/')
  t.is(await location('/api/' + 'a'.repeat(2100)), '/authenticate')
})

suite.test('our own token as a Bearer credential: accepted as it is (the seed readme\'s direct JWT access)', async (t, nginx) => {
  const minted = await get(nginx, '/authenticate', { Authorization: TEST_USER })
  t.is(minted.status, 200)
  t.is(minted.headers.get('set-cookie'), null)
  const token = minted.headers.get('authorization')!.slice(7)
  const page = await get(nginx, '/api/get', { Authorization: `Bearer ${token}` })
  t.is(page.status, 200)
  t.is(((await page.json()) as any).headers.Authorization, `Bearer ${token}`)
  const again = await get(nginx, '/authenticate', { Authorization: `Bearer ${token}` })
  t.is(again.headers.get('authorization'), `Bearer ${token}`)
  const whoami = await get(nginx, '/whoami', { Authorization: `Bearer ${token}` })
  t.deepEqual(await whoami.json(), { version: 1, username: 'test_user', realm: 'localrealm', roles: ['ops'], attributes: {}, scopes: {} })
})

suite.test('rotation: a token of the previous secret is accepted until it expires', async (t, nginx) => {
  const token = await signed(PREVIOUS)
  for (const headers of [{ Authorization: `Bearer ${token}` }, { Cookie: `${COOKIE}=${token}` }] as Record<string, string>[]) {
    const page = await get(nginx, '/api/get', headers)
    t.is(page.status, 200)
    t.is(((await page.json()) as any).headers.Authorization, `Bearer ${token}`)
  }
  const expired = await signed(PREVIOUS, { exp: Math.floor(Date.now() / 1000) - 1 })
  t.is((await get(nginx, '/api/get', { Authorization: `Bearer ${expired}` })).status, 302)
})

suite.test('expired, tampered and foreign tokens are refused, from the cookie or as Bearer', async (t, nginx) => {
  const good = await signed(SECRET)
  const [h, p, s] = good.split('.')
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString())
  const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url')}.${s}`
  const bad: [string, string][] = [
    ['expired', await signed(SECRET, { exp: Math.floor(Date.now() / 1000) - 1 })],
    ['tampered', tampered],
    ['foreign secret', await signed('a-secret-that-is-not-ours-at-all-32-bytes')],
    ['foreign issuer', await signed(SECRET, { iss: 'someone-else' })],
    ['alg none', `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`],
  ]
  t.is((await get(nginx, '/api/get', { Cookie: `${COOKIE}=${good}` })).status, 200)
  for (const [what, token] of bad) {
    for (const headers of [{ Authorization: `Bearer ${token}` }, { Cookie: `${COOKIE}=${token}` }] as Record<string, string>[]) {
      const response = await get(nginx, '/api/get', headers)
      t.is(response.status, 302, `${what} via ${Object.keys(headers)[0]}`)
    }
  }
  // A cookie that is not a token at all, or tries to read as more credentials: ignored.
  const injected = await get(nginx, '/api/get', { Cookie: `${COOKIE}="${good}, ${TEST_USER}"` })
  t.is(injected.status, 302)
})

suite.test('an Authorization header wins over the cookie', async (t, nginx) => {
  const good = await signed(SECRET)
  const wrong = 'Basic ' + Buffer.from('test_user:wrong').toString('base64')
  t.is((await get(nginx, '/api/get', { Cookie: `${COOKIE}=${good}`, Authorization: wrong })).status, 302)
})
