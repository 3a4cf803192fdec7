/**
 * How a grant is kept in the shared dict: one string holding the answer's header values ready to
 * send, then the user for /whoami.
 *
 *   cachedUntil \n expiresAt \n token \n X-Auth-Username \n X-Auth-Realm \n X-Auth-Roles \n user JSON
 *
 * A hit on the authenticate/access paths is then one split, with no JSON parse and no object
 * built (docs/benchmarks.md). The header values went through headerSafe, so none holds a line
 * break; the user JSON comes last and may.
 */
import { legacyHeaderValues } from './answers'
import type { User } from '../user'

export interface Grant {
  user: User
  token: string
  /** The token's `exp` (Unix seconds). */
  expiresAt: number
}

export const DEFAULT_GRANT_CACHE_TTL_MS = 30_000

/** Indices into `grantHeadersFromEntry`'s answer (a const enum: inlined, no object at run time). */
export const enum GrantField {
  Token = 2,
  Username = 3,
  Realm = 4,
  Roles = 5,
}

const HEADER_FIELD_COUNT = 6

export function encodeGrantEntry(grant: Grant, cachedUntil: number): string {
  const legacy = legacyHeaderValues(grant.user)
  return (
    cachedUntil + '\n' + grant.expiresAt + '\n' + grant.token + '\n' +
    legacy[0] + '\n' + legacy[1] + '\n' + legacy[2] + '\n' + JSON.stringify(grant.user)
  )
}

/** The entry's fields (index with GrantField), or undefined when it is stale or not an entry. */
export function grantHeadersFromEntry(text: string, now: number): string[] | undefined {
  const fields = text.split('\n', HEADER_FIELD_COUNT)
  if (fields.length !== HEADER_FIELD_COUNT || !(Number(fields[0]) > now) || fields[GrantField.Token] === '') return undefined
  return fields
}

export function grantFromEntry(text: string, now: number): Grant | undefined {
  const fields = grantHeadersFromEntry(text, now)
  if (fields === undefined) return undefined
  let userStart = 0
  for (let i = 0; i < HEADER_FIELD_COUNT; i++) userStart = text.indexOf('\n', userStart) + 1
  if (userStart === 0) return undefined
  let user: User
  try {
    user = JSON.parse(text.slice(userStart)) as User
  } catch (e) {
    return undefined
  }
  if (user === null || typeof user !== 'object' || typeof user.username !== 'string') return undefined
  return { user, token: fields[GrantField.Token], expiresAt: Number(fields[1]) }
}
