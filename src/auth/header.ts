/**
 * The Authorization header grammar of the reference (authotron-behaviour.md §3.1–3.3), with one
 * deliberate deviation: credentials are tried in header order (the reference's order is random).
 */
import { codedError, ErrorCode, CodedError } from '../errors'

export const MAX_UNIQUE_PARTS = 3

export interface Credential {
  /** `Basic`, `Bearer`, or the lower-cased scheme when no provider type uses it. */
  scheme: string
  credential: string
}

/** Searched for, not matched whole: a flat class cannot backtrack (issue 19: linear, small constant). */
const NOT_VISIBLE_ASCII_OR_TAB = /[^\t\x20-\x7e]/

/** A header value that is not visible ASCII (tab allowed) counts as absent (§3.1). */
export function visibleAsciiOrUndefined(value: string | undefined): string | undefined {
  return value !== undefined && !NOT_VISIBLE_ASCII_OR_TAB.test(value) ? value : undefined
}

export function normaliseScheme(token: string): string {
  const lower = token.toLowerCase()
  if (lower === 'basic' || lower === 'plain') return 'Basic'
  if (lower === 'bearer') return 'Bearer'
  return lower
}

/**
 * Splits the header into at most one credential per scheme, in order of each scheme's first
 * appearance; within a scheme the last credential wins (§3.2 step 6). Throws ERR_HEADER_MISSING
 * or ERR_HEADER_INVALID.
 */
export function parseAuthorization(header: string | undefined): Credential[] {
  const value = visibleAsciiOrUndefined(header)
  if (value === undefined || value.trim() === '') {
    throw codedError(ErrorCode.HeaderMissing, 'no Authorization header')
  }
  const parts = value.split(',')
  const seenParts: string[] = []
  const credentials: Credential[] = []
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i].trim()
    if (seenParts.indexOf(part) !== -1) continue
    seenParts.push(part)
    if (seenParts.length > MAX_UNIQUE_PARTS) throw invalid('too_many_credentials')
    const tokens = schemeAndCredential(part)
    if (tokens === undefined) throw invalid('invalid_format')
    const scheme = normaliseScheme(tokens[0])
    let replaced = false
    for (let j = 0; j < credentials.length; j++) {
      if (credentials[j].scheme === scheme) {
        credentials[j].credential = tokens[1]
        replaced = true
      }
    }
    if (!replaced) credentials.push({ scheme, credential: tokens[1] })
  }
  return credentials
}

/**
 * `part` split at its whitespace runs when that gives exactly two tokens, else undefined. `part`
 * is trimmed visible ASCII, so its only whitespace is space and tab. Not `split(/\s+/)`: njs
 * runs a regex split as one regex execution per character, thousands for a JWT (bench profile).
 */
function schemeAndCredential(part: string): [string, string] | undefined {
  const end = firstSpaceOrTab(part, 0)
  if (end === -1) return undefined
  // `part` ends in no whitespace, so trim() strips only the run after the scheme: natively (a
  // character loop costs the njs engine ~1,000 instructions a character, and the run is the
  // client's to make long).
  const credential = part.slice(end + 1).trim()
  if (firstSpaceOrTab(credential, 0) !== -1) return undefined
  return [part.slice(0, end), credential]
}

function firstSpaceOrTab(text: string, from: number): number {
  const space = text.indexOf(' ', from)
  const tab = text.indexOf('\t', from)
  return space === -1 ? tab : tab === -1 ? space : Math.min(space, tab)
}

function invalid(reason: string): CodedError {
  return codedError(ErrorCode.HeaderInvalid, reason)
}
