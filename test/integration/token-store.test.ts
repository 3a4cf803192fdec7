/**
 * The embedded token store (issue 20) through real nginx: GET /token, the token as a Bearer
 * credential, GET /tokens, DELETE /token/{t}, on every leg with a shared dict (the state file where
 * njs has one, ≥ 0.9.1), and the clear 503 on njs 0.7.9, which has none. The etcd backend:
 * token-store-etcd.test.ts.
 */
import test from 'ava'
import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jwtVerify } from 'jose'
import { startNginx, type ConfContext, type NginxServer } from '../nginx-harness/nginx'
import { delay } from '../nginx-harness/processes'
import { selectedLegs, versionAtLeast, type RuntimeLeg } from '../nginx-harness/runtimes'
import { REPO_ROOT } from '../nginx-harness/paths'
import { withNginxOnEveryLeg } from '../support/suite'

const SECRET = 'token-store-secret-of-at-least-32-bytes'
const yaml = (store: string) => `
version: 2.0.0
logging: {level: info, format: console}
store: ${store}
services: []
server: {port: 8080}
jwt: {exp: 3600, iss: authotron-test, secret: "${SECRET}"}
providers:
  - type: plain
    name: local
    realm: localrealm
    users: [{username: alice, password: a-pass, roles: [reader]}, {username: bob, password: b-pass}]
augmenters:
  - {type: plain, name: extra, realm: localrealm, roles: {writer: [alice]}}
`
const CONFIG = yaml('{enabled: true, type: embedded}')
const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64')
const ALICE = basic('alice', 'a-pass')
const BOB = basic('bob', 'b-pass')
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** The state file of a zone (njs ≥ 0.9.1), written by the workers (nobody): a folder they may write. */
const stateDir = mkdtempSync(join(tmpdir(), 'aot-tokens-'))
chmodSync(stateDir, 0o777)
const hasState = (leg: RuntimeLeg) => versionAtLeast(leg.expected.njs, '0.9.1')
const statePath = (leg: RuntimeLeg, label: string) => join(stateDir, `${leg.name}-${label}.json`)

/** nginx/authotron-tokens.conf (or -memory.conf on 0.8.x) as shipped, the state file moved to the test's folder. */
function tokensZone(leg: RuntimeLeg, label: string): string {
  if (!leg.features.sharedDict) return ''
  if (!hasState(leg)) return readFileSync(join(REPO_ROOT, 'nginx/authotron-tokens-memory.conf'), 'utf8')
  return readFileSync(join(REPO_ROOT, 'nginx/authotron-tokens.conf'), 'utf8').replace(
    'state=/var/lib/nginx/authotron-tokens.json',
    `state=${statePath(leg, label)}`,
  )
}

const conf =
  (label: string) =>
  ({ leg, port, paths }: ConfContext) => `
  ${tokensZone(leg, label)}
  server {
      listen 127.0.0.1:${port};
      include ${paths.repo}/nginx/authotron-endpoints.conf;
  }`

const withDict = selectedLegs().filter((leg) => leg.features.sharedDict)
const withoutDict = selectedLegs().filter((leg) => !leg.features.sharedDict)

async function newToken(nginx: NginxServer, authorization: string): Promise<string> {
  const response = await fetch(nginx.url('/token'), { headers: { Authorization: authorization } })
  const text = await response.text()
  if (response.status !== 200) throw new Error(`GET /token: ${response.status} ${text}`)
  return (JSON.parse(text) as { token: string }).token
}

function bearer(token: string): string {
  return `Bearer ${token}`
}

async function authenticate(nginx: NginxServer, authorization: string, headers: Record<string, string> = {}) {
  return fetch(nginx.url('/authenticate'), { headers: { Authorization: authorization, ...headers } })
}

async function listed(nginx: NginxServer, authorization: string) {
  const response = await fetch(nginx.url('/tokens'), { headers: { Authorization: authorization } })
  return { status: response.status, body: (await response.json()) as { tokens: { token_string: string; version: number; scopes: object; expires_at: string }[] } }
}

const suite = withNginxOnEveryLeg(test, { legs: withDict, config: CONFIG, conf: conf('main') })

suite.serial('create → authenticate with it → list → delete → rejected', async (t, nginx) => {
  const created = await fetch(nginx.url('/token'), { headers: { Authorization: ALICE } })
  t.is(created.status, 200)
  t.is(created.headers.get('content-type'), 'application/json')
  const token = ((await created.json()) as { token: string }).token
  t.regex(token, UUID_V4)

  const granted = await authenticate(nginx, bearer(token))
  t.is(granted.status, 200)
  const jwt = granted.headers.get('authorization')!.slice('Bearer '.length)
  const { payload } = await jwtVerify(jwt, new TextEncoder().encode(SECRET))
  t.is(payload.sub, 'localrealm-alice')
  // The stored user is alice before augmentation: the plain augmenter adds writer once, as on a login.
  t.deepEqual(payload.roles, ['reader', 'writer'])

  const list = await listed(nginx, ALICE)
  t.is(list.status, 200)
  const ids = list.body.tokens.map((entry) => entry.token_string)
  t.true(ids.length >= 1)
  t.false(ids.includes(token), 'the list shows ids, never a token')
  const entry = list.body.tokens.find((item) => item.token_string !== undefined)!
  t.is(entry.version, 1)
  t.deepEqual(entry.scopes, {})

  const deleted = await fetch(nginx.url(`/token/${token}`), { method: 'DELETE', headers: { Authorization: ALICE } })
  t.is(deleted.status, 204)
  t.is(await deleted.text(), '')
  t.is((await authenticate(nginx, bearer(token))).status, 401)
  t.is((await fetch(nginx.url(`/token/${token}`), { method: 'DELETE', headers: { Authorization: ALICE } })).status, 404)
})

suite.serial('a token authenticates /whoami and makes further tokens; roles never double', async (t, nginx) => {
  const token = await newToken(nginx, ALICE)
  const basic = await (await fetch(nginx.url('/whoami'), { headers: { Authorization: ALICE } })).json()
  const stored = await (await fetch(nginx.url('/whoami'), { headers: { Authorization: bearer(token) } })).json()
  t.deepEqual(stored, basic)
  const second = await newToken(nginx, bearer(token))
  const again = await (await fetch(nginx.url('/whoami'), { headers: { Authorization: bearer(second) } })).json()
  t.deepEqual(again, basic)
})

suite.serial('ownership: nobody lists or deletes anyone else’s token', async (t, nginx) => {
  const token = await newToken(nginx, ALICE)
  const aliceIds = (await listed(nginx, ALICE)).body.tokens.map((entry) => entry.token_string)
  const bobList = await listed(nginx, BOB)
  t.is(bobList.status, 200)
  for (const entry of bobList.body.tokens) t.false(aliceIds.includes(entry.token_string))
  for (const target of [token, aliceIds[0]]) {
    const response = await fetch(nginx.url(`/token/${target}`), { method: 'DELETE', headers: { Authorization: BOB } })
    t.is(response.status, 404)
    t.deepEqual(await response.json(), { error: 'Token not found' })
  }
  t.is((await authenticate(nginx, bearer(token))).status, 200)
  // Its owner may delete it by id too (GET /tokens shows no token to delete by).
  const before = new Set(aliceIds)
  const fresh = await newToken(nginx, ALICE)
  const id = (await listed(nginx, ALICE)).body.tokens.map((entry) => entry.token_string).find((x) => !before.has(x))!
  const byId = await fetch(nginx.url(`/token/${id}`), { method: 'DELETE', headers: { Authorization: ALICE } })
  t.is(byId.status, 204)
  t.is((await authenticate(nginx, bearer(fresh))).status, 401)
})

suite.serial('the token routes: 401 without credentials, 405 with the Allow header of the reference', async (t, nginx) => {
  t.is((await fetch(nginx.url('/token'))).status, 401)
  t.is((await fetch(nginx.url('/tokens'))).status, 401)
  t.is((await fetch(nginx.url('/token/x'), { method: 'DELETE' })).status, 401)
  const wrong = await fetch(nginx.url('/token/abc'), { headers: { Authorization: ALICE } })
  t.is(wrong.status, 405)
  t.is(wrong.headers.get('allow'), 'DELETE')
  const post = await fetch(nginx.url('/token'), { method: 'POST', headers: { Authorization: ALICE } })
  t.is(post.status, 405)
  t.is(post.headers.get('allow'), 'GET,HEAD')
})

suite.serial('the token-store provider has no realm: X-Auth-Realm excludes it, the challenge omits it', async (t, nginx) => {
  const token = await newToken(nginx, ALICE)
  const filtered = await authenticate(nginx, bearer(token), { 'X-Auth-Realm': 'localrealm' })
  t.is(filtered.status, 401)
  t.is(filtered.headers.get('www-authenticate'), 'Basic realm="localrealm"')
  const providers = await (await fetch(nginx.url('/providers'))).json()
  t.deepEqual(providers, { providers: [{ name: 'local', type: 'plain', realm: 'localrealm' }] })
  t.is((await authenticate(nginx, bearer('00000000-0000-4000-8000-000000000000'))).status, 401)
})

suite.serial('tokens survive nginx -s reload', async (t, nginx) => {
  const token = await newToken(nginx, BOB)
  await nginx.reload()
  t.is((await authenticate(nginx, bearer(token))).status, 200)
})

const expiring = withNginxOnEveryLeg(test, {
  legs: withDict,
  config: yaml('{enabled: true, type: embedded, token_lifetime_in_s: 1}'),
  conf: conf('expiry'),
})

expiring.test('a token stops authenticating after store.token_lifetime_in_s', async (t, nginx) => {
  const token = await newToken(nginx, ALICE)
  t.is((await authenticate(nginx, bearer(token))).status, 200)
  await delay(2100)
  t.is((await authenticate(nginx, bearer(token))).status, 401)
  t.deepEqual((await listed(nginx, ALICE)).body, { tokens: [] })
})

for (const leg of withDict) {
  test.serial(`[${leg.name}] a restart keeps the tokens where njs has state files, and only their hashes are on disk`, async (t) => {
    let nginx = await startNginx({ leg, config: CONFIG, conf: conf('restart'), label: 'tokens-restart' })
    let token: string
    try {
      token = await newToken(nginx, ALICE)
      await delay(1500) // nginx writes the state file within a second of a change
    } finally {
      await nginx.stop()
    }
    nginx = await startNginx({ leg, config: CONFIG, conf: conf('restart'), label: 'tokens-restart' })
    try {
      const status = (await authenticate(nginx, bearer(token))).status
      if (hasState(leg)) {
        t.is(status, 200)
        const state = readFileSync(statePath(leg, 'restart'), 'utf8')
        t.regex(state, /"t\/[A-Za-z0-9_-]{43}"/, 'the token is stored under its hash')
        t.false(state.includes(token), 'the state file holds no token')
      } else {
        // njs 0.8.x: no state file; the README says so (authotron-tokens-memory.conf).
        t.is(status, 401)
        t.false(existsSync(statePath(leg, 'restart')))
      }
    } finally {
      await nginx.stop()
    }
  })
}

const noDict = withNginxOnEveryLeg(test, { legs: withoutDict, config: CONFIG, conf: conf('none') })

noDict.test('without shared dicts (njs 0.7.9) the embedded store answers 503 and says what to use', async (t, nginx) => {
  const response = await fetch(nginx.url('/token'), { headers: { Authorization: ALICE } })
  t.is(response.status, 503)
  const body = (await response.json()) as { error: string }
  t.regex(body.error, /^Store error: the embedded token store needs js_shared_dict_zone .*store\.type: etcd/)
  t.is((await fetch(nginx.url('/tokens'), { headers: { Authorization: ALICE } })).status, 503)
  // Everything else works; a would-be token is refused.
  t.is((await authenticate(nginx, ALICE)).status, 200)
  t.is((await authenticate(nginx, bearer('00000000-0000-4000-8000-000000000000'))).status, 401)
  t.regex(nginx.errorLog(), /store\.request\.failed code="ERR_STORE_UNSUPPORTED"/)
})

const disabled = withNginxOnEveryLeg(test, {
  legs: selectedLegs().slice(0, 1),
  config: yaml('{enabled: false}'),
  conf: conf('disabled'),
})

disabled.test('with the store disabled the token routes answer the reference’s 503', async (t, nginx) => {
  const response = await fetch(nginx.url('/tokens'), { headers: { Authorization: ALICE } })
  t.is(response.status, 503)
  t.is(await response.text(), '{"error":"Token store is disabled"}')
})

// Issue 20 / §4.x "Duplicated roles": with a `session`, a token of ours (the session cookie, or
// the same JWT as a Bearer header) authenticates GET /token; its user already carries the
// augmenters' roles, so what the store keeps must be the user before augmentation.
const withSession = withNginxOnEveryLeg(test, {
  legs: withDict,
  config: `${CONFIG}session: {}\n`,
  conf: conf('session'),
})

withSession.serial('GET /token authenticated by our own session token stores the user before augmentation: roles never double', async (t, nginx) => {
  const login = await authenticate(nginx, ALICE)
  t.is(login.status, 200)
  const jwt = login.headers.get('authorization')!.slice('Bearer '.length)
  const basic = await (await fetch(nginx.url('/whoami'), { headers: { Authorization: ALICE } })).json()
  t.deepEqual((basic as { roles: string[] }).roles, ['reader', 'writer'])
  const ways: [string, Record<string, string>][] = [
    ['session cookie', { Cookie: `authotron_session=${jwt}` }],
    ['our JWT as Bearer', { Authorization: bearer(jwt) }],
  ]
  for (const [way, headers] of ways) {
    const created = await fetch(nginx.url('/token'), { headers })
    t.is(created.status, 200, way)
    const token = ((await created.json()) as { token: string }).token
    const stored = await (await fetch(nginx.url('/whoami'), { headers: { Authorization: bearer(token) } })).json()
    t.deepEqual(stored, basic, way)
    const granted = await authenticate(nginx, bearer(token))
    const { payload } = await jwtVerify(granted.headers.get('authorization')!.slice('Bearer '.length), new TextEncoder().encode(SECRET))
    t.deepEqual(payload.roles, ['reader', 'writer'], way)
  }
})
