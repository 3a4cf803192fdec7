/**
 * Text/bytes conversions for the request path, shared by njs (every generation, 0.7.9 included)
 * and Node. Both runtimes have `Buffer` with the same `from`/`toString` encodings; njs's base64
 * decoder is lenient (it stops silently at the first bad character), so every decoder here
 * validates strictly first. Nothing is built at module top level (njs runs top-level code again on
 * every request), and the work itself is native: a decoding loop in JavaScript cost the njs engine
 * ~2,500 instructions a character.
 */

/**
 * Any character outside the standard alphabet and `=`. One flat class searched once: the strict
 * check must cost time linear in the input with a small constant on every engine. The old
 * `^(?:[A-Za-z0-9+/]{4})*…$` managed under 1k matches/s over 6,000 characters on njs 0.7.9 (a
 * group per four characters); the class and the arithmetic below manage ~20k (issue 19).
 */
const NOT_BASE64_OR_PAD = /[^A-Za-z0-9+/=]/
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const PAD = 61 // '='

/**
 * True when `text` is standard base64 with canonical `=` padding (§4.1) and zero trailing bits:
 * length a multiple of 4, only alphabet characters, then at most two `=` and only at the end.
 */
export function isStrictBase64(text: string): boolean {
  const length = text.length
  if (length % 4 !== 0 || NOT_BASE64_OR_PAD.test(text)) return false
  const firstPad = text.indexOf('=')
  if (firstPad === -1) return true
  const padding = length - firstPad
  if (padding > 2 || (padding === 2 && text.charCodeAt(length - 1) !== PAD)) return false
  const lastSymbol = BASE64_ALPHABET.indexOf(text.charAt(firstPad - 1))
  // One pad: the last symbol carries 2 unused bits; two pads: 4 unused bits. They must be zero.
  const unusedBitsMask = padding === 1 ? 0x03 : 0x0f
  return (lastSymbol & unusedBitsMask) === 0
}

/** Decodes base64 that the caller has already found strict (isStrictBase64). */
export function decodeStrictBase64(text: string): Uint8Array {
  return Buffer.from(text, 'base64')
}

/**
 * Decodes a stored base64 value. The compiler (src/passwords/parse.ts) writes every one in
 * canonical padded form, so anything else means a corrupted compiled config: throw rather than
 * decode something partial.
 */
export function base64ToBytes(text: string): Uint8Array {
  if (!isStrictBase64(text)) throw new Error('base64ToBytes: not canonical base64')
  return Buffer.from(text, 'base64')
}

export function utf8ToBytes(text: string): Uint8Array {
  return Buffer.from(text, 'utf8')
}

export function utf8ToBase64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url')
}

/** Decodes UTF-8, or returns undefined when the bytes are not valid UTF-8. */
export function bytesToUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    // njs-types declares ArrayBuffer only; every runtime accepts any BufferSource.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes as unknown as ArrayBuffer)
  } catch (e) {
    return undefined
  }
}
