/**
 * The express Basic path: a request whose Authorization is one plain Basic credential of ASCII
 * text, for a user whose grant the compiler precomputed (config/basic-grants.ts), is answered with
 * two SHA-256s, one HMAC and a few concatenations. Anything else — other forms of the header,
 * non-ASCII credentials, unknown users, wrong passwords, rows that need the full pipeline — is
 * left to the full pipeline (auth/pipeline.ts), which then answers exactly as it always does,
 * failures and their log lines included. So this path only ever answers a success, and only one
 * the full pipeline would answer the same way (unit tests compare the two token for token).
 */
import type { BasicGrantRow, BasicGrants, CompiledConfig } from '../config/compiled'
import { KEY_PREFIX } from '../config/compiled'
import { signHs256 } from '../jwt/hs256'
import type { Crypto } from '../platform'

/** The scheme as clients send it; any other spelling (`basic`, `plain`) takes the full pipeline. */
const BASIC_PREFIX = 'Basic '

export interface ExpressGrant {
  token: string
  /** The token's `exp` (Unix seconds). */
  expiresAt: number
  row: BasicGrantRow
}

export type ExpressCrypto = Pick<Crypto, 'sha256Base64url' | 'hmacSha256Base64url'>

/**
 * What a row's password is compared by: a digest of the password's SHA-256 under the table's
 * secret salt. Comparing these with `===` leaks, at most, how much of two values no client can
 * compute agree (the salt is in the compiled config only), so the comparison needs no
 * character loop — which costs ~2,000 njs instructions per `charCodeAt`.
 */
export function passwordCheck(salt: string, passwordSha256Base64url: string, crypto: Pick<Crypto, 'sha256Base64url'>): string {
  return crypto.sha256Base64url(salt + '\n' + passwordSha256Base64url)
}

export function expressBasicGrant(
  authorization: string,
  grants: BasicGrants,
  jwt: CompiledConfig['jwt'],
  now: number,
  crypto: ExpressCrypto,
): ExpressGrant | undefined {
  if (authorization.slice(0, BASIC_PREFIX.length) !== BASIC_PREFIX) return undefined
  const credential = authorization.slice(BASIC_PREFIX.length)
  const bytes = Buffer.from(credential, 'base64')
  // Strict base64: only the canonical encoding of the bytes (so no other character, no other
  // padding, no trailing bits). The header is then exactly one Basic credential in the grammar.
  if (bytes.toString('base64') !== credential) return undefined
  const text = bytes.toString('utf8')
  // ASCII only: one character per byte, each below 0x80 (then the strict UTF-8 decoder of the full
  // path gives the same text).
  if (text.length !== bytes.length || Buffer.byteLength(text, 'utf8') !== text.length) return undefined
  const colon = text.indexOf(':')
  const username = colon === -1 ? text : text.slice(0, colon)
  if (username === '') return undefined
  const rows = grants.byUsername[KEY_PREFIX + username]
  if (rows === undefined) return undefined
  const check = passwordCheck(grants.salt, crypto.sha256Base64url(colon === -1 ? '' : text.slice(colon + 1)), crypto)
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]
    if (row.passwordCheck === null) return undefined
    if (row.passwordCheck === check) {
      const exp = expiryFromRow(row, jwt.exp, now)
      return { token: signHs256(claimsFromRow(row, exp, now), jwt.secret, crypto as Crypto), expiresAt: exp, row }
    }
  }
  return undefined
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
