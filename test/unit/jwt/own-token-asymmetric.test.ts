/**
 * Our own RS256/ES256 tokens coming back (issue 18 points 2 and 3): verified with the public key
 * the token's kid names in the JWK Set we publish, the signing key or a previous one (rotation).
 */
import test from 'ava'
import { SignJWT } from 'jose'
import { createPublicKey } from 'node:crypto'
import { errorCode, ErrorCode } from '../../../src/errors'
import { mint } from '../../../src/jwt/mint'
import { verifyOwnToken } from '../../../src/jwt/own-token'
import { jwkThumbprint } from '../../../src/compiler/signing-key'
import type { CompiledJwt } from '../../../src/config/compiled'
import { newUser } from '../../../src/user'
import { testCrypto } from '../support/platform'
import { compiledJwt, ecKey, rsaKey } from '../support/signing-keys'
import type { Crypto } from '../../../src/platform'
import { nodeSignatureVerifier } from '../support/webcrypto'

const NOW = 1_766_996_400
const crypto: Crypto = { ...testCrypto, subtle: nodeSignatureVerifier }

function adam() {
  return newUser('adam', 'ecmwf', ['user'])
}

/** A config whose published set also lists `previous` (as jwt.previous_public_key_files does). */
function withPrevious(jwt: CompiledJwt, previous: ReturnType<typeof rsaKey>, alg: string, kid?: string): CompiledJwt {
  const jwk = createPublicKey(previous).export({ format: 'jwk' }) as any
  const set = JSON.parse(jwt.jwks!)
  set.keys.push({ ...jwk, kid: kid ?? jwkThumbprint(jwk), use: 'sig', alg })
  return { ...jwt, jwks: JSON.stringify(set) }
}

for (const alg of ['RS256', 'ES256'] as const) {
  test(`${alg}: our token is accepted as it is, with its own exp`, async (t) => {
    const jwt = compiledJwt(alg)
    const minted = await mint(adam(), jwt, NOW, crypto)
    const own = await verifyOwnToken(minted.token, jwt, NOW + 10, crypto)
    t.is(own.token, minted.token)
    t.is(own.expiresAt, NOW + 3600)
    t.is(own.user.username, 'adam')
  })
}

test('rotation: a token of a previous key listed in the set is accepted; once the key leaves the set, refused', async (t) => {
  const old = ecKey()
  const before = compiledJwt('ES256', old)
  const token = (await mint(adam(), before, NOW, crypto)).token
  const after = withPrevious(compiledJwt('RS256'), old, 'ES256')
  t.is((await verifyOwnToken(token, after, NOW + 10, crypto)).token, token)
  const dropped = compiledJwt('RS256')
  t.is(errorCode(await t.throwsAsync(Promise.resolve().then(() => verifyOwnToken(token, dropped, NOW + 10, crypto)))), ErrorCode.JwtSignatureInvalid)
})

test('refused: a foreign key under our kid, an unknown kid, no kid, a kid of another alg, tampered, expired, foreign iss', async (t) => {
  const jwt = compiledJwt('RS256')
  const kid = jwt.signingKey!.kid
  const foreign = rsaKey()
  const sign = (header: object, claims: object = {}) =>
    new SignJWT({ iss: 'authotron-test', exp: NOW + 3600, username: 'adam', realm: 'ecmwf', roles: [], scopes: {}, attributes: {}, ...claims })
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', ...header })
      .sign(foreign)
  const good = (await mint(adam(), jwt, NOW, crypto)).token
  const [h, p, s] = good.split('.')
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString())
  const cases: [string, string, string][] = [
    ['foreign key, our kid', await sign({ kid }), ErrorCode.JwtSignatureInvalid],
    ['unknown kid', await sign({ kid: 'nope' }), ErrorCode.JwtSignatureInvalid],
    ['no kid', await sign({}), ErrorCode.JwtSignatureInvalid],
    ['our kid, ES256 header', `${Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'ES256', kid })).toString('base64url')}.${p}.${s}`, ErrorCode.JwtSignatureInvalid],
    ['our kid, HS256 header (public key as HMAC secret)', `${Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'HS256', kid })).toString('base64url')}.${p}.${s}`, ErrorCode.JwtSignatureInvalid],
    ['tampered', `${h}.${Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url')}.${s}`, ErrorCode.JwtSignatureInvalid],
    ['expired', (await mint(adam(), { ...jwt, exp: -1 }, NOW, crypto)).token, ErrorCode.JwtExpired],
    ['foreign iss', (await mint(adam(), { ...jwt, iss: 'someone-else' }, NOW, crypto)).token, ErrorCode.JwtIssuerMismatch],
  ]
  for (const [what, token, code] of cases) {
    const error = await t.throwsAsync(Promise.resolve().then(() => verifyOwnToken(token, jwt, NOW + 10, crypto)), undefined, what)
    t.is(errorCode(error), code, what)
  }
})

test('an HS256 config never accepts an RS256 token, whatever it carries', async (t) => {
  const rs = compiledJwt('RS256')
  const token = (await mint(adam(), rs, NOW, crypto)).token
  const hs: CompiledJwt = { iss: 'authotron-test', exp: 3600, secret: 'current-secret-of-at-least-32-bytes!' }
  t.is(errorCode(await t.throwsAsync(Promise.resolve().then(() => verifyOwnToken(token, hs, NOW + 10, crypto)))), ErrorCode.JwtSignatureInvalid)
})
