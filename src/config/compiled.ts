/**
 * The JSON that `authotron compile` writes and NGINX preloads with
 * `js_preload_object authotron_config from …;`. Everything derivable from the YAML is computed
 * here once, so the request path only reads. Bump COMPILED_FORMAT on any incompatible change: the
 * njs module refuses any other format version.
 *
 * Preloaded objects are frozen and have a null prototype: the njs side reads them with index loops
 * and own-key lookups only. Maps keyed by user-controlled strings (usernames) prefix every key with
 * KEY_PREFIX so that no key can collide with a built-in property such as `__proto__`.
 */
export const COMPILED_FORMAT = 2
export const KEY_PREFIX = '='

export type Scheme = 'Basic' | 'Bearer'

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
}

/**
 * Where a jwt provider's JWK Set comes from (src/platform.ts JwksEndpoint): its URL and the two
 * internal locations `authotron compile --nginx-snippets` generates for it. Providers with the same
 * URL, TTL and CA bundle share one pair of locations, and so one cached copy.
 */
export interface CompiledJwksEndpoint {
  /** `cert_uri`. */
  url: string
  /** `/_authotron/jwks/<id>`: the cached JWK Set, refetched every `ttl` seconds. */
  location: string
  /** `/_authotron/jwks/<id>/refresh`: asked after an unknown kid; fetches at most every 30 s. */
  refreshLocation: string
  /** `jwks_ttl` (seconds). Read by the snippet generator, not at run time. */
  ttl: number
  /** `ca_file`, absolute, for https URLs. Read by the snippet generator, not at run time. */
  caFile?: string
}

/** `type: jwt` (src/providers/jwt.ts; authotron-behaviour.md §4.2 plus the keys of docs/jwt.md). */
export interface CompiledJwtProvider {
  type: 'jwt'
  name: string
  realm: string
  filterRealm: string
  scheme: 'Bearer'
  jwks: CompiledJwksEndpoint
  /** Seconds of clock skew tolerated on exp and nbf (`leeway`, default 60). */
  leeway: number
  /** Accepted `iss` values (`issuer`); absent: not checked. */
  issuers?: string[]
  /** Accepted audiences (`audience`); absent: `aud` is not checked. */
  audiences?: string[]
  /** Accepted `alg` values (`algorithms`); absent: every algorithm this build verifies. */
  algorithms?: string[]
  /** Separates this provider's verified tokens in the shared dict: a hash of its settings. */
  cacheId: string
  /** At most this many seconds (never past the token's exp) a verified token's user is reused. */
  verifiedCacheTtl: number
}

/** Providers that later issues implement (ecmwf-api, …) share these fields. */
export interface CompiledOtherProvider {
  type: string
  name: string
  realm: string
  filterRealm: string
  scheme: Scheme
  [key: string]: unknown
}

export type CompiledProvider = CompiledPlainProvider | CompiledJwtProvider | CompiledOtherProvider

export interface CompiledPlainAugmenter {
  type: 'plain'
  name: string
  realm: string
  /** [role, usernames] pairs in YAML order. */
  roles: [string, string[]][]
}

export interface CompiledPlainAdvancedAugmenter {
  type: 'plain_advanced'
  name: string
  realm: string
  matchUsernames: string[]
  matchRoles: string[]
  roles: string[]
  /** [key, value] pairs in YAML order. */
  attributes: [string, string][]
}

export interface CompiledOtherAugmenter {
  type: string
  name: string
  realm: string
  [key: string]: unknown
}

export type CompiledAugmenter =
  | CompiledPlainAugmenter
  | CompiledPlainAdvancedAugmenter
  | CompiledOtherAugmenter

export interface AugmenterPlan {
  /** Indices into `augmenters` of every non-plain_advanced augmenter of the realm. */
  parallel: number[]
  /** Indices of the realm's plain_advanced augmenters, in config order. */
  serial: number[]
}

/**
 * The answer to one Basic credential (config/basic-grants.ts): a clear-text user of a plain
 * provider with everything its success produces precomputed, so that only `exp`/`iat` and the
 * signature are left for the request (src/auth/precomputed-basic.ts).
 */
export interface BasicGrantRow {
  /** The minted claims up to `exp`'s value, and after `iat`'s value (src/jwt/mint.ts's order). */
  claimsHead: string
  claimsTail: string
  /** The user's integer `exp` attribute, which caps the token's exp; null when there is none. */
  expCap: number | null
  /** X-Auth-Username, X-Auth-Realm, X-Auth-Roles, safe to send. */
  legacy: [string, string, string]
  /** The user as the grant cache and /whoami keep it (user.ts's userJson). */
  userJson: string
}

export interface PrecomputedBasic {
  /** Secret (derived from jwt.secret): keys the credential checks, so looking them up leaks nothing usable. */
  salt: string
  /**
   * precomputed-basic.ts's credentialCheck of a whole `Authorization: Basic …` value → the grant the
   * full pipeline gives it. The keys are 43-character base64url digests, so none can name a
   * property of Object.prototype.
   */
  byCredential: { [credentialCheck: string]: BasicGrantRow }
}

export interface CompiledConfig {
  format: number
  /** Short hash of the compiled content: keys caches so that a reload never reuses old answers. */
  configId: string
  /** The authotron-njs version that compiled this file (shown on the landing page). */
  compilerVersion: string
  jwt: { iss: string; exp: number; secret: string }
  includeLegacyHeaders: boolean
  timeoutMs: number
  /**
   * How long a successful authentication is reused per credential where a shared dict exists
   * (never past the minted token's exp); 0 disables. Absent: DEFAULT_GRANT_CACHE_TTL_MS.
   */
  grantCacheTtlMs?: number
  /** The WWW-Authenticate value of every 401 (§7.2), computed once. */
  challenge: string
  providers: CompiledProvider[]
  /** Indices into `providers` per normalised scheme, in config order. */
  providersByScheme: { Basic: number[]; Bearer: number[] }
  augmenters: CompiledAugmenter[]
  /** KEY_PREFIX + realm → which augmenters run for users of that realm. */
  augmenterPlans: { [prefixedRealm: string]: AugmenterPlan }
  /** Ready bodies for GET /providers and GET /augmenters (§7.6). */
  providersBody: string
  augmentersBody: string
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error'
  /**
   * The precomputed Basic grants (config/basic-grants.ts), by credential. Absent when Basic
   * requests must always run the full pipeline. (Earlier builds of the compiler wrote a `basicGrants`
   * keyed by username, which this module ignores: such a config takes the full pipeline.)
   */
  precomputedBasic?: PrecomputedBasic
}
