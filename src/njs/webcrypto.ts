/**
 * WebCrypto (`crypto.subtle`) as the platform's SignatureVerifier. The global `crypto` exists on
 * every leg (njs 0.7.9 to 1.0.x, njs and QuickJS engines). Failures always reject: QuickJS throws
 * synchronously from `importKey` for an algorithm it does not know (Ed25519, as of njs 1.0.2).
 */
import type { SignatureVerifier } from '../platform'

function subtle(): any {
  return (globalThis as any).crypto.subtle
}

export const njsSignatureVerifier: SignatureVerifier = {
  importKey(format, keyData, algorithm, extractable, usages) {
    try {
      return subtle().importKey(format, keyData, algorithm, extractable, usages)
    } catch (e) {
      return Promise.reject(e)
    }
  },
  verify(algorithm, key, signature, data) {
    try {
      return subtle().verify(algorithm, key, signature, data)
    } catch (e) {
      return Promise.reject(e)
    }
  },
}
