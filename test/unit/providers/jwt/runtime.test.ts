import test from 'ava'
import { jwtVerify } from 'jose'
import { obtainGrant } from '../../../../src/auth/grant'
import { authenticate } from '../../../../src/auth/pipeline'
import { errorCode, ErrorCode } from '../../../../src/errors'
import { jwtProvider, verifiedKey } from '../../../../src/providers/jwt/runtime'
import { providerModules } from '../../../../src/providers/index'
import type { User } from '../../../../src/user'
import { testConfig } from '../../support/config'
import { jwtTestPlatform, jwtTestProvider, JwtTestPlatform, MemoryStore } from '../../support/jwt-provider'
import { compact, sign, testKey } from '../../support/tokens'
import { verifierWithoutEd25519 } from '../../support/webcrypto'

const NOW = 1_766_996_400

/** A pipeline config around jwt providers, with a timeout a loaded test machine cannot hit. */
function jwtConfig(...providers: ReturnType<typeof jwtTestProvider>[]) {
  return { ...testConfig(providers), timeoutMs: 30_000 }
}
const MINT_SECRET = new TextEncoder().encode('some-secret-key')

async function outcome(value: () => User | Promise<User>): Promise<User | string> {
  try {
    return await value()
  } catch (e) {
    return errorCode(e) ?? String(e)
  }
}

function run(token: string, platform: JwtTestPlatform, provider = jwtTestProvider()) {
  return outcome(() => jwtProvider.authenticate(provider, token, { platform }))
}

test('the registry maps type jwt to this module', (t) => {
  t.is(providerModules.jwt?.(), jwtProvider)
})

test('the reference\'s HS512 oct-JWKS case, end to end: /authenticate mints the mapped user', async (t) => {
  const jwks = { keys: [{ kty: 'oct', k: 'c2VjcmV0', alg: 'HS512', kid: 'testkid' }] }
  const platform = jwtTestPlatform(jwks, { now: NOW })
  const key = { alg: 'HS512' as const, kid: 'testkid', signingKey: new TextEncoder().encode('secret'), jwk: {} }
  const token = await sign(key, { sub: 'user1', scope: 'read write', exp: 4102444800, custom: 'abc', nested: { flag: true } })
  const config = jwtConfig(jwtTestProvider({ name: 'TestJWT', realm: 'test', filterRealm: 'test' }))
  const grant = await obtainGrant({ authorization: 'Bearer ' + token, realm: undefined }, config, platform)
  const { payload } = await jwtVerify(grant.token, MINT_SECRET, { currentDate: new Date(NOW * 1000) })
  t.deepEqual(payload, {
    sub: 'test-user1',
    iss: 'authotron-test',
    exp: NOW + 3600,
    iat: NOW,
    roles: [],
    username: 'user1',
    scopes: { TestJWT: ['read', 'write'] },
    realm: 'test',
    attributes: { exp: '4102444800', custom: 'abc', nested: '{"flag":true}' },
  })
})

test('an RS256 Keycloak-style token: claims mapped, minted exp capped by the token\'s exp', async (t) => {
  const key = await testKey('RS256')
  const platform = jwtTestPlatform({ keys: [key.jwk] }, { now: NOW })
  const token = await sign(key, {
    exp: NOW + 300,
    iat: NOW,
    iss: 'https://idp.example/realms/ecmwf',
    sub: 'f00',
    preferred_username: 'adam',
    realm_access: { roles: ['user'] },
    resource_access: { polytope: { roles: ['reader'] } },
    scope: 'openid email',
  })
  const config = jwtConfig(jwtTestProvider())
  const grant = await obtainGrant({ authorization: 'Bearer ' + token, realm: undefined }, config, platform)
  const { payload } = await jwtVerify(grant.token, MINT_SECRET, { currentDate: new Date(NOW * 1000) })
  t.is(payload.exp, NOW + 300)
  t.is(payload.sub, 'ecmwf-adam')
  t.deepEqual(payload.roles, ['user', 'reader'])
  t.deepEqual(payload.scopes, { keycloak: ['openid', 'email'] })
  t.is((payload.attributes as any).preferred_username, 'adam')
})

test('rejections reach the pipeline as "no provider accepted"', async (t) => {
  const key = await testKey('ES256')
  const platform = jwtTestPlatform({ keys: [key.jwk] }, { now: NOW })
  const config = jwtConfig(jwtTestProvider())
  const expired = await sign(key, { sub: 's', exp: NOW - 61 })
  const error = await outcome(() => authenticate({ authorization: 'Bearer ' + expired, realm: undefined }, config, platform))
  t.is(error, ErrorCode.AllFailed)
})

test('a garbage token is refused before the JWK Set is fetched (deviation: the reference fetches first)', async (t) => {
  const platform = jwtTestPlatform({ keys: [] })
  for (const token of ['garbage', 'a.b', compact({ alg: 'none' }, { sub: 's', exp: NOW + 10 }), compact({ alg: 'XS1' }, {}, 'AA')]) {
    t.not(await run(token, platform), 'accepted')
  }
  t.deepEqual(platform.jwks.requests, [])
})

const cases: [string, (key: Awaited<ReturnType<typeof testKey>>) => Promise<string>, string][] = [
  ['expired beyond the leeway', (k) => sign(k, { sub: 's', exp: NOW - 61 }), ErrorCode.JwtExpired],
  ['expired within the leeway', (k) => sign(k, { sub: 's', exp: NOW - 60 }), 'accepted'],
  ['not yet valid', (k) => sign(k, { sub: 's', exp: NOW + 600, nbf: NOW + 61 }), ErrorCode.JwtNotYetValid],
  ['no exp', (k) => sign(k, { sub: 's' }), ErrorCode.JwtClaimInvalid],
  ['no sub', (k) => sign(k, { exp: NOW + 10 }), ErrorCode.JwtClaimInvalid],
  ['no scope (deviation: accepted)', (k) => sign(k, { sub: 's', exp: NOW + 10 }), 'accepted'],
]
for (const [name, make, expected] of cases) {
  test(`RS256 token ${name}`, async (t) => {
    const key = await testKey('RS256')
    const platform = jwtTestPlatform({ keys: [key.jwk] }, { now: NOW })
    const result = await run(await make(key), platform)
    t.is(typeof result === 'string' ? result : 'accepted', expected)
  })
}

test('issuer, audience, leeway and algorithms come from the provider entry', async (t) => {
  const key = await testKey('PS256')
  const platform = jwtTestPlatform({ keys: [key.jwk] }, { now: NOW })
  const token = await sign(key, { sub: 's', exp: NOW - 100, iss: 'https://idp/a', aud: ['account', 'api'] })
  const strict = { issuers: ['https://idp/a'], audiences: ['api'], leeway: 120 }
  t.is((await run(token, platform, jwtTestProvider(strict)) as User).username, 's')
  t.is(await run(token, platform, jwtTestProvider({ ...strict, issuers: ['https://idp/b'] })), ErrorCode.JwtIssuerMismatch)
  t.is(await run(token, platform, jwtTestProvider({ ...strict, audiences: ['other'] })), ErrorCode.JwtAudienceMismatch)
  t.is(await run(token, platform, jwtTestProvider({ ...strict, leeway: 60 })), ErrorCode.JwtExpired)
  t.is(await run(token, platform, jwtTestProvider({ ...strict, algorithms: ['RS256'] })), ErrorCode.JwtAlgUnsupported)
})

test('EdDSA where the runtime lacks Ed25519: runtime unsupported, not a silent failure', async (t) => {
  const key = await testKey('EdDSA')
  const platform = jwtTestPlatform({ keys: [key.jwk] }, { now: NOW, subtle: verifierWithoutEd25519 })
  t.is(await run(await sign(key, { sub: 's', exp: NOW + 10 }), platform), ErrorCode.RuntimeUnsupported)
})

test('every token with an unknown kid asks for exactly one refresh, and it is logged', async (t) => {
  const key = await testKey('RS256', 'real')
  const platform = jwtTestPlatform({ keys: [key.jwk] }, { now: NOW })
  for (let i = 0; i < 5; i++) {
    const forged = await sign(await testKey('RS256', `random-${i}`), { sub: 's', exp: NOW + 10 })
    t.is(await run(forged, platform), ErrorCode.JwtKeyNotFound)
  }
  t.deepEqual(platform.jwks.requests.map(([, refresh]) => refresh), [false, true, false, true, false, true, false, true, false, true])
  t.is(platform.logs.filter((l) => l.event === 'jwt.jwks.refresh').length, 5)
})

// The verification cache (shared dict legs).

test('a verified token is remembered: the next request answers synchronously without a fetch', async (t) => {
  const key = await testKey('ES256')
  const platform = jwtTestPlatform({ keys: [key.jwk] }, { now: NOW, store: true })
  const token = await sign(key, { sub: 's', exp: NOW + 120, scope: 'a' })
  const provider = jwtTestProvider()
  const first = await jwtProvider.authenticate(provider, token, { platform })
  const second = jwtProvider.authenticate(provider, token, { platform })
  t.false(second instanceof Promise)
  t.deepEqual(second, first)
  t.is(platform.jwks.requests.length, 1)
  t.deepEqual(platform.logs.filter((l) => l.event === 'jwt.verified.cached').map((l) => l.fields), [{ provider: 'keycloak' }])
})

test('the cache key is a hash of provider and token: the token is nowhere in the store', async (t) => {
  const key = await testKey('RS256')
  const platform = jwtTestPlatform({ keys: [key.jwk] }, { now: NOW, store: true })
  const token = await sign(key, { sub: 's', exp: NOW + 120 })
  await jwtProvider.authenticate(jwtTestProvider(), token, { platform })
  const store = platform.sharedCache as MemoryStore
  const dump = JSON.stringify(store.entries)
  for (const part of token.split('.')) t.false(dump.includes(part))
  t.deepEqual(Object.keys(store.entries), [verifiedKey(jwtTestProvider(), token, platform)])
  t.regex(Object.keys(store.entries)[0], /^jwt:[A-Za-z0-9_-]{43}$/)
})

test('cached until exp, or verifiedCacheTtl if sooner; then verified again', async (t) => {
  const key = await testKey('RS256')
  for (const [exp, ttl, cachedFor] of [
    [NOW + 120, 600, 120],
    [NOW + 3600, 600, 600],
  ]) {
    const platform = jwtTestPlatform({ keys: [key.jwk] }, { now: NOW, store: true })
    const provider = jwtTestProvider({ verifiedCacheTtl: ttl })
    const token = await sign(key, { sub: 's', exp })
    await jwtProvider.authenticate(provider, token, { platform })
    platform.now = NOW + cachedFor - 1
    t.false(jwtProvider.authenticate(provider, token, { platform }) instanceof Promise)
    platform.now = NOW + cachedFor
    t.true(jwtProvider.authenticate(provider, token, { platform }) instanceof Promise)
  }
})

test('no caching with verifiedCacheTtl 0, for failures, or across providers', async (t) => {
  const key = await testKey('RS256')
  const platform = jwtTestPlatform({ keys: [key.jwk] }, { now: NOW, store: true })
  const store = platform.sharedCache as MemoryStore
  const token = await sign(key, { sub: 's', exp: NOW + 100 })
  await jwtProvider.authenticate(jwtTestProvider({ verifiedCacheTtl: 0 }), token, { platform })
  t.is(store.writes, 0)
  await run(await sign(key, { sub: 's', exp: NOW - 100 }), platform)
  t.is(store.writes, 0)
  await jwtProvider.authenticate(jwtTestProvider({ cacheId: 'a' }), token, { platform })
  t.true(jwtProvider.authenticate(jwtTestProvider({ cacheId: 'b' }), token, { platform }) instanceof Promise)
})

test('a full store only costs a log line', async (t) => {
  const key = await testKey('RS256')
  const platform = jwtTestPlatform({ keys: [key.jwk] }, { now: NOW })
  platform.sharedCache = {
    get: () => undefined,
    set: () => {
      throw new Error('SharedMemoryError: no memory')
    },
  }
  t.is((await run(await sign(key, { sub: 's', exp: NOW + 100 }), platform) as User).username, 's')
  t.true(platform.logs.some((l) => l.event === 'cache.jwt.store_failed'))
})

test('no log line carries the token or any part of it', async (t) => {
  const key = await testKey('RS256', 'kid-1')
  const platform = jwtTestPlatform({ keys: [key.jwk] }, { now: NOW })
  const config = jwtConfig(jwtTestProvider())
  const tokens = [
    await sign(key, { sub: 's', exp: NOW + 100 }),
    await sign(key, { sub: 's', exp: NOW - 100 }),
    await sign(await testKey('RS256', 'unknown'), { sub: 's', exp: NOW + 100 }),
    compact({ alg: 'none' }, { sub: 's', exp: NOW + 100 }),
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtdmFsdWUifQ.c2lnbmF0dXJlLXZhbHVl',
  ]
  for (const token of tokens) {
    await outcome(() => authenticate({ authorization: 'Bearer ' + token, realm: undefined }, config, platform))
  }
  const logged = JSON.stringify(platform.logs)
  for (const token of tokens) for (const part of token.split('.')) if (part.length > 8) t.false(logged.includes(part), part)
  t.true(platform.logs.some((l) => l.event === 'auth.provider.failed'))
})

test('an entry compiled before the provider existed (reference keys only) is refused, not trusted', (t) => {
  const platform = jwtTestPlatform({ keys: [] })
  const stale = { type: 'jwt', name: 'kc', realm: 'r', filterRealm: 'r', scheme: 'Bearer', cert_uri: 'https://kc/certs' }
  const error = t.throws(() => jwtProvider.authenticate(stale as any, compact({ alg: 'RS256' }, {}, 'AA'), { platform }))
  t.is(errorCode(error), ErrorCode.ConfigFormat)
})
