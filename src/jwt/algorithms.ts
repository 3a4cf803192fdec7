/**
 * The JWS algorithms this build verifies (RFC 7518 §3, RFC 8037 §3.1): one table maps `alg` to the
 * key it needs and to the WebCrypto parameters that import and verify with it. An `alg` missing
 * here is refused before any key is looked at; `none` has a code of its own.
 */
import { codedError, ErrorCode } from '../errors'
import type { WebCryptoParams } from '../platform'

export type KeyType = 'RSA' | 'EC' | 'oct' | 'OKP'

export interface JwsAlgorithm {
  /** The JWK `kty` a key must have to verify this algorithm. */
  kty: KeyType
  /** The JWK `crv` it must have (EC and OKP keys). */
  crv?: string
  /** How the key is handed to WebCrypto: SPKI for public keys, raw bytes for `oct` secrets. */
  format: 'spki' | 'raw'
  importParams: WebCryptoParams
  verifyParams: WebCryptoParams
  /** The exact signature length in bytes where the algorithm fixes it (ECDSA r||s, Ed25519). */
  signatureLength?: number
}

function rsa(name: 'RSASSA-PKCS1-v1_5' | 'RSA-PSS', bits: 256 | 384 | 512): JwsAlgorithm {
  const hash = 'SHA-' + bits
  return {
    kty: 'RSA',
    format: 'spki',
    importParams: { name, hash },
    // RFC 7518 §3.5: the PSS salt is as long as the hash.
    verifyParams: name === 'RSA-PSS' ? { name, saltLength: bits / 8 } : { name },
  }
}

/** ECDSA signatures in JWS are r||s, each as long as the curve's field (RFC 7518 §3.4). */
function ecdsa(bits: 256 | 384 | 512, crv: 'P-256' | 'P-384' | 'P-521', fieldBytes: number): JwsAlgorithm {
  return {
    kty: 'EC',
    crv,
    format: 'spki',
    importParams: { name: 'ECDSA', namedCurve: crv },
    verifyParams: { name: 'ECDSA', hash: 'SHA-' + bits },
    signatureLength: 2 * fieldBytes,
  }
}

function hmac(bits: 256 | 384 | 512): JwsAlgorithm {
  return {
    kty: 'oct',
    format: 'raw',
    importParams: { name: 'HMAC', hash: 'SHA-' + bits },
    verifyParams: { name: 'HMAC' },
    signatureLength: bits / 8,
  }
}

/** Every algorithm by its `alg` name. A function, so nothing is built at module top level. */
function table(): { [alg: string]: JwsAlgorithm | undefined } {
  return {
    RS256: rsa('RSASSA-PKCS1-v1_5', 256),
    RS384: rsa('RSASSA-PKCS1-v1_5', 384),
    RS512: rsa('RSASSA-PKCS1-v1_5', 512),
    PS256: rsa('RSA-PSS', 256),
    PS384: rsa('RSA-PSS', 384),
    PS512: rsa('RSA-PSS', 512),
    ES256: ecdsa(256, 'P-256', 32),
    ES384: ecdsa(384, 'P-384', 48),
    ES512: ecdsa(512, 'P-521', 66),
    HS256: hmac(256),
    HS384: hmac(384),
    HS512: hmac(512),
    EdDSA: {
      kty: 'OKP',
      crv: 'Ed25519',
      format: 'spki',
      importParams: { name: 'Ed25519' },
      verifyParams: { name: 'Ed25519' },
      signatureLength: 64,
    },
  }
}

/** The `alg` names of the table, in its order (the compiler checks `algorithms` against it). */
export const SUPPORTED_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512',
  'HS256', 'HS384', 'HS512', 'EdDSA',
]

/**
 * The algorithm for a header's `alg`, or a coded error. `allowed` (the provider's `algorithms`)
 * narrows the table; undefined allows every entry.
 */
export function jwsAlgorithm(alg: string, allowed: string[] | undefined): JwsAlgorithm {
  if (alg.toLowerCase() === 'none') {
    throw codedError(ErrorCode.JwtAlgNone, 'unsecured JWT (alg "none") refused')
  }
  const algorithms = table()
  const entry = Object.prototype.hasOwnProperty.call(algorithms, alg) ? algorithms[alg] : undefined
  if (entry === undefined) {
    throw codedError(ErrorCode.JwtAlgUnsupported, 'Unsupported JWT algorithm: ' + printable(alg))
  }
  if (allowed !== undefined && !includes(allowed, alg)) {
    throw codedError(ErrorCode.JwtAlgUnsupported, 'JWT algorithm ' + alg + ' is not among the provider\'s algorithms')
  }
  return entry
}

function includes(items: string[], item: string): boolean {
  for (let i = 0; i < items.length; i++) if (items[i] === item) return true
  return false
}

/** An attacker-chosen string, shortened and JSON-quoted for a log line. */
export function printable(text: string): string {
  return JSON.stringify(text.length > 40 ? text.slice(0, 40) + '…' : text)
}
