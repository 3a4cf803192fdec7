/**
 * The small interfaces through which plain TypeScript reaches the runtime. `src/njs/` implements
 * them with njs primitives; unit tests implement them with Node's.
 */

import type { CompiledTokenStore } from './providers/token-store/compiled'
import type { TokenStoreAccess } from './store/tokens'

/** The members of an RSA or EC public key as WebCrypto's JWK import takes them (src/jwt/jwk.ts). */
export type PublicJwk = { kty: 'RSA'; n: string; e: string } | { kty: 'EC'; crv: string; x: string; y: string }

export type DigestAlgorithm = 'md5' | 'sha1' | 'sha256'

export interface Crypto {
  /** Synchronous digest of the concatenated parts (njs `crypto.createHash`). */
  digest(algorithm: DigestAlgorithm, parts: Uint8Array[]): Uint8Array
  /** SHA-256 of the UTF-8 of `text`, base64url without padding: grant cache keys. */
  sha256Base64url(text: string): string
  /** HMAC-SHA256 of `data` under `key`, base64url without padding (njs `crypto.createHmac`). */
  hmacSha256Base64url(key: string, data: string): string
  /** PBKDF2 (WebCrypto): `length` bytes derived with HMAC-`hash`. */
  pbkdf2(
    password: Uint8Array,
    salt: Uint8Array,
    iterations: number,
    hash: 'SHA-1' | 'SHA-256' | 'SHA-512',
    length: number,
  ): Promise<Uint8Array>
  /**
   * WebCrypto's `crypto.subtle`, for JWS signatures (src/jwt/). Absent on a runtime without it;
   * the jwt provider then rejects every token with ERR_RUNTIME_UNSUPPORTED.
   */
  subtle?: SignatureVerifier
  /**
   * WebCrypto's signing half, for minting RS256/ES256/EdDSA tokens (src/jwt/sign.ts). Absent on a
   * runtime without it: an asymmetric `jwt.alg` then fails every mint with ERR_RUNTIME_UNSUPPORTED.
   */
  signer?: JwsSigner
  /**
   * AES-256-GCM (WebCrypto), for the remote answers the relay seals (src/remote/relay.ts). Absent on
   * a runtime without it: remote calls then fail with ERR_RUNTIME_UNSUPPORTED.
   */
  aead?: AeadCipher
}

/** AES-256-GCM with a raw 32-byte key; the sealed form is the ciphertext followed by the 16-byte tag. */
export interface AeadCipher {
  encrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>
  /** Rejects when the tag does not match (altered, or another key). */
  decrypt(key: Uint8Array, iv: Uint8Array, sealed: Uint8Array): Promise<Uint8Array>
  randomBytes(length: number): Uint8Array
}

/**
 * The part of WebCrypto (`crypto.subtle`) that signs with a private key. Implementations reject —
 * never throw — on failure (QuickJS throws synchronously for an unknown algorithm name).
 */
export interface JwsSigner {
  /** The runtime, for messages: `njs 0.8.9`, `njs 1.0.2 (QuickJS)`. */
  runtime?: string
  /** Imports a PKCS#8 (DER) private key for `sign`. */
  importPrivateKey(pkcs8: Uint8Array, algorithm: WebCryptoParams): Promise<unknown>
  /** The signature as WebCrypto gives it (ECDSA: r||s, as JWS wants it). */
  sign(algorithm: WebCryptoParams, key: unknown, data: Uint8Array): Promise<Uint8Array>
}

/** WebCrypto algorithm parameters, as `importKey` and `verify` take them. */
export interface WebCryptoParams {
  name: string
  hash?: string
  namedCurve?: string
  saltLength?: number
}

/**
 * The part of WebCrypto (`crypto.subtle`) that verifies signatures. Implementations reject — never
 * throw — on failure: QuickJS's `importKey` throws synchronously for an unknown algorithm name.
 * HMAC keys are imported for `sign`: their MAC is recomputed and compared in constant time here,
 * since njs's `verify` compares an HMAC with memcmp (issue 19).
 */
export interface SignatureVerifier {
  /**
   * Import RSA and EC public keys as `'jwk'` rather than as SPKI built in JavaScript: true where the
   * runtime has JWK import and the conversion is the dearer path (the njs engine from 0.7.10, where
   * it costs a first-use RS256 token about 300,000 instructions; Node in the unit tests).
   */
  prefersJwkImport?(): boolean
  importKey(
    format: 'spki' | 'raw' | 'jwk',
    keyData: Uint8Array | PublicJwk,
    algorithm: WebCryptoParams,
    extractable: false,
    usages: ['verify'] | ['sign'],
  ): Promise<unknown>
  verify(algorithm: WebCryptoParams, key: unknown, signature: Uint8Array, data: Uint8Array): Promise<boolean>
  /** The MAC of `data` (HMAC keys only). */
  sign(algorithm: WebCryptoParams, key: unknown, data: Uint8Array): Promise<ArrayBuffer>
}

export interface Clock {
  /** Unix time in whole seconds. */
  nowSeconds(): number
  /** Unix time in milliseconds (what cache lifetimes are measured in). */
  nowMilliseconds(): number
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** Event names are dotted (`auth.header.invalid`); fields never hold a credential. */
export interface Logger {
  log(level: LogLevel, event: string, fields?: { [key: string]: string | number | boolean }): void
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/**
 * A string store shared by every worker (njs `js_shared_dict_zone`, njs ≥ 0.8.0). Absent on
 * runtimes without shared dicts: callers then simply do not cache. Keys never hold a raw
 * credential (hash it first), and entries always expire.
 */
export interface SharedStore {
  get(key: string): string | undefined
  /** Stores `value` for at most `ttlMs`; a full store may evict older entries or refuse. */
  set(key: string, value: string, ttlMs: number): void
}

/**
 * Where a jwt provider's JWK Set comes from. The compiler derives it from `cert_uri`; the njs side
 * reaches the URL through internal nginx locations that cache the answer for every worker
 * (docs/jwt.md), so the refetch policy lives in nginx's configuration, not in the VM.
 */
export interface JwksEndpoint {
  /** The JWK Set URL (`cert_uri`). */
  url: string
  /** The internal location that answers with the cached JWK Set (`jwks_ttl`). */
  location: string
  /**
   * The internal location asked after an unknown `kid`: it refetches the URL at most once per
   * refresh interval (30 s) whatever the number of requests, and caches the answer for that long.
   */
  refreshLocation: string
  /**
   * `jwks_ttl` in seconds: how long a set kept in the shared dict is fresh (src/jwt/jwks-cache.ts).
   * Absent: no set is kept in the VM's reach, every request asks the location.
   */
  ttl?: number
}

export interface JwksSource {
  /**
   * The endpoint's JWK Set document, parsed JSON but otherwise unchecked. `refresh`: a token names a
   * key the usual answer lacks; ask the refresh location. Rejects with ERR_JWKS_UNAVAILABLE when no
   * answer could be had (no cached copy and the endpoint down or answering an error).
   */
  get(endpoint: JwksEndpoint, refresh: boolean): Promise<unknown>
}

/**
 * One call to a remote service, as src/remote/request.ts hands it to the boundary: the internal
 * location to ask (its last segment is the cache key, an HMAC of the credential) and what to send.
 */
export interface RemoteCall {
  /** `<step location>/<cache key>`. */
  uri: string
  method: 'GET' | 'POST'
  /** Encoded query string for the upstream, without `?`. */
  query?: string
  body?: string
  /** Answers longer than this many bytes fail with ERR_REMOTE_TOO_LARGE. */
  maxBytes: number
}

export interface RemoteAnswer {
  /** The upstream's HTTP status (or nginx's, for a cached one: the same). */
  status: number
  body: string
  /** The relay's X-Authotron-Failure header: why there is no answer of the service (src/remote/relay.ts). */
  failure?: string
  /** When the relay sealed the answer (Unix ms; its X-Authotron-Sealed-At header), if it says. */
  sealedAt?: number
}

/**
 * Remote services through nginx (src/njs/remote.ts): a subrequest to a location that
 * `authotron compile --nginx-snippets` generated (docs/remote.md). Resolves with whatever status
 * the upstream answered; rejects with ERR_REMOTE_UNAVAILABLE when there was no answer (down, timed
 * out, the location missing) and ERR_REMOTE_TOO_LARGE for an oversized one.
 */
export interface RemoteCaller {
  call(call: RemoteCall): Promise<RemoteAnswer>
}

/**
 * Counters shared by every worker: the metrics (src/auth/metrics.ts), in the number dict
 * `authotron_metrics` (njs ≥ 0.8.0). `incr` adds `delta` to the entry `key`, creating it at 0, and
 * never throws: a full zone loses the observation, never the request.
 */
export interface MetricsSink {
  incr(key: string, delta: number): void
}

export interface Platform {
  crypto: Crypto
  clock: Clock
  logger: Logger
  timers: Timers
  /** The shared cache of authentication results; undefined where the runtime has none. */
  sharedCache?: SharedStore
  /** Where metrics are recorded; undefined where they are not (no zone, or `metrics.enabled: false`). */
  metrics?: MetricsSink
  /** True where module state outlives the request (QuickJS reuses its JS context). */
  contextReused?: boolean
  /** JWK Sets for the jwt provider; undefined where the boundary provides none (then no jwt). */
  jwks?: JwksSource
  /** Remote services for the ecmwf-api, efas-api, … providers; undefined: they reject every token. */
  remote?: RemoteCaller
  /**
   * The token store `settings` name (src/store/tokens.ts), opened for this request; undefined where
   * the boundary provides none (the token routes then answer 503, the token-store provider refuses).
   */
  tokenStore?(settings: CompiledTokenStore): TokenStoreAccess
}
