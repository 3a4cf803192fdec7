/**
 * The etcd token store (issue 20) on every leg, njs 0.7.9 included: two nginx nodes per leg share
 * one real etcd (test/support/etcd.ts) through nginx/authotron-etcd.conf. A token made on one node
 * authenticates on the other at once; leases carry the expiry; only hashes reach etcd; with etcd
 * down the token routes answer 503, Basic keeps working and stored tokens are refused.
 */
import test from 'ava'
import type { ConfContext, NginxServer } from '../nginx-harness/nginx'
import { Etcd, etcdAvailable, startEtcd } from '../support/etcd'
import { withNginxOnEveryLeg } from '../support/suite'

const SECRET = 'token-store-etcd-secret-of-32-bytes-or-more'
const LIFETIME = 3600
const PREFIX = 'authotron-test/tokens/'
const CONFIG = `
version: 2.0.0
logging: {level: info, format: console}
store: {enabled: true, type: etcd, prefix: "${PREFIX}", token_lifetime_in_s: ${LIFETIME}}
services: []
server: {port: 8080}
jwt: {exp: 3600, iss: authotron-test, secret: "${SECRET}"}
providers:
  - {type: plain, name: local, realm: localrealm, users: [{username: alice, password: a-pass, roles: [reader]}, {username: bob, password: b-pass}]}
`
const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64')
const ALICE = basic('alice', 'a-pass')
const BOB = basic('bob', 'b-pass')

let etcd: Etcd
// Serial: ava starts the nginx suites' (concurrent) before hooks only once it has finished, and
// their confs read etcd.port.
test.serial.before(async () => {
  const missing = etcdAvailable()
  if (missing !== undefined) throw new Error(missing)
  etcd = await startEtcd()
})
test.after.always(async () => etcd?.dispose())

const conf = ({ port, paths }: ConfContext) => `
  upstream authotron_etcd {
      server 127.0.0.1:${etcd.port};
      keepalive 4;
  }
  server {
      listen 127.0.0.1:${port};
      include ${paths.repo}/nginx/authotron-endpoints.conf;
      include ${paths.repo}/nginx/authotron-etcd.conf;
  }`

const nodeA = withNginxOnEveryLeg(test, { config: CONFIG, conf, label: 'etcd-a' })
const nodeB = withNginxOnEveryLeg(test, { config: CONFIG, conf, label: 'etcd-b' })

async function newToken(nginx: NginxServer, authorization: string): Promise<string> {
  const response = await fetch(nginx.url('/token'), { headers: { Authorization: authorization } })
  const text = await response.text()
  if (response.status !== 200) throw new Error(`GET /token: ${response.status} ${text}`)
  return (JSON.parse(text) as { token: string }).token
}

async function statusWith(nginx: NginxServer, token: string): Promise<number> {
  return (await fetch(nginx.url('/authenticate'), { headers: { Authorization: `Bearer ${token}` } })).status
}

async function listedIds(nginx: NginxServer, authorization: string): Promise<string[]> {
  const response = await fetch(nginx.url('/tokens'), { headers: { Authorization: authorization } })
  const body = (await response.json()) as { tokens: { token_string: string }[] }
  return body.tokens.map((entry) => entry.token_string)
}

async function etcdCall(path: string, body: unknown): Promise<any> {
  const response = await fetch(`http://127.0.0.1:${etcd.port}/v3${path}`, { method: 'POST', body: JSON.stringify(body) })
  return response.json()
}

const b64 = (text: string) => Buffer.from(text).toString('base64')
const unb64 = (text: string) => Buffer.from(text, 'base64').toString('utf8')

nodeA.serial('create → authenticate → list → delete → rejected, through etcd', async (t, a) => {
  const token = await newToken(a, ALICE)
  t.is(await statusWith(a, token), 200)
  const ids = await listedIds(a, ALICE)
  t.true(ids.length >= 1)
  t.false(ids.includes(token))
  const deleted = await fetch(a.url(`/token/${token}`), { method: 'DELETE', headers: { Authorization: ALICE } })
  t.is(deleted.status, 204)
  t.is(await statusWith(a, token), 401)
})

nodeA.serial('a token made on node A authenticates on node B within a second; deleted on B, refused on A', async (t, a) => {
  const b = nodeB.server(a.leg)
  const token = await newToken(a, ALICE)
  const started = Date.now()
  t.is(await statusWith(b, token), 200)
  t.true(Date.now() - started < 1000)
  const jwt = (await fetch(b.url('/authenticate'), { headers: { Authorization: `Bearer ${token}` } })).headers.get('authorization')!
  const claims = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'))
  t.is(claims.sub, 'localrealm-alice')
  t.deepEqual(claims.roles, ['reader'])
  t.is((await fetch(b.url(`/token/${token}`), { method: 'DELETE', headers: { Authorization: BOB } })).status, 404)
  t.is((await fetch(b.url(`/token/${token}`), { method: 'DELETE', headers: { Authorization: ALICE } })).status, 204)
  t.is(await statusWith(a, token), 401)
})

nodeA.serial('etcd holds hashes under the prefix, each with a lease that ends with the token', async (t, a) => {
  const token = await newToken(a, BOB)
  const range = await etcdCall('/kv/range', { key: b64(PREFIX), range_end: b64(PREFIX.slice(0, -1) + '0') })
  const entries = (range.kvs as { key: string; value: string; lease: string }[]).map((kv) => ({
    key: unb64(kv.key),
    value: unb64(kv.value),
    lease: kv.lease,
  }))
  t.true(entries.length >= 2)
  for (const entry of entries) {
    t.false(entry.key.includes(token) || entry.value.includes(token), 'etcd never holds a token')
    t.truthy(entry.lease, 'every key has a lease')
  }
  const lease = entries[entries.length - 1].lease
  const alive = await etcdCall('/kv/lease/timetolive', { ID: lease })
  const ttl = Number(alive.TTL)
  t.true(ttl > LIFETIME - 120 && ttl <= LIFETIME, `lease TTL ${ttl}`)
})

nodeA.serial('etcd stopped: the token routes answer 503, Basic still works, stored tokens are refused', async (t, a) => {
  const token = await newToken(a, ALICE)
  t.is(await statusWith(a, token), 200)
  await etcd.stop()
  try {
    const created = await fetch(a.url('/token'), { headers: { Authorization: ALICE } })
    t.is(created.status, 503)
    t.regex(((await created.json()) as { error: string }).error, /^Store error: etcd unreachable/)
    t.is((await fetch(a.url('/tokens'), { headers: { Authorization: ALICE } })).status, 503)
    t.is((await fetch(a.url('/authenticate'), { headers: { Authorization: ALICE } })).status, 200)
    t.is(await statusWith(a, token), 401)
    t.regex(a.errorLog(), /store\.lookup\.failed code="ERR_STORE_UNAVAILABLE"/)
  } finally {
    await etcd.start()
  }
  // Back up: the token was kept (etcd's data folder) and authenticates again.
  t.is(await statusWith(a, token), 200)
})

// §4.x "Duplicated roles" with etcd: a token made while authenticated by our own session token
// stores the user before augmentation (src/store/routes.ts), whatever the backend.
const sessionNode = withNginxOnEveryLeg(test, {
  config: `${CONFIG}augmenters:\n  - {type: plain, name: extra, realm: localrealm, roles: {writer: [alice]}}\nsession: {}\n`,
  conf,
  label: 'etcd-session',
})

sessionNode.serial('GET /token with our session cookie: the stored token gives the roles once', async (t, node) => {
  const login = await fetch(node.url('/authenticate'), { headers: { Authorization: ALICE } })
  t.is(login.status, 200)
  const jwt = login.headers.get('authorization')!.slice('Bearer '.length)
  const created = await fetch(node.url('/token'), { headers: { Cookie: `authotron_session=${jwt}` } })
  t.is(created.status, 200)
  const token = ((await created.json()) as { token: string }).token
  const who = (await (await fetch(node.url('/whoami'), { headers: { Authorization: `Bearer ${token}` } })).json()) as { roles: string[] }
  t.deepEqual(who.roles, ['reader', 'writer'])
})
