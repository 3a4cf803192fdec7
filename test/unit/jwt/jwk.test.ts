import test from 'ava'
import fc from 'fast-check'
import { createPublicKey, generateKeyPairSync, JsonWebKey, KeyObject } from 'node:crypto'
import { jwsAlgorithm } from '../../../src/jwt/algorithms'
import { ecSpki, ed25519Spki, Jwk, jwkKeyData, publicJwk as importableJwk, rsaSpki } from '../../../src/jwt/jwk'
import { errorCode, ErrorCode } from '../../../src/errors'

/** What Node makes of the same JWK: the oracle. */
function nodeSpki(jwk: JsonWebKey): Buffer {
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' })
}

function publicJwk(key: KeyObject): JsonWebKey {
  return key.export({ format: 'jwk' })
}

const b64u = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')

test('RSA: byte-identical to Node for generated keys of several sizes and exponents', (t) => {
  const cases: [number, number[]][] = [
    [1024, [3, 65537, 0x10001 + 2 ** 20]],
    [1025, [3, 65537]],
    [2048, [65537, 0x10001 + 2 ** 20]],
    [4096, [65537]],
  ]
  for (const [modulusLength, exponents] of cases) {
    for (const publicExponent of exponents) {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength, publicExponent })
      const jwk = publicJwk(publicKey)
      const ours = jwkKeyData(jwk, jwsAlgorithm('RS256', undefined))
      t.deepEqual(Buffer.from(ours), nodeSpki(jwk), `${modulusLength} bits, e=${publicExponent}`)
    }
  }
})

test('RSA: byte-identical to Node for arbitrary n and e (leading zeros, high bits, long lengths)', (t) => {
  const unsigned = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max })
  fc.assert(
    fc.property(unsigned(1, 700), unsigned(1, 8), fc.nat(3), (n, e, zeros) => {
      fc.pre(n.some((b) => b !== 0) && e.some((b) => b !== 0))
      const paddedN = new Uint8Array([...new Array(zeros).fill(0), ...n])
      const jwk = { kty: 'RSA', n: b64u(paddedN), e: b64u(e) }
      let expected: Buffer
      try {
        expected = nodeSpki(jwk)
      } catch {
        return fc.pre(false)
      }
      t.deepEqual(Buffer.from(rsaSpki(paddedN, e)), expected)
    }),
    { numRuns: 300 },
  )
})

test('EC: byte-identical to Node for generated keys on every curve', (t) => {
  for (const [curve, alg] of [
    ['prime256v1', 'ES256'],
    ['secp384r1', 'ES384'],
    ['secp521r1', 'ES512'],
  ] as const) {
    for (let i = 0; i < 40; i++) {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: curve })
      const jwk = publicJwk(publicKey)
      t.deepEqual(Buffer.from(jwkKeyData(jwk, jwsAlgorithm(alg, undefined))), nodeSpki(jwk), `${curve} #${i}`)
    }
  }
})

test('Ed25519: byte-identical to Node for generated keys', (t) => {
  for (let i = 0; i < 40; i++) {
    const { publicKey } = generateKeyPairSync('ed25519')
    const jwk = publicJwk(publicKey)
    t.deepEqual(Buffer.from(jwkKeyData(jwk, jwsAlgorithm('EdDSA', undefined))), nodeSpki(jwk))
  }
})

test('oct: the raw secret of k', (t) => {
  const secret = jwkKeyData({ kty: 'oct', k: 'c2VjcmV0' }, jwsAlgorithm('HS512', undefined))
  t.is(Buffer.from(secret).toString('utf8'), 'secret')
})

const invalid: [string, Jwk, string][] = [
  ['RSA without n', { kty: 'RSA', e: 'AQAB' }, 'RS256'],
  ['RSA n not a string', { kty: 'RSA', n: 12, e: 'AQAB' }, 'RS256'],
  ['RSA n in standard base64', { kty: 'RSA', n: 'ab+/', e: 'AQAB' }, 'RS256'],
  ['RSA n with padding', { kty: 'RSA', n: 'AQ==', e: 'AQAB' }, 'RS256'],
  ['RSA n with non-zero trailing bits', { kty: 'RSA', n: 'AR', e: 'AQAB' }, 'RS256'],
  ['RSA n zero', { kty: 'RSA', n: 'AAAA', e: 'AQAB' }, 'RS256'],
  ['RSA e empty', { kty: 'RSA', n: 'AQAB', e: '' }, 'RS256'],
  ['EC x too short', { kty: 'EC', crv: 'P-256', x: b64u(new Uint8Array(31)), y: b64u(new Uint8Array(32)) }, 'ES256'],
  ['EC y too long', { kty: 'EC', crv: 'P-256', x: b64u(new Uint8Array(32)), y: b64u(new Uint8Array(33)) }, 'ES256'],
  ['EC without y', { kty: 'EC', crv: 'P-384', x: b64u(new Uint8Array(48)) }, 'ES384'],
  ['Ed25519 x of 31 bytes', { kty: 'OKP', crv: 'Ed25519', x: b64u(new Uint8Array(31)) }, 'EdDSA'],
  ['oct without k', { kty: 'oct' }, 'HS256'],
  ['oct with empty k', { kty: 'oct', k: '' }, 'HS256'],
]
for (const [name, jwk, alg] of invalid) {
  test(`rejects a malformed key: ${name}`, (t) => {
    const error = t.throws(() => jwkKeyData(jwk, jwsAlgorithm(alg, undefined)))
    t.is(errorCode(error), ErrorCode.JwtKeyInvalid)
    // publicJwk checks RSA and EC members the same way (OKP and oct keys are only ever imported as bytes).
    if (jwk.kty === 'RSA' || jwk.kty === 'EC') {
      const jwkError = t.throws(() => importableJwk(jwk, jwsAlgorithm(alg, undefined)))
      t.is(errorCode(jwkError), ErrorCode.JwtKeyInvalid)
      t.is((jwkError as Error).message, (error as Error).message)
    }
  })
}

test('publicJwk keeps only the members that make the key; OKP and oct are imported as bytes', (t) => {
  const n = b64u(new Uint8Array([0xc3, 1, 2, 3]))
  const rsa = { kty: 'RSA', n, e: 'AQAB', alg: 'RS512', use: 'enc', key_ops: ['encrypt'], kid: 'k', ext: true }
  t.deepEqual(importableJwk(rsa, jwsAlgorithm('RS256', undefined)), { kty: 'RSA', n, e: 'AQAB' })
  const x = b64u(new Uint8Array(32).fill(7))
  const ec = { kty: 'EC', crv: 'P-256', x, y: x, alg: 'ES512', d: 'never-copied' }
  t.deepEqual(importableJwk(ec, jwsAlgorithm('ES256', undefined)), { kty: 'EC', crv: 'P-256', x, y: x })
  t.is(importableJwk({ kty: 'OKP', crv: 'Ed25519', x }, jwsAlgorithm('EdDSA', undefined)), undefined)
  t.is(importableJwk({ kty: 'oct', k: 'c2VjcmV0' }, jwsAlgorithm('HS256', undefined)), undefined)
})

test('DER lengths: short form, one and two length bytes', (t) => {
  // n of 1, 200 and 600 bytes exercise 0x.., 0x81 .. and 0x82 .. ..
  for (const size of [1, 120, 200, 600]) {
    const n = new Uint8Array(size).fill(0x7f)
    t.deepEqual(Buffer.from(rsaSpki(n, new Uint8Array([1, 0, 1]))), nodeSpki({ kty: 'RSA', n: b64u(n), e: 'AQAB' }))
  }
})

test('ecSpki and ed25519Spki refuse unknown curves and sizes', (t) => {
  t.is(errorCode(t.throws(() => ecSpki('P-192', new Uint8Array(24), new Uint8Array(24)))), ErrorCode.JwtKeyInvalid)
  t.is(errorCode(t.throws(() => ed25519Spki(new Uint8Array(33)))), ErrorCode.JwtKeyInvalid)
})
