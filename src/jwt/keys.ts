/**
 * Choosing the key of a JWK Set that verifies a token (§4.2 steps 4–7, with two deviations
 * recorded in docs/compatibility.md): a key is only ever used for an algorithm its `kty` (and
 * `crv`) fits — the JWK's own `alg` and `use` are ignored as in the reference — and a token
 * without `kid` is accepted when exactly one key of the set fits its algorithm.
 */
import { codedError, ErrorCode } from '../errors'
import { JwsAlgorithm, printable } from './algorithms'
import type { Jwk } from './jwk'

/**
 * The key for `kid` (or, without one, the only fitting key). Undefined means "no key has this
 * kid": the caller may ask for a refreshed set once. Throws when the document is not a JWK Set,
 * when the kid's key is of the wrong type (HS256 naming an RSA key: the "public key as HMAC
 * secret" attack), or, without kid, when no key or several fit.
 */
export function selectKey(jwks: unknown, kid: string | undefined, algorithm: JwsAlgorithm): Jwk | undefined {
  const keys = jwkSetKeys(jwks)
  if (kid !== undefined) {
    let mismatched = false
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]
      if (!isObject(key) || key.kid !== kid) continue
      if (fits(key, algorithm)) return key
      mismatched = true
    }
    if (mismatched) {
      throw codedError(
        ErrorCode.JwtKeyMismatch,
        'the key with kid ' + printable(kid) + ' does not fit the token\'s algorithm (it needs kty ' +
          algorithm.kty + (algorithm.crv !== undefined ? ', crv ' + algorithm.crv : '') + ')',
      )
    }
    return undefined
  }
  let found: Jwk | undefined
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]
    if (!isObject(key) || !fits(key, algorithm)) continue
    if (found !== undefined) {
      throw codedError(ErrorCode.JwtKeyAmbiguous, 'the token has no kid and several keys fit its algorithm')
    }
    found = key
  }
  if (found === undefined) {
    throw codedError(ErrorCode.JwtKeyNotFound, 'the token has no kid and no key fits its algorithm')
  }
  return found
}

export function unknownKid(kid: string) {
  return codedError(ErrorCode.JwtKeyNotFound, 'Failed to find certificate with matching kid ' + printable(kid))
}

function fits(key: Jwk, algorithm: JwsAlgorithm): boolean {
  return key.kty === algorithm.kty && (algorithm.crv === undefined || key.crv === algorithm.crv)
}

function jwkSetKeys(jwks: unknown): unknown[] {
  if (!isObject(jwks) || !Array.isArray(jwks.keys)) {
    throw codedError(ErrorCode.JwksInvalid, 'Failed to parse certificates: not a JWK Set ({"keys": [...]})')
  }
  return jwks.keys
}

function isObject(value: unknown): value is Jwk {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
