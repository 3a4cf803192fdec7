import test from 'ava'
import { createHash } from 'node:crypto'
import type { CompiledTokenStore } from '../../../src/config/compiled'
import { obtainGrant } from '../../../src/auth/grant'
import { ErrorCode } from '../../../src/errors'
import { storeFailureAnswer } from '../../../src/store/answers'
import { looksLikeStoreToken, mayCarryStoreToken } from '../../../src/store/token-form'
import {
  createToken,
  deleteToken,
  findStoredUser,
  listTokens,
  newToken,
  ownerPrefix,
  StoredToken,
  TokenListing,
  TokenStoreAccess,
  TokenStoreBackend,
  tokenKey,
} from '../../../src/store/tokens'
import { answerTokenRoute } from '../../../src/store/routes'
import { newUser, type User } from '../../../src/user'
import { basic, plainProvider, testConfig } from '../support/config'
import { testPlatform } from '../support/platform'

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url')

/** A backend over a Map, counting lookups; keys as both real backends write them. */
function memoryAccess(now = 1_000_000) {
  const entries = new Map<string, string>()
  const records = new Map<string, StoredToken>()
  let lookups = 0
  let counter = 0
  const backend: TokenStoreBackend = {
    async create(token) {
      records.set(tokenKey(token.id), token)
      entries.set(ownerPrefix(token.owner) + token.id, JSON.stringify({ c: token.createdAt, e: token.expiresAt }))
    },
    async find(id) {
      lookups++
      return records.get(tokenKey(id))
    },
    async list(owner) {
      const listed: TokenListing[] = []
      for (const [key, value] of entries) {
        if (!key.startsWith(ownerPrefix(owner))) continue
        const { c, e } = JSON.parse(value)
        listed.push({ id: key.slice(ownerPrefix(owner).length), createdAt: c, expiresAt: e })
      }
      return listed
    },
    async remove(id, owner) {
      const found = records.get(tokenKey(id))
      if (found === undefined || found.owner !== owner) return false
      records.delete(tokenKey(id))
      entries.delete(ownerPrefix(owner) + id)
      return true
    },
  }
  const access: TokenStoreAccess & { now: number } = {
    now,
    backend,
    sha256Base64url: sha256,
    randomBytes: (length) => {
      counter++
      return new Uint8Array(length).fill(counter)
    },
    nowSeconds: () => access.now,
  }
  return { access, records, lookups: () => lookups }
}

const alice: User = { ...newUser('alice', 'ecmwf', ['reader']), attributes: { email: 'a@x', exp: '1700000000' } }
const bob = newUser('bob', 'ecmwf', [])

async function bodyOf(answer: Promise<{ status: number; body: string }>) {
  const { status, body } = await answer
  return { status, json: body === '' ? undefined : JSON.parse(body) }
}

test('tokens are UUID v4, lower case, and only that form is looked up', (t) => {
  const token = newToken(new Uint8Array(16).fill(0xff))
  t.is(token, 'ffffffff-ffff-4fff-bfff-ffffffffffff')
  t.true(looksLikeStoreToken(token))
  t.false(looksLikeStoreToken(token.toUpperCase()))
  t.false(looksLikeStoreToken('eyJhbGciOiJIUzI1NiJ9.e30.x'))
  t.true(mayCarryStoreToken(`Bearer ${token}`))
  t.true(mayCarryStoreToken(`Basic YTpi, bearer ${token}`))
  t.false(mayCarryStoreToken('Bearer eyJhbGciOiJIUzI1NiJ9.e30.x'))
  t.false(mayCarryStoreToken(`Basic ${token}`))
})

test('GET /token stores the hash and the unaugmented user without its exp attribute; the token finds it', async (t) => {
  const { access, records } = memoryAccess()
  const created = await bodyOf(createToken(alice, 3600, access))
  t.is(created.status, 200)
  const token = created.json.token as string
  t.true(looksLikeStoreToken(token))
  const stored = [...records.values()][0]
  t.is(stored.id, sha256(token))
  t.false(JSON.stringify(stored).includes(token))
  t.is(stored.expiresAt - stored.createdAt, 3600)
  t.deepEqual(await findStoredUser(token, access), { ...alice, attributes: { email: 'a@x' } })
})

test('a token stops authenticating at its expiry, and leaves the list', async (t) => {
  const { access } = memoryAccess()
  const token = (await bodyOf(createToken(alice, 60, access))).json.token
  access.now += 60
  const error = await t.throwsAsync(findStoredUser(token, access))
  t.is((error as any).code, ErrorCode.StoreTokenNotFound)
  t.deepEqual((await bodyOf(listTokens(alice, access))).json, { tokens: [] })
})

test('a credential of another form is refused without asking the store', async (t) => {
  const { access, lookups } = memoryAccess()
  const error = await t.throwsAsync(findStoredUser('not-a-token', access))
  t.is((error as any).code, ErrorCode.StoreTokenNotFound)
  t.is(lookups(), 0)
})

test('GET /tokens lists the caller’s ids, oldest first, in the reference’s shape', async (t) => {
  const { access } = memoryAccess()
  const first = (await bodyOf(createToken(alice, 60, access))).json.token
  access.now += 1
  const second = (await bodyOf(createToken(alice, 60, access))).json.token
  await createToken(bob, 60, access)
  const listed = await bodyOf(listTokens(alice, access))
  t.deepEqual(listed.json.tokens, [
    { version: 1, token_string: sha256(first), scopes: {}, created_at: '1970-01-12T13:46:40Z', expires_at: '1970-01-12T13:47:40Z' },
    { version: 1, token_string: sha256(second), scopes: {}, created_at: '1970-01-12T13:46:41Z', expires_at: '1970-01-12T13:47:41Z' },
  ])
  t.deepEqual((await bodyOf(listTokens(newUser('carol', 'ecmwf', []), access))).json, { tokens: [] })
})

test('DELETE: the owner by token or by id → 204; anyone else, garbage or none → 404', async (t) => {
  const { access } = memoryAccess()
  const token = (await bodyOf(createToken(alice, 60, access))).json.token
  t.deepEqual(await bodyOf(deleteToken(bob, token, access)), { status: 404, json: { error: 'Token not found' } })
  t.deepEqual(await bodyOf(deleteToken(bob, sha256(token), access)), { status: 404, json: { error: 'Token not found' } })
  // Same username, other realm: another owner.
  t.is((await deleteToken(newUser('alice', 'other', []), token, access)).status, 404)
  t.is((await deleteToken(alice, '../x', access)).status, 404)
  t.deepEqual(await bodyOf(deleteToken(alice, token, access)), { status: 204, json: undefined })
  t.is((await deleteToken(alice, token, access)).status, 404)
  const second = (await bodyOf(createToken(alice, 60, access))).json.token
  t.is((await deleteToken(alice, sha256(second), access)).status, 204)
  await t.throwsAsync(findStoredUser(second, access))
})

test('store errors answer 503 in the reference’s bodies; other errors are not the store’s', (t) => {
  t.deepEqual(storeFailureAnswer(ErrorCode.StoreDisabled, 'x'), {
    status: 503,
    headers: [['Content-Type', 'application/json']],
    body: '{"error":"Token store is disabled"}',
  })
  t.is(storeFailureAnswer(ErrorCode.StoreUnavailable, 'etcd unreachable (502)')!.body, '{"error":"Store error: etcd unreachable (502)"}')
  t.is(storeFailureAnswer(ErrorCode.StoreUnsupported, 'no dict')!.status, 503)
  t.is(storeFailureAnswer(ErrorCode.AllFailed, 'x'), undefined)
})

const SETTINGS: CompiledTokenStore = { backend: 'embedded', lifetimeSeconds: 3600, etcdLocation: '/_authotron/etcd', keyPrefix: 'p/' }

function storeConfig() {
  const config = testConfig([
    plainProvider('local', 'ecmwf', [{ username: 'alice', password: 'pw', roles: ['reader'] }]),
    { type: 'token-store', name: 'token-store', realm: '', filterRealm: null, scheme: 'Bearer', store: SETTINGS },
  ])
  return { ...config, tokenStore: SETTINGS }
}

test('the token-store provider authenticates a stored token; its grant is never cached', async (t) => {
  const config = storeConfig()
  const memory = memoryAccess(testPlatform().now)
  const cache = new Map<string, string>()
  const platform = {
    ...testPlatform(),
    sharedCache: { get: (key: string) => cache.get(key), set: (key: string, value: string) => void cache.set(key, value) },
    tokenStore: () => memory.access,
  }
  const created = await answerTokenRoute('create', { authorization: basic('alice', 'pw'), realm: undefined }, '/token', config, platform)
  const token = JSON.parse(created.body).token
  const grant = await obtainGrant({ authorization: `Bearer ${token}`, realm: undefined }, config, platform)
  t.is(grant.user.username, 'alice')
  t.deepEqual(grant.user.roles, ['reader'])
  t.is(cache.size, 0)
  await obtainGrant({ authorization: basic('alice', 'pw'), realm: undefined }, config, platform)
  t.is(cache.size, 1, 'other credentials are cached as before')
  // With X-Auth-Realm the provider without a realm is never asked.
  await t.throwsAsync(async () => obtainGrant({ authorization: `Bearer ${token}`, realm: 'ecmwf' }, config, platform))
})

test('the token-store provider fails closed when the store cannot answer, and says so at warn', async (t) => {
  const config = storeConfig()
  const platform = {
    ...testPlatform(),
    tokenStore: (): TokenStoreAccess => ({
      ...memoryAccess().access,
      backend: {
        create: () => Promise.reject(new Error('down')),
        find: () => Promise.reject(Object.assign(new Error('etcd unreachable (502)'), { code: ErrorCode.StoreUnavailable })),
        list: () => Promise.reject(new Error('down')),
        remove: () => Promise.reject(new Error('down')),
      },
    }),
  }
  const error = await t.throwsAsync(async () =>
    obtainGrant({ authorization: 'Bearer ffffffff-ffff-4fff-bfff-ffffffffffff', realm: undefined }, config, platform),
  )
  t.is((error as any).code, ErrorCode.AllFailed)
  t.true(platform.logs.some((entry) => entry.level === 'warn' && entry.event === 'store.lookup.failed'))
})

test('the token routes authenticate first (401), then answer 503 with the store disabled', async (t) => {
  const config = testConfig([plainProvider('local', 'ecmwf', [{ username: 'alice', password: 'pw' }])])
  const platform = testPlatform()
  const unauthenticated = await t.throwsAsync(answerTokenRoute('list', { authorization: undefined, realm: undefined }, '/tokens', config, platform))
  t.is((unauthenticated as any).code, ErrorCode.HeaderMissing)
  const disabled = await t.throwsAsync(answerTokenRoute('list', { authorization: basic('alice', 'pw'), realm: undefined }, '/tokens', config, platform))
  t.is((disabled as any).code, ErrorCode.StoreDisabled)
})
