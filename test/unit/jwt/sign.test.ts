import test from 'ava'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { errorCode, ErrorCode } from '../../../src/errors'
import { signToken } from '../../../src/jwt/sign'
import { mint } from '../../../src/jwt/mint'
import type { Crypto, JwsSigner } from '../../../src/platform'
import { newUser } from '../../../src/user'
import { testCrypto } from '../support/platform'
import { compiledJwt } from '../support/signing-keys'

const now = 1_766_996_400

for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
  test(`${alg}: a minted token verifies with jose against the published set, claims in §6 order`, async (t) => {
    const jwt = compiledJwt(alg)
    const minted = await mint(newUser('adam', 'ecmwf', ['user']), jwt, now, testCrypto)
    t.deepEqual(decodeProtectedHeader(minted.token), { typ: 'JWT', alg, kid: jwt.signingKey!.kid })
    const { payload } = await jwtVerify(minted.token, createLocalJWKSet(JSON.parse(jwt.jwks!)), {
      algorithms: [alg],
      currentDate: new Date(now * 1000),
    })
    t.deepEqual(Object.keys(payload), ['sub', 'iss', 'exp', 'iat', 'roles', 'username', 'scopes', 'realm', 'attributes'])
    t.is(payload.exp, now + 3600)
    t.is(minted.expiresAt, now + 3600)
  })
}

test('ES256 signatures are r||s (64 bytes), as JWS wants, not DER', async (t) => {
  const token = await signToken('{}', compiledJwt('ES256'), testCrypto)
  t.is(Buffer.from(token.split('.')[2], 'base64url').length, 64)
})

test('HS256 (no alg) stays synchronous', (t) => {
  const token = signToken('{}', { iss: 'i', exp: 1, secret: 'some-secret-key' }, testCrypto)
  t.is(typeof token, 'string')
})

/** A signer like njs's up to 1.0.2: no Ed25519. */
function signerWithoutEd25519(): { crypto: Crypto; imports: number } {
  const real = testCrypto.signer!
  const counted = { imports: 0 } as { crypto: Crypto; imports: number }
  const signer: JwsSigner = {
    runtime: 'njs 1.0.2 (QuickJS)',
    importPrivateKey(pkcs8, algorithm) {
      counted.imports++
      if (algorithm.name === 'Ed25519') return Promise.reject(new TypeError('unknown algorithm name: "Ed25519"'))
      return real.importPrivateKey(pkcs8, algorithm)
    },
    sign: (algorithm, key, data) => real.sign(algorithm, key, data),
  }
  counted.crypto = { ...testCrypto, signer }
  return counted
}

test('EdDSA on a runtime without Ed25519: ERR_RUNTIME_UNSUPPORTED, naming the runtime and what to use', async (t) => {
  const { crypto } = signerWithoutEd25519()
  const error = await t.throwsAsync(Promise.resolve(signToken('{}', compiledJwt('EdDSA'), crypto)))
  t.is(errorCode(error), ErrorCode.RuntimeUnsupported)
  t.regex(error!.message, /^jwt\.alg EdDSA: minting needs Ed25519 .* this runtime \(njs 1\.0\.2 \(QuickJS\)\) answered: unknown algorithm name: "Ed25519"\. Use RS256 or ES256 here\.$/)
})

test('a key the runtime refuses otherwise is ERR_JWT_SIGN_FAILED; no signer at all is ERR_RUNTIME_UNSUPPORTED', async (t) => {
  const broken = compiledJwt('RS256')
  broken.signingKey!.pkcs8 = Buffer.from('not a key').toString('base64')
  t.is(errorCode(await t.throwsAsync(Promise.resolve(signToken('{}', broken, testCrypto)))), ErrorCode.JwtSignFailed)
  const { signer, ...withoutSigner } = testCrypto
  t.truthy(signer)
  t.is(errorCode(await t.throwsAsync(Promise.resolve(signToken('{}', compiledJwt('RS256'), withoutSigner)))), ErrorCode.RuntimeUnsupported)
})

test('keepKey (QuickJS: the context outlives the request) imports the key once; a new key is imported again', async (t) => {
  const counted = signerWithoutEd25519()
  const jwt = compiledJwt('ES256')
  await signToken('{}', jwt, counted.crypto, true)
  await signToken('{}', jwt, counted.crypto, true)
  t.is(counted.imports, 1)
  const other = compiledJwt('ES256')
  const token = await signToken('{}', other, counted.crypto, true)
  t.is(counted.imports, 2)
  await t.notThrowsAsync(jwtVerify(token, createLocalJWKSet(JSON.parse(other.jwks!))))
  await signToken('{}', other, counted.crypto, false)
  t.is(counted.imports, 3)
})
