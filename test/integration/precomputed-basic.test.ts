/**
 * The precomputed Basic path (src/njs/precomputed-basic.ts) in real nginx, on every leg: a clear-text user's
 * Basic request answered from the compiled config's precomputed grants, the same answer as the
 * full pipeline's, in both modes (auth_request and js_access), feeding the grant cache where a
 * shared dict exists. Requests with X-Auth-Realm always take the full pipeline, which is how each
 * test gets the full path's answer to compare with.
 *
 * To see which path answered, one user's precomputed row is marked after compiling (its roles
 * header gets `via-precomputed`): only the precomputed Basic path, and cache hits of entries it wrote, send it.
 */
import test from 'ava'
import { jwtVerify } from 'jose'
import { credentialCheck } from '../../src/auth/precomputed-basic'
import { compileConfig } from '../../src/compiler/compile'
import { nodeCrypto } from '../support/node-platform'
import { withNginxOnEveryLeg } from '../support/suite'
import { protectedApiConf } from './protected-api-conf'
import { basicHeader, header, rawRequest, RawResponse } from './http-client'

const SECRET = 'precomputed-integration-secret-32b'
const GRANT_TTL_MS = 3000

const yaml = `
version: 2.0.0
logging: {level: info, format: console}
auth: {grant_cache_ttl_in_ms: ${GRANT_TTL_MS}}
include_legacy_headers: true
store: {enabled: false}
services: []
server: {port: 8080}
jwt: {exp: 3600, iss: authotron-precomputed, secret: "${SECRET}"}
providers:
  - type: plain
    name: local
    realm: localrealm
    users:
      - {username: alice, password: wonderland, roles: [reader]}
      - {username: marked, password: marked-pw}
      - {username: expiring, password: expiring-pw}
augmenters:
  - {type: plain, name: roles, realm: localrealm, roles: {admin: [alice]}}
  - {type: plain_advanced, name: promote, realm: localrealm, match: {role: [admin]}, augment: {roles: [superuser], attributes: {team: core}}}
`

function compiledWithMarker() {
  const result = compileConfig({ path: 'config.yaml', text: yaml, env: {}, cwd: process.cwd() })
  if (result.config === undefined) throw new Error(result.errors.join('\n'))
  const config = result.config
  const table = config.precomputedBasic!
  for (const [username, password] of [['marked', 'marked-pw'], ['expiring', 'expiring-pw']]) {
    const authorization = basicHeader(username, password).slice('Authorization: '.length)
    const row = table.byCredential[credentialCheck(table.salt, authorization, nodeCrypto)]
    row.legacy = [row.legacy[0], row.legacy[1], row.legacy[2] === '' ? 'via-precomputed' : row.legacy[2] + ',via-precomputed']
  }
  return config
}

const suite = withNginxOnEveryLeg(test, {
  compiledConfig: compiledWithMarker(),
  portNames: ['backend'],
  conf: (context) => protectedApiConf(context),
})

async function claimsOf(response: RawResponse) {
  const value = header(response, 'authorization') ?? ''
  if (!value.startsWith('Bearer ')) throw new Error(`no Bearer token in ${JSON.stringify(value)}`)
  const { payload } = await jwtVerify(value.slice(7), new TextEncoder().encode(SECRET), { algorithms: ['HS256'] })
  return payload
}

const REALM_FILTER = 'X-Auth-Realm: localrealm'

suite.test('the precomputed Basic answer is the full pipeline’s: status, body, legacy headers, claims', async (t, nginx) => {
  const precomputed = await rawRequest(nginx.port, '/authenticate', [basicHeader('alice', 'wonderland')])
  const full = await rawRequest(nginx.port, '/authenticate', [basicHeader('alice', 'wonderland'), REALM_FILTER])
  t.is(precomputed.status, 200)
  t.is(precomputed.body, full.body)
  for (const name of ['x-auth-username', 'x-auth-realm', 'x-auth-roles', 'content-type']) {
    t.is(header(precomputed, name), header(full, name), name)
  }
  t.is(header(precomputed, 'x-auth-roles'), 'reader,admin,superuser')
  const [a, b] = [await claimsOf(precomputed), await claimsOf(full)]
  t.deepEqual(Object.keys(a), Object.keys(b))
  const { iat: iatA, exp: expA, ...restA } = a
  const { iat: iatB, exp: expB, ...restB } = b
  t.deepEqual(restA, restB)
  t.like(restA, { sub: 'localrealm-alice', username: 'alice', attributes: { team: 'core' } })
  t.is((expA as number) - (iatA as number), 3600)
  t.true(Math.abs((iatA as number) - (iatB as number)) <= 1)
})

suite.test('a clear-text user without X-Auth-Realm is answered by the precomputed Basic path, with it by the full pipeline', async (t, nginx) => {
  const precomputed = await rawRequest(nginx.port, '/authenticate', [basicHeader('marked', 'marked-pw')])
  t.is(precomputed.status, 200)
  t.is(header(precomputed, 'x-auth-roles'), 'via-precomputed')
  const full = await rawRequest(nginx.port, '/authenticate', [basicHeader('marked', 'marked-pw'), REALM_FILTER])
  t.is(full.status, 200)
  t.is(header(full, 'x-auth-roles'), undefined) // nginx sends no header with an empty value
  // Through auth_request, to the backend.
  const proxied = await rawRequest(nginx.port, '/api/get', [basicHeader('marked', 'marked-pw')])
  t.is(proxied.status, 200)
  t.regex(proxied.body, /username=marked\nrealm=localrealm\nroles=via-precomputed\n/)
  // Failures are the full pipeline's: the same 401 and challenge.
  const wrong = await rawRequest(nginx.port, '/authenticate', [basicHeader('marked', 'wrong')])
  t.is(wrong.status, 401)
  t.is(header(wrong, 'www-authenticate'), 'Basic realm="localrealm"')
  t.is(wrong.body, '{"error": "Unauthorized access"}')
  // Other spellings of the header are the full pipeline's too, and still succeed.
  const lower = await rawRequest(nginx.port, '/authenticate', ['Authorization: basic ' + Buffer.from('marked:marked-pw').toString('base64')])
  t.is(lower.status, 200)
  t.is(header(lower, 'x-auth-roles'), undefined)
})

suite.test('/whoami after a precomputed Basic login: the user the full pipeline would give, from the grant it stored', async (t, nginx) => {
  const login = [basicHeader('alice', 'wonderland')]
  t.is((await rawRequest(nginx.port, '/authenticate', login)).status, 200)
  const fromPrecomputed = await rawRequest(nginx.port, '/whoami', login)
  const fromFull = await rawRequest(nginx.port, '/whoami', [...login, REALM_FILTER])
  t.is(fromPrecomputed.status, 200)
  t.is(fromPrecomputed.body, fromFull.body)
  t.deepEqual(JSON.parse(fromPrecomputed.body), {
    version: 1,
    username: 'alice',
    realm: 'localrealm',
    roles: ['reader', 'admin', 'superuser'],
    attributes: { team: 'core' },
    scopes: {},
  })
})

suite.test('js_access: the precomputed Basic path hands the same values to the location (njs >= 0.9.9)', async (t, nginx) => {
  if (!nginx.leg.features.jsAccess) {
    t.is((await rawRequest(nginx.port, '/access/get', [basicHeader('marked', 'marked-pw')])).status, 404)
    return
  }
  const ok = await rawRequest(nginx.port, '/access/get', [basicHeader('alice', 'wonderland')])
  t.is(ok.status, 200)
  t.regex(ok.body, /username=alice\nrealm=localrealm\nroles=reader,admin,superuser\n/)
  const marked = await rawRequest(nginx.port, '/access/get', [basicHeader('marked', 'marked-pw')])
  t.regex(marked.body, /roles=via-precomputed/)
  const wrong = await rawRequest(nginx.port, '/access/get', [basicHeader('marked', 'wrong')])
  t.is(wrong.status, 401)
})

suite.serial('precomputed Basic grants feed the grant cache where a shared dict exists, and the dict drops them in time', async (t, nginx) => {
  const request = [basicHeader('expiring', 'expiring-pw')]
  const first = await rawRequest(nginx.port, '/authenticate', request)
  t.is(header(first, 'x-auth-roles'), 'via-precomputed')
  await new Promise((resolve) => setTimeout(resolve, 1100))
  const second = await rawRequest(nginx.port, '/authenticate', request)
  t.is(header(second, 'x-auth-roles'), 'via-precomputed')
  if (nginx.leg.features.sharedDict) t.is(header(second, 'authorization'), header(first, 'authorization'))
  else t.not(header(second, 'authorization'), header(first, 'authorization'))
  // The hit path reads no clock: the entry must be gone from the dict once its lifetime is over.
  await new Promise((resolve) => setTimeout(resolve, GRANT_TTL_MS))
  const later = await rawRequest(nginx.port, '/authenticate', request)
  t.is(later.status, 200)
  t.not(header(later, 'authorization'), header(first, 'authorization'))
})
