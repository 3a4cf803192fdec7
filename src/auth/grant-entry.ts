/**
 * How a grant is kept in the shared dict: one string holding the answer ready to send — the token,
 * the legacy header values and whether to send them — then the times and the user for /whoami.
 *
 *   token \n X-Auth-Username \n X-Auth-Realm \n X-Auth-Roles \n legacy flag \n cachedUntil \n expiresAt \n user JSON
 *
 * A hit on the authenticate/access paths is then one split of the first five fields, with no JSON
 * parse, no clock and no config read (docs/benchmarks.md): the dict itself drops the entry when
 * its lifetime ends (grantCacheLifetime stores it for less than it is good for). The header values
 * went through headerSafe, so none holds a line break; the user JSON comes last and may.
 */
import { legacyHeaderValues } from './answers'
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

/** The legacy fields stay empty when the config does not send them: a hit never reads them then. */
export function encodeGrantEntry(grant: Grant, cachedUntil: number, sendLegacy: boolean): string {
  const legacy: [string, string, string] = !sendLegacy
    ? ['', '', '']
    : grant.legacy !== undefined
      ? grant.legacy
      : legacyHeaderValues(grant.user)
  return grantEntryText(grant.token, legacy, sendLegacy, cachedUntil, grant.expiresAt, JSON.stringify(grant.user))
}

/**
 * How long to keep a grant minted at `nowMs`: the configured TTL, never past the token's exp. The
 * dict is told exactly that (it drops the entry itself, the hit path checks no time); the entry's
 * `cachedUntil` (whole seconds, rounded down) is what the full path checks. Undefined when nothing
 * is left to keep.
 */
export function grantCacheLifetime(
  nowMs: number,
  ttlMs: number,
  expiresAt: number,
): { cachedUntil: number; storeForMs: number } | undefined {
  const untilMs = Math.min(nowMs + ttlMs, expiresAt * 1000)
  const storeForMs = untilMs - nowMs
  return storeForMs > 0 ? { cachedUntil: Math.floor(untilMs / 1000), storeForMs } : undefined
}

/** The entry's header fields (index with GrantField), or undefined when it is not an entry. */
export function grantHeadersFromEntry(text: string): string[] | undefined {
  const fields = text.split('\n', HEADER_FIELD_COUNT)
  return fields.length === HEADER_FIELD_COUNT && fields[GrantField.Token] !== '' ? fields : undefined
}

/** The whole grant, or undefined when it is stale (`cachedUntil` reached) or not an entry. */
export function grantFromEntry(text: string, now: number): Grant | undefined {
  const fields = text.split('\n', FIELD_COUNT)
  if (fields.length !== FIELD_COUNT || fields[GrantField.Token] === '' || !(Number(fields[5]) > now)) return undefined
  let userStart = 0
  for (let i = 0; i < FIELD_COUNT; i++) userStart = text.indexOf('\n', userStart) + 1
  if (userStart === 0) return undefined
  let user: User
  try {
    user = JSON.parse(text.slice(userStart)) as User
  } catch (e) {
    return undefined
  }
  if (user === null || typeof user !== 'object' || typeof user.username !== 'string') return undefined
  return { user, token: fields[GrantField.Token], expiresAt: Number(fields[6]) }
}
