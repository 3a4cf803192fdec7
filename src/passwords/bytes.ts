/**
 * Byte conversions for the request path. They run inside njs (every generation, 0.7.9 included)
 * and under Node, so they are plain index loops over Uint8Array: no `Buffer` (whose njs base64
 * decoder silently stops at the first bad character) and no lookup table built at module top
 * level (njs runs top-level code again on every request).
 */

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** The 6-bit value of a standard-alphabet base64 character code, or -1. */
function base64Value(code: number): number {
  if (code >= 0x41 && code <= 0x5a) return code - 0x41 // A-Z → 0-25
  if (code >= 0x61 && code <= 0x7a) return code - 0x61 + 26 // a-z → 26-51
  if (code >= 0x30 && code <= 0x39) return code - 0x30 + 52 // 0-9 → 52-61
  if (code === 0x2b) return 62 // +
  if (code === 0x2f) return 63 // /
  return -1
}

/**
 * Decodes standard base64, with or without `=` padding. Every stored value was validated by the
 * compiler (src/passwords/parse.ts), so anything else here means a corrupted compiled config:
 * throw rather than decode something partial.
 */
export function base64ToBytes(text: string): Uint8Array {
  let end = text.length
  while (end > 0 && text.charCodeAt(end - 1) === 0x3d /* = */ && text.length - end < 2) end--
  if (end % 4 === 1) throw new Error('base64ToBytes: truncated base64')
  const bytes = new Uint8Array(Math.floor((end * 3) / 4))
  let accumulator = 0
  let bits = 0
  let written = 0
  for (let i = 0; i < end; i++) {
    const value = base64Value(text.charCodeAt(i))
    if (value < 0) throw new Error('base64ToBytes: not base64')
    accumulator = ((accumulator << 6) | value) & 0xffffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      bytes[written++] = (accumulator >>> bits) & 0xff
    }
  }
  return bytes
}

/** Encodes standard base64 with `=` padding. */
export function bytesToBase64(bytes: Uint8Array): string {
  let text = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const triple = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2]
    text +=
      BASE64_ALPHABET.charAt(triple >>> 18) +
      BASE64_ALPHABET.charAt((triple >>> 12) & 0x3f) +
      BASE64_ALPHABET.charAt((triple >>> 6) & 0x3f) +
      BASE64_ALPHABET.charAt(triple & 0x3f)
  }
  const remaining = bytes.length - i
  if (remaining === 1) {
    const single = bytes[i] << 16
    text += BASE64_ALPHABET.charAt(single >>> 18) + BASE64_ALPHABET.charAt((single >>> 12) & 0x3f)
    text += '=='
  } else if (remaining === 2) {
    const pair = (bytes[i] << 16) | (bytes[i + 1] << 8)
    text +=
      BASE64_ALPHABET.charAt(pair >>> 18) +
      BASE64_ALPHABET.charAt((pair >>> 12) & 0x3f) +
      BASE64_ALPHABET.charAt((pair >>> 6) & 0x3f)
    text += '='
  }
  return text
}

/** UTF-8 bytes of a string (TextEncoder exists in njs 0.7.9 and in Node). */
export function utf8ToBytes(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}
