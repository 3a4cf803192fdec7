/**
 * Verifies a compact JWS against a JWK Set (§4.2 steps 2–8): the algorithm from the table, the key
 * from the set (one refresh on an unknown kid), the signature through WebCrypto. Resolves with the
 * payload's claims; checking them is claims.ts's job.
 */
import { codedError, ErrorCode } from '../errors'
import { constantTimeEqual } from '../passwords/verify'
import type { JwksEndpoint, JwksSource, SignatureVerifier } from '../platform'
import type { JwsAlgorithm } from './algorithms'
import { jwkKeyData, publicJwk } from './jwk'
import { Claims, CompactJws, decodeClaims } from './jws'
import { selectKey, unknownKid } from './keys'
import type { Jwk } from './jwk'

export interface VerifyServices {
  subtle: SignatureVerifier | undefined
  jwks: JwksSource | undefined
  /** Told when an unknown kid made us ask for a refreshed set (a log line). */
  onRefresh?: () => void
  /**
   * Keep imported keys in the module for the next requests: only where the JS context outlives
   * the request (QuickJS). On the njs engine it would cost every request and never hit.
   */
  keepKeys?: boolean
}

export function verifyJws(
  jws: CompactJws,
  algorithm: JwsAlgorithm,
  endpoint: JwksEndpoint,
  services: VerifyServices,
): Promise<Claims> {
  const subtle = services.subtle
  const jwks = services.jwks
  if (subtle === undefined) {
    return Promise.reject(codedError(ErrorCode.RuntimeUnsupported, 'this runtime has no WebCrypto (crypto.subtle)'))
  }
  if (jwks === undefined) {
    return Promise.reject(codedError(ErrorCode.RuntimeUnsupported, 'no JWK Set source on this platform'))
  }
  if (algorithm.signatureLength !== undefined && jws.signature.length !== algorithm.signatureLength) {
    return Promise.reject(signatureInvalid())
  }
  const kid = jws.header.kid
  return jwks
    .get(endpoint, false)
    .then((set) => {
      const key = selectKey(set, kid, algorithm)
      if (key !== undefined || kid === undefined) return key as Jwk
      if (services.onRefresh !== undefined) services.onRefresh()
      return jwks.get(endpoint, true).then((refreshed) => {
        const again = selectKey(refreshed, kid, algorithm)
        if (again === undefined) throw unknownKid(kid)
        return again
      })
    })
    .then((jwk) => (services.keepKeys === true ? cachedImport(subtle, jwk, algorithm, endpoint) : importKey(subtle, jwk, algorithm)))
    .then((key) => signatureMatches(subtle, algorithm, key, jws))
    .then((valid) => {
      if (!valid) throw signatureInvalid()
      return decodeClaims(jws)
    })
}

/**
 * An HMAC (`oct` key) is recomputed and compared in constant time: njs's WebCrypto `verify`
 * compares MACs with memcmp, which returns at the first differing byte (issue 19). Public-key
 * signatures are checked by `verify`, whose comparisons involve no secret. A refusal is `false`.
 */
function signatureMatches(subtle: SignatureVerifier, algorithm: JwsAlgorithm, key: unknown, jws: CompactJws): Promise<boolean> {
  const checked =
    algorithm.kty === 'oct'
      ? subtle.sign(algorithm.verifyParams, key, jws.signingInput).then((mac) => constantTimeEqual(new Uint8Array(mac), jws.signature))
      : subtle.verify(algorithm.verifyParams, key, jws.signature, jws.signingInput)
  return checked.then(
    (valid) => valid,
    () => false,
  )
}

/**
 * Imported keys, per JS context: on QuickJS a context serves many requests, so a key imported once
 * is reused; on the njs engine the module runs again for every request and this starts empty.
 * Keyed by endpoint, kid, algorithm and the key's own members, so a changed key set can never
 * reach an old CryptoKey: a key removed from the set is no longer selected, a changed one misses.
 * Bounded: cleared when full.
 */
let importedKeys: { [key: string]: unknown } = Object.create(null)
let importedCount = 0
const MAX_IMPORTED_KEYS = 64

function cachedImport(subtle: SignatureVerifier, jwk: Jwk, algorithm: JwsAlgorithm, endpoint: JwksEndpoint): Promise<unknown> {
  const id =
    endpoint.location + '\n' + String(jwk.kid) + '\n' + algorithm.importParams.name + ' ' + String(algorithm.importParams.hash) + '\n' + String(jwk.kty) + '\n' + String(jwk.crv) +
    '\n' + String(jwk.n) + '\n' + String(jwk.e) + '\n' + String(jwk.x) + '\n' + String(jwk.y) + '\n' + String(jwk.k)
  const known = importedKeys[id]
  if (known !== undefined) return Promise.resolve(known)
  return importKey(subtle, jwk, algorithm).then((key) => {
    if (importedCount >= MAX_IMPORTED_KEYS) {
      importedKeys = Object.create(null)
      importedCount = 0
    }
    importedKeys[id] = key
    importedCount++
    return key
  })
}

/** The public key of `jwk` for `algorithm`, imported for `verify` (also used by own-token.ts). */
export function importKey(subtle: SignatureVerifier, jwk: Jwk, algorithm: JwsAlgorithm): Promise<unknown> {
  let imported: Promise<unknown>
  const usages: ['verify'] | ['sign'] = algorithm.kty === 'oct' ? ['sign'] : ['verify']
  try {
    const asJwk = subtle.prefersJwkImport !== undefined && subtle.prefersJwkImport() ? publicJwk(jwk, algorithm) : undefined
    imported =
      asJwk !== undefined
        ? subtle.importKey('jwk', asJwk, algorithm.importParams, false, usages)
        : subtle.importKey(algorithm.format, jwkKeyData(jwk, algorithm), algorithm.importParams, false, usages)
  } catch (e) {
    return Promise.reject(e)
  }
  return imported.then(
    (key) => key,
    (e) => {
      throw importFailure(algorithm, e)
    },
  )
}

/** The runtime refused a well-formed key: for Ed25519 that means it does not know the algorithm. */
function importFailure(algorithm: JwsAlgorithm, error: unknown) {
  const reason = error instanceof Error ? error.message : String(error)
  if (algorithm.kty === 'OKP' && UNKNOWN_ALGORITHM.test(reason)) {
    return codedError(
      ErrorCode.RuntimeUnsupported,
      'EdDSA (Ed25519) tokens need a runtime whose WebCrypto has Ed25519; this one answered: ' + reason,
    )
  }
  return codedError(ErrorCode.JwtKeyInvalid, 'Failed to create decoding key from JWK: ' + reason)
}

/** How njs ("unknown algorithm name") and Node ("Unrecognized algorithm name") say it. */
const UNKNOWN_ALGORITHM = /unknown algorithm|unrecognized algorithm|not supported/i

function signatureInvalid() {
  return codedError(ErrorCode.JwtSignatureInvalid, 'Failed to decode JWT: InvalidSignature')
}
