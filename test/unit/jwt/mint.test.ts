import test from 'ava'
import { decodeProtectedHeader, jwtVerify } from 'jose'
import { mintClaims, mintedExpiry, mintToken } from '../../../src/jwt/mint'
import { HS256_HEADER_B64 } from '../../../src/jwt/hs256'
import { newUser, User } from '../../../src/user'
import { testCrypto } from '../support/platform'

const settings = { iss: 'authotron-test', exp: 3600, secret: 'some-secret-key' }
const now = 1_766_996_400

function adam(): User {
  const user = newUser('adam', 'ecmwf', ['user', 'admin'])
  return user
}

test('claims follow the reference order and values (§6 example)', (t) => {
  t.is(
    mintClaims(adam(), settings, now),
    '{"sub":"ecmwf-adam","iss":"authotron-test","exp":1767000000,"iat":1766996400,"roles":["user","admin"],"username":"adam","scopes":{},"realm":"ecmwf","attributes":{}}',
  )
})

test('jose verifies the minted token with the raw UTF-8 secret', async (t) => {
  const token = mintToken(adam(), settings, now, testCrypto)
  t.is(token.split('.')[0], HS256_HEADER_B64)
  t.deepEqual(decodeProtectedHeader(token), { typ: 'JWT', alg: 'HS256' })
  const { payload } = await jwtVerify(token, new TextEncoder().encode(settings.secret), {
    algorithms: ['HS256'],
    currentDate: new Date(now * 1000),
  })
  t.is(payload.sub, 'ecmwf-adam')
  t.deepEqual(payload.roles, ['user', 'admin'])
})

test('a non-ASCII secret is used as its UTF-8 bytes', async (t) => {
  const secret = 'sécret-ключ'
  const token = mintToken(adam(), { ...settings, secret }, now, testCrypto)
  await t.notThrowsAsync(
    jwtVerify(token, new TextEncoder().encode(secret), { currentDate: new Date(now * 1000) }),
  )
  await t.throwsAsync(jwtVerify(token, new TextEncoder().encode('secret'), { currentDate: new Date(now * 1000) }))
})

const expiryCases: [string | undefined, number][] = [
  [undefined, now + 3600],
  ['1767000000', now + 3600],
  ['1766997000', 1766997000],
  ['+1766997000', 1766997000],
  ['-5', -5],
  ['1.7e9', now + 3600],
  ['170.5', now + 3600],
  ['', now + 3600],
  ['soon', now + 3600],
  ['99999999999999999999', now + 3600], // beyond i64
]
for (const [attribute, expected] of expiryCases) {
  test(`exp is capped by an integer exp attribute: ${JSON.stringify(attribute)}`, (t) => {
    const user = adam()
    if (attribute !== undefined) user.attributes.exp = attribute
    t.is(mintedExpiry(user, 3600, now), expected)
  })
}

test('zero or negative lifetimes give tokens that are already expired, as the reference', (t) => {
  t.is(mintedExpiry(adam(), 0, now), now)
  t.is(mintedExpiry(adam(), -10, now), now - 10)
})

test('scopes and attributes are serialised as maps', (t) => {
  const user = adam()
  user.scopes = { 'my-jwt-provider': ['openid', 'email'] }
  user.attributes = { email: 'a@b.c' }
  const claims = JSON.parse(mintClaims(user, settings, now))
  t.deepEqual(claims.scopes, { 'my-jwt-provider': ['openid', 'email'] })
  t.deepEqual(claims.attributes, { email: 'a@b.c' })
  t.deepEqual(Object.keys(claims), ['sub', 'iss', 'exp', 'iat', 'roles', 'username', 'scopes', 'realm', 'attributes'])
})
