/** The platform interfaces (src/platform.ts) implemented with njs primitives. */
import nodeStyleCrypto from 'crypto'
import { METRICS_ZONE } from '../auth/metrics'
import type { Crypto, DigestAlgorithm, LogLevel, MetricsSink, Platform, SharedStore } from '../platform'
import { hmacSha256Base64url, sha256Base64url } from './hash'
import { njsJwksSource } from './jwks'
import { njsRemoteCaller } from './remote'
import { njsAead, njsSignatureVerifier, njsSigner } from './webcrypto'
import loadTokenStore from './token-store.load'

const LEVEL_RANK: { [level: string]: number } = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 }

export const njsCrypto: Crypto = {
  digest(algorithm: DigestAlgorithm, parts: Uint8Array[]): Uint8Array {
    const hash = nodeStyleCrypto.createHash(algorithm)
    for (let i = 0; i < parts.length; i++) hash.update(parts[i] as any)
    return hash.digest() as unknown as Uint8Array
  },
  sha256Base64url,
  hmacSha256Base64url,
  pbkdf2(password, salt, iterations, hash, length) {
    const subtle = (globalThis as any).crypto.subtle
    return subtle
      .importKey('raw', password, 'PBKDF2', false, ['deriveBits'])
      .then((key: unknown) => subtle.deriveBits({ name: 'PBKDF2', salt, iterations, hash }, key, length * 8))
      .then((bits: ArrayBuffer) => new Uint8Array(bits))
  },
  subtle: njsSignatureVerifier,
  signer: njsSigner,
  aead: njsAead,
}

export function njsPlatform(r: NginxHTTPRequest, configuredLevel: string, metricsEnabled: boolean): Platform {
  const threshold = LEVEL_RANK[configuredLevel] === undefined ? LEVEL_RANK.info : LEVEL_RANK[configuredLevel]
  return {
    crypto: njsCrypto,
    clock: { nowSeconds: () => Math.floor(Date.now() / 1000), nowMilliseconds: () => Date.now() },
    sharedCache: sharedStore(SHARED_ZONE),
    metrics: metricsEnabled ? metricsSink() : undefined,
    jwks: njsJwksSource(r, SHARED_ZONE),
    remote: njsRemoteCaller(r),
    tokenStore: (settings) => loadTokenStore().openTokenStore(r, settings),
    // `njs.engine` exists from njs 0.8.6 ('njs' or 'QuickJS'); older runtimes have only the njs engine.
    contextReused: typeof njs !== 'undefined' && (njs as any).engine === 'QuickJS',
    timers: {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as any),
    },
    logger: {
      log(level: LogLevel, event: string, fields?: { [key: string]: string | number | boolean }) {
        if (LEVEL_RANK[level] < threshold) return
        const line = 'authotron: ' + event + formatFields(fields)
        if (level === 'error') r.error(line)
        else if (level === 'warn') r.warn(line)
        else r.log(line)
      },
    },
  }
}

/** `js_shared_dict_zone zone=authotron:… type=string;` (nginx/authotron-cache.conf). */
export const SHARED_ZONE = 'authotron'

/** The zone as a SharedStore, or undefined on runtimes without shared dicts (njs < 0.8.0). */
function sharedStore(zone: string): SharedStore | undefined {
  const shared = typeof ngx !== 'undefined' ? (ngx as any).shared : undefined
  const dict = shared !== undefined ? shared[zone] : undefined
  if (dict === undefined) return undefined
  return {
    get: (key) => dict.get(key),
    set: (key, value, ttlMs) => {
      dict.set(key, value, ttlMs)
    },
  }
}

/** The metrics zone as a MetricsSink, or undefined where there is none (njs < 0.8.0, or not declared). */
export function metricsSink(): MetricsSink | undefined {
  const dict = metricsDict()
  if (dict === undefined) return undefined
  return {
    incr: (key, delta) => {
      try {
        dict.incr(key, delta)
      } catch (e) {
        // A full zone (declared without evict) refuses new series: the observation is lost.
      }
    },
  }
}

/** `ngx.shared.authotron_metrics`, or undefined (njs < 0.8.0, or the zone is not declared). */
export function metricsDict(): NgxSharedDict<number> | undefined {
  const shared = typeof ngx !== 'undefined' ? (ngx as any).shared : undefined
  return shared !== undefined ? shared[METRICS_ZONE] : undefined
}

function formatFields(fields: { [key: string]: string | number | boolean } | undefined): string {
  if (fields === undefined) return ''
  let text = ''
  const keys = Object.keys(fields)
  for (let i = 0; i < keys.length; i++) text += ' ' + keys[i] + '=' + JSON.stringify(fields[keys[i]])
  return text
}
