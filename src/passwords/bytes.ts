/**
 * Byte conversions for the request path. They run inside njs (every generation, 0.7.9 included)
 * and under Node; nothing is built at module top level (njs runs top-level code again on every
 * request). Base64 is decoded by encoding.ts, which checks strictly before njs's lenient decoder.
 */

import { base64ToBytes as decodeCheckedBase64, isStrictBase64 } from '../encoding'

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/**
 * Decodes a stored base64 value. The compiler (src/passwords/parse.ts) writes every one in
 * canonical padded form, so anything else means a corrupted compiled config: throw rather than
 * decode something partial. The decoding itself is native (encoding.ts, after its strict check):
 * a decoding loop in JavaScript cost the njs engine ~2,500 instructions a character.
 */
export function base64ToBytes(text: string): Uint8Array {
  if (!isStrictBase64(text)) throw new Error('base64ToBytes: not canonical base64')
  return decodeCheckedBase64(text)
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
