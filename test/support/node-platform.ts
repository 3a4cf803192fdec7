/**
 * Node implementations of the platform interfaces (src/platform.ts), for unit tests. They follow
 * the njs semantics the real implementations in src/njs/ have, so code tested against them
 * behaves the same inside nginx.
 */
import { createHash, createHmac, pbkdf2, webcrypto } from 'node:crypto'
import type { Crypto } from '../../src/platform'

const NODE_HASH_NAMES = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-512': 'sha512' } as const

/** njs WebCrypto refuses shorter PBKDF2 salts; mirroring it keeps tests honest. */
const NJS_MIN_PBKDF2_SALT_BYTES = 16

export const nodeCrypto: Crypto = {
  digest(algorithm, parts) {
    const hash = createHash(algorithm)
    for (const part of parts) hash.update(part)
    return new Uint8Array(hash.digest())
  },

  sha256Base64url(text) {
    return createHash('sha256').update(text, 'utf8').digest('base64url')
  },

  hmacSha256Base64url(key, data) {
    return createHmac('sha256', key).update(data).digest('base64url')
  },

  pbkdf2(password, salt, iterations, hash, length) {
    if (salt.length < NJS_MIN_PBKDF2_SALT_BYTES) {
      return Promise.reject(new TypeError('PBKDF2 algorithm.salt must be at least 16 bytes long'))
    }
    return new Promise((resolve, reject) => {
      pbkdf2(password, salt, iterations, length, NODE_HASH_NAMES[hash], (error, derived) =>
        error ? reject(error) : resolve(new Uint8Array(derived)),
      )
    })
  },

  aead: {
    encrypt(key, iv, plaintext) {
      return webcrypto.subtle
        .importKey('raw', key, { name: 'AES-GCM' }, false, ['encrypt'])
        .then((imported) => webcrypto.subtle.encrypt({ name: 'AES-GCM', iv }, imported, plaintext))
        .then((sealed) => new Uint8Array(sealed))
    },
    decrypt(key, iv, sealed) {
      return webcrypto.subtle
        .importKey('raw', key, { name: 'AES-GCM' }, false, ['decrypt'])
        .then((imported) => webcrypto.subtle.decrypt({ name: 'AES-GCM', iv }, imported, sealed))
        .then((plain) => new Uint8Array(plain))
    },
    randomBytes(length) {
      return webcrypto.getRandomValues(new Uint8Array(length))
    },
  },
  signer: {
    runtime: 'Node ' + process.version,
    importPrivateKey(pkcs8, algorithm) {
      return webcrypto.subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign'])
    },
    sign(algorithm, key, data) {
      return webcrypto.subtle.sign(algorithm, key as webcrypto.CryptoKey, data).then((signature) => new Uint8Array(signature))
    },
  },
}
