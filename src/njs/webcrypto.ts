/**
 * WebCrypto (`crypto.subtle`) as the platform's SignatureVerifier and JwsSigner. The global `crypto` exists on
 * every leg (njs 0.7.9 to 1.0.x, njs and QuickJS engines). Failures always reject: QuickJS throws
 * synchronously from `importKey` for an algorithm it does not know (Ed25519, as of njs 1.0.2).
 */
import type { AeadCipher, JwsSigner, SignatureVerifier } from '../platform'

function subtle(): any {
  return (globalThis as any).crypto.subtle
}

/**
 * JWK import arrived in njs 0.7.10 (njs-runtime.md). On the QuickJS engine, which has it too,
 * building SPKI in JavaScript measured cheaper than its JWK import (bench/profile.ts, bearer-cold),
 * and imported keys are kept per context anyway.
 */
function prefersJwkImport(): boolean {
  if (typeof njs === 'undefined' || (njs as any).engine === 'QuickJS') return false
  const parts = String(njs.version).split('.')
  const major = Number(parts[0])
  const minor = Number(parts[1])
  return major > 0 || minor > 7 || (minor === 7 && Number(parts[2]) >= 10)
}

export const njsSignatureVerifier: SignatureVerifier = {
  prefersJwkImport,
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
  sign(algorithm, key, data) {
    try {
      return subtle().sign(algorithm, key, data)
    } catch (e) {
      return Promise.reject(e)
    }
  },
}

/**
 * Minting RS256/ES256 (src/jwt/sign.ts). PKCS#8 import and `sign` for RSASSA-PKCS1-v1_5 and ECDSA
 * exist on every leg (njs 0.7.9 to 1.0.x, both engines), and ECDSA signatures come out as r||s;
 * Ed25519 is refused as an unknown algorithm up to njs 1.0.2 at least (docs/jwt.md).
 */
export const njsSigner: JwsSigner = {
  // A getter: worked out only for the message that needs it.
  get runtime() {
    if (typeof njs === 'undefined') return undefined
    return 'njs ' + njs.version + ((njs as any).engine === 'QuickJS' ? ' (QuickJS)' : '')
  },
  importPrivateKey(pkcs8, algorithm) {
    try {
      return subtle().importKey('pkcs8', pkcs8, algorithm, false, ['sign'])
    } catch (e) {
      return Promise.reject(e)
    }
  },
  sign(algorithm, key, data) {
    try {
      return subtle()
        .sign(algorithm, key, data)
        .then((signature: ArrayBuffer) => new Uint8Array(signature))
    } catch (e) {
      return Promise.reject(e)
    }
  },
}

/** AES-256-GCM for the sealed remote answers (src/remote/relay.ts): WebCrypto on every leg. */
export const njsAead: AeadCipher = {
  encrypt(key, iv, plaintext) {
    return aes('encrypt', key, iv, plaintext)
  },
  decrypt(key, iv, sealed) {
    return aes('decrypt', key, iv, sealed)
  },
  randomBytes(length) {
    return (globalThis as any).crypto.getRandomValues(new Uint8Array(length))
  },
}

function aes(operation: 'encrypt' | 'decrypt', key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  try {
    const api = subtle()
    return api
      .importKey('raw', key, { name: 'AES-GCM' }, false, [operation])
      .then((imported: unknown) => api[operation]({ name: 'AES-GCM', iv }, imported, data))
      .then((result: ArrayBuffer) => new Uint8Array(result))
  } catch (e) {
    return Promise.reject(e)
  }
}
