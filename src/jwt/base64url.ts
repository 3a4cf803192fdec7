/**
 * Strict base64url (RFC 7515 §2: URL-safe alphabet, no padding, no whitespace). njs's decoder is
 * lenient — it stops silently at the first bad character — so every input is checked first,
 * including that the unused bits of the last symbol are zero (one text per byte string).
 */
/** Searched for, not matched whole: a flat class cannot backtrack (issue 19). */
const NOT_BASE64URL = /[^A-Za-z0-9_-]/
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

export function isStrictBase64url(text: string): boolean {
  if (NOT_BASE64URL.test(text)) return false
  const tail = text.length % 4
  if (tail === 0) return true
  if (tail === 1) return false
  const last = ALPHABET.indexOf(text.charAt(text.length - 1))
  // Two symbols carry one byte (4 unused bits), three symbols two bytes (2 unused bits).
  return (last & (tail === 2 ? 0x0f : 0x03)) === 0
}

/** The bytes of a strict base64url text, or undefined when it is not one. */
export function decodeBase64url(text: string): Uint8Array | undefined {
  if (!isStrictBase64url(text)) return undefined
  return new Uint8Array(Buffer.from(text, 'base64url'))
}
