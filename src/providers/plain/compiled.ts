/**
 * `type: plain` in the compiled JSON (part of the contract, src/config/compiled.ts): what
 * compile.ts writes and runtime.ts reads.
 */

/** How a stored password is verified (src/passwords/). */
export type PasswordVerifier =
  /** A clear-text password from the YAML, kept as its SHA-256 so comparison is constant-time. */
  | { form: 'plain'; sha256: string }
  /** `$pbkdf2-sha256$i=<iterations>$<salt b64>$<hash b64>` (PHC string, standard base64, no padding). */
  | { form: 'pbkdf2'; hash: 'SHA-1' | 'SHA-256' | 'SHA-512'; iterations: number; salt: string; derived: string }
  /** htpasswd `{SHA}<base64 sha1>`. */
  | { form: 'sha1'; digest: string }
  /** htpasswd/LDAP `{SSHA}<base64 sha1(password + salt) + salt>`. */
  | { form: 'ssha'; digest: string; salt: string }
  /** htpasswd `$apr1$<salt>$<hash>` (Apache MD5-crypt) or `$1$<salt>$<hash>` (MD5-crypt). */
  | { form: 'md5crypt'; magic: '$apr1$' | '$1$'; salt: string; hash: string }

/** base64 (standard, padded) everywhere binary data appears in this file. */
export interface CompiledUserEntry {
  verifier: PasswordVerifier
  roles: string[]
}

export interface CompiledPlainProvider {
  type: 'plain'
  name: string
  realm: string
  /** Lower-cased realm, compared against a lower-cased X-Auth-Realm. */
  filterRealm: string
  scheme: 'Basic'
  /** KEY_PREFIX + username → every entry with that username, in config order. */
  users: { [prefixedUsername: string]: CompiledUserEntry[] }
  /**
   * Run, its verdict ignored, when the username has no entry: the same hash work as the provider's
   * costliest user (same form and parameters, a digest no password has), so that an unknown
   * username answers no faster than a known one with a wrong password (issue 19). Absent when the
   * provider has no users, and in files compiled before it existed.
   */
  unknownUserVerifier?: PasswordVerifier
}
