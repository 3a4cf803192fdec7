import nodeStyleCrypto from 'crypto'

/** SHA-256 of `text` (njs hashes a string as its UTF-8 bytes), base64url without padding. */
export function sha256Base64url(text: string): string {
  return nodeStyleCrypto.createHash('sha256').update(text).digest('base64url') as string
}
