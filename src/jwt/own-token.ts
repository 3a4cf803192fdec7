/**
 * Our own tokens coming back (issue 18): a JWT this gateway minted, sent as a Bearer credential or
 * in the browser session cookie, is accepted as it is — no provider, no augmenter, no new token —
 * when one of our keys made its signature, its `iss` is ours and its `exp` has not passed. The
 * request's grant is then that token, with its own `exp`: reusing a token never extends it.
 *
 * Keys are looked up by the token's `alg` (and `kid`) through ownSignatureCheck: HS256 checks the
 * current `jwt.secret` and every `jwt.previous_secrets` entry (rotation: tokens of a replaced
 * secret stay valid until they expire). RS256, ES256 and EdDSA check the public key the token's
 * `kid` names in the JWK Set we publish (`jwt.jwks`: the signing key, then
 * `jwt.previous_public_key_files` — rotation again), through WebCrypto.
 */
import { utf8ToBytes } from '../encoding'
import type { CompiledJwt } from '../config/compiled'
import { codedError, ErrorCode } from '../errors'
import { MaybePromise, whenReady } from '../maybe-async'
import { constantTimeEqual } from '../passwords/verify'
import type { Crypto } from '../platform'
import { USER_PAYLOAD_VERSION, User } from '../user'
import { jwsAlgorithm } from './algorithms'
import { isStrictBase64url } from './base64url'
import type { Jwk } from './jwk'
import { importKey } from './verify'
import { HS256_HEADER_B64 } from './hs256'
import { Claims, JwsHeader } from './jws'

/**
 * Our keys: the compiled `jwt` section (`secret`, `previousSecrets`, and whatever keys asymmetric
 * minting adds to it).
 */
export type OwnTokenKeys = CompiledJwt

/** A token of ours, accepted: the grant keeps it as it is. */
export interface OwnToken {
  user: User
  token: string
  /** The token's own `exp` (Unix seconds). */
  expiresAt: number
}

/** The parts of a compact JWS a signature check reads. */
export interface OwnTokenParts {
  /** The protected header, decoded (`alg`, maybe `kid`). */
  header: JwsHeader
  /** `header.payload`, the ASCII text the signature covers. */
  signingInput: string
  /** The signature segment, base64url as received (strict base64url, checked). */
  signature: string
}

/**
 * Whether one of our keys for this algorithm made the signature: true/false, synchronously where
 * the algorithm allows it (HMAC), or a promise (WebCrypto). Never throws for a bad signature.
 * A check that selects a key by `kid` answers false for a kid it does not know.
 */
export type OwnSignatureCheck = (parts: OwnTokenParts, keys: OwnTokenKeys, crypto: Crypto) => MaybePromise<boolean>

/**
 * The check for a token's `alg`, or undefined for an algorithm we never mint (the token is then not
 * ours). The extension point for asymmetric minting: add its algorithms here.
 */
export function ownSignatureCheck(alg: string): OwnSignatureCheck | undefined {
  if (alg === 'HS256') return hs256Signature
  if (alg === 'RS256' || alg === 'ES256' || alg === 'EdDSA') return publishedKeySignature
  return undefined
}

/** HMAC-SHA256 under the current secret, then each previous one; constant-time comparison. */
export function hs256Signature(parts: OwnTokenParts, keys: OwnTokenKeys, crypto: Crypto): boolean {
  const given = utf8ToBytes(parts.signature)
  // With an asymmetric jwt.alg there is no current secret; previous ones may remain (migration).
  if (keys.secret !== undefined && hs256Matches(given, parts.signingInput, keys.secret, crypto)) return true
  const previous = keys.previousSecrets
  if (previous === undefined) return false
  for (let i = 0; i < previous.length; i++) {
    if (hs256Matches(given, parts.signingInput, previous[i], crypto)) return true
  }
  return false
}

/**
 * RS256/ES256/EdDSA: the key of our published JWK Set (`keys.jwks`) that the token's `kid` names —
 * the signing key or a previous one — must be of the token's `alg` (the set names each key's
 * `alg`) and verify the signature. False, never a throw, for anything else: no set (HS256 config),
 * no or unknown kid, a key of another alg, a runtime that cannot import the key (Ed25519).
 */
export function publishedKeySignature(parts: OwnTokenParts, keys: OwnTokenKeys, crypto: Crypto): MaybePromise<boolean> {
  const subtle = crypto.subtle
  const kid = parts.header.kid
  if (keys.jwks === undefined || subtle === undefined || kid === undefined) return false
  const set = JSON.parse(keys.jwks) as { keys: Jwk[] }
  let jwk: Jwk | undefined
  for (let i = 0; i < set.keys.length; i++) {
    if (set.keys[i].kid === kid && set.keys[i].alg === parts.header.alg) jwk = set.keys[i]
  }
  if (jwk === undefined) return false
  const algorithm = jwsAlgorithm(parts.header.alg, undefined)
  const signature = new Uint8Array(Buffer.from(parts.signature, 'base64url'))
  if (algorithm.signatureLength !== undefined && signature.length !== algorithm.signatureLength) return false
  return importKey(subtle, jwk, algorithm)
    .then((key) => subtle.verify(algorithm.verifyParams, key, signature, utf8ToBytes(parts.signingInput)))
    .then(
      (valid) => valid === true,
      () => false,
    )
}

function hs256Matches(given: Uint8Array, signingInput: string, secret: string, crypto: Crypto): boolean {
  return constantTimeEqual(utf8ToBytes(crypto.hmacSha256Base64url(secret, signingInput)), given)
}

/**
 * Resolves with the grant of a token we minted, or rejects/throws with a coded error saying why it
 * is not one we accept (ERR_JWT_MALFORMED, ERR_JWT_ALG_UNSUPPORTED, ERR_JWT_SIGNATURE_INVALID,
 * ERR_JWT_ISSUER_MISMATCH, ERR_JWT_EXPIRED, ERR_JWT_CLAIM_INVALID). No leeway: we minted `exp`
 * with the same clock.
 */
export function verifyOwnToken(token: string, keys: OwnTokenKeys, nowSeconds: number, crypto: Crypto): MaybePromise<OwnToken> {
  const first = token.indexOf('.')
  const second = first === -1 ? -1 : token.indexOf('.', first + 1)
  if (second === -1 || token.indexOf('.', second + 1) !== -1) throw malformed('not a compact JWS')
  const headerSegment = token.slice(0, first)
  const payloadSegment = token.slice(first + 1, second)
  const signature = token.slice(second + 1)
  if (!isStrictBase64url(payloadSegment) || !isStrictBase64url(signature)) throw malformed('not base64url')
  // Our HS256 header is always these exact bytes: no JSON to parse for the common case.
  const header: JwsHeader = headerSegment === HS256_HEADER_B64 ? { alg: 'HS256' } : decodeHeader(headerSegment)
  const check = ownSignatureCheck(header.alg)
  if (check === undefined) throw codedError(ErrorCode.JwtAlgUnsupported, 'not an algorithm this gateway mints')
  return whenReady(check({ header, signingInput: token.slice(0, second), signature }, keys, crypto), (valid) => {
    if (!valid) throw codedError(ErrorCode.JwtSignatureInvalid, 'not signed by one of our keys')
    return ownTokenGrant(token, jsonObject(payloadSegment), keys, nowSeconds)
  })
}

/** The claims of a verified token of ours (src/jwt/mint.ts's claims) as its grant. */
function ownTokenGrant(token: string, claims: Claims, keys: OwnTokenKeys, nowSeconds: number): OwnToken {
  if (claims.iss !== keys.iss) throw codedError(ErrorCode.JwtIssuerMismatch, 'iss is not ours')
  const exp = claims.exp
  if (typeof exp !== 'number' || !isFinite(exp)) throw claimInvalid('exp')
  if (!(exp > nowSeconds)) throw codedError(ErrorCode.JwtExpired, 'our token has expired')
  const { username, realm, roles, scopes, attributes } = claims
  if (typeof username !== 'string') throw claimInvalid('username')
  if (typeof realm !== 'string') throw claimInvalid('realm')
  if (!isStringList(roles)) throw claimInvalid('roles')
  if (!isPlainObject(scopes)) throw claimInvalid('scopes')
  if (!isPlainObject(attributes)) throw claimInvalid('attributes')
  const user: User = {
    version: USER_PAYLOAD_VERSION,
    username,
    realm,
    roles,
    attributes: attributes as User['attributes'],
    scopes: scopes as User['scopes'],
  }
  return { user, token, expiresAt: exp }
}

function decodeHeader(segment: string): JwsHeader {
  if (!isStrictBase64url(segment)) throw malformed('not base64url')
  const header = jsonObject(segment)
  if (typeof header.alg !== 'string') throw malformed('header has no "alg" string')
  if (header.kid !== undefined && typeof header.kid !== 'string') throw malformed('header "kid" is not a string')
  return header as JwsHeader
}

/** A strict base64url segment's JSON object. */
function jsonObject(segment: string): Claims {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
  } catch (e) {
    throw malformed('not JSON')
  }
  if (!isPlainObject(value)) throw malformed('not a JSON object')
  return value as Claims
}

function isPlainObject(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function isStringList(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') return false
  return true
}

function malformed(reason: string) {
  return codedError(ErrorCode.JwtMalformed, 'not a token of ours: ' + reason)
}

function claimInvalid(claim: string) {
  return codedError(ErrorCode.JwtClaimInvalid, 'claim ' + claim + ' is not what we mint')
}
