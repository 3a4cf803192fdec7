/**
 * WebCrypto for unit tests: Node's `crypto.subtle` behind the SignatureVerifier interface, and a
 * variant that, like njs and QuickJS today, does not know Ed25519 (QuickJS even throws
 * synchronously; the njs implementation turns that into a rejection, so this one rejects).
 */
import { webcrypto } from 'node:crypto'
import type { SignatureVerifier } from '../../../src/platform'

const subtle = webcrypto.subtle

export const nodeSignatureVerifier: SignatureVerifier = {
  prefersJwkImport: () => true,
  importKey(format, keyData, algorithm, extractable, usages) {
    return subtle.importKey(format as any, keyData as any, algorithm as any, extractable, usages)
  },
  verify(algorithm, key, signature, data) {
    return subtle.verify(algorithm as any, key as webcrypto.CryptoKey, signature, data)
  },
  sign(algorithm, key, data) {
    return subtle.sign(algorithm as any, key as webcrypto.CryptoKey, data)
  },
}

/** As on every njs runtime measured so far: `unknown algorithm name: "Ed25519"`. */
export const verifierWithoutEd25519: SignatureVerifier = {
  importKey(format, keyData, algorithm, extractable, usages) {
    if (algorithm.name === 'Ed25519') {
      return Promise.reject(new TypeError('unknown algorithm name: "Ed25519"'))
    }
    return nodeSignatureVerifier.importKey(format, keyData, algorithm, extractable, usages)
  },
  verify: nodeSignatureVerifier.verify,
  sign: nodeSignatureVerifier.sign,
}

/** As njs 0.7.9: no JWK import, so every public key is converted to SPKI in code. */
export const verifierWithoutJwkImport: SignatureVerifier = {
  prefersJwkImport: () => false,
  importKey(format, keyData, algorithm, extractable, usages) {
    if (format === 'jwk') return Promise.reject(new TypeError('unsupported key format: "jwk"'))
    return nodeSignatureVerifier.importKey(format, keyData, algorithm, extractable, usages)
  },
  verify: nodeSignatureVerifier.verify,
  sign: nodeSignatureVerifier.sign,
}
