/**
 * Text/bytes conversions for the request path, shared by njs (every generation, 0.7.9 included)
 * and Node. Both runtimes have `Buffer` with the same `from`/`toString` encodings; njs's base64
 * decoder is lenient (it stops silently at the first bad character), so every decoder here
 * validates strictly first. Nothing is built at module top level (njs runs top-level code again on
 * every request), and the work itself is native: a decoding loop in JavaScript cost the njs engine
 * ~2,500 instructions a character.
 */

/** Standard alphabet, canonical `=` padding (§4.1); trailing bits are checked separately. */
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** True when `text` is standard base64 with canonical padding and zero trailing bits. */
export function isStrictBase64(text: string): boolean {
  if (!STRICT_BASE64.test(text)) return false
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  if (padding === 0) return true
  const lastSymbol = BASE64_ALPHABET.indexOf(text.charAt(text.length - padding - 1))
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
