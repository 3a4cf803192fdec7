/**
 * The JSON that `authotron compile` writes and NGINX preloads with
 * `js_preload_object authotron_cfg from …;`. Everything derivable from the YAML is computed
 * here once, so the request path only reads. Bump COMPILED_FORMAT on any incompatible change: the
 * njs module refuses any other format version.
 *
 * Preloaded objects are frozen and have a null prototype: the njs side reads them with index loops
 * and own-key lookups only. Maps keyed by user-controlled strings (usernames) prefix every key with
 * KEY_PREFIX so that no key can collide with a built-in property such as `__proto__`.
 *
 * Each provider and augmenter type keeps its own entry's type beside its code
 * (src/providers/<type>/compiled.ts, src/augmenters/<type>/compiled.ts); this file joins them.
 */
import type { CompiledJwksEndpoint, CompiledJwtProvider } from '../providers/jwt/compiled'
import type { CompiledEcmwfApiProvider } from '../providers/ecmwf-api/compiled'
import type { CompiledEfasApiProvider } from '../providers/efas-api/compiled'
import type { CompiledRemoteStep } from '../remote/compiled'
import type { CompiledOpenIdOfflineProvider } from '../providers/openid-offline/compiled'
import type { CompiledEcmwfTokenGeneratorProvider } from '../providers/ecmwf-token-generator/compiled'
import type { CompiledPlainProvider, CompiledUserEntry, PasswordVerifier } from '../providers/plain/compiled'
import type { CompiledPlainAugmenter } from '../augmenters/plain/compiled'
import type { CompiledPlainAdvancedAugmenter } from '../augmenters/plain_advanced/compiled'
import type { CompiledLdapAugmenter, LdapSnapshot } from '../augmenters/ldap/compiled'
import type { CompiledTokenStore, CompiledTokenStoreProvider } from '../providers/token-store/compiled'

export type {
  CompiledEcmwfApiProvider,
  CompiledEfasApiProvider,
  CompiledRemoteStep,
  CompiledEcmwfTokenGeneratorProvider,
  CompiledJwksEndpoint,
  CompiledJwtProvider,
  CompiledLdapAugmenter,
  CompiledOpenIdOfflineProvider,
  CompiledPlainAdvancedAugmenter,
  CompiledPlainAugmenter,
  CompiledPlainProvider,
  CompiledTokenStore,
  CompiledTokenStoreProvider,
  CompiledUserEntry,
  LdapSnapshot,
  PasswordVerifier,
}

/**
 * The format of the compiled JSON. test/unit/config/compiled.test.ts pins its shape: a change to
 * the shape fails it until this number (if the change is incompatible) and the pinned shape are
 * updated. History:
 *   1  the first format
 *   2  jwt providers carry `jwks`, `leeway`, … instead of their YAML keys; the precomputed Basic
 *      grants are `expressBasic`, keyed by credential (was `basicGrants`, keyed by username)
 *   3  `expressBasic` is `precomputedBasic` (the path's name no longer reads as Express.js)
 *   4  ldap augmenters carry `snapshot` (written by `authotron ldap-sync`) instead of their YAML keys
 *   5  precomputed Basic rows carry `ruleFacts`; ecmwf-api and efas-api providers carry remote
 *      steps (`whoAmI`, `lookup`) instead of `uri`; `session` (browser login, our own tokens) and
 *      `jwt.previousSecrets` (issue 18)
 *      `jwt` may carry `alg`, `signingKey` and `jwks` (asymmetric minting), `secret` then absent
 *      `tokenStore` and the `token-store` provider (filterRealm null) when `store.enabled`
 *      `metricsEnabled`, and `lockout` (auth.lockout): an older module would ignore a lockout
 *   6: `maxBasicLength` (auth.max_basic_length): an older module would decode and hash any length
 *   7: every remote step carries its `sealSecret` (required: no longer derived per request), and the
 *      refresh-token providers a `kept` result location (docs/remote.md, "Kept results")
 */
export const COMPILED_FORMAT = 7
export const KEY_PREFIX = '='

export type Scheme = 'Basic' | 'Bearer'

/** Providers that later issues implement (ecmwf-api, …) share these fields. */
export interface CompiledOtherProvider {
  type: string
  name: string
  realm: string
  filterRealm: string
  scheme: Scheme
  [key: string]: unknown
}

export type CompiledProvider =
  | CompiledPlainProvider
  | CompiledJwtProvider
  | CompiledEcmwfApiProvider
  | CompiledEfasApiProvider
  | CompiledTokenStoreProvider
  | CompiledOpenIdOfflineProvider
  | CompiledEcmwfTokenGeneratorProvider
  | CompiledOtherProvider

export interface CompiledOtherAugmenter {
  type: string
  name: string
  realm: string
  [key: string]: unknown
}

export type CompiledAugmenter =
  | CompiledPlainAugmenter
  | CompiledPlainAdvancedAugmenter
  | CompiledLdapAugmenter
  | CompiledOtherAugmenter

export interface AugmenterPlan {
  /** Indices into `augmenters` of every non-plain_advanced augmenter of the realm. */
  parallel: number[]
  /** Indices of the realm's plain_advanced augmenters, in config order. */
  serial: number[]
}

/**
 * The answer to one Basic credential (src/compiler/basic-grants.ts): a clear-text user of a plain
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
  /** The words of access rules that hold for this user (src/rules/access-rule.ts ruleFacts). */
  ruleFacts?: { [word: string]: 1 }
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
  jwt: CompiledJwt
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
   * The YAML's `metrics.enabled` (default true): whether requests are counted where the zone
   * `authotron_metrics` exists (src/auth/metrics.ts) and `/metrics` answers. Absent (older files): true.
   */
  metricsEnabled?: boolean
  /**
   * The YAML's `auth.max_basic_length` (extension, src/auth/header.ts): the longest Basic credential
   * (characters of base64) the grammar accepts. Absent: DEFAULT_MAX_BASIC_LENGTH.
   */
  maxBasicLength?: number
  /** The YAML's `auth.lockout` (extension, src/auth/lockout.ts); absent when there is none. */
  lockout?: LockoutSettings
  /**
   * The precomputed Basic grants (src/compiler/basic-grants.ts), by credential. Absent when Basic
   * requests must always run the full pipeline. (Earlier builds of the compiler wrote a `basicGrants`
   * keyed by username, which this module ignores: such a config takes the full pipeline.)
   */
  precomputedBasic?: PrecomputedBasic
  /**
   * The YAML's `access_rules` (extension), parsed and checked by the compiler (src/rules/): KEY_PREFIX
   * + name → the rule that `@name` in `$authotron_require` stands for. Absent when there are none.
   */
  accessRules?: { [prefixedName: string]: AccessRule }
  /**
   * `store` with `enabled: true` (src/store/tokens.ts); the token-store provider, last in
   * `providers`, carries the same settings. Absent: the token routes answer 503 (§7.5).
   */
  tokenStore?: CompiledTokenStore
  /**
   * The YAML's `session` (extension, issue 18): browser login on `/authenticate?redirect=…` with a
   * session cookie, `/logout`, and our own tokens accepted back (cookie or Bearer). Absent: the
   * reference's behaviour (the query string is ignored, our tokens are not accepted).
   */
  session?: CompiledSession
}

export interface CompiledSession {
  /** The session cookie's name: `[A-Za-z0-9_]`, so that nginx's `$cookie_<name>` reads it. */
  cookieName: string
  /** `cookie_<name>`: the nginx variable the module reads the cookie from. */
  cookieVariable: string
  /** Every attribute after the value but Max-Age: `; Path=/; HttpOnly; SameSite=Lax` and `; Secure` unless turned off. */
  cookieAttributes: string
}

/** The algorithms `jwt.alg` may name besides the reference's HS256 (docs/jwt.md, "Asymmetric minting"). */
export type AsymmetricMintAlgorithm = 'RS256' | 'ES256' | 'EdDSA'

/** How minted tokens are signed (§6; src/jwt/mint.ts, src/jwt/sign.ts). */
export interface CompiledJwt {
  iss: string
  /** Lifetime in seconds. */
  exp: number
  /** The HS256 key (its raw UTF-8 bytes); absent when `alg` is asymmetric. */
  secret?: string
  /**
   * `jwt.previous_secrets` (extension, HS256): secrets replaced by `secret`; tokens they signed are
   * still accepted back (session) until they expire. Absent when there are none.
   */
  previousSecrets?: string[]
  /** Absent: HS256, the reference's algorithm. */
  alg?: AsymmetricMintAlgorithm
  /** With `alg`: the private key (src/compiler/signing-key.ts read and checked it). */
  signingKey?: CompiledSigningKey
  /**
   * With `alg`: the body of `GET /.well-known/jwks.json`, `{"keys":[…]}` — the signing key's public
   * half first, then `jwt.previous_public_key_files` (rotation).
   */
  jwks?: string
}

export interface CompiledSigningKey {
  /** PKCS#8 DER, canonical base64. */
  pkcs8: string
  /** The `kid` of the header: `jwt.kid`, or the public key's RFC 7638 thumbprint. */
  kid: string
  /** base64url of the JWS header `{"typ":"JWT","alg":…,"kid":…}`, ready to sign with. */
  header: string
}

export interface LockoutSettings {
  /** Failures of one (client address, username) within the window that lock the pair out. */
  maxFailures: number
  windowMs: number
  /** How long a locked pair answers 401 without a check. */
  durationMs: number
  /** Secret (derived from jwt.secret): keys the zone's entries, so they name no username. */
  salt: string
}

/**
 * An access rule (src/rules/access-rule.ts): alternatives, any of which allows the request; each
 * alternative is clauses that must all hold.
 */
export type AccessRule = RuleClause[][]

/**
 * One requirement. `role`: the user has one of `values`; `all-roles`: every one of them; `realm`:
 * the user's realm is one of them; `scope`: some provider's scopes hold one of them; `attribute`:
 * the attribute `name` equals one of them; `rule`: the named rule `name` allows the request.
 */
export interface RuleClause {
  test: 'role' | 'all-roles' | 'realm' | 'scope' | 'attribute' | 'rule'
  values: string[]
  name?: string
}
