/**
 * The token `/authenticate` answers with (§6): claims in the reference's order, signed HS256 (the
 * reference's algorithm) or, where `jwt.alg` says so, RS256/ES256/EdDSA (sign.ts).
 */
import type { CompiledJwt } from '../config/compiled'
import { MaybePromise, whenReady } from '../maybe-async'
import type { Crypto } from '../platform'
import type { User } from '../user'
import { signHs256 } from './hs256'
import { signToken } from './sign'

/** The compiled `jwt` settings; `exp` is a lifetime in seconds (zero or negative: already expired). */
export type MintSettings = CompiledJwt

const SIGNED_INTEGER = /^[+-]?\d+$/
const I64_MAX = 9223372036854775807
const I64_MIN = -9223372036854775808

/**
 * now + lifetime, capped by an integer `exp` attribute (a provider's upstream token expiry), so a
 * minted token never outlives its source.
 */
export function mintedExpiry(user: User, lifetimeSeconds: number, nowSeconds: number): number {
  const own = nowSeconds + lifetimeSeconds
  const upstream = upstreamExpiry(user)
  return upstream !== undefined && upstream < own ? upstream : own
}

/** The user's integer `exp` attribute; non-integer texts such as "1.7e9" are ignored (§6). */
export function upstreamExpiry(user: User): number | undefined {
  const upstream = user.attributes.exp
  if (upstream === undefined || !SIGNED_INTEGER.test(upstream)) return undefined
  const value = Number(upstream)
  if (value > I64_MAX || value < I64_MIN) return undefined
  return value
}

export function mintClaims(user: User, settings: MintSettings, nowSeconds: number, expiresAt?: number): string {
  return JSON.stringify({
    sub: user.realm + '-' + user.username,
    iss: settings.iss,
    exp: expiresAt !== undefined ? expiresAt : mintedExpiry(user, settings.exp, nowSeconds),
    iat: nowSeconds,
    roles: user.roles,
    username: user.username,
    scopes: user.scopes,
    realm: user.realm,
    attributes: user.attributes,
  })
}

/** An HS256 token (the reference's): synchronous. */
export function mintToken(user: User, settings: MintSettings, nowSeconds: number, crypto: Crypto): string {
  return signHs256(mintClaims(user, settings, nowSeconds), settings.secret as string, crypto)
}

export interface MintedToken {
  token: string
  /** The token's `exp` claim (Unix seconds). */
  expiresAt: number
}

/**
 * The token for `user`: synchronous for HS256, a promise for the asymmetric algorithms (WebCrypto).
 * `keepKey`: the JS context outlives the request (QuickJS), keep the imported private key.
 */
export function mint(
  user: User,
  settings: MintSettings,
  nowSeconds: number,
  crypto: Crypto,
  keepKey?: boolean,
): MaybePromise<MintedToken> {
  const expiresAt = mintedExpiry(user, settings.exp, nowSeconds)
  const claims = mintClaims(user, settings, nowSeconds, expiresAt)
  // HS256 stays synchronous and as cheap as before: no closure, no promise.
  if (settings.alg === undefined) return { token: signHs256(claims, settings.secret as string, crypto), expiresAt }
  return whenReady(signToken(claims, settings, crypto, keepKey), (token) => ({ token, expiresAt }))
}
