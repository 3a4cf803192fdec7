/** Key files for the asymmetric minting tests: PEM files in a fresh temp folder. */
import { createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

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
