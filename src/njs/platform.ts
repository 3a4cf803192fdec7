/** The platform interfaces (src/platform.ts) implemented with njs primitives. */
import nodeStyleCrypto from 'crypto'
import { METRICS_ZONE } from '../auth/metrics'
import type { Crypto, DigestAlgorithm, LogLevel, MetricsSink, Platform, SharedStore, Timers } from '../platform'
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

/** A timer of njsTimers: the runtime's id, and whether its callback has started. */
interface NjsTimer {
  id: unknown
  fired: boolean
}

/**
 * setTimeout/clearTimeout, except that clearing a timer whose callback has started does nothing.
 * njs (every version tested, both engines) removes a timer's event once more after its callback
 * returns, without looking whether clearTimeout removed it already (nginx/ngx_js.c,
 * ngx_js_timer_handler / ngx_qjs_timer_handler → ngx_js_del_event): a timer cleared from its own
 * callback was freed twice. QuickJS workers died of it (SIGSEGV in JS_FreeValueRT, or the
 * `free_zero_refcount` assertion), njs-engine workers of the corrupted event tree (SIGSEGV) once a
 * subrequest was pending beside it: the provider timeout's callback clears its own timer
 * (src/auth/providers.ts). Reproduced with `npm run repro:late-subrequest`.
 */
export const njsTimers: Timers = {
  setTimeout(callback, ms) {
    const timer: NjsTimer = { id: undefined, fired: false }
    timer.id = setTimeout(() => {
      timer.fired = true
      callback()
    }, ms)
    return timer
  },
  clearTimeout(handle) {
    const timer = handle as NjsTimer
    if (!timer.fired) clearTimeout(timer.id as any)
  },
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
    timers: njsTimers,
    logger: {
      log(level: LogLevel, event: string, fields?: { [key: string]: string | number | boolean }) {
        if (LEVEL_RANK[level] >= threshold) logLine(r, level, event, fields)
      },
    },
  }
}

/** Writes one line of the module's log format at `level` (the caller has checked the threshold). */
export function logLine(r: NginxHTTPRequest, level: LogLevel, event: string, fields?: { [key: string]: string | number | boolean }): void {
  const line = 'authotron: ' + event + formatFields(fields)
  if (level === 'error') r.error(line)
  else if (level === 'warn') r.warn(line)
  else r.log(line)
}

/** Whether a line at `level` is written under the config's `logging.level`. */
export function logs(configuredLevel: string, level: LogLevel): boolean {
  const threshold = LEVEL_RANK[configuredLevel] === undefined ? LEVEL_RANK.info : LEVEL_RANK[configuredLevel]
  return LEVEL_RANK[level] >= threshold
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
