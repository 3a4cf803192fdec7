/**
 * How a grant is kept in the shared dict: one string holding the answer ready to send — the token,
 * the legacy header values and whether to send them — then the times and the user for /whoami.
 *
 *   token \n X-Auth-Username \n X-Auth-Realm \n X-Auth-Roles \n legacy flag \n cachedUntil \n expiresAt \n user JSON
 *
 * A hit on the authenticate/access paths is then one split of the first five fields, with no JSON
 * parse, no clock and no config read (docs/benchmarks.md): the dict itself drops the entry when
 * its lifetime ends (storeGrant stores it for less than it is good for). The header values went
 * through headerSafe, so none holds a line break; the user JSON comes last and may.
 *
 * Every tier stores and reads through the functions here. Those marked `@inline` run on the
 * module's per-request paths: build.mjs writes their bodies into each caller in dist/ (a call costs
 * the njs engine ~1,000 instructions, docs/benchmarks.md); src/ and the unit tests keep this copy.
 */
import type { SharedStore } from '../platform'
import type { User } from '../user'

export interface Grant {
  user: User
  token: string
  /** The token's `exp` (Unix seconds). */
  expiresAt: number
  /**
   * The legacy header values, where the config sends them: computed once for the grant's cache
   * entry and its answer (each computation costs the njs engine three regex replacements).
   */
  legacy?: [string, string, string]
}

export const DEFAULT_GRANT_CACHE_TTL_MS = 30_000

/** Indices into `grantHeadersFromEntry`'s answer (a const enum: inlined, no object at run time). */
export const enum GrantField {
  Token = 0,
  Username = 1,
  Realm = 2,
  Roles = 3,
  /** `1` when the config sends the legacy headers (include_legacy_headers), else empty. */
  Legacy = 4,
}

/** The fields a hit sends, first in the entry. */
export const HEADER_FIELD_COUNT = 5
const FIELD_COUNT = 7
export const SEND_LEGACY = '1'

/** Unix seconds of a time in milliseconds, rounded down (arithmetic: a built-in costs njs ~2,000 instructions). */
/* @inline */
export function wholeSeconds(ms: number): number {
  return (ms - (ms % 1000)) / 1000
}

/** The legacy fields of a grant whose config does not send them: a hit never reads them then. */
export const NO_LEGACY: [string, string, string] = ['', '', '']

/* @inline */
export function grantEntryText(
  token: string,
  legacy: [string, string, string],
  sendLegacy: boolean,
  cachedUntil: number,
  expiresAt: number,
  userJsonText: string,
): string {
  return (
    token + '\n' + legacy[0] + '\n' + legacy[1] + '\n' + legacy[2] + '\n' + (sendLegacy ? SEND_LEGACY : '') + '\n' +
    cachedUntil + '\n' + expiresAt + '\n' + userJsonText
  )
}

/**
 * Stores a grant minted at `nowMs` for the configured TTL, never past the token's exp. The dict is
 * told exactly that (it drops the entry itself, the hit path checks no time); the entry's
 * `cachedUntil` (whole seconds, rounded down) is what the full path checks. Nothing is stored when
 * nothing is left to keep. Returns why the dict refused the entry (the caller logs
 * `cache.grant.store_failed`: a full dict only costs the next request more work), else undefined.
 */
/* @inline */
export function storeGrant(
  store: Pick<SharedStore, 'set'>,
  key: string,
  token: string,
  legacy: [string, string, string],
  sendLegacy: boolean,
  expiresAt: number,
  userJsonText: string,
  nowMs: number,
  ttlMs: number,
): string | undefined {
  let untilMs = nowMs + ttlMs
  if (expiresAt * 1000 < untilMs) untilMs = expiresAt * 1000
  const storeForMs = untilMs - nowMs
  let failure: string | undefined
  if (storeForMs > 0) {
    const entry = grantEntryText(token, legacy, sendLegacy, wholeSeconds(untilMs), expiresAt, userJsonText)
    try {
      store.set(key, entry, storeForMs)
    } catch (e) {
      failure = e instanceof Error ? e.message : String(e)
    }
  }
  return failure
}

/**
 * What the hit path reads: the entry's header fields (index with GrantField), or undefined when
 * there is no entry (`text` undefined) or it is not one.
 */
/* @inline */
export function grantHeadersFromEntry(text: string | undefined): string[] | undefined {
  const fields = text === undefined ? undefined : text.split('\n', HEADER_FIELD_COUNT)
  return fields !== undefined && fields.length === HEADER_FIELD_COUNT && fields[GrantField.Token] !== ''
    ? fields
    : undefined
}

/** The whole grant, or undefined when it is stale (`cachedUntil` reached) or not an entry. */
export function grantFromEntry(text: string, now: number): Grant | undefined {
  const fields = text.split('\n', FIELD_COUNT)
  if (fields.length !== FIELD_COUNT || fields[GrantField.Token] === '' || !(Number(fields[5]) > now)) return undefined
  const userJsonText = userJsonTextOfEntry(text)
  if (userJsonText === undefined) return undefined
  let user: User
  try {
    user = JSON.parse(userJsonText) as User
  } catch (e) {
    return undefined
  }
  if (user === null || typeof user !== 'object' || typeof user.username !== 'string') return undefined
  const grant: Grant = { user, token: fields[GrantField.Token], expiresAt: Number(fields[6]) }
  if (fields[GrantField.Legacy] === SEND_LEGACY)
    grant.legacy = [fields[GrantField.Username], fields[GrantField.Realm], fields[GrantField.Roles]]
  return grant
}

/** The user JSON of an entry (its last field), or undefined when the entry has none. */
export function userJsonTextOfEntry(text: string): string | undefined {
  let userStart = 0
  for (let i = 0; i < FIELD_COUNT && (i === 0 || userStart > 0); i++) userStart = text.indexOf('\n', userStart) + 1
  return userStart === 0 ? undefined : text.slice(userStart)
}
