/**
 * Verifies a compact JWS against a JWK Set (§4.2 steps 2–8): the algorithm from the table, the key
 * from the set (one refresh on an unknown kid), the signature through WebCrypto. Resolves with the
 * payload's claims; checking them is claims.ts's job.
 */
import { codedError, ErrorCode } from '../errors'
import type { JwksEndpoint, JwksSource, SignatureVerifier } from '../platform'
import type { JwsAlgorithm } from './algorithms'
import { jwkKeyData } from './jwk'
import { Claims, CompactJws, decodeClaims } from './jws'
import { selectKey, unknownKid } from './keys'
import type { Jwk } from './jwk'

export interface VerifyServices {
  subtle: SignatureVerifier | undefined
  jwks: JwksSource | undefined
  /** Told when an unknown kid made us ask for a refreshed set (a log line). */
  onRefresh?: () => void
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
    .then((jwk) => importKey(subtle, jwk, algorithm))
    .then((key) =>
      subtle.verify(algorithm.verifyParams, key, jws.signature, jws.signingInput).then(
        (valid) => valid,
        () => false,
      ),
    )
    .then((valid) => {
      if (!valid) throw signatureInvalid()
      return decodeClaims(jws)
    })
}

function importKey(subtle: SignatureVerifier, jwk: Jwk, algorithm: JwsAlgorithm): Promise<unknown> {
  let data: Uint8Array
  try {
    data = jwkKeyData(jwk, algorithm)
  } catch (e) {
    return Promise.reject(e)
  }
  return subtle.importKey(algorithm.format, data, algorithm.importParams, false, ['verify']).then(
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
