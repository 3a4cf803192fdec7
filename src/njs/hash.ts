import nodeStyleCrypto from 'crypto'

/** SHA-256 of `text` (njs hashes a string as its UTF-8 bytes), base64url without padding (inlined where called, build.mjs). */
/* @inline */
export function sha256Base64url(text: string): string {
  return nodeStyleCrypto.createHash('sha256').update(text).digest('base64url') as string
}

/** HMAC-SHA256 of `data` under the UTF-8 bytes of `key`, base64url without padding. */
export function hmacSha256Base64url(key: string, data: string): string {
  return nodeStyleCrypto.createHmac('sha256', key).update(data).digest('base64url') as string
}
