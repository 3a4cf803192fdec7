import test from 'ava'
import { SignJWT } from 'jose'
import { obtainGrant } from '../../../src/auth/grant'
import { errorCode, ErrorCode } from '../../../src/errors'
import { mint, MintedToken } from '../../../src/jwt/mint'
import { ownSignatureCheck, verifyOwnToken } from '../../../src/jwt/own-token'
import { newUser } from '../../../src/user'
import { basic, plainProvider, testConfig } from '../support/config'
import { testCrypto, testPlatform } from '../support/platform'

const NOW = 1_766_996_400
const KEYS = { iss: 'authotron-test', exp: 3600, secret: 'current-secret-of-at-least-32-bytes!' }

function ours(secret = KEYS.secret, lifetime = 3600, iss = KEYS.iss) {
  const user = newUser('adam', 'ecmwf', ['user', 'admin'])
  user.attributes = { team: 'core' }
  user.scopes = { idp: ['openid'] }
  // HS256 mints synchronously (mint returns a promise only for the asymmetric algorithms).
  return mint(user, { iss, exp: lifetime, secret }, NOW, testCrypto) as MintedToken
}

function codeOf(t: any, run: () => unknown) {
  const error = t.throws(run)
  return errorCode(error)
}

test('a token we minted is accepted as it is: same token, its own exp, the user of its claims', (t) => {
  const minted = ours()
  const own = verifyOwnToken(minted.token, KEYS, NOW + 10, testCrypto) as any
  t.is(own.token, minted.token)
  t.is(own.expiresAt, minted.expiresAt)
  t.deepEqual(own.user, {
    version: 1,
    username: 'adam',
    realm: 'ecmwf',
    roles: ['user', 'admin'],
    attributes: { team: 'core' },
    scopes: { idp: ['openid'] },
  })
})

test('expired: refused from its exp on, no leeway', (t) => {
  const minted = ours()
  t.truthy(verifyOwnToken(minted.token, KEYS, minted.expiresAt - 1, testCrypto))
  t.is(codeOf(t, () => verifyOwnToken(minted.token, KEYS, minted.expiresAt, testCrypto)), ErrorCode.JwtExpired)
})

test('tampered payload or signature: refused', (t) => {
  const [h, p, s] = ours().token.split('.')
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString())
  claims.roles = ['admin', 'superuser']
  const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`
  t.is(codeOf(t, () => verifyOwnToken(forged, KEYS, NOW, testCrypto)), ErrorCode.JwtSignatureInvalid)
  const flipped = s.slice(0, -2) + (s.at(-2) === 'A' ? 'B' : 'A') + s.at(-1)
  t.is(codeOf(t, () => verifyOwnToken(`${h}.${p}.${flipped}`, KEYS, NOW, testCrypto)), ErrorCode.JwtSignatureInvalid)
})

test('foreign: another secret, another issuer, another algorithm, alg none, not a JWS', async (t) => {
  t.is(codeOf(t, () => verifyOwnToken(ours('someone-elses-secret-of-32-bytes!!').token, KEYS, NOW, testCrypto)), ErrorCode.JwtSignatureInvalid)
  t.is(codeOf(t, () => verifyOwnToken(ours(KEYS.secret, 3600, 'elsewhere').token, KEYS, NOW, testCrypto)), ErrorCode.JwtIssuerMismatch)
  const hs512 = await new SignJWT({ iss: KEYS.iss, exp: NOW + 60, username: 'adam', realm: 'ecmwf', roles: [], scopes: {}, attributes: {} })
    .setProtectedHeader({ alg: 'HS512' })
    .sign(new TextEncoder().encode(KEYS.secret))
  t.is(codeOf(t, () => verifyOwnToken(hs512, KEYS, NOW, testCrypto)), ErrorCode.JwtAlgUnsupported)
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${ours().token.split('.')[1]}.`
  t.is(codeOf(t, () => verifyOwnToken(none, KEYS, NOW, testCrypto)), ErrorCode.JwtAlgUnsupported)
  t.is(codeOf(t, () => verifyOwnToken('abc', KEYS, NOW, testCrypto)), ErrorCode.JwtMalformed)
  t.is(codeOf(t, () => verifyOwnToken('a.b.c.d', KEYS, NOW, testCrypto)), ErrorCode.JwtMalformed)
  t.is(codeOf(t, () => verifyOwnToken('a.b+.c', KEYS, NOW, testCrypto)), ErrorCode.JwtMalformed)
})

test('an HS256 token signed by us with claims we never mint: refused', async (t) => {
  const odd = await new SignJWT({ iss: KEYS.iss, exp: NOW + 60, username: 'adam', realm: 'ecmwf', roles: 'admin', scopes: {}, attributes: {} })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(KEYS.secret))
  t.is(codeOf(t, () => verifyOwnToken(odd, KEYS, NOW, testCrypto)), ErrorCode.JwtClaimInvalid)
})

test('rotation: a previous secret still verifies until exp; a secret no longer listed does not', (t) => {
  const old = ours('the-previous-secret-of-32-bytes!!!')
  const rotated = { ...KEYS, previousSecrets: ['an-even-older-secret-32-bytes!!!!', 'the-previous-secret-of-32-bytes!!!'] }
  t.is((verifyOwnToken(old.token, rotated, NOW, testCrypto) as any).token, old.token)
  t.is(codeOf(t, () => verifyOwnToken(old.token, rotated, old.expiresAt, testCrypto)), ErrorCode.JwtExpired)
  t.is(codeOf(t, () => verifyOwnToken(old.token, KEYS, NOW, testCrypto)), ErrorCode.JwtSignatureInvalid)
})

test('the extension point knows the algorithms we mint: HS256, RS256, ES256, EdDSA', (t) => {
  for (const alg of ['HS256', 'RS256', 'ES256', 'EdDSA']) t.truthy(ownSignatureCheck(alg))
  t.is(ownSignatureCheck('PS256'), undefined)
  t.is(ownSignatureCheck('none'), undefined)
})

const seed = plainProvider('plain-provider', 'localrealm', [{ username: 'test_user', password: 'secret123', roles: ['r'] }])
const SESSION = { cookieName: 's', cookieVariable: 'cookie_s', cookieAttributes: '; Path=/; HttpOnly; SameSite=Lax; Secure' }

function sessionConfig() {
  const config = testConfig([seed])
  config.session = SESSION
  return config
}

test('grant: with a session, our Bearer token is the grant itself (no re-mint, its own exp, no augmenter)', async (t) => {
  const config = sessionConfig()
  const platform = testPlatform(NOW)
  const first = await obtainGrant({ authorization: basic('test_user', 'secret123'), realm: undefined }, config, platform)
  platform.now += 100
  const again = await obtainGrant({ authorization: 'Bearer ' + first.token, realm: undefined }, config, platform)
  t.is(again.token, first.token)
  t.is(again.expiresAt, first.expiresAt)
  t.deepEqual(again.user, first.user)
  t.deepEqual(again.legacy, ['test_user', 'localrealm', 'r'])
})

test('grant: without a session, our own token is not accepted (the reference behaviour)', async (t) => {
  const config = testConfig([seed])
  const platform = testPlatform(NOW)
  const first = await obtainGrant({ authorization: basic('test_user', 'secret123'), realm: undefined }, config, platform)
  const error = await t.throwsAsync(async () => obtainGrant({ authorization: 'Bearer ' + first.token, realm: undefined }, config, platform))
  t.is(errorCode(error), ErrorCode.AllFailed)
})

test('grant: an expired or foreign token is refused (401), logged with its code only', async (t) => {
  const config = sessionConfig()
  const platform = testPlatform(NOW)
  const first = await obtainGrant({ authorization: basic('test_user', 'secret123'), realm: undefined }, config, platform)
  platform.now = first.expiresAt
  const expired = await t.throwsAsync(async () => obtainGrant({ authorization: 'Bearer ' + first.token, realm: undefined }, config, platform))
  t.is(errorCode(expired), ErrorCode.AllFailed)
  t.deepEqual(
    platform.logs.find((entry) => entry.event === 'auth.own_token.refused')?.fields,
    { code: ErrorCode.JwtExpired },
  )
})

test('grant: X-Auth-Realm filters our token by its realm', async (t) => {
  const config = sessionConfig()
  const platform = testPlatform(NOW)
  const first = await obtainGrant({ authorization: basic('test_user', 'secret123'), realm: undefined }, config, platform)
  t.is((await obtainGrant({ authorization: 'Bearer ' + first.token, realm: 'LocalRealm' }, config, platform)).token, first.token)
  const error = await t.throwsAsync(async () => obtainGrant({ authorization: 'Bearer ' + first.token, realm: 'other' }, config, platform))
  t.is(errorCode(error), ErrorCode.AllFailed)
})

test('grant: credentials keep header order: a Basic credential before our token wins', async (t) => {
  const config = sessionConfig()
  const platform = testPlatform(NOW)
  const first = await obtainGrant({ authorization: basic('test_user', 'secret123'), realm: undefined }, config, platform)
  platform.now += 100
  const both = await obtainGrant({ authorization: `${basic('test_user', 'secret123')}, Bearer ${first.token}`, realm: undefined }, config, platform)
  t.not(both.token, first.token)
  t.is(both.expiresAt, first.expiresAt + 100)
})
