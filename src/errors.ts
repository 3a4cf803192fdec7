/**
 * Errors carry a stable `code` (tests match codes, never message text) and, for configuration
 * errors, the key `path`. A factory instead of `class … extends Error`: lowering for njs makes
 * `instanceof` on Error subclasses unreliable.
 */
export interface CodedError extends Error {
  code: string
  path?: string
}

/**
 * The codes that code on the njs engine's per-request path raises, as a const enum (inlined: no
 * object at run time). A lazy unit that imported ErrorCode would build its whole object on every
 * request that instantiates it: ~17k instructions on njs 0.7.9 for the access-rule unit
 * (docs/benchmarks.md). ErrorCode holds the same values.
 */
export const enum LeanErrorCode {
  AccessRuleInvalid = 'ERR_ACCESS_RULE_INVALID',
  AccessRuleUnknown = 'ERR_ACCESS_RULE_UNKNOWN',
  Unexpected = 'ERR_UNEXPECTED',
}

export const ErrorCode = {
  /** The Authorization header breaks the grammar of §3.2 (too many parts, not two tokens). */
  HeaderInvalid: 'ERR_HEADER_INVALID',
  /** No credential was sent. */
  HeaderMissing: 'ERR_HEADER_MISSING',
  /** A Basic credential is not strict base64, not UTF-8, or has no username. */
  BasicMalformed: 'ERR_BASIC_MALFORMED',
  /**
   * A Basic credential longer than `auth.max_basic_length` (issue 19): refused by its length alone,
   * before any decoding or hashing.
   */
  CredentialTooLong: 'ERR_CREDENTIAL_TOO_LONG',
  /** Username or password did not match. */
  BadCredentials: 'ERR_BAD_CREDENTIALS',
  /** A provider did not answer within auth.timeout_in_ms. */
  ProviderTimeout: 'ERR_PROVIDER_TIMEOUT',
  /** The compiled config names a provider type this build does not implement. */
  ProviderUnsupported: 'ERR_PROVIDER_UNSUPPORTED',
  /** The compiled config names an augmenter type this build does not implement. */
  AugmenterUnsupported: 'ERR_AUGMENTER_UNSUPPORTED',
  /** An augmenter was asked to augment a user of another realm (the pipeline never does). */
  AugmenterRealm: 'ERR_AUGMENTER_REALM',
  /** An ldap augmenter's compiled entry holds no directory snapshot: `authotron ldap-sync` has not run. */
  LdapNoSnapshot: 'ERR_LDAP_NO_SNAPSHOT',
  /** `authotron ldap-sync` could not read a directory (down, slow, refused the bind, …). */
  LdapUnavailable: 'ERR_LDAP_UNAVAILABLE',
  /** No provider accepted the credential. */
  AllFailed: 'ERR_ALL_FAILED',
  /** The (client address, Basic username) pair is locked out after repeated failures (auth.lockout). */
  LockedOut: 'ERR_LOCKED_OUT',
  /** auth.lockout is configured but the runtime has no shared dict, or the zone authotron_lockout is missing. */
  LockoutUnavailable: 'ERR_LOCKOUT_UNAVAILABLE',
  /** A stored password uses a form this build cannot verify. */
  PasswordFormUnsupported: 'ERR_PASSWORD_FORM_UNSUPPORTED',
  /** The compiled config is missing or of another format version. */
  ConfigFormat: 'ERR_CONFIG_FORMAT',
  /** The config is loaded in a way that still works but is to be replaced (the log line says how). */
  ConfigDeprecated: 'ERR_CONFIG_DEPRECATED',
  /** Configuration rejected by the compiler. */
  ConfigInvalid: 'ERR_CONFIG_INVALID',
  /** The runtime lacks a feature the configuration needs. */
  RuntimeUnsupported: 'ERR_RUNTIME_UNSUPPORTED',
  /** A Bearer token is not a compact JWS: not three base64url parts, header/payload not JSON objects, `crit`. */
  JwtMalformed: 'ERR_JWT_MALFORMED',
  /** The token's `alg` is `none`. */
  JwtAlgNone: 'ERR_JWT_ALG_NONE',
  /** The token's `alg` is unknown, or not among the provider's `algorithms`. */
  JwtAlgUnsupported: 'ERR_JWT_ALG_UNSUPPORTED',
  /** No key of the JWK Set has the token's `kid` (even after a refresh), or none fits its `alg`. */
  JwtKeyNotFound: 'ERR_JWT_KEY_NOT_FOUND',
  /** The token has no `kid` and more than one key of the JWK Set fits its `alg`. */
  JwtKeyAmbiguous: 'ERR_JWT_KEY_AMBIGUOUS',
  /** The key named by `kid` is of another type or curve than `alg` needs (e.g. HS256 + RSA key). */
  JwtKeyMismatch: 'ERR_JWT_KEY_MISMATCH',
  /** The selected JWK is malformed, or the runtime's WebCrypto refused to import it. */
  JwtKeyInvalid: 'ERR_JWT_KEY_INVALID',
  /** The signature does not verify. */
  JwtSignatureInvalid: 'ERR_JWT_SIGNATURE_INVALID',
  /** `exp` lies more than the leeway in the past. */
  JwtExpired: 'ERR_JWT_EXPIRED',
  /** `nbf` lies more than the leeway in the future. */
  JwtNotYetValid: 'ERR_JWT_NOT_YET_VALID',
  /** A claim is missing or of the wrong type (`exp`, `sub`, `scope`, `realm_access`, …). */
  JwtClaimInvalid: 'ERR_JWT_CLAIM_INVALID',
  /** `iss` is not the configured issuer. */
  JwtIssuerMismatch: 'ERR_JWT_ISSUER_MISMATCH',
  /** `aud` names none of the configured audiences. */
  JwtAudienceMismatch: 'ERR_JWT_AUDIENCE_MISMATCH',
  /** Minting an RS256/ES256/EdDSA token failed: WebCrypto refused the compiled private key, or signed oddly. */
  JwtSignFailed: 'ERR_JWT_SIGN_FAILED',
  /** The JWK Set could not be had: endpoint down or answering an error, with nothing cached. */
  JwksUnavailable: 'ERR_JWKS_UNAVAILABLE',
  /** The JWK Set endpoint answered something that is not a JWK Set (`{"keys": [...]}`). */
  JwksInvalid: 'ERR_JWKS_INVALID',
  /**
   * A remote service (ecmwf-api, efas-api, …) gave no answer: down, timed out, TLS refused, or the
   * internal location missing (the remote snippets not included).
   */
  RemoteUnavailable: 'ERR_REMOTE_UNAVAILABLE',
  /** A remote service's answer exceeds the size the layer reads (src/remote/request.ts). */
  RemoteTooLarge: 'ERR_REMOTE_TOO_LARGE',
  /** A remote service's 2xx answer is not JSON, or not of the shape the provider needs. */
  RemoteMalformed: 'ERR_REMOTE_MALFORMED',
  /** A remote service said the credential is not valid (403: "Invalid API token"). */
  RemoteInvalidCredential: 'ERR_REMOTE_INVALID_CREDENTIAL',
  /** A remote service answered a status the provider does not expect ("Unexpected status code"). */
  RemoteStatus: 'ERR_REMOTE_STATUS',
  /** The refresh-token exchange gave no access token (`access_token` missing or not a string). */
  TokenExchangeFailed: 'ERR_TOKEN_EXCHANGE_FAILED',
  /** An access rule (`$authotron_require`, `access_rules`) breaks the grammar of src/rules/access-rule.ts. */
  AccessRuleInvalid: LeanErrorCode.AccessRuleInvalid,
  /** An access rule names (`@name`) a rule that `access_rules` does not define. */
  AccessRuleUnknown: LeanErrorCode.AccessRuleUnknown,
  /** The token routes were called while `store.enabled` is false (§7.5: 503 "Token store is disabled"). */
  StoreDisabled: 'ERR_STORE_DISABLED',
  /** The token store could not answer (etcd down or refusing, the shared dict full or unreadable). */
  StoreUnavailable: 'ERR_STORE_UNAVAILABLE',
  /** The configured token store cannot run on this nginx (no shared dict, or its zone not declared). */
  StoreUnsupported: 'ERR_STORE_UNSUPPORTED',
  /** A Bearer credential is no token of the store (unknown, expired or deleted). */
  StoreTokenNotFound: 'ERR_STORE_TOKEN_NOT_FOUND',
  /** A failure that carries no code of ours (a fault in this module or the runtime), as logged. */
  Unexpected: LeanErrorCode.Unexpected,
} as const

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode]

export function codedError(code: ErrorCodeValue, message: string, path?: string): CodedError {
  const error = new Error(message) as CodedError
  error.code = code
  if (path !== undefined) error.path = path
  return error
}

export function errorCode(error: unknown): string | undefined {
  return error !== null && typeof error === 'object' && typeof (error as CodedError).code === 'string'
    ? (error as CodedError).code
    : undefined
}
