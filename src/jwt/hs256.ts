/**
 * A jose-compatible HS256 signer over the platform's HMAC (njs `crypto.createHmac`): compact JWS,
 * base64url without padding. Tests verify its output with `jose`, an independent implementation.
 */
import { utf8ToBase64url } from '../encoding'
import type { Crypto } from '../platform'

/** base64url of `{"typ":"JWT","alg":"HS256"}`, the reference's exact header and key order (§6). */
export const HS256_HEADER_B64 = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9'

/** Signs an already-serialised JSON payload; the secret is used as its raw UTF-8 bytes. */
export function signHs256(payloadJson: string, secret: string, crypto: Crypto): string {
  const signingInput = HS256_HEADER_B64 + '.' + utf8ToBase64url(payloadJson)
  return signingInput + '.' + crypto.hmacSha256Base64url(secret, signingInput)
}
