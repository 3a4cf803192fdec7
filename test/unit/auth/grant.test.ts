import test from 'ava'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { DEFAULT_GRANT_CACHE_TTL_MS, obtainGrant } from '../../../src/auth/grant'
import { grantKey } from '../../../src/auth/grant-key'
import { errorCode, ErrorCode } from '../../../src/errors'
import type { SharedStore } from '../../../src/platform'
import { basic, plainProvider, testConfig } from '../support/config'
import { testPlatform, TestPlatform } from '../support/platform'
import { compiledJwt } from '../support/signing-keys'

/** A SharedStore like ngx.shared: entries expire after their ttl. */
function memoryStore(platform: TestPlatform) {
  const entries: { [key: string]: { value: string; until: number } } = {}
  const store: SharedStore & { entries: typeof entries; writes: number } = {
    entries,
    writes: 0,
    get(key) {
      const entry = entries[key]
      return entry && entry.until > platform.now * 1000 ? entry.value : undefined
    },
    set(key, value, ttlMs) {
      store.writes++
      entries[key] = { value, until: platform.now * 1000 + ttlMs }
    },
  }
  return store
}

const seed = plainProvider('plain-provider', 'localrealm', [{ username: 'test_user', password: 'secret123', roles: ['r'] }])
const good = basic('test_user', 'secret123')

function setup() {
  const platform = testPlatform()
  const store = memoryStore(platform)
  platform.sharedCache = store
  return { platform, store, config: testConfig([seed]) }
}

test('a second request with the same credential is served from the cache: same token', async (t) => {
  const { platform, store, config } = setup()
  const first = await obtainGrant({ authorization: good, realm: undefined }, config, platform)
  platform.now += 5
  const second = await obtainGrant({ authorization: good, realm: undefined }, config, platform)
  t.is(second.token, first.token)
  t.deepEqual(second.user, first.user)
  t.is(store.writes, 1)
})

test('entries expire after the TTL and never outlive the token', async (t) => {
  const { platform, config } = setup()
  const first = await obtainGrant({ authorization: good, realm: undefined }, config, platform)
  platform.now += DEFAULT_GRANT_CACHE_TTL_MS / 1000
  const later = await obtainGrant({ authorization: good, realm: undefined }, config, platform)
  t.not(later.token, first.token)

  const shortLived = testConfig([seed])
  shortLived.jwt = { ...shortLived.jwt, exp: 3 }
  const s = setup()
  const a = await obtainGrant({ authorization: good, realm: undefined }, shortLived, s.platform)
  s.platform.now += 3
  const b = await obtainGrant({ authorization: good, realm: undefined }, shortLived, s.platform)
  t.not(b.token, a.token)
  const { payload } = await jwtVerify(b.token, new TextEncoder().encode('some-secret-key'), { currentDate: new Date(s.platform.now * 1000) })
  t.true((payload.exp as number) > s.platform.now)
})

test('failures are never cached', async (t) => {
  const { platform, store, config } = setup()
  for (let i = 0; i < 3; i++) {
    try {
      await obtainGrant({ authorization: basic('test_user', 'wrong'), realm: undefined }, config, platform)
    } catch (e) {
      t.is(errorCode(e), ErrorCode.AllFailed)
    }
  }
  t.is(store.writes, 0)
})

test('the key depends on config id, access rule, realm filter (absent vs empty) and credential, never holds it', (t) => {
  const platform = testPlatform()
  const sha = platform.crypto.sha256Base64url
  const keys = [
    grantKey('cfg1', undefined, undefined, good, sha),
    grantKey('cfg2', undefined, undefined, good, sha),
    grantKey('cfg1', undefined, '', good, sha),
    grantKey('cfg1', undefined, 'localrealm', good, sha),
    grantKey('cfg1', undefined, undefined, basic('test_user', 'secret124'), sha),
    grantKey('cfg1', 'role=admin', undefined, good, sha),
    grantKey('cfg1', 'role=admin realm=x', undefined, good, sha),
    // A rule that reads like a realm part, and a realm that reads like a rule, stay apart.
    grantKey('cfg1', '\n-', '', good, sha),
    grantKey('cfg1', undefined, '\n=1:x', good, sha),
    grantKey('cfg1', 'x', 'a', good, sha),
  ]
  t.is(grantKey('cfg1', '', undefined, good, sha), keys[0], 'no rule: the key rules did not change')
  t.is(new Set(keys).size, keys.length)
  for (const key of keys) {
    t.false(key.includes('secret'))
    t.false(key.includes(good.slice(6)))
  }
})

test('with an access rule (admits), a grant is stored only when the rule lets its user in', async (t) => {
  const { platform, config, store } = setup()
  const input = { authorization: good, realm: undefined }
  const refused = await obtainGrant(input, config, platform, { key: 'k-refused' }, () => false)
  t.is(refused.user.username, 'test_user')
  t.is(store.get('k-refused'), undefined)
  await obtainGrant(input, config, platform, { key: 'k-admitted' }, (user) => user.username === 'test_user')
  t.not(store.get('k-admitted'), undefined)
})

test('a reload (new config id) never serves an answer computed under the old config', async (t) => {
  const { platform, config } = setup()
  await obtainGrant({ authorization: good, realm: undefined }, config, platform)
  const reloaded = testConfig([plainProvider('plain-provider', 'localrealm', [{ username: 'test_user', password: 'rotated' }])])
  reloaded.configId = 'after-reload'
  await t.throwsAsync(async () => obtainGrant({ authorization: good, realm: undefined }, reloaded, platform))
})

test('grantCacheTtlMs 0 disables the cache; no shared store means no cache', async (t) => {
  const { platform, store, config } = setup()
  config.grantCacheTtlMs = 0
  await obtainGrant({ authorization: good, realm: undefined }, config, platform)
  t.is(store.writes, 0)
  const bare = testPlatform()
  const a = await obtainGrant({ authorization: good, realm: undefined }, config, bare)
  t.truthy(a.token)
})

test('a store that refuses writes costs nothing but a log line', async (t) => {
  const { platform, config } = setup()
  platform.sharedCache = {
    get: () => undefined,
    set: () => {
      throw new Error('SharedMemoryError: no memory')
    },
  }
  const grant = await obtainGrant({ authorization: good, realm: undefined }, config, platform)
  t.is(grant.user.username, 'test_user')
  t.truthy(platform.logs.find((l) => l.event === 'cache.grant.store_failed'))
})

test('a corrupt cache entry is ignored', async (t) => {
  const { platform, store, config } = setup()
  store.set(grantKey(config.configId, undefined, undefined, good, platform.crypto.sha256Base64url), '{not json', 60_000)
  const grant = await obtainGrant({ authorization: good, realm: undefined }, config, platform)
  t.is(grant.user.username, 'test_user')
})

test('after the top layer missed, the grant is minted afresh and stored under the key it computed', async (t) => {
  const { platform, store, config } = setup()
  const first = await obtainGrant({ authorization: good, realm: undefined }, config, platform)
  platform.now += 1
  // The entry exists, but the caller says it missed (the top layer's key differs): no second read.
  const fresh = await obtainGrant({ authorization: good, realm: undefined }, config, platform, { key: 'grant2:from-the-top-layer' })
  t.not(fresh.token, first.token)
  t.truthy(store.entries['grant2:from-the-top-layer'])
  t.is(store.writes, 2)
  // No key: the top layer caches nothing for this request, and neither does the pipeline.
  await obtainGrant({ authorization: good, realm: undefined }, config, platform, { key: undefined })
  t.is(store.writes, 2)
})

test('RS256: the grant is minted asynchronously and cached like HS256: a hit returns the same token', async (t) => {
  const { platform, store } = setup()
  const config = { ...testConfig([seed]), jwt: compiledJwt('RS256') }
  const first = obtainGrant({ authorization: good, realm: undefined }, config, platform)
  t.true(first instanceof Promise)
  const minted = await first
  t.is(store.writes, 1)
  const { payload } = await jwtVerify(minted.token, createLocalJWKSet(JSON.parse(config.jwt.jwks!)), { currentDate: new Date(platform.now * 1000) })
  t.is(payload.sub, 'localrealm-test_user')
  const again = obtainGrant({ authorization: good, realm: undefined }, config, platform)
  t.false(again instanceof Promise)
  t.is((await again).token, minted.token)
})
