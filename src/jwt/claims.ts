/**
 * The registered claims (RFC 7519 §4.1) a verified token must satisfy: `exp` required (§4.2 step 8:
 * a non-negative number, floats rounded, 60 s leeway by default), `nbf` when present (an extension:
 * the reference ignores it), and `iss` / `aud` when the provider names an issuer or audience.
 */
import { codedError, ErrorCode } from '../errors'
import type { Claims } from './jws'

export const DEFAULT_LEEWAY_SECONDS = 60

export interface ClaimRules {
  /** Seconds of clock skew tolerated on `exp` and `nbf`. */
  leeway: number
  /** Accepted `iss` values; undefined: not checked. */
  issuers?: string[]
  /** Accepted audiences: `aud` (a string or an array) must hold one; undefined: not checked. */
  audiences?: string[]
}

/** Throws a coded error for the first rule the claims break. Returns the rounded `exp`. */
export function checkRegisteredClaims(claims: Claims, rules: ClaimRules, nowSeconds: number): number {
  const exp = timestamp(claims, 'exp')
  if (exp === undefined) throw codedError(ErrorCode.JwtClaimInvalid, 'Failed to decode JWT: missing required claim exp')
  if (exp < nowSeconds - rules.leeway) throw codedError(ErrorCode.JwtExpired, 'Failed to decode JWT: ExpiredSignature')
  const nbf = timestamp(claims, 'nbf')
  if (nbf !== undefined && nbf > nowSeconds + rules.leeway) {
    throw codedError(ErrorCode.JwtNotYetValid, 'Failed to decode JWT: ImmatureSignature')
  }
  if (rules.issuers !== undefined && !(typeof claims.iss === 'string' && includes(rules.issuers, claims.iss))) {
    throw codedError(ErrorCode.JwtIssuerMismatch, 'Failed to decode JWT: InvalidIssuer')
  }
  if (rules.audiences !== undefined && !audienceMatches(claims.aud, rules.audiences)) {
    throw codedError(ErrorCode.JwtAudienceMismatch, 'Failed to decode JWT: InvalidAudience')
  }
  return exp
}

/**
 * A NumericDate claim: undefined when absent; a non-negative finite number, rounded to whole
 * seconds; anything else is an invalid claim.
 */
function timestamp(claims: Claims, name: 'exp' | 'nbf'): number | undefined {
  const value = claims[name]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !isFinite(value) || value < 0) {
    throw codedError(ErrorCode.JwtClaimInvalid, 'Failed to decode JWT: claim ' + name + ' is not a non-negative number')
  }
  return Math.round(value)
}

function audienceMatches(aud: unknown, accepted: string[]): boolean {
  if (typeof aud === 'string') return includes(accepted, aud)
  if (!Array.isArray(aud)) return false
  for (let i = 0; i < aud.length; i++) {
    if (typeof aud[i] === 'string' && includes(accepted, aud[i])) return true
  }
  return false
}

function includes(items: string[], item: string): boolean {
  for (let i = 0; i < items.length; i++) if (items[i] === item) return true
  return false
}
