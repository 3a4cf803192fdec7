/**
 * The jwt provider in real nginx, on every runtime leg, against a real OpenID Provider (the npm
 * `oidc-provider`) and real HTTP servers for JWK Sets (issue 4). Each leg gets its own provider and
 * relay, so the JWK Set requests counted here are that leg's nginx's alone. nginx loads exactly
 * what operators include: the snippets `authotron compile --nginx-snippets` writes, and nginx/.
 */
import test from 'ava'
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createHmac, createPublicKey, generateKeyPairSync, type KeyObject, type webcrypto } from 'node:crypto'
import { join } from 'node:path'
import { decodeJwt, jwtVerify, SignJWT } from 'jose'
import type { NginxServer } from '../nginx-harness/nginx'
import { selectedLegs, type LegName } from '../nginx-harness/runtimes'
import { withNginxOnEveryLeg } from '../support/suite'
import { protectedApiConf } from './protected-api-conf'
import { withinOneEpoch } from '../support/jwks-epoch'
import {
  KEYCLOAK_CLAIMS,
  startJwksRelay,
  startOpenIdProvider,
  type JwksRelay,
  type OpenIdProvider,
} from './jwt-fixtures'
import { makeTestCa, type TestCa } from '../support/tls'
import { compileWithSnippets } from '../support/compile-with-snippets'

const MINT_SECRET = 'integration-secret-0123456789abcdef'
const HS512_JWKS = { keys: [{ kty: 'oct', k: 'c2VjcmV0', alg: 'HS512', kid: 'testkid' }] }

interface LegFixture {
  op: OpenIdProvider
  /** The JWK Set the `swr` provider's endpoint serves (the test changes it) and its keys. */
  swr: { document: { keys: object[] }; keys: KeyObject[]; jwk: (index: number) => object }
  relay: JwksRelay
  tlsRelay: JwksRelay
  ca: TestCa
  dir: string
}

const legs = selectedLegs()
const fixtures = new Map<LegName, LegFixture>()

test.serial.before(async () => {
  for (const leg of legs) {
    const op = await startOpenIdProvider()
    const jwks = { source: `${op.issuer}/jwks` }
    const swr = swrKeys()
    const relay = await startJwksRelay({
      oidc: jwks,
      rotate: jwks,
      flood: jwks,
      down: jwks,
      hs: { source: HS512_JWKS },
      swr: { source: swr.document },
    })
    const dir = mkdtempSync(join(tmpdir(), `aot-jwt-${leg.name}-`))
    const ca = makeTestCa(dir)
    chmodSync(dir, 0o755)
    chmodSync(ca.caFile, 0o644)
    const tlsRelay = await startJwksRelay({ tls: jwks }, { key: ca.key, cert: ca.cert })
    fixtures.set(leg.name, { op, swr, relay, tlsRelay, ca, dir })
  }
})

test.after.always(async () => {
  for (const fixture of fixtures.values()) {
    await Promise.all([fixture.op.stop(), fixture.relay.stop(), fixture.tlsRelay.stop()])
    rmSync(fixture.dir, { recursive: true, force: true })
  }
})

function configYaml({ op, relay, tlsRelay, ca }: LegFixture): string {
  const jwt = (name: string, realm: string, uri: string, extra = '') =>
    `  - { type: jwt, name: ${name}, realm: ${realm}, cert_uri: "${uri}", iam_realm: ignored${extra} }`
  const strict = `, issuer: "${op.issuer}", audience: [api, other]`
  return [
    'version: 2.0.0',
    'logging: { level: debug, format: console }',
    'store: { enabled: false }',
    // Generous: on a loaded machine the JWK Set fetches alone took more than the default 5 s.
    'auth: { timeout_in_ms: 15000 }',
    'services: []',
    'server: { port: 8080 }',
    `jwt: { exp: 3600, iss: authotron-test, secret: ${MINT_SECRET} }`,
    'include_legacy_headers: true',
    'providers:',
    jwt('oidc', 'oidc', relay.url('oidc'), strict),
    jwt('rotate', 'rotate', relay.url('rotate'), strict),
    jwt('flood', 'flood', relay.url('flood'), strict),
    jwt('down', 'down', relay.url('down'), `${strict}, jwks_ttl: 2`),
    jwt('swr', 'swr', relay.url('swr'), `${strict}, jwks_ttl: 2`),
    jwt('TestJWT', 'test', relay.url('hs')),
    jwt('tls', 'tls', tlsRelay.url('tls'), `${strict}, ca_file: ${ca.caFile}`),
    '',
  ].join('\n')
}

/** `authotron compile --nginx-snippets`, as an operator runs it, into this nginx's prefix. */

const suite = withNginxOnEveryLeg(test, {
  label: 'jwt',
  legs,
  portNames: ['backend'],
  conf: (context) => {
    const { leg, paths } = context
    const config = compileWithSnippets(configYaml(fixtures.get(leg.name)!), paths.prefix, { name: 'jwt-config' })
    return `
      js_import authotron from ${paths.module};
      js_preload_object authotron_cfg from ${config};
      js_var $authotron_config_file ${config};
      include ${paths.prefix}/authotron-jwks-http.conf;
      ${protectedApiConf(context, `include ${paths.prefix}/authotron-jwks-locations.conf;`)}`
  },
})

const fixture = (nginx: NginxServer) => fixtures.get(nginx.leg.name)!

function authenticate(nginx: NginxServer, token: string, realm: string, path = '/authenticate') {
  return fetch(nginx.url(path), { headers: { Authorization: `Bearer ${token}`, 'X-Auth-Realm': realm } })
}

async function minted(response: Response) {
  const authorization = response.headers.get('authorization') ?? ''
  const { payload } = await jwtVerify(authorization.replace(/^Bearer /, ''), new TextEncoder().encode(MINT_SECRET))
  return payload
}

/** A token signed by jose with one of the provider's own keys (or another key), claims as given. */
async function forge(key: webcrypto.CryptoKey | KeyObject, header: { alg: string; kid?: string }, claims: object): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader(header).sign(key)
}

function baseClaims(op: OpenIdProvider, now = Math.floor(Date.now() / 1000)) {
  return { iss: op.issuer, aud: 'api', sub: 'machine', scope: 'api', iat: now, exp: now + 300, ...KEYCLOAK_CLAIMS }
}

// --- valid tokens ------------------------------------------------------------------------------

for (const alg of ['RS256', 'PS256', 'ES256'] as const) {
  suite.test(`${alg} from the OpenID Provider: 200, the claims mapped as §4.2 in the minted JWT`, async (t, nginx) => {
    const { op } = fixture(nginx)
    const token = await op.token(alg)
    const upstream = decodeJwt(token)
    const response = await authenticate(nginx, token, 'oidc')
    t.is(response.status, 200)
    const payload = await minted(response)
    t.like(payload, {
      sub: 'oidc-adam',
      iss: 'authotron-test',
      username: 'adam',
      realm: 'oidc',
      roles: ['offline_access', 'user', 'ent-1', 'reader', 'manage-account'],
      scopes: { oidc: ['api', 'email'] },
      // The upstream token expires in 5 minutes, long before the minted token would: it caps it.
      exp: upstream.exp,
    })
    t.deepEqual(payload.attributes, {
      jti: upstream.jti,
      iat: String(upstream.iat),
      exp: String(upstream.exp),
      client_id: 'machine',
      iss: op.issuer,
      aud: 'api',
      preferred_username: 'adam',
      email: 'adam@example.org',
      note: 'linebell', // control characters removed
    })
  })
}

suite.test('through auth_request (/_auth subrequest) and js_access: the backend gets the minted JWT', async (t, nginx) => {
  const { op } = fixture(nginx)
  const paths = nginx.leg.features.jsAccess ? ['/api/echo', '/access/echo'] : ['/api/echo']
  for (const path of paths) {
    const response = await authenticate(nginx, await op.token('ES256'), 'oidc', path)
    t.is(response.status, 200, path)
    const forwarded = (await response.text()).match(/^authorization=(.*)$/m)?.[1] ?? ''
    t.regex(forwarded, /^Bearer ey/, path)
    t.is(decodeJwt(forwarded.slice('Bearer '.length)).username, 'adam', path)
  }
})

suite.test('EdDSA: accepted where the runtime has Ed25519, else a clear ERR_RUNTIME_UNSUPPORTED', async (t, nginx) => {
  const { op } = fixture(nginx)
  const offset = nginx.errorLogSize()
  const response = await authenticate(nginx, await op.token('EdDSA'), 'oidc')
  const log = nginx.errorLogSince(offset)
  if (response.status === 200) {
    t.log(`${nginx.leg.name}: this runtime verifies Ed25519`)
    t.false(log.includes('ERR_RUNTIME_UNSUPPORTED'))
  } else {
    t.is(response.status, 401)
    t.regex(log, /auth\.provider\.failed provider="oidc" code="ERR_RUNTIME_UNSUPPORTED" reason="EdDSA \(Ed25519\) tokens need a runtime whose WebCrypto has Ed25519/)
  }
})

suite.test('the reference\'s own HS512 oct-JWKS case (§4.2), from a real JWK Set server', async (t, nginx) => {
  const now = Math.floor(Date.now() / 1000)
  const token = await new SignJWT({ sub: 'user1', scope: 'read write', exp: now + 600, custom: 'abc', nested: { flag: true } })
    .setProtectedHeader({ alg: 'HS512', kid: 'testkid' })
    .sign(new TextEncoder().encode('secret'))
  const response = await authenticate(nginx, token, 'test')
  t.is(response.status, 200)
  const payload = await minted(response)
  t.like(payload, { username: 'user1', realm: 'test', scopes: { TestJWT: ['read', 'write'] } })
  t.like(payload.attributes, { custom: 'abc', nested: '{"flag":true}' })
})

suite.test('an https JWK Set URL, verified against the configured CA bundle', async (t, nginx) => {
  const { op, tlsRelay } = fixture(nginx)
  const before = tlsRelay.count('tls')
  const response = await authenticate(nginx, await op.token('PS256'), 'tls')
  t.is(response.status, 200)
  t.true(tlsRelay.count('tls') > before || before > 0)
})

// --- rejections --------------------------------------------------------------------------------

const rejections: [string, (op: OpenIdProvider) => Promise<string>, string][] = [
  ['expired (beyond the 60 s leeway)', (op) => forge(op.keys.RSA.at(-1)!.privateKey, { alg: 'RS256', kid: 'rsa-1' }, { ...baseClaims(op), exp: Math.floor(Date.now() / 1000) - 120 }), 'ERR_JWT_EXPIRED'],
  ['not yet valid (nbf beyond the leeway)', (op) => forge(op.keys.RSA.at(-1)!.privateKey, { alg: 'RS256', kid: 'rsa-1' }, { ...baseClaims(op), nbf: Math.floor(Date.now() / 1000) + 600 }), 'ERR_JWT_NOT_YET_VALID'],
  ['wrong issuer', (op) => forge(op.keys.EC.at(-1)!.privateKey, { alg: 'ES256', kid: 'ec-1' }, { ...baseClaims(op), iss: 'https://evil.example' }), 'ERR_JWT_ISSUER_MISMATCH'],
  ['wrong audience', (op) => forge(op.keys.EC.at(-1)!.privateKey, { alg: 'ES256', kid: 'ec-1' }, { ...baseClaims(op), aud: ['account'] }), 'ERR_JWT_AUDIENCE_MISMATCH'],
  ['tampered payload', async (op) => {
    const [h, , s] = (await op.token('RS256')).split('.')
    return `${h}.${Buffer.from(JSON.stringify({ ...baseClaims(op), preferred_username: 'root' })).toString('base64url')}.${s}`
  }, 'ERR_JWT_SIGNATURE_INVALID'],
  ['tampered signature', async (op) => {
    const [h, p, s] = (await op.token('ES256')).split('.')
    const bytes = Buffer.from(s, 'base64url')
    bytes[5] ^= 1
    return `${h}.${p}.${bytes.toString('base64url')}`
  }, 'ERR_JWT_SIGNATURE_INVALID'],
  ['alg none', async (op) => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
    return `${part({ alg: 'none', kid: 'rsa-1' })}.${part(baseClaims(op))}.`
  }, 'ERR_JWT_ALG_NONE'],
  ['HS256 signed with the RSA public key as the secret', async (op) => {
    const rsa = op.keys.RSA.at(-1)!
    const pem = createPublicKey({ key: rsa.publicJwk as any, format: 'jwk' }).export({ type: 'spki', format: 'pem' })
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const input = `${part({ alg: 'HS256', kid: rsa.kid })}.${part(baseClaims(op))}`
    return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`
  }, 'ERR_JWT_KEY_MISMATCH'],
  ['an algorithm outside the table (RS1)', async (op) => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
    return `${part({ alg: 'RS1', kid: 'rsa-1' })}.${part(baseClaims(op))}.AAAA`
  }, 'ERR_JWT_ALG_UNSUPPORTED'],
  ['a token that is not a JWS', async () => 'not-a-jwt', 'ERR_JWT_MALFORMED'],
]
for (const [name, make, code] of rejections) {
  suite.test(`401: ${name}`, async (t, nginx) => {
    const token = await make(fixture(nginx).op)
    const offset = nginx.errorLogSize()
    const response = await authenticate(nginx, token, 'oidc')
    t.is(response.status, 401)
    t.is(response.headers.get('www-authenticate')?.includes('Bearer realm="oidc"'), true)
    t.regex(nginx.errorLogSince(offset), new RegExp(`auth\\.provider\\.failed provider="oidc" code="${code}"`))
  })
}

// --- keys: rotation, floods, outages -----------------------------------------------------------


/** The id of a provider's JWK Set locations, as authotron-jwks-locations.conf names them. */
function endpointId(nginx: NginxServer, provider: string): string {
  const snippet = readFileSync(join(nginx.paths.prefix, 'authotron-jwks-locations.conf'), 'utf8')
  const id = snippet.match(new RegExp(`^# jwt provider "${provider}": .*\\nlocation = /_authotron/jwks/([^ /]+) \\{`, 'm'))?.[1]
  if (id === undefined) throw new Error(`no locations for ${provider} in authotron-jwks-locations.conf`)
  return id
}

/** How many files of the prefix's cache directory `dir` hold a JWK Set under a key starting with `key`. */
function cachedSets(nginx: NginxServer, dir: string, key: string): number {
  const root = join(nginx.paths.prefix, dir)
  if (!existsSync(root)) return 0
  return readdirSync(root, { recursive: true })
    .map((f) => join(root, String(f)))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f, 'latin1'))
    .filter((content) => content.includes(`\nKEY: ${key}`) && content.includes('"keys"')).length
}

suite.test('key rotation: the new kid is accepted at once, with exactly one refetch', async (t, nginx) => {
  const { op, relay } = fixture(nginx)
  await withinOneEpoch(nginx)
  t.is((await authenticate(nginx, await op.token('RS256'), 'rotate')).status, 200)
  const warm = relay.count('rotate')
  // njs 0.7.9 too: its epoch location's fetch also filled the cached location's copy (the fallback).
  t.is(warm, 1, 'the first request fetched the set once')
  const id = endpointId(nginx, 'rotate')
  t.is(cachedSets(nginx, 'jwks-cache', `jwks ${id}`), 1, 'the cached location holds the set (the fallback on njs 0.7.9)')
  if (!nginx.leg.features.sharedDict) t.is(cachedSets(nginx, 'jwks-cache-epoch', `epoch ${id} `), 1, 'and the epoch location')
  const next = await op.rotate('RSA')
  const rotated = await op.token('RS256')
  t.is(JSON.parse(Buffer.from(rotated.split('.')[0], 'base64url').toString()).kid, next.kid)
  t.is((await authenticate(nginx, rotated, 'rotate')).status, 200)
  t.is(relay.count('rotate'), warm + 1, 'one refresh fetched the rotated set')
  // The rotated set stays in the refresh location for 30 s: more new-kid tokens cost no fetch.
  t.is((await authenticate(nginx, await op.token('PS256'), 'rotate')).status, 200)
  t.is(relay.count('rotate'), warm + 1)
})

suite.test('a flood of random kids: at most one fetch per 30 s, every forged token refused', async (t, nginx) => {
  const { op, relay } = fixture(nginx)
  await withinOneEpoch(nginx)
  t.is((await authenticate(nginx, await op.token('ES256'), 'flood')).status, 200)
  const warm = relay.count('flood')
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const signer = await crypto.subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'])
  const flood = async (count: number) => {
    const tokens = await Promise.all(
      Array.from({ length: count }, (_, i) => forge(signer, { alg: 'ES256', kid: `random-${i}-${Math.random()}` }, baseClaims(op))),
    )
    const statuses = await Promise.all(tokens.map(async (token) => (await authenticate(nginx, token, 'flood')).status))
    t.deepEqual([...new Set(statuses)], [401])
  }
  await flood(150)
  t.is(relay.count('flood'), warm + 1, 'concurrent unknown kids share one refresh')
  await flood(150)
  t.is(relay.count('flood'), warm + 1, 'within 30 s, no further fetch')
})

suite.test('JWK Set endpoint down (503, then connection resets): the cached keys keep working', async (t, nginx) => {
  const { op, relay } = fixture(nginx)
  // Signed by the provider's first RSA key, which stays published whatever the rotation test does.
  const token = () => forge(op.keys.RSA.at(-1)!.privateKey, { alg: 'RS256', kid: 'rsa-1' }, { ...baseClaims(op), jti: String(Math.random()) })
  t.is((await authenticate(nginx, await token(), 'down')).status, 200)
  try {
    for (const mode of ['503', 'reset'] as const) {
      relay.setMode('down', mode)
      const before = relay.count('down')
      // Past jwks_ttl: 2 (nginx counts whole seconds: up to 4 s after the fetch).
      await new Promise((resolve) => setTimeout(resolve, 4200))
      for (let i = 0; i < 3; i++) {
        t.is((await authenticate(nginx, await token(), 'down')).status, 200, `${mode} #${i}`)
      }
      t.log(`${mode}: ${before} → ${relay.count('down')} at ${new Date().toISOString()}`)
      t.true(relay.count('down') > before, `${mode}: nginx did try to refresh the expired set`)
    }
  } finally {
    relay.setMode('down', 'ok')
  }
})

/** Two RSA keys, `swr-1` and `swr-2`; the set publishes the first only, until the test adds the second. */
function swrKeys(): LegFixture['swr'] {
  const pairs = [1, 2].map(() => generateKeyPairSync('rsa', { modulusLength: 2048 }))
  const jwk = (index: number) => ({ ...pairs[index].publicKey.export({ format: 'jwk' }), kid: `swr-${index + 1}` })
  return { document: { keys: [jwk(0)] }, keys: pairs.map((pair) => pair.privateKey), jwk }
}

/** How long the `swr` endpoint takes to answer a refresh: longer than a loaded machine takes to answer from the dict. */
const SWR_DELAY_MS = 6000

suite.serial('JWK Set expiry: one fetch for 20 requests (with the shared dict the old set served at once meanwhile), the new key picked up', async (t, nginx) => {
  const { op, relay, swr } = fixture(nginx)
  const token = (index: number) =>
    forge(swr.keys[index], { alg: 'RS256', kid: `swr-${index + 1}` }, { ...baseClaims(op), jti: String(Math.random()) })
  t.is((await authenticate(nginx, await token(0), 'swr')).status, 200)
  const warm = relay.count('swr')
  // The endpoint now publishes a second key, and answers slowly.
  swr.document.keys.push(swr.jwk(1))
  relay.setDelay('swr', SWR_DELAY_MS)
  try {
    // Past jwks_ttl (2 s) for nginx's copy (up to 3 s) and the dict's (2 s + 2 s margin).
    await new Promise((resolve) => setTimeout(resolve, 4200))
    const tokens = await Promise.all(Array.from({ length: 20 }, () => token(0)))
    // njs 0.7.9's epoch location (jwks_ttl 2 → epochs of 1 s): all 20 within one second of the clock.
    if (!nginx.leg.features.sharedDict) await new Promise((resolve) => setTimeout(resolve, 1050 - (Date.now() % 1000)))
    const answers = await Promise.all(
      tokens.map(async (value) => {
        const started = Date.now()
        const status = (await authenticate(nginx, value, 'swr')).status
        return { status, ms: Date.now() - started }
      }),
    )
    t.deepEqual([...new Set(answers.map((answer) => answer.status))], [200])
    const waited = answers.filter((answer) => answer.ms >= SWR_DELAY_MS).length
    t.log(`${relay.count('swr') - warm} fetches, ${waited} of 20 requests waited ≥ ${SWR_DELAY_MS} ms`)
    if (nginx.leg.features.sharedDict) {
      t.is(relay.count('swr'), warm + 1, 'one refresh for 20 requests')
      // Only the refreshing request waits for the endpoint; on a loaded machine others may be slow
      // for other reasons, but without the dict every one of them waits (njs 0.7.9 below).
      t.true(waited < answers.length, 'requests answered from the old set while the refresh ran')
    } else {
      // njs 0.7.9 (no shared dict): the new epoch is a new entry of the epoch location, fetched
      // once (proxy_cache_lock) while the others wait for it, through the latest location, which
      // keeps it as the cached location's copy too (the fallback while the endpoint fails). Before
      // the epoch location, each of the 20 fetched the set itself.
      t.is(relay.count('swr') - warm, 1, `one fetch for 20 requests: ${relay.count('swr') - warm} fetches, ${waited} waited`)
      t.is(waited, answers.length, 'without a shared dict every request waits for the one fetch')
    }
    // The refreshed set is in use: the new key verifies, with no further fetch where a dict keeps
    // it (on njs 0.7.9 a new epoch has begun meanwhile: one more fetch, and no delay for it).
    if (!nginx.leg.features.sharedDict) relay.setDelay('swr', 0)
    const before = relay.count('swr')
    t.is((await authenticate(nginx, await token(1), 'swr')).status, 200)
    if (nginx.leg.features.sharedDict) t.is(relay.count('swr'), before)
  } finally {
    relay.setDelay('swr', 0)
  }
})

// --- caching and secrecy -----------------------------------------------------------------------

suite.test('a verified token is remembered across workers where a shared dict exists', async (t, nginx) => {
  const { op } = fixture(nginx)
  const token = await op.token('RS256')
  t.is((await authenticate(nginx, token, 'oidc')).status, 200)
  const offset = nginx.errorLogSize()
  // Another spelling of the realm: a different request for the grant cache, the same provider.
  t.is((await authenticate(nginx, token, 'OIDC')).status, 200)
  const hit = /jwt\.verified\.cached provider="oidc"/.test(nginx.errorLogSince(offset))
  t.is(hit, nginx.leg.features.sharedDict)
})

suite.test('no token reaches the error log or the JWK Set cache on disk', async (t, nginx) => {
  const { op } = fixture(nginx)
  const token = await op.token('RS256')
  const expired = await forge(op.keys.RSA.at(-1)!.privateKey, { alg: 'RS256', kid: 'rsa-1' }, { ...baseClaims(op), exp: 1 })
  await authenticate(nginx, token, 'oidc')
  await authenticate(nginx, expired, 'oidc')
  const signatures = [token, expired].map((value) => value.split('.')[2])
  const log = nginx.errorLog()
  for (const signature of signatures) t.false(log.includes(signature))
  // The epoch locations' directory (njs 0.7.9 asks them) too, where it exists.
  const cacheDirs = ['jwks-cache', 'jwks-cache-epoch'].map((dir) => join(nginx.paths.prefix, dir)).filter((dir) => existsSync(dir))
  const files = cacheDirs.flatMap((dir) =>
    readdirSync(dir, { recursive: true })
      .map((f) => join(dir, String(f)))
      .filter((f) => statSync(f).isFile()),
  )
  const contents = files.map((file) => readFileSync(file, 'latin1'))
  // Not every file is a JWK Set: errors are cached briefly too (proxy_cache_valid any), and the
  // suite's endpoint-down test makes some while this one runs.
  t.true(contents.some((content) => content.includes('"keys"')))
  for (const content of contents) {
    for (const signature of signatures) t.false(content.includes(signature))
    t.false(content.includes('Bearer'))
  }
})
