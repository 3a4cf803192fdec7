/**
 * Password verification on the request path (njs, every generation incl. 0.7.9, and Node in the
 * tests). The compiler (./parse.ts, Node only) has already validated and normalised every stored
 * password into a `PasswordVerifier`; here we only recompute and compare.
 *
 * Every form is synchronous except PBKDF2, which goes through WebCrypto and returns a Promise.
 * Comparisons are constant-time over digests of fixed length, so timing reveals neither how many
 * bytes of a guess were right nor anything about a clear-text password's length.
 */
import type { PasswordVerifier } from '../config/compiled'
import { codedError, ErrorCode } from '../errors'
import type { Crypto } from '../platform'
import { base64ToBytes, utf8ToBytes } from '../encoding'
import { md5Crypt } from './md5crypt'

/**
 * True when `password` (the raw bytes from the Basic credential) matches `verifier`.
 * Throws ERR_PASSWORD_FORM_UNSUPPORTED for a form this build does not know (a compiled config
 * from a newer compiler); a rejected Promise from PBKDF2 means the runtime refused the
 * computation, not a wrong password.
 */
export function verifyPassword(
  verifier: PasswordVerifier,
  password: Uint8Array,
  crypto: Crypto,
): boolean | Promise<boolean> {
  switch (verifier.form) {
    case 'plain':
      return constantTimeEqual(crypto.digest('sha256', [password]), base64ToBytes(verifier.sha256))
    case 'sha1':
      return constantTimeEqual(crypto.digest('sha1', [password]), base64ToBytes(verifier.digest))
    case 'ssha': {
      const computed = crypto.digest('sha1', [password, base64ToBytes(verifier.salt)])
      return constantTimeEqual(computed, base64ToBytes(verifier.digest))
    }
    case 'md5crypt': {
      const computed = md5Crypt(password, verifier.magic, verifier.salt, crypto)
      return constantTimeEqual(utf8ToBytes(computed), utf8ToBytes(verifier.hash))
    }
    case 'pbkdf2': {
      const expected = base64ToBytes(verifier.derived)
      const salt = base64ToBytes(verifier.salt)
      return crypto
        .pbkdf2(password, salt, verifier.iterations, verifier.hash, expected.length)
        .then((derived) => constantTimeEqual(derived, expected))
    }
  }
  const form = String((verifier as { form: unknown }).form)
  throw codedError(
    ErrorCode.PasswordFormUnsupported,
    `password form "${form}" is not supported by this build`,
  )
}

/**
 * Compares two byte strings in time that depends only on their lengths: no early exit, every
 * difference OR-ed into one accumulator. Unequal lengths return false at once; the lengths
 * compared here are digest sizes, which are public. Four bytes a step where both are aligned (all
 * digests are): each loop step costs the njs engine ~1,400 instructions.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  if (a.length % 4 === 0 && a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0) {
    const wordsA = new Uint32Array(a.buffer, a.byteOffset, a.length / 4)
    const wordsB = new Uint32Array(b.buffer, b.byteOffset, b.length / 4)
    for (let i = 0; i < wordsA.length; i++) difference |= wordsA[i] ^ wordsB[i]
    return difference === 0
  }
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i]
  return difference === 0
}
