/**
 * The Authorization header grammar of the reference (authotron-behaviour.md §3.1–3.3), with one
 * deliberate deviation: credentials are tried in header order (the reference's order is random).
 */
import { codedError, ErrorCode, CodedError } from '../errors'

export const MAX_UNIQUE_PARTS = 3

/**
 * auth.max_basic_length (extension, issue 19): the longest Basic credential the grammar accepts,
 * in characters of base64. Decoding, the password's digest and the cache keys' hashes of the
 * header all cost time in proportion to its length (~25 µs per KB on the njs engine), and anyone
 * can send one; 1,024 characters hold 768 bytes of `username:password`, more than any password
 * policy asks for. Bearer tokens are not limited here: identity providers' JWTs run to several KB.
 */
export const DEFAULT_MAX_BASIC_LENGTH = 1024
export const MIN_MAX_BASIC_LENGTH = 64
export const MAX_MAX_BASIC_LENGTH = 65536
/** `Basic` and the one space before the credential. */
const BASIC_PREFIX_LENGTH = 6
/**
 * What the module's top layer looks for before it refuses a long Basic credential itself
 * (src/njs/index.ts): a header longer than the default limit whose first six characters, lower-
 * cased, are found in BASIC_SCHEME_HEADS (a loose test; leadingBasicTooLong decides).
 */
/** DEFAULT_MAX_BASIC_LENGTH + BASIC_PREFIX_LENGTH, as a literal so that the bundle inlines it (a test checks the sum). */
export const FAST_REFUSAL_MIN_LENGTH = 1030
export const BASIC_SCHEME_HEADS = 'basic |basic\t|plain |plain\t'

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
 * appearance; within a scheme the last credential wins (§3.2 step 6). Throws ERR_HEADER_MISSING,
 * ERR_HEADER_INVALID, or ERR_CREDENTIAL_TOO_LONG for a Basic credential over `maxBasicLength`
 * (whichever part it is in, replaced later or not).
 */
export function parseAuthorization(header: string | undefined, maxBasicLength: number = DEFAULT_MAX_BASIC_LENGTH): Credential[] {
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
    if (scheme === 'Basic' && tokens[1].length > maxBasicLength) throw tooLong(maxBasicLength)
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
 * Whether the header starts with a Basic credential over `maxBasicLength`, found with work bounded
 * by the limit rather than the header, so that the module's top layer can refuse it before hashing
 * the header (src/njs/index.ts). True only for headers parseAuthorization refuses: the first part's
 * scheme is Basic (or Plain) and the `maxBasicLength + 1` characters after the gap hold no comma,
 * space or tab, so its credential is over the limit (ERR_CREDENTIAL_TOO_LONG) or followed by a
 * third token (ERR_HEADER_INVALID). A long Basic credential in a later part is the grammar's to
 * refuse. Copies a window of the limit's length, not the whole header, and searches it with a
 * regex, not indexOf: on the njs engine indexOf compares at every position (~25
 * instructions a character), the regex ~20.
 */
export function leadingBasicTooLong(header: string, maxBasicLength: number): boolean {
  if (header.length <= maxBasicLength + BASIC_PREFIX_LENGTH) return false
  const head = header.slice(0, BASIC_PREFIX_LENGTH).toLowerCase()
  if (head !== 'basic ' && head !== 'basic\t' && head !== 'plain ' && head !== 'plain\t') return false
  // The gap after the scheme and the credential's first `maxBasicLength + 1` characters, from a
  // window (trimmed natively). Shorter than that only when the window held over WINDOW_GAP
  // characters of whitespace: then the rest of the header decides.
  const window = header.slice(BASIC_PREFIX_LENGTH, BASIC_PREFIX_LENGTH + WINDOW_GAP + maxBasicLength + 1)
  let credential = window.trim().slice(0, maxBasicLength + 1)
  if (credential.length <= maxBasicLength) credential = header.slice(BASIC_PREFIX_LENGTH).trim().slice(0, maxBasicLength + 1)
  return credential.length > maxBasicLength && !PART_OR_TOKEN_END.test(credential)
}

/** The gap the window of leadingBasicTooLong allows for between the scheme and the credential. */
const WINDOW_GAP = 64
const PART_OR_TOKEN_END = /[, \t]/

/** ERR_CREDENTIAL_TOO_LONG: the limit in the message, never the credential. */
export function tooLong(maxBasicLength: number): CodedError {
  return codedError(ErrorCode.CredentialTooLong, 'Basic credential longer than auth.max_basic_length (' + maxBasicLength + ')')
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
