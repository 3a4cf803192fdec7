/** The token `/authenticate` answers with (§6): HS256, claims in the reference's order. */
import type { Crypto } from '../platform'
import type { User } from '../user'
import { signHs256 } from './hs256'

export interface MintSettings {
  iss: string
  /** Lifetime in seconds (may be zero or negative: the token is then already expired). */
  exp: number
  secret: string
}

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

export function mintToken(user: User, settings: MintSettings, nowSeconds: number, crypto: Crypto): string {
  return signHs256(mintClaims(user, settings, nowSeconds), settings.secret, crypto)
}

export interface MintedToken {
  token: string
  /** The token's `exp` claim (Unix seconds). */
  expiresAt: number
}

export function mint(user: User, settings: MintSettings, nowSeconds: number, crypto: Crypto): MintedToken {
  const expiresAt = mintedExpiry(user, settings.exp, nowSeconds)
  return { token: signHs256(mintClaims(user, settings, nowSeconds, expiresAt), settings.secret, crypto), expiresAt }
}
