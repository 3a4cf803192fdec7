/**
 * Brute-force lockout (extension, `auth.lockout`; issue 19): failed Basic authentications are
 * counted per (client address, username) in the shared dict `authotron_lockout` (numbers,
 * nginx/authotron-lockout.conf). `maxFailures` of them within `windowMs` of the first lock the pair
 * out for `durationMs`: its requests answer 401 without any check, on every tier (the grant cache,
 * the precomputed Basic grants and the full pipeline all come after the check). A success before
 * the lock clears the count.
 *
 * The zone holds one number per pair under a salted SHA-256 of address and username: no password
 * and no username in the clear. The count lives `windowMs` from the first failure (fixed window);
 * the lock replaces it with `maxFailures` for `durationMs`. A locked pair's requests are not
 * counted (they prove nothing), so the lock ends `durationMs` after it began.
 *
 * Why 401 and not 429: through auth_request nginx turns any status but 2xx, 401 and 403 into a
 * 500, so 401 is the one answer that works in every mode; and it tells a guesser nothing (unknown
 * usernames lock as known ones do, and a locked pair's 401 is the wrong password's).
 */
import type { LockoutSettings } from '../config/compiled'
import { decodeBasicCredential } from '../providers/plain/runtime'
import { parseAuthorization } from './header'

/** `js_shared_dict_zone zone=authotron_lockout:… type=number timeout=… evict;` */
export const LOCKOUT_ZONE = 'authotron_lockout'

export const enum LockoutState {
  /** The pair is locked: 401 without a check. */
  Locked = 'locked',
  /** The pair has failures below the threshold: the full pipeline answers, and a success clears them. */
  Pending = 'pending',
  /** The config asks for a lockout the runtime cannot keep (no shared dict, or no zone). */
  Unavailable = 'unavailable',
}

export interface LockoutVerdict {
  state: LockoutState
  /** The pair's entry (Pending: to clear on success). */
  key?: string
}

/** The part of the njs shared dict the lockout uses. */
export interface CounterStore {
  get(key: string): number | undefined
  incr(key: string, delta: number, init: number, timeoutMs: number): number
  set(key: string, value: number, timeoutMs: number): unknown
  delete(key: string): unknown
}

/**
 * The username of the request's Basic credential (the last one, as the pipeline uses it), or
 * undefined: no header, a header the grammar refuses, no Basic credential, or one that does not
 * decode. Those requests have no pair to count or lock (the pipeline refuses them whatever).
 */
export function basicUsername(authorization: string | undefined, maxBasicLength?: number): string | undefined {
  try {
    const credentials = parseAuthorization(authorization, maxBasicLength)
    for (let i = 0; i < credentials.length; i++) {
      if (credentials[i].scheme === 'Basic') return decodeBasicCredential(credentials[i].credential).username
    }
  } catch (e) {
    // Malformed: nothing to lock.
  }
  return undefined
}

/**
 * Whether an address has failures worth a closer look: set on every failure for as long as any
 * count or lock of that address can live. A request from an address without it is clean whatever
 * its username, so the top layer answers it with one dict lookup, decoding nothing (inlined into
 * index.ts in dist/). The address is in the clear, as limit_req keeps it; usernames never are.
 */
/* @inline */
export function addressMayBeLocked(store: Pick<CounterStore, 'get'>, address: string): boolean {
  return store.get('addr:' + address) !== undefined
}

/** The pair's entry: a salted digest, never the username or the address in the clear. */
export function lockoutKey(salt: string, address: string, username: string, sha256Base64url: (text: string) => string): string {
  return 'lock:' + sha256Base64url(salt + '\n' + address + '\n' + username)
}

/**
 * What to do with a request before any tier answers it: undefined (go on as usual), Locked,
 * Pending (with the key to clear on success) or Unavailable (`store` undefined).
 */
export function lockoutVerdict(
  store: CounterStore | undefined,
  settings: LockoutSettings,
  address: string,
  authorization: string | undefined,
  sha256Base64url: (text: string) => string,
  maxBasicLength?: number,
): LockoutVerdict | undefined {
  if (store === undefined) return { state: LockoutState.Unavailable }
  if (authorization === undefined) return undefined
  const username = basicUsername(authorization, maxBasicLength)
  if (username === undefined) return undefined
  const key = lockoutKey(settings.salt, address, username, sha256Base64url)
  const failures = store.get(key)
  if (failures === undefined || !(failures > 0)) return undefined
  return { state: failures >= settings.maxFailures ? LockoutState.Locked : LockoutState.Pending, key }
}

/**
 * Counts a failed authentication of the request's Basic credential; returns true when this failure
 * locked the pair. A full zone (evict drops the oldest entries first) or a request without a Basic
 * username counts nothing.
 */
export function recordFailure(
  store: CounterStore,
  settings: LockoutSettings,
  address: string,
  authorization: string | undefined,
  sha256Base64url: (text: string) => string,
  maxBasicLength?: number,
): boolean {
  const username = basicUsername(authorization, maxBasicLength)
  if (username === undefined) return false
  const key = lockoutKey(settings.salt, address, username, sha256Base64url)
  // Refreshed by every failure, for as long as the pair's count or lock can live.
  store.set('addr:' + address, 1, settings.windowMs > settings.durationMs ? settings.windowMs : settings.durationMs)
  const failures = store.incr(key, 1, 0, settings.windowMs)
  if (failures < settings.maxFailures) return false
  store.set(key, settings.maxFailures, settings.durationMs)
  return true
}
