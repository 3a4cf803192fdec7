/**
 * JWK Sets kept in the runtime's shared dict (njs ≥ 0.8.0, zone `authotron`), served
 * stale-while-revalidate: a request never waits for a fetch while a set (even an expired one) is
 * known; once a set has expired, one request at a time (a lock taken with the dict's atomic `add`,
 * across every worker) fetches the new one, and every other request goes on with the old one.
 *
 * Why not leave it all to nginx's proxy_cache (what the generated locations do, and all there is on
 * njs 0.7.9): njs subrequests are background subrequests, and nginx serves a stale copy (and updates
 * it in the background) only to requests that are not, so at every expiry each Bearer request
 * fetched the set itself and waited for it, holding its VM (docs/benchmarks.md, "Worker memory").
 *
 * The fetches still go through those locations, so their policy holds underneath: concurrent cold
 * misses make one fetch (proxy_cache_lock), a failing endpoint answers with the last good copy
 * (proxy_cache_use_stale), an unknown kid refetches at most once per 30 s (the refresh location).
 *
 * njs 0.7.9 has no shared dict, and nothing outlives a request there: it asks the endpoint's epoch
 * location instead (jwksEpochLocation) with the number of the current epoch of the wall clock (the
 * longest of 1 h, 10 min, 1 min, 10 s, 1 s not longer than jwks_ttl), which is nginx's cache key
 * there. A new epoch is a new cache entry, which proxy_cache_lock fetches once for all requests —
 * but its waiters poll every 500 ms, and at a few thousand requests a second every connection ends
 * up parked on a Bearer request, each holding its VM (docs/benchmarks.md, "Worker memory"). So a
 * share of the requests in an epoch's last part ask for the next epoch's set ahead of time: it is
 * cached before the epoch begins, and only those few ever wait. The epoch location fetches through
 * the relay server's latest location, which keeps what it fetched as the cached location's copy: one
 * fetch per epoch renews both, and while the endpoint fails both answer the last good set; the
 * cached location is asked only when the epoch's answer is not a JWK Set (docs/jwt.md).
 */
import { codedError, ErrorCode } from '../errors'
import type { JwksEndpoint, JwksSource } from '../platform'

/** The shared dict as this module uses it (ngx.shared.authotron, src/njs/jwks.ts). */
export interface JwksDict {
  get(key: string): string | undefined
  /** Stores `value` for `ttlMs`; may throw when the zone is full (the set is then just not kept). */
  set(key: string, value: string, ttlMs: number): void
  /** Stores `value` only if `key` is absent (atomic across workers); false when it was present. */
  add(key: string, value: string, ttlMs: number): boolean
  delete(key: string): void
}

/** The document an endpoint's location (or, `refresh`, its refresh location) answers, as text. */
export type JwksFetch = (endpoint: JwksEndpoint, refresh: boolean) => Promise<string>

/**
 * Asks the endpoint's epoch location for epoch number `epoch` (njs 0.7.9's path): its body when
 * the status was 200, else undefined.
 */
export type JwksEpochFetch = (endpoint: JwksEndpoint, epoch: number) => Promise<string | undefined>

/** The epoch lengths in seconds, longest first: an endpoint's is the longest ≤ its jwks_ttl. */
const EPOCHS_S = [3600, 600, 60, 10, 1]

/** The epoch length (seconds) for a jwks_ttl (seconds). */
export function jwksEpochSeconds(ttlS: number): number {
  for (let i = 0; i < EPOCHS_S.length; i++) if (EPOCHS_S[i] <= ttlS) return EPOCHS_S[i]
  return 1
}

/**
 * The last part of an epoch in which requests may fetch the next epoch's set ahead (a quarter of
 * it, at most a minute), and the share of them that do (the others, and every request once the
 * next set is cached, read a cache hit).
 */
export const PREFETCH_MAX_MS = 60000
export const PREFETCH_SHARE = 0.125

/** The generated location njs 0.7.9 asks for the set (src/providers/jwt/nginx-snippets.ts). */
export function jwksEpochLocation(location: string): string {
  return location + '/epoch'
}

/** The dict keys: the set (`<expires at, ms> <JSON>`) and the refresh lock, per location. */
export const JWKS_ENTRY_PREFIX = 'jwks:'
export const JWKS_LOCK_PREFIX = 'jwks-refresh:'

/**
 * The set's freshness in the dict is `jwks_ttl` plus this: the proxy_cache copy it came from,
 * stored a moment earlier and counted in whole seconds by nginx, has then surely expired too, so
 * the refresh fetches from the endpoint instead of getting the same copy back.
 */
export const EXPIRY_MARGIN_MS = 2000
/**
 * How long an expired set stays usable while refreshes fail (the proxy_cache copy on disk, which
 * the cold path reads, lasts 7 days). The dict's `evict` drops the entries that expire first, i.e.
 * grants (seconds) long before a set.
 */
export const KEEP_STALE_MS = 86_400_000 // a day
/**
 * The lock's own lifetime, only reached if its holder's worker dies mid-fetch: longer than a
 * fetch can take (the locations' connect + send + read timeouts: 25 s).
 */
export const REFRESH_LOCK_MS = 30000

interface Entry {
  expiresAtMs: number
  text: string
}

/**
 * The endpoint's JWK Set through `dict`; where there is no dict (njs 0.7.9), through `epochFetch`
 * (the epoch location) with `fetch` (the cached location) as the fallback; straight from `fetch`
 * for an unknown kid's refresh, or when the endpoint has no TTL (a config compiled before it was
 * read at run time).
 */
export function cachedJwksSource(
  dict: JwksDict | undefined,
  fetch: JwksFetch,
  nowMs: () => number,
  epochFetch?: JwksEpochFetch,
  random: () => number = Math.random,
): JwksSource {
  return {
    get(endpoint: JwksEndpoint, refresh: boolean): Promise<unknown> {
      const ttl = endpoint.ttl
      const fromLocation = () => fetch(endpoint, refresh).then((text) => parseSet(endpoint, text))
      if (typeof ttl !== 'number' || (dict === undefined && (refresh || epochFetch === undefined))) {
        return fromLocation()
      }
      if (dict === undefined) {
        const epochMs = jwksEpochSeconds(ttl) * 1000
        const now = nowMs()
        const epoch = Math.floor(now / epochMs)
        const current = fromEpoch(endpoint, epoch, epochFetch!, fromLocation)
        const left = (epoch + 1) * epochMs - now
        if (left > Math.min(epochMs / 4, PREFETCH_MAX_MS) || random() >= PREFETCH_SHARE) return current
        // The next epoch's set, fetched ahead (a cache hit once one request has fetched it).
        return current.then((set) =>
          epochFetch!(endpoint, epoch + 1).then(
            () => set,
            () => set,
          ),
        )
      }
      const key = JWKS_ENTRY_PREFIX + endpoint.location
      const entry = readEntry(dict.get(key))
      if (refresh || entry === undefined) {
        // An unknown kid (the refresh location bounds those fetches), or nothing known yet.
        return fetch(endpoint, refresh).then((text) => {
          const set = parseSet(endpoint, text)
          if (isJwkSet(set) && (entry === undefined || entry.text !== text)) keep(dict, key, text, ttl, nowMs())
          return set
        })
      }
      if (entry.expiresAtMs > nowMs()) return Promise.resolve(parsed(endpoint, entry.text))
      const lock = JWKS_LOCK_PREFIX + endpoint.location
      if (!tryLock(dict, lock)) return Promise.resolve(parsed(endpoint, entry.text))
      // This request refreshes; until it is done every other one uses the expired set.
      return fetch(endpoint, false).then(
        (text) => {
          let set: unknown
          try {
            set = parseSet(endpoint, text)
          } catch (e) {
            set = undefined
          }
          const fresh = isJwkSet(set)
          // An answer that is not a JWK Set never replaces one that is: the old one is kept for
          // another ttl, as nginx keeps its copy while the endpoint fails.
          keep(dict, key, fresh ? text : entry.text, ttl, nowMs())
          unlock(dict, lock)
          return fresh ? set : parsed(endpoint, entry.text)
        },
        () => {
          // The endpoint failed and nginx had nothing better: keep the expired set, retry later.
          unlock(dict, lock)
          return parsed(endpoint, entry.text)
        },
      )
    },
  }
}

/**
 * njs 0.7.9: the epoch's copy. Its fetch went through the latest location, which also renewed the
 * cached location's copy and answers that copy while the endpoint fails. When the answer is not a
 * JWK Set (nothing good known yet, a 200 that is no set, or snippets generated before the epoch
 * locations existed: a 404), the cached location's copy.
 */
function fromEpoch(
  endpoint: JwksEndpoint,
  epoch: number,
  epochFetch: JwksEpochFetch,
  fromLocation: () => Promise<unknown>,
): Promise<unknown> {
  return epochFetch(endpoint, epoch).then(
    (text) => {
      const set = jwkSetOrUndefined(endpoint, text)
      return set === undefined ? fromLocation() : set
    },
    () => fromLocation(),
  )
}

function jwkSetOrUndefined(endpoint: JwksEndpoint, text: string | undefined): unknown {
  if (text === undefined) return undefined
  try {
    const set = parseSet(endpoint, text)
    return isJwkSet(set) ? set : undefined
  } catch (e) {
    return undefined
  }
}

function keep(dict: JwksDict, key: string, text: string, ttlS: number, nowMs: number) {
  try {
    dict.set(key, String(nowMs + ttlS * 1000 + EXPIRY_MARGIN_MS) + ' ' + text, ttlS * 1000 + KEEP_STALE_MS)
  } catch (e) {
    // A full zone without `evict`: the set is used for this request and fetched again next time.
  }
}

function readEntry(value: string | undefined): Entry | undefined {
  if (value === undefined) return undefined
  const space = value.indexOf(' ')
  const expiresAtMs = Number(value.slice(0, space))
  if (space < 1 || !(expiresAtMs > 0)) return undefined
  return { expiresAtMs, text: value.slice(space + 1) }
}

function tryLock(dict: JwksDict, lock: string): boolean {
  try {
    return dict.add(lock, '1', REFRESH_LOCK_MS)
  } catch (e) {
    return false
  }
}

function unlock(dict: JwksDict, lock: string) {
  try {
    dict.delete(lock)
  } catch (e) {
    // It expires by itself.
  }
}

/**
 * The last document parsed, for runtimes whose JS context serves many requests (QuickJS): the same
 * text from the dict is not parsed again. On the njs engine the module starts afresh per request.
 */
let lastText: string | undefined
let lastSet: unknown

function parsed(endpoint: JwksEndpoint, text: string): unknown {
  if (text === lastText) return lastSet
  const set = parseSet(endpoint, text)
  lastText = text
  lastSet = set
  return set
}

function parseSet(endpoint: JwksEndpoint, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (e) {
    throw codedError(ErrorCode.JwksInvalid, 'Failed to parse certificate JSON from ' + endpoint.url)
  }
}

function isJwkSet(set: unknown): boolean {
  return set !== null && typeof set === 'object' && Array.isArray((set as { keys?: unknown }).keys)
}
