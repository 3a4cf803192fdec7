/**
 * The auth_request contract of issue 2 (§3, §6, §7) over HTTP, against real nginx on every runtime
 * leg, through the shipped snippets (nginx/authotron-endpoints.conf, authotron-protect.conf) and,
 * where the leg has them, the shared-dict cache and the js_access handler. Minted tokens are
 * checked with jose, not with our own code.
 */
import test from 'ava'
import { decodeProtectedHeader, jwtVerify } from 'jose'
import { join } from 'node:path'
import { hashPassword } from '../../src/passwords/parse'
import { VERSION } from '../../src/version'
import { REPO_ROOT } from '../nginx-harness/paths'
import { withNginxOnEveryLeg } from '../support/suite'
import { protectedApiConf } from './protected-api-conf'
import { basicHeader, header, rawRequest, RawResponse } from './http-client'

const SECRET = 'integration-secret-key-of-32-bytes!'
const pbkdf2 = hashPassword('hashed-pw', { iterations: 1000 })
const htpasswd = join(REPO_ROOT, 'test/fixtures/config/users.htpasswd')

const config = `
version: 2.0.0
logging: {level: debug, format: console}
auth: {timeout_in_ms: 3000}
include_legacy_headers: true
store: {enabled: false}
services: []
server: {port: 8080}
jwt: {exp: 3600, iss: authotron-test, secret: "${SECRET}"}
providers:
  - type: plain
    name: plain-provider
    realm: localrealm
    users:
      - {username: test_user, password: secret123}
      - {username: test_user2, password: "p@ssw0rd", roles: [ops]}
      - {username: hasher, password_hash: "${pbkdf2}"}
      - {username: "ctl\\x01user", password: x}
  - {type: plain, name: other-provider, realm: OtherRealm, users: [{username: test_user, password: secret123, roles: [other]}]}
  - {type: plain, name: files, realm: filerealm, users: [], htpasswd_file: "${htpasswd}"}
augmenters:
  - {type: plain, name: basic-roles, realm: localrealm, roles: {admin: [test_user]}}
  - {type: plain_advanced, name: promote, realm: localrealm, match: {role: [admin]}, augment: {roles: [admin, superuser], attributes: {team: core}}}
`

const CHALLENGE = 'Basic realm="localrealm", Basic realm="OtherRealm", Basic realm="filerealm"'
const UNAUTHORIZED = '{"error": "Unauthorized access"}'
const GOOD = basicHeader('test_user', 'secret123')

const suite = withNginxOnEveryLeg(test, {
  config,
  portNames: ['backend'],
  conf: (context) => protectedApiConf(context, 'location = / { js_content authotron.endpoints.home; }'),
})

async function verify(token: string) {
  const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), { algorithms: ['HS256'] })
  return payload
}

function bearer(response: RawResponse): string {
  const value = header(response, 'authorization') ?? ''
  if (!value.startsWith('Bearer ')) throw new Error(`no Bearer token in ${JSON.stringify(value)}`)
  return value.slice(7)
}

function assertUnauthorized(t: any, response: RawResponse) {
  t.is(response.status, 401)
  t.is(header(response, 'content-type'), 'application/json')
  t.is(response.body, UNAUTHORIZED)
  t.is(header(response, 'www-authenticate'), CHALLENGE)
}

suite.test('/authenticate: 200, the minted JWT verified by jose, legacy headers', async (t, nginx) => {
  const response = await rawRequest(nginx.port, '/authenticate', [GOOD])
  t.is(response.status, 200)
  t.is(response.body, 'Authenticated successfully')
  const token = bearer(response)
  t.deepEqual(decodeProtectedHeader(token), { typ: 'JWT', alg: 'HS256' })
  const claims = await verify(token)
  t.deepEqual(Object.keys(claims), ['sub', 'iss', 'exp', 'iat', 'roles', 'username', 'scopes', 'realm', 'attributes'])
  t.like(claims, { sub: 'localrealm-test_user', iss: 'authotron-test', username: 'test_user', realm: 'localrealm' })
  t.deepEqual(claims.roles, ['admin', 'superuser'])
  t.deepEqual(claims.attributes, { team: 'core' })
  t.deepEqual(claims.scopes, {})
  t.is((claims.exp as number) - (claims.iat as number), 3600)
  t.is(header(response, 'x-auth-username'), 'test_user')
  t.is(header(response, 'x-auth-realm'), 'localrealm')
  t.is(header(response, 'x-auth-roles'), 'admin,superuser')
})

suite.test('401: JSON body, every provider in the challenge, on every failure kind', async (t, nginx) => {
  const failures: (string | Buffer)[][] = [
    [],
    [basicHeader('test_user', 'wrong')],
    [basicHeader('nobody', 'secret123')],
    ['Authorization: Garbage'],
    ['Authorization: Basic !!!notbase64'],
    ['Authorization: Basic dGVzdF91c2VyOnNlY3JldDEyMw'], // no padding
    ['Authorization: Basic ' + Buffer.from('test_user:secret123').toString('base64url') + '-_'],
    ['Authorization: Bearer a.b.c'],
    ['Authorization: Token abc'],
    ['Authorization: Basic a, Basic b, Basic c, Basic d'],
    ['Authorization: ' + GOOD.slice(15) + ','],
    ['Authorization: Basic ' + 'A'.repeat(8000)],
    [Buffer.concat([Buffer.from('Authorization: Basic dGVzdF91c2Vy'), Buffer.from([0xc3, 0xa9])])],
    ['Authorization: Basic ' + Buffer.from([0xff, 0x3a, 0x78]).toString('base64')],
    [GOOD, 'X-Auth-Realm:'],
    [GOOD, 'X-Auth-Realm: nowhere'],
  ]
  for (const lines of failures) {
    const response = await rawRequest(nginx.port, '/authenticate', lines)
    assertUnauthorized(t, response)
  }
  t.notRegex(nginx.errorLog(), /\[alert\]|exited on signal|js exception/)
})

suite.test('header grammar: last credential wins within a scheme, duplicates dropped, schemes in order', async (t, nginx) => {
  const bad = basicHeader('test_user', 'bad').slice(15)
  const good = GOOD.slice(15)
  t.is((await rawRequest(nginx.port, '/authenticate', [`Authorization: ${bad}, ${good}`])).status, 200)
  t.is((await rawRequest(nginx.port, '/authenticate', [`Authorization: ${good}, ${bad}`])).status, 401)
  t.is((await rawRequest(nginx.port, '/authenticate', [`Authorization: ${good}, ${good}, ${good}, ${good}`])).status, 200)
  t.is((await rawRequest(nginx.port, '/authenticate', [`Authorization: plain ${good.slice(6)}`])).status, 200)
  t.is((await rawRequest(nginx.port, '/authenticate', [`Authorization: Token x, bEaReR y, ${good}`])).status, 200)
})

suite.test('X-Auth-Realm selects providers case-insensitively; first configured wins otherwise', async (t, nginx) => {
  const first = await verify(bearer(await rawRequest(nginx.port, '/authenticate', [GOOD])))
  t.is(first.realm, 'localrealm')
  const other = await verify(bearer(await rawRequest(nginx.port, '/authenticate', [GOOD, 'X-Auth-Realm: otherrealm'])))
  t.is(other.realm, 'OtherRealm')
  t.deepEqual(other.roles, ['other'])
})

suite.test('hashed passwords (PBKDF2 via WebCrypto) and htpasswd users ($apr1$, {SHA}, {PLAIN})', async (t, nginx) => {
  t.is((await rawRequest(nginx.port, '/authenticate', [basicHeader('hasher', 'hashed-pw')])).status, 200)
  t.is((await rawRequest(nginx.port, '/authenticate', [basicHeader('hasher', 'hashed-px')])).status, 401)
  for (const [user, password] of [['alice', 'pässword'], ['bob', 'pässword'], ['carol', 'carol-pw']]) {
    const response = await rawRequest(nginx.port, '/authenticate', [basicHeader(user, password)])
    t.is(response.status, 200, user)
    t.is((await verify(bearer(response))).realm, 'filerealm')
    t.is((await rawRequest(nginx.port, '/authenticate', [basicHeader(user, password + 'x')])).status, 401, user)
  }
})

suite.test('control characters never break the response: legacy values are sanitised', async (t, nginx) => {
  const response = await rawRequest(nginx.port, '/authenticate', [basicHeader('ctl\u0001user', 'x')])
  t.is(response.status, 200)
  t.is(header(response, 'x-auth-username'), 'ctluser')
  t.is((await verify(bearer(response))).username, 'ctl\u0001user')
})

suite.test('/api/ through auth_request: the backend gets the minted JWT and legacy headers', async (t, nginx) => {
  const response = await rawRequest(nginx.port, '/api/get', [basicHeader('test_user2', 'p@ssw0rd'), 'X-Auth-Username: forged'])
  t.is(response.status, 200)
  const echoed = Object.fromEntries(response.body.trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2)))
  t.true(echoed.authorization.startsWith('Bearer '))
  t.is((await verify(echoed.authorization.slice(7))).username, 'test_user2')
  t.is(echoed.username, 'test_user2')
  t.is(echoed.realm, 'localrealm')
  t.is(echoed.roles, 'ops')
  const denied = await rawRequest(nginx.port, '/api/get', [basicHeader('test_user2', 'nope')])
  t.is(denied.status, 401)
  t.is(header(denied, 'www-authenticate'), CHALLENGE)
})

suite.test('/whoami, /providers, /augmenters, /health, landing page, 405', async (t, nginx) => {
  const whoami = await rawRequest(nginx.port, '/whoami', [GOOD])
  t.is(whoami.status, 200)
  t.is(header(whoami, 'content-type'), 'application/json')
  t.is(header(whoami, 'cache-control'), 'no-store')
  t.is(
    whoami.body,
    '{"version":1,"username":"test_user","realm":"localrealm","roles":["admin","superuser"],"attributes":{"team":"core"},"scopes":{}}',
  )
  assertUnauthorized(t, await rawRequest(nginx.port, '/whoami'))
  const providers = await rawRequest(nginx.port, '/providers')
  t.is(providers.status, 200)
  t.is(
    providers.body,
    '{"providers":[{"name":"plain-provider","type":"plain","realm":"localrealm"},{"name":"other-provider","type":"plain","realm":"OtherRealm"},{"name":"files","type":"plain","realm":"filerealm"}]}',
  )
  t.is(
    (await rawRequest(nginx.port, '/augmenters')).body,
    '{"augmenters":[{"name":"basic-roles","type":"plain","realm":"localrealm"},{"name":"promote","type":"plain_advanced","realm":"localrealm"}]}',
  )
  const health = await rawRequest(nginx.port, '/health')
  t.is(health.status, 200)
  t.is(health.body, 'OK')
  const home = await rawRequest(nginx.port, '/')
  t.is(header(home, 'content-type'), 'text/html; charset=utf-8')
  t.true(home.body.includes(`authotron-njs ${VERSION}`))
  const post = await rawRequest(nginx.port, '/whoami', [GOOD], 'POST')
  t.is(post.status, 405)
  t.is(header(post, 'allow'), 'GET,HEAD')
  const head = await rawRequest(nginx.port, '/authenticate', [GOOD], 'HEAD')
  t.is(head.status, 200)
  t.truthy(header(head, 'authorization'))
})

// Serial: it reads the error log, and no other test may authenticate meanwhile.
suite.serial('the grant cache: reuse where a shared dict exists, a fresh mint where not', async (t, nginx) => {
  // Three keys (no realm filter, a filter, another spelling of the scheme) stored by the top layer's
  // miss (src/njs/cached-grant.ts spells the key out) and read back by the hit, and by /whoami,
  // which looks the grant up with src/auth/grant-key.ts: the two keys must agree.
  const credentials = [
    [basicHeader('test_user2', 'p@ssw0rd')],
    [basicHeader('test_user2', 'p@ssw0rd'), 'X-Auth-Realm: LOCALREALM'],
    [basicHeader('test_user2', 'p@ssw0rd').replace('Authorization: Basic ', 'Authorization: basic ')],
  ]
  const mint = async () => Promise.all(credentials.map(async (lines) => bearer(await rawRequest(nginx.port, '/authenticate', lines))))
  const first = await mint()
  await new Promise((resolve) => setTimeout(resolve, 1100))
  const second = await mint()
  for (let i = 0; i < credentials.length; i++) {
    if (nginx.leg.features.sharedDict) t.is(second[i], first[i], credentials[i].join(' | '))
    else t.not(second[i], first[i], credentials[i].join(' | '))
    // This suite logs at debug: a pipeline run says auth.provider.success, a grant read says nothing.
    const offset = nginx.errorLogSize()
    t.is((await rawRequest(nginx.port, '/whoami', credentials[i])).status, 200)
    const authenticatedAgain = /auth\.provider\.success/.test(nginx.errorLogSince(offset))
    t.is(authenticatedAgain, !nginx.leg.features.sharedDict, credentials[i].join(' | '))
  }
})

suite.test('a cache hit answers exactly as the request that filled the cache: status, body, every auth header', async (t, nginx) => {
  // On legs with a shared dict the second request of each pair is answered by the module's top
  // layer from the stored entry (src/njs/cached-grant.ts), the first by the full pipeline.
  // Without a shared dict both requests run the pipeline, and the second token may carry a later iat.
  const names = ['x-auth-username', 'x-auth-realm', 'x-auth-roles', 'content-type']
  if (nginx.leg.features.sharedDict) names.push('authorization')
  const authHeaders = (r: RawResponse) => names.map((name) => [name, r.headers[name]])
  for (const extra of [[], ['X-Auth-Realm: localrealm']]) {
    const request = [basicHeader('test_user2', 'p@ssw0rd'), ...extra]
    const miss = await rawRequest(nginx.port, '/authenticate', request)
    const hit = await rawRequest(nginx.port, '/authenticate', request)
    t.is(miss.status, 200)
    t.is(hit.status, miss.status)
    t.is(hit.body, miss.body)
    t.deepEqual(authHeaders(hit), authHeaders(miss))
    t.is(header(hit, 'x-auth-username'), 'test_user2')
  }
  if (nginx.leg.features.jsAccess) {
    const miss = await rawRequest(nginx.port, '/access/get', [basicHeader('test_user', 'secret123')])
    const hit = await rawRequest(nginx.port, '/access/get', [basicHeader('test_user', 'secret123')])
    t.is(miss.status, 200)
    t.is(hit.body, miss.body)
  }
})

suite.test('/authenticate answers 405 + Allow to other methods than GET and HEAD, cached grant or not', async (t, nginx) => {
  // A GET first: where a shared dict exists the grant is cached, and must not answer a POST.
  t.is((await rawRequest(nginx.port, '/authenticate', [GOOD])).status, 200)
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
    for (const lines of [[GOOD], [basicHeader('test_user', 'wrong')], []]) {
      const answer = await rawRequest(nginx.port, '/authenticate', lines, method)
      t.is(answer.status, 405, `${method} ${lines.join()}`)
      t.is(header(answer, 'allow'), 'GET,HEAD', method)
      t.is(header(answer, 'authorization'), undefined, method)
    }
  }
})

suite.test('any method to a protected location authenticates: auth_request asks /_auth with GET; js_access takes every method', async (t, nginx) => {
  const locations = nginx.leg.features.jsAccess ? ['/api/get', '/access/get'] : ['/api/get']
  for (const path of locations) {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const ok = await rawRequest(nginx.port, path, [basicHeader('test_user2', 'p@ssw0rd')], method)
      t.is(ok.status, 200, `${method} ${path}`)
      t.regex(ok.body, /username=test_user2\nrealm=localrealm\nroles=ops/, `${method} ${path}`)
      const token = ok.body.match(/authorization=Bearer (\S+)/)![1]
      t.is((await verify(token)).sub, 'localrealm-test_user2')
      const denied = await rawRequest(nginx.port, path, [basicHeader('test_user2', 'bad')], method)
      t.is(denied.status, 401, `${method} ${path}`)
      t.is(header(denied, 'www-authenticate'), CHALLENGE)
    }
  }
})

suite.test('js_access handler: the same contract without a subrequest (njs >= 0.9.9)', async (t, nginx) => {
  if (!nginx.leg.features.jsAccess) {
    // No js_access on this leg: the suite left the access location out, so nothing serves it.
    t.is((await rawRequest(nginx.port, '/access/get', [basicHeader('test_user2', 'p@ssw0rd')])).status, 404)
    return
  }
  const ok = await rawRequest(nginx.port, '/access/get', [basicHeader('test_user2', 'p@ssw0rd')])
  t.is(ok.status, 200)
  t.regex(ok.body, /username=test_user2\nrealm=localrealm\nroles=ops/)
  const token = ok.body.match(/authorization=Bearer (\S+)/)![1]
  t.is((await verify(token)).sub, 'localrealm-test_user2')
  assertUnauthorized(t, await rawRequest(nginx.port, '/access/get', [basicHeader('test_user2', 'bad')]))
  assertUnauthorized(t, await rawRequest(nginx.port, '/access/get', ['Authorization: Basic !!']))
})

suite.test('with HS256 (a shared secret) /.well-known/jwks.json answers 404: there is no public key', async (t, nginx) => {
  t.is((await fetch(nginx.url('/.well-known/jwks.json'))).status, 404)
})
