/** Key files for the asymmetric minting tests: PEM files in a fresh temp folder. */
import { createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jwkThumbprint } from '../../../src/compiler/signing-key'
import type { CompiledJwt } from '../../../src/config/compiled'

export interface KeyFiles {
  dir: string
  /** Writes `text` to `name` in the folder with mode 0600; returns the path. */
  write(name: string, text: string): string
}

export function keyFolder(): KeyFiles {
  const dir = mkdtempSync(join(tmpdir(), 'authotron-keys-'))
  return {
    dir,
    write(name, text) {
      const path = join(dir, name)
      writeFileSync(path, text)
      chmodSync(path, 0o600)
      return path
    },
  }
}

export function rsaKey(bits = 2048): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: bits }).privateKey
}

export function ecKey(curve = 'P-256'): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: curve }).privateKey
}

export function ed25519Key(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey
}

export function pkcs8Pem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }) as string
}

export function spkiPem(key: KeyObject): string {
  return createPublicKey(key).export({ type: 'spki', format: 'pem' }) as string
}

/** What the compiler writes for a key (src/compiler/signing-key.ts, tested there). */
export function compiledJwt(alg: 'RS256' | 'ES256' | 'EdDSA', key = alg === 'RS256' ? rsaKey() : alg === 'ES256' ? ecKey() : ed25519Key()): CompiledJwt {
  const jwk = createPublicKey(key).export({ format: 'jwk' }) as any
  const kid = jwkThumbprint(jwk)
  return {
    iss: 'authotron-test',
    exp: 3600,
    alg,
    signingKey: {
      pkcs8: (key.export({ type: 'pkcs8', format: 'der' }) as Buffer).toString('base64'),
      kid,
      header: Buffer.from(JSON.stringify({ typ: 'JWT', alg, kid })).toString('base64url'),
    },
    jwks: JSON.stringify({ keys: [{ ...jwk, kid, use: 'sig', alg }] }),
  }
}

