import test from 'ava'
import { createHmac, createPublicKey } from 'node:crypto'
import { jwsAlgorithm } from '../../../src/jwt/algorithms'
import { parseCompactJws } from '../../../src/jwt/jws'
import { verifyJws, VerifyServices } from '../../../src/jwt/verify'
import { errorCode, ErrorCode } from '../../../src/errors'
import { fakeJwks, TEST_ENDPOINT } from '../support/jwks'
import { nodeSignatureVerifier, verifierWithoutEd25519, verifierWithoutJwkImport } from '../support/webcrypto'
import {
  ALL_ALGORITHMS,
  compact,
  sign,
  testKey,
  withFlippedSignatureBit,
  withPayload,
  type Alg,
} from '../support/tokens'

const CLAIMS = { sub: 'adam', scope: 'openid', exp: 4102444800 }

function verify(token: string, services: VerifyServices, allowed?: string[]) {
  const jws = parseCompactJws(token)
  return verifyJws(jws, jwsAlgorithm(jws.header.alg, allowed), TEST_ENDPOINT, services)
}

async function failure(promise: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await promise()
    return 'accepted'
  } catch (e) {
    return errorCode(e)
  }
}

const services = (jwks: ReturnType<typeof fakeJwks>): VerifyServices => ({ subtle: nodeSignatureVerifier, jwks })

/** Both ways a key reaches WebCrypto: as a JWK (njs ≥ 0.7.10, Node) and as SPKI built in code (0.7.9, QuickJS). */
const IMPORT_PATHS = [
  { path: 'JWK import', subtle: nodeSignatureVerifier },
  { path: 'SPKI built in code', subtle: verifierWithoutJwkImport },
]

for (const alg of ALL_ALGORITHMS) for (const { path, subtle } of IMPORT_PATHS) {
  const services = (jwks: ReturnType<typeof fakeJwks>): VerifyServices => ({ subtle, jwks })
  test(`${alg} (${path}): a jose-signed token verifies; tampered payload or signature does not`, async (t) => {
    const key = await testKey(alg as Alg)
    const other = await testKey(alg as Alg, 'other')
    const jwks = fakeJwks({ keys: [other.jwk, key.jwk] })
    const token = await sign(key, CLAIMS)
    t.deepEqual(await verify(token, services(jwks)), CLAIMS)
    t.is(await failure(() => verify(withPayload(token, { ...CLAIMS, sub: 'root' }), services(jwks))), ErrorCode.JwtSignatureInvalid)
    t.is(await failure(() => verify(withFlippedSignatureBit(token), services(jwks))), ErrorCode.JwtSignatureInvalid)
    // Signed by the other key of the set but naming this one.
    t.is(await failure(async () => verify(await sign(other, CLAIMS, { kid: key.kid }), services(jwks))), ErrorCode.JwtSignatureInvalid)
    t.deepEqual(jwks.requests.map(([, refresh]) => refresh), [false, false, false, false])
  })
}

test('EdDSA on a runtime without Ed25519: a clear ERR_RUNTIME_UNSUPPORTED', async (t) => {
  const key = await testKey('EdDSA')
  const jwks = fakeJwks({ keys: [key.jwk] })
  const token = await sign(key, CLAIMS)
  let error: any
  try {
    await verify(token, { subtle: verifierWithoutEd25519, jwks })
  } catch (e) {
    error = e
  }
  t.is(errorCode(error), ErrorCode.RuntimeUnsupported)
  t.regex(error.message, /EdDSA \(Ed25519\).*WebCrypto has Ed25519/)
})

for (const alg of ['none', 'None', 'NONE']) {
  test(`alg "${alg}" is refused before any key is fetched`, (t) => {
    const jwks = fakeJwks({ keys: [] })
    const error = t.throws(() => verify(compact({ alg, typ: 'JWT' }, CLAIMS), services(jwks)))
    t.is(errorCode(error), ErrorCode.JwtAlgNone)
    t.deepEqual(jwks.requests, [])
  })
}

for (const alg of ['RS1', 'HS1', 'ES256K', 'Ed25519', 'rs256', 'A128KW', '']) {
  test(`unknown alg ${JSON.stringify(alg)} is refused`, (t) => {
    const error = t.throws(() => verify(compact({ alg }, CLAIMS, 'AA'), services(fakeJwks({ keys: [] }))))
    t.is(errorCode(error), ErrorCode.JwtAlgUnsupported)
  })
}

test('an algorithm outside the provider\'s `algorithms` is refused', async (t) => {
  const key = await testKey('ES256')
  const token = await sign(key, CLAIMS)
  const error = t.throws(() => verify(token, services(fakeJwks({ keys: [key.jwk] })), ['RS256']))
  t.is(errorCode(error), ErrorCode.JwtAlgUnsupported)
  t.deepEqual(await verify(token, services(fakeJwks({ keys: [key.jwk] })), ['RS256', 'ES256']), CLAIMS)
})

test('HS256 signed with the RSA public key as the secret (kid of the RSA key): key mismatch', async (t) => {
  const rsa = await testKey('RS256')
  const pem = createPublicKey({ key: rsa.jwk as any, format: 'jwk' }).export({ type: 'spki', format: 'pem' })
  const jwks = fakeJwks({ keys: [rsa.jwk] })
  for (const secret of [Buffer.from(pem as string), Buffer.from(rsa.jwk.n as string, 'base64url'), Buffer.from(JSON.stringify(rsa.jwk))]) {
    const header = { alg: 'HS256', kid: rsa.kid }
    const input = compact(header, CLAIMS).slice(0, -1)
    const token = input + '.' + createHmac('sha256', secret).update(input).digest('base64url')
    t.is(await failure(() => verify(token, services(jwks))), ErrorCode.JwtKeyMismatch)
    // Without a kid, no key of the set fits HS256 at all.
    const bare = compact({ alg: 'HS256' }, CLAIMS).slice(0, -1)
    const bareToken = bare + '.' + createHmac('sha256', secret).update(bare).digest('base64url')
    t.is(await failure(() => verify(bareToken, services(jwks))), ErrorCode.JwtKeyNotFound)
  }
})

const mismatches: [string, Alg, Alg][] = [
  ['RS256 naming an EC key', 'RS256', 'ES256'],
  ['ES256 naming an RSA key', 'ES256', 'RS256'],
  ['ES256 naming a P-384 key', 'ES256', 'ES384'],
  ['ES512 naming a P-256 key', 'ES512', 'ES256'],
  ['RS256 naming an oct key', 'RS256', 'HS256'],
  ['EdDSA naming an EC key', 'EdDSA', 'ES256'],
  ['HS512 naming an OKP key', 'HS512', 'EdDSA'],
]
for (const [name, tokenAlg, keyAlg] of mismatches) {
  test(`alg/key-type mismatch: ${name}`, async (t) => {
    const signer = await testKey(tokenAlg)
    const published = await testKey(keyAlg, signer.kid)
    const token = await sign(signer, CLAIMS)
    t.is(await failure(() => verify(token, services(fakeJwks({ keys: [published.jwk] })))), ErrorCode.JwtKeyMismatch)
  })
}

for (const { path, subtle } of IMPORT_PATHS) {
  test(`PS256 and RS256 share RSA keys: the JWK's own alg, use and key_ops are ignored (${path})`, async (t) => {
    const ps = await testKey('PS256')
    const jwks = fakeJwks({ keys: [{ ...ps.jwk, alg: 'RS256', use: 'enc', key_ops: ['encrypt'], ext: false }] })
    t.deepEqual(await verify(await sign(ps, CLAIMS), { subtle, jwks }), CLAIMS)
  })

  test(`an ES384 key labelled ES256 still verifies ES384 tokens (${path})`, async (t) => {
    const key = await testKey('ES384')
    const jwks = fakeJwks({ keys: [{ ...key.jwk, alg: 'ES256' }] })
    t.deepEqual(await verify(await sign(key, CLAIMS), { subtle, jwks }), CLAIMS)
  })
}

test('a kid shared by keys of different types picks the one that fits', async (t) => {
  const ec = await testKey('ES256', 'shared')
  const rsa = await testKey('RS256', 'shared')
  const jwks = fakeJwks({ keys: [rsa.jwk, ec.jwk] })
  t.deepEqual(await verify(await sign(ec, CLAIMS), services(jwks)), CLAIMS)
  t.deepEqual(await verify(await sign(rsa, CLAIMS), services(jwks)), CLAIMS)
})

test('no kid: accepted when exactly one key fits the algorithm', async (t) => {
  const ec = await testKey('ES256')
  const rsa = await testKey('RS256')
  const jwks = fakeJwks({ keys: [rsa.jwk, ec.jwk] })
  t.deepEqual(await verify(await sign(ec, CLAIMS, { kid: null }), services(jwks)), CLAIMS)
  t.deepEqual(await verify(await sign(rsa, CLAIMS, { kid: null }), services(jwks)), CLAIMS)
})

test('no kid: refused when two keys fit, and no refresh is asked', async (t) => {
  const one = await testKey('RS256', 'one')
  const two = await testKey('PS256', 'two')
  const jwks = fakeJwks({ keys: [one.jwk, two.jwk] })
  t.is(await failure(async () => verify(await sign(one, CLAIMS, { kid: null }), services(jwks))), ErrorCode.JwtKeyAmbiguous)
  t.true(jwks.requests.every(([, refresh]) => !refresh))
})

test('unknown kid: one refresh, which finds the rotated key', async (t) => {
  const old = await testKey('RS256', 'old')
  const rotated = await testKey('RS256', 'new')
  const jwks = fakeJwks({ keys: [old.jwk] }, { keys: [old.jwk, rotated.jwk] })
  let refreshes = 0
  const result = await verify(await sign(rotated, CLAIMS), { ...services(jwks), onRefresh: () => refreshes++ })
  t.deepEqual(result, CLAIMS)
  t.deepEqual(jwks.requests, [
    [TEST_ENDPOINT.url, false],
    [TEST_ENDPOINT.url, true],
  ])
  t.is(refreshes, 1)
})

test('unknown kid: still unknown after the refresh → key not found, exactly one refresh', async (t) => {
  const old = await testKey('RS256', 'old')
  const stranger = await testKey('RS256', 'random-kid')
  const jwks = fakeJwks({ keys: [old.jwk] })
  t.is(await failure(async () => verify(await sign(stranger, CLAIMS), services(jwks))), ErrorCode.JwtKeyNotFound)
  t.deepEqual(jwks.requests.map(([, refresh]) => refresh), [false, true])
})

test('JWK Set unavailable or not a JWK Set', async (t) => {
  const key = await testKey('RS256')
  const token = await sign(key, CLAIMS)
  t.is(await failure(() => verify(token, services(fakeJwks(undefined)))), ErrorCode.JwksUnavailable)
  for (const document of [[], { keys: {} }, { Keys: [] }, 'keys', null]) {
    t.is(await failure(() => verify(token, services(fakeJwks(document)))), ErrorCode.JwksInvalid)
  }
})

for (const { path, subtle } of IMPORT_PATHS) {
const services = (jwks: ReturnType<typeof fakeJwks>): VerifyServices => ({ subtle, jwks })
test(`a malformed selected key is a key error; malformed other keys are never looked at (${path})`, async (t) => {
  const key = await testKey('ES256')
  const token = await sign(key, CLAIMS)
  const broken = { ...key.jwk, x: 'not+base64url' }
  t.is(await failure(() => verify(token, services(fakeJwks({ keys: [broken] })))), ErrorCode.JwtKeyInvalid)
  const junk = [null, 7, 'key', { kty: 'RSA', n: '!!' }, { kty: 'whatever' }]
  t.deepEqual(await verify(token, services(fakeJwks({ keys: [...junk, key.jwk] }))), CLAIMS)
})

test(`an EC point that is not on the curve is refused by WebCrypto: key invalid (${path})`, async (t) => {
  const key = await testKey('ES256')
  const token = await sign(key, CLAIMS)
  const offCurve = { ...key.jwk, y: Buffer.alloc(32, 1).toString('base64url') }
  t.is(await failure(() => verify(token, services(fakeJwks({ keys: [offCurve] })))), ErrorCode.JwtKeyInvalid)
})

test(`a zero RSA modulus is a key error before WebCrypto (${path})`, async (t) => {
  const key = await testKey('RS256')
  const token = await sign(key, CLAIMS)
  t.is(await failure(() => verify(token, services(fakeJwks({ keys: [{ ...key.jwk, n: 'AAAA' }] })))), ErrorCode.JwtKeyInvalid)
})
}

test('an ECDSA signature of the wrong length is invalid without reaching WebCrypto', async (t) => {
  const key = await testKey('ES256')
  const token = await sign(key, CLAIMS)
  const jwks = fakeJwks({ keys: [key.jwk] })
  const [h, p, s] = token.split('.')
  const der = Buffer.concat([Buffer.from([0x30]), Buffer.from(s, 'base64url')]).toString('base64url')
  t.is(await failure(() => verify(`${h}.${p}.${der}`, services(jwks))), ErrorCode.JwtSignatureInvalid)
  t.deepEqual(jwks.requests, [])
})

test('no WebCrypto or no JWK Set source: runtime unsupported', async (t) => {
  const key = await testKey('RS256')
  const token = await sign(key, CLAIMS)
  t.is(await failure(() => verify(token, { subtle: undefined, jwks: fakeJwks({ keys: [key.jwk] }) })), ErrorCode.RuntimeUnsupported)
  t.is(await failure(() => verify(token, { subtle: nodeSignatureVerifier, jwks: undefined })), ErrorCode.RuntimeUnsupported)
})

// HMAC: njs's WebCrypto verify() compares MACs with memcmp (early exit); the MAC is recomputed with
// sign() and compared in constant time instead (issue 19).
for (const alg of ['HS256', 'HS384', 'HS512'] as const) {
  test(`${alg}: the MAC is recomputed with sign() and compared here, never by verify()`, async (t) => {
    const key = await testKey(alg)
    const jwks = fakeJwks({ keys: [key.jwk] })
    const usages: string[][] = []
    const subtle = {
      importKey(...args: Parameters<typeof nodeSignatureVerifier.importKey>) {
        usages.push(args[4])
        return nodeSignatureVerifier.importKey(...args)
      },
      verify: () => Promise.reject(new Error('verify() must not be used for an HMAC')),
      sign: nodeSignatureVerifier.sign,
    }
    const token = await sign(key, CLAIMS)
    t.deepEqual(await verify(token, { subtle, jwks }), CLAIMS)
    t.is(await failure(() => verify(withFlippedSignatureBit(token), { subtle, jwks })), ErrorCode.JwtSignatureInvalid)
    t.is(await failure(() => verify(withPayload(token, { ...CLAIMS, sub: 'root' }), { subtle, jwks })), ErrorCode.JwtSignatureInvalid)
    t.deepEqual(usages, [['sign'], ['sign'], ['sign']])
  })
}

// Imported keys are kept per JS context (QuickJS reuses one for many requests).

function countingVerifier() {
  const counter = { imports: 0, subtle: nodeSignatureVerifier }
  counter.subtle = {
    importKey(format, keyData, algorithm, extractable, usages) {
      counter.imports++
      return nodeSignatureVerifier.importKey(format, keyData, algorithm, extractable, usages)
    },
    verify: nodeSignatureVerifier.verify,
    sign: nodeSignatureVerifier.sign,
  }
  return counter
}

/**
 * verifyJws with keepKeys: the imported-key table is module state shared by every test of this
 * file, so the tests that count imports through it run serially (ava runs them one by one, before
 * the concurrent ones): the bounded-table test clearing it must not overlap another's count.
 */
function runner(alg: Alg, jwks: ReturnType<typeof fakeJwks>, counter: ReturnType<typeof countingVerifier>) {
  return (token: string) => verifyJws(parseCompactJws(token), jwsAlgorithm(alg, undefined), TEST_ENDPOINT, { subtle: counter.subtle, jwks, keepKeys: true })
}

test.serial('an imported key is reused for the next token with the same kid, key and algorithm', async (t) => {
  const key = await testKey('RS256')
  const counter = countingVerifier()
  const run = runner('RS256', fakeJwks({ keys: [key.jwk] }), counter)
  t.deepEqual(await run(await sign(key, { ...CLAIMS, jti: '1' })), { ...CLAIMS, jti: '1' })
  t.deepEqual(await run(await sign(key, { ...CLAIMS, jti: '2' })), { ...CLAIMS, jti: '2' })
  t.is(counter.imports, 1)
  // The reused key still checks every signature.
  const token = await sign(key, { ...CLAIMS, jti: '3' })
  t.is(await failure(() => run(withFlippedSignatureBit(token))), ErrorCode.JwtSignatureInvalid)
  t.is(await failure(() => run(withPayload(token, { ...CLAIMS, sub: 'root' }))), ErrorCode.JwtSignatureInvalid)
})

test.serial('a changed key set never reaches an old imported key: same kid, new key material, new import', async (t) => {
  const first = await testKey('RS256')
  const second = await testKey('RS256') // the same kid (rs256-key), another key
  const counter = countingVerifier()
  const jwks = fakeJwks({ keys: [first.jwk] })
  const run = runner('RS256', jwks, counter)
  const oldToken = await sign(first, CLAIMS)
  t.deepEqual(await run(oldToken), CLAIMS)
  jwks.current = { keys: [second.jwk] }
  t.is(await failure(() => run(oldToken)), ErrorCode.JwtSignatureInvalid, 'the old key, still cached, is not used')
  t.deepEqual(await run(await sign(second, CLAIMS)), CLAIMS)
  t.is(counter.imports, 2)
})

test('without keepKeys (the njs engine) every token imports its key', async (t) => {
  const key = await testKey('ES256')
  const counter = countingVerifier()
  const jwks = fakeJwks({ keys: [key.jwk] })
  for (let i = 0; i < 2; i++) {
    const token = await sign(key, CLAIMS)
    t.deepEqual(await verifyJws(parseCompactJws(token), jwsAlgorithm('ES256', undefined), TEST_ENDPOINT, { subtle: counter.subtle, jwks }), CLAIMS)
  }
  t.is(counter.imports, 2)
})

test.serial('the imported-key cache is bounded: many distinct keys still verify', async (t) => {
  const counter = countingVerifier()
  for (let i = 0; i < 70; i++) {
    const key = await testKey('HS256')
    t.deepEqual(await runner('HS256', fakeJwks({ keys: [key.jwk] }), counter)(await sign(key, CLAIMS)), CLAIMS)
  }
  t.is(counter.imports, 70)
})
