/**
 * The small interfaces through which plain TypeScript reaches the runtime. `src/njs/` implements
 * them with njs primitives; unit tests implement them with Node's.
 */
export type DigestAlgorithm = 'md5' | 'sha1' | 'sha256'

export interface Crypto {
  /** Synchronous digest of the concatenated parts (njs `crypto.createHash`). */
  digest(algorithm: DigestAlgorithm, parts: Uint8Array[]): Uint8Array
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
}

export interface Clock {
  /** Unix time in whole seconds. */
  nowSeconds(): number
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

export interface Platform {
  crypto: Crypto
  clock: Clock
  logger: Logger
  timers: Timers
  /** The shared cache of authentication results; undefined where the runtime has none. */
  sharedCache?: SharedStore
}
