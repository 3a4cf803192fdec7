/**
 * Tokens for unit tests, signed by `jose` (an independent implementation): a key pair per JWS
 * algorithm, the public half as a JWK with a kid, and helpers to sign and to tamper.
 */
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'
import type { webcrypto } from 'node:crypto'

export const ALL_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512',
  'HS256', 'HS384', 'HS512', 'EdDSA',
] as const
export type Alg = (typeof ALL_ALGORITHMS)[number]

export interface TestKey {
  alg: Alg
  kid: string
  /** What signs: a CryptoKey, or the HMAC secret. */
  signingKey: webcrypto.CryptoKey | Uint8Array
  /** What a JWK Set publishes (the secret itself for HS*). */
  jwk: JWK
}

const HMAC_BYTES: { [alg: string]: number } = { HS256: 32, HS384: 48, HS512: 64 }

export async function testKey(alg: Alg, kid = `${alg.toLowerCase()}-key`): Promise<TestKey> {
  if (alg.startsWith('HS')) {
    const secret = crypto.getRandomValues(new Uint8Array(HMAC_BYTES[alg]))
    return { alg, kid, signingKey: secret, jwk: { kty: 'oct', kid, k: Buffer.from(secret).toString('base64url') } }
  }
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true })
  return { alg, kid, signingKey: privateKey, jwk: { ...(await exportJWK(publicKey)), kid } }
}

export interface SignOptions {
  /** Header kid; `null` leaves it out. Default: the key's kid. */
  kid?: string | null
  header?: { [name: string]: unknown }
}

export async function sign(key: TestKey, claims: { [claim: string]: unknown }, options: SignOptions = {}) {
  const kid = options.kid === undefined ? key.kid : options.kid
  const header = { ...(options.header ?? {}), alg: key.alg, ...(kid === null ? {} : { kid }) }
  return new SignJWT(claims).setProtectedHeader(header).sign(key.signingKey)
}

/** A token with the same header and signature but other claims. */
export function withPayload(token: string, claims: { [claim: string]: unknown }): string {
  const [header, , signature] = token.split('.')
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`
}

/** A token whose signature has one bit flipped. */
export function withFlippedSignatureBit(token: string): string {
  const [header, payload, signature] = token.split('.')
  const bytes = Buffer.from(signature, 'base64url')
  bytes[bytes.length >> 1] ^= 0x01
  return `${header}.${payload}.${bytes.toString('base64url')}`
}

/** header.payload.signature from raw JSON and a signature computed by the caller. */
export function compact(header: object, claims: object, signature = ''): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part(header)}.${part(claims)}.${signature}`
}
