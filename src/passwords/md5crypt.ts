/**
 * MD5-crypt: Poul-Henning Kamp's FreeBSD algorithm behind `$1$` hashes, and Apache's variant
 * behind htpasswd's `$apr1$` hashes, which differs only in the magic string mixed into the first
 * digest. Output matches `openssl passwd -1` / `openssl passwd -apr1` and nginx's `auth_basic`.
 *
 * Runs on the request path: it needs nothing but `Crypto.digest('md5', …)`, which njs has on
 * every generation. The cost is fixed by the algorithm: 1002 MD5 computations per verification.
 */
import type { Crypto } from '../platform'
import { utf8ToBytes } from '../encoding'

export type Md5CryptMagic = '$apr1$' | '$1$'

/** The "crypt base64" alphabet: not the standard one, and least significant bits first. */
export const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
/** Only the first 8 salt characters count; the tools never write more. */
export const MD5_CRYPT_MAX_SALT_LENGTH = 8
/** 128 bits in crypt base64: five 24-bit groups (4 characters each) and one byte (2 characters). */
export const MD5_CRYPT_HASH_LENGTH = 22
/** Fixed by the algorithm; it is what makes MD5-crypt slower than one MD5, and still cheap. */
export const MD5_CRYPT_ROUNDS = 1000

/**
 * Returns the 22-character hash that follows `<magic><salt>$`. `salt` is at most 8 characters
 * of CRYPT_ALPHABET (the compiler checks it); `password` is the raw bytes the client sent.
 */
export function md5Crypt(
  password: Uint8Array,
  magic: Md5CryptMagic,
  salt: string,
  crypto: Crypto,
): string {
  const saltBytes = utf8ToBytes(salt)

  // 1. The "alternate" digest: md5(password + salt + password).
  const alternate = crypto.digest('md5', [password, saltBytes, password])

  // 2. The initial digest: password + magic + salt, then as many bytes of the alternate digest as
  //    the password is long, then one part per bit of the password length (from the lowest bit):
  //    a NUL byte for a 1 bit, the password's first byte for a 0 bit. (The original C code
  //    meant to add `final[0]`, which it had just zeroed; every implementation keeps the quirk.)
  const initial: Uint8Array[] = [password, utf8ToBytes(magic), saltBytes]
  for (let remaining = password.length; remaining > 0; remaining -= 16) {
    initial.push(remaining >= 16 ? alternate : alternate.subarray(0, remaining))
  }
  const nulByte = new Uint8Array(1)
  const firstByte = password.subarray(0, 1)
  for (let bits = password.length; bits > 0; bits >>>= 1) {
    initial.push(bits & 1 ? nulByte : firstByte)
  }
  let digest = crypto.digest('md5', initial)

  // 3. 1000 rounds that mix password, salt and the previous digest in a fixed pattern, meant to
  //    slow down brute force (by 1990s standards).
  for (let round = 0; round < MD5_CRYPT_ROUNDS; round++) {
    const parts: Uint8Array[] = [round & 1 ? password : digest]
    if (round % 3 !== 0) parts.push(saltBytes)
    if (round % 7 !== 0) parts.push(password)
    parts.push(round & 1 ? digest : password)
    digest = crypto.digest('md5', parts)
  }

  // 4. Encode the digest bytes in this (historical) permuted order.
  return (
    cryptBase64(digest[0], digest[6], digest[12], 4) +
    cryptBase64(digest[1], digest[7], digest[13], 4) +
    cryptBase64(digest[2], digest[8], digest[14], 4) +
    cryptBase64(digest[3], digest[9], digest[15], 4) +
    cryptBase64(digest[4], digest[10], digest[5], 4) +
    cryptBase64(0, 0, digest[11], 2)
  )
}

/** `count` characters of the 24-bit value `high:middle:low`, least significant 6 bits first. */
function cryptBase64(high: number, middle: number, low: number, count: number): string {
  let value = (high << 16) | (middle << 8) | low
  let text = ''
  for (let i = 0; i < count; i++) {
    text += CRYPT_ALPHABET.charAt(value & 0x3f)
    value >>>= 6
  }
  return text
}
