/**
 * The precomputed Basic path: a request whose Authorization value is exactly one the compiler filed
 * (compiler/basic-grants.ts: `Basic ` and the canonical base64 of `username:password` for a
 * clear-text user) is answered with one SHA-256 of the value, one lookup, one HMAC and a few
 * concatenations. Anything else — other spellings of the header, unknown users, wrong passwords,
 * credentials the full pipeline could answer otherwise — is absent from the table and left to the
 * full pipeline (auth/pipeline.ts), which then answers exactly as it always does, failures and
 * their log lines included. So this path only ever answers a success, and only one the full
 * pipeline would answer the same way (unit tests compare the two token for token). HS256 only: the
 * compiler files no table for an asymmetric `jwt.alg`, whose signatures WebCrypto makes
 * asynchronously (the grant cache still makes a repeated credential cost the same).
 */
import type { BasicGrantRow, CompiledConfig, PrecomputedBasic } from '../config/compiled'
import { signHs256 } from '../jwt/hs256'
import type { Crypto } from '../platform'

export interface PrecomputedGrant {
  token: string
  /** The token's `exp` (Unix seconds). */
  expiresAt: number
  row: BasicGrantRow
}

export type PrecomputedBasicCrypto = Pick<Crypto, 'sha256Base64url' | 'hmacSha256Base64url'>

/**
 * What the table files a credential under: a digest of the whole Authorization value under the
 * table's secret salt, so the table holds no password, and a lookup that takes longer for some
 * keys than others leaks, at most, something about values no client can compute (the salt is in
 * the compiled config only). One hash of the header is also the least a request can cost: no
 * base64 or UTF-8 decoding in njs, no per-password hash.
 */
export function credentialCheck(salt: string, authorization: string, crypto: Pick<Crypto, 'sha256Base64url'>): string {
  return crypto.sha256Base64url(salt + '\n' + authorization)
}

export function precomputedBasicGrant(
  authorization: string,
  table: PrecomputedBasic,
  jwt: CompiledConfig['jwt'],
  now: number,
  crypto: PrecomputedBasicCrypto,
): PrecomputedGrant | undefined {
  const row = table.byCredential[credentialCheck(table.salt, authorization, crypto)]
  if (row === undefined) return undefined
  const exp = expiryFromRow(row, jwt.exp, now)
  return { token: signHs256(claimsFromRow(row, exp, now), jwt.secret as string, crypto as Crypto), expiresAt: exp, row }
}

/** The JWT claims of a row at `now`: what mint.ts's mintClaims serialises for its user. */
export function claimsFromRow(row: BasicGrantRow, exp: number, now: number): string {
  return row.claimsHead + exp + ',"iat":' + now + row.claimsTail
}

/** now + lifetime, capped by the row's upstream expiry (mint.ts's mintedExpiry). */
export function expiryFromRow(row: BasicGrantRow, lifetimeSeconds: number, now: number): number {
  const own = now + lifetimeSeconds
  return row.expCap !== null && row.expCap < own ? row.expCap : own
}
