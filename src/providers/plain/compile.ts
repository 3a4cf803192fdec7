/**
 * `type: plain` → CompiledPlainProvider: its users (users.ts, read before any type compiles, since
 * the precomputed Basic grants need them too) filed by username.
 */
import { KEY_PREFIX } from '../../config/compiled'
import { setOwn } from '../../compiler/paths'
import type { ProviderCompiler } from '../../compiler/unit'
import { createHash } from 'node:crypto'
import type { CompiledPlainProvider, CompiledUserEntry, PasswordVerifier } from './compiled'
import { plainProviderSchema } from './schema'

export const plainProviderCompiler: ProviderCompiler<CompiledPlainProvider> = {
  scheme: 'Basic',
  schema: plainProviderSchema,
  compile({ common, users }) {
    const byUsername: { [prefixedUsername: string]: CompiledUserEntry[] } = {}
    for (const user of users) {
      const key = KEY_PREFIX + user.username
      if (!Object.hasOwn(byUsername, key)) setOwn(byUsername, key, [])
      byUsername[key].push({ verifier: user.verifier, roles: user.roles })
    }
    const compiled: CompiledPlainProvider = { ...common, type: 'plain', scheme: 'Basic', users: byUsername }
    const decoy = unknownUserVerifier(users.map((user) => user.verifier))
    if (decoy !== undefined) compiled.unknownUserVerifier = decoy
    return compiled
  },
  check(provider, path, report) {
    if (Array.isArray(provider.users) && provider.users.length === 0 && provider.htpasswd_file === undefined) {
      report('warning', [...path, 'users'], 'no users, so this provider accepts no credential')
    }
  },
}

/**
 * What the runtime verifies for an unknown username: the costliest of `verifiers` (PBKDF2 by its
 * iterations, then MD5-crypt's 1,000 rounds, then one digest) with its digest replaced by a value
 * derived from it, so that the work is the same and no password matches. Deterministic: the same
 * config compiles to the same file.
 */
export function unknownUserVerifier(verifiers: PasswordVerifier[]): PasswordVerifier | undefined {
  let costliest: PasswordVerifier | undefined
  for (const verifier of verifiers) {
    if (costliest === undefined || verificationCost(verifier) > verificationCost(costliest)) costliest = verifier
  }
  if (costliest === undefined) return undefined
  const unmatchable = (expected: string, alphabet?: string) => decoyLike(expected, JSON.stringify(costliest), alphabet)
  switch (costliest.form) {
    case 'plain':
      return { form: 'plain', sha256: unmatchable(costliest.sha256) }
    case 'sha1':
      return { form: 'sha1', digest: unmatchable(costliest.digest) }
    case 'ssha':
      return { form: 'ssha', digest: unmatchable(costliest.digest), salt: costliest.salt }
    case 'md5crypt':
      return { ...costliest, hash: unmatchable(costliest.hash, MD5_CRYPT_ALPHABET) }
    case 'pbkdf2':
      return { ...costliest, derived: unmatchable(costliest.derived) }
  }
}

const MD5_CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

function verificationCost(verifier: PasswordVerifier): number {
  if (verifier.form === 'pbkdf2') return 1000 + verifier.iterations * (verifier.hash === 'SHA-512' ? 2 : 1)
  if (verifier.form === 'md5crypt') return 1000
  return verifier.form === 'ssha' ? 2 : 1
}

/**
 * A text of the same length and kind as `expected` (canonical base64 of the same byte count, or
 * characters of `alphabet`), derived from `seed` by SHA-512 and different from `expected`.
 */
function decoyLike(expected: string, seed: string, alphabet?: string): string {
  let stream = Buffer.alloc(0)
  for (let block = 0; stream.length < expected.length + 64; block++) {
    const digest = createHash('sha512').update('authotron-njs unknown user ' + block + '\n' + seed).digest()
    stream = Buffer.concat([stream, digest])
  }
  let decoy: string
  if (alphabet === undefined) {
    decoy = stream.subarray(0, Buffer.from(expected, 'base64').length).toString('base64')
  } else {
    decoy = ''
    for (let i = 0; i < expected.length; i++) decoy += alphabet.charAt(stream[i] % alphabet.length)
  }
  return decoy === expected ? decoyLike(expected, seed + '\n', alphabet) : decoy
}
