/**
 * JWK (RFC 7517/7518/8037) → what WebCrypto imports. Where the runtime imports JWKs (njs ≥ 0.7.10,
 * Node), RSA and EC keys go in as a JWK of only the members that make the key (publicJwk). Else —
 * njs 0.7.9, and OKP/`oct` keys everywhere — as bytes: SPKI DER for public keys, the raw secret for
 * `oct` (jwkKeyData). The SPKI is byte-identical to Node's
 * `createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki' })` (test/unit/jwt/jwk.test.ts
 * checks it for many generated keys). Both paths check the members alike, with the same errors.
 */
import { codedError, ErrorCode } from '../errors'
import type { JwsAlgorithm } from './algorithms'
import { decodeBase64url } from './base64url'
import type { PublicJwk } from '../platform'

/** A JWK as found in a JWK Set: any JSON object; members are checked when the key is used. */
export interface Jwk {
  kty?: unknown
  kid?: unknown
  crv?: unknown
  n?: unknown
  e?: unknown
  x?: unknown
  y?: unknown
  k?: unknown
  [member: string]: unknown
}

/** Bytes of a field element of each curve (x and y of EC points, Ed25519 public keys). */
const CURVE_FIELD_BYTES: { [crv: string]: number } = { 'P-256': 32, 'P-384': 48, 'P-521': 66, Ed25519: 32 }

// DER encodings of the fixed parts (X.690): OBJECT IDENTIFIERs and NULL.
const OID_RSA_ENCRYPTION = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01] // 1.2.840.113549.1.1.1
const DER_NULL = [0x05, 0x00]
const OID_EC_PUBLIC_KEY = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01] // 1.2.840.10045.2.1
const OID_CURVE: { [crv: string]: number[] } = {
  'P-256': [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07], // 1.2.840.10045.3.1.7
  'P-384': [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22], // 1.3.132.0.34
  'P-521': [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23], // 1.3.132.0.35
}
const OID_ED25519 = [0x06, 0x03, 0x2b, 0x65, 0x70] // 1.3.101.112

const TAG_INTEGER = 0x02
const TAG_BIT_STRING = 0x03
const TAG_SEQUENCE = 0x30
const EC_UNCOMPRESSED_POINT = 0x04


/**
 * `jwk` reduced to the members that make the key, checked as jwkKeyData checks them; undefined for
 * key types that are imported as bytes (OKP, oct). The JWK's own `alg`, `use` and `key_ops` are
 * left out on purpose: the reference ignores them, and njs refuses a key whose `alg` names another
 * hash than the token's.
 */
export function publicJwk(jwk: Jwk, algorithm: JwsAlgorithm): PublicJwk | undefined {
  switch (algorithm.kty) {
    case 'RSA':
      checkRsa(member(jwk, 'n'), member(jwk, 'e'))
      return { kty: 'RSA', n: jwk.n as string, e: jwk.e as string }
    case 'EC': {
      const crv = algorithm.crv as string
      checkEc(crv, member(jwk, 'x'), member(jwk, 'y'))
      return { kty: 'EC', crv, x: jwk.x as string, y: jwk.y as string }
    }
  }
  return undefined
}

/** The bytes to import `jwk` with for `algorithm` (whose kty/crv the caller already matched). */
export function jwkKeyData(jwk: Jwk, algorithm: JwsAlgorithm): Uint8Array {
  switch (algorithm.kty) {
    case 'RSA':
      return rsaSpki(member(jwk, 'n'), member(jwk, 'e'))
    case 'EC':
      return ecSpki(algorithm.crv as string, member(jwk, 'x'), member(jwk, 'y'))
    case 'OKP':
      return ed25519Spki(member(jwk, 'x'))
    case 'oct': {
      const secret = member(jwk, 'k')
      if (secret.length === 0) throw invalid('JWK member "k" is empty')
      return secret
    }
  }
}

/** SubjectPublicKeyInfo { rsaEncryption NULL, BIT STRING { RSAPublicKey { n, e } } } (RFC 8017 A.1.1). */
export function rsaSpki(n: Uint8Array, e: Uint8Array): Uint8Array {
  checkRsa(n, e)
  const publicKey = der(TAG_SEQUENCE, [derUnsignedInteger(n), derUnsignedInteger(e)])
  return spki(concat([OID_RSA_ENCRYPTION, DER_NULL]), publicKey)
}

/** SubjectPublicKeyInfo { ecPublicKey <curve>, BIT STRING { 04 || x || y } } (RFC 5480). */
export function ecSpki(crv: string, x: Uint8Array, y: Uint8Array): Uint8Array {
  const curve = checkEc(crv, x, y)
  const point = concat([[EC_UNCOMPRESSED_POINT], x, y])
  return spki(concat([OID_EC_PUBLIC_KEY, curve]), point)
}

/** SubjectPublicKeyInfo { id-Ed25519, BIT STRING { x } } (RFC 8410). */
export function ed25519Spki(x: Uint8Array): Uint8Array {
  if (x.length !== CURVE_FIELD_BYTES.Ed25519) throw invalid('JWK member "x" of an Ed25519 key must be 32 bytes')
  return spki(new Uint8Array(OID_ED25519), x)
}

function checkRsa(n: Uint8Array, e: Uint8Array) {
  if (isZero(n)) throw invalid('JWK member "n" is zero')
  if (isZero(e)) throw invalid('JWK member "e" is zero')
}

/** The curve's OID, once x and y are known to be points of its size. */
function checkEc(crv: string, x: Uint8Array, y: Uint8Array): number[] {
  const size = CURVE_FIELD_BYTES[crv]
  const curve = OID_CURVE[crv]
  if (size === undefined || curve === undefined) throw invalid('unsupported EC curve')
  if (x.length !== size || y.length !== size) {
    throw invalid('JWK members "x" and "y" of a ' + crv + ' key must be ' + size + ' bytes each')
  }
  return curve
}

function spki(algorithmIdentifierContent: Uint8Array, publicKey: Uint8Array): Uint8Array {
  const algorithmIdentifier = der(TAG_SEQUENCE, [algorithmIdentifierContent])
  // A BIT STRING starts with the number of unused bits in its last byte: none.
  const bits = der(TAG_BIT_STRING, [new Uint8Array([0]), publicKey])
  return der(TAG_SEQUENCE, [algorithmIdentifier, bits])
}

/** A DER INTEGER holding an unsigned big-endian number: minimal, with a 00 before a high bit. */
function derUnsignedInteger(bytes: Uint8Array): Uint8Array {
  let start = 0
  while (start < bytes.length - 1 && bytes[start] === 0) start++
  const digits = bytes.subarray(start)
  return der(TAG_INTEGER, digits[0] >= 0x80 ? [new Uint8Array([0]), digits] : [digits])
}

function der(tag: number, parts: Uint8Array[]): Uint8Array {
  let length = 0
  for (let i = 0; i < parts.length; i++) length += parts[i].length
  const all: (Uint8Array | number[])[] = [[tag], derLength(length)]
  for (let i = 0; i < parts.length; i++) all.push(parts[i])
  return concat(all)
}

/** Short form below 128, else 0x80 + the number of length bytes, big-endian (X.690 8.1.3). */
function derLength(length: number): number[] {
  if (length < 0x80) return [length]
  const bytes: number[] = []
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256)
  return [0x80 + bytes.length].concat(bytes)
}

function concat(parts: (Uint8Array | number[])[]): Uint8Array {
  let length = 0
  for (let i = 0; i < parts.length; i++) length += parts[i].length
  const out = new Uint8Array(length)
  let offset = 0
  for (let i = 0; i < parts.length; i++) {
    out.set(parts[i], offset)
    offset += parts[i].length
  }
  return out
}

function isZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false
  return true
}

/** A base64url member decoded, or a coded error naming it (never its value). */
function member(jwk: Jwk, name: string): Uint8Array {
  const value = jwk[name]
  if (typeof value !== 'string') throw invalid('JWK member "' + name + '" is missing or not a string')
  const bytes = decodeBase64url(value)
  if (bytes === undefined) throw invalid('JWK member "' + name + '" is not base64url')
  return bytes
}

function invalid(message: string) {
  return codedError(ErrorCode.JwtKeyInvalid, message)
}
