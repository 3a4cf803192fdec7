/**
 * `type: plain` (Basic), authotron-behaviour.md §4.1, with hashed passwords and htpasswd users as
 * extensions (the compiler turns every stored password into a verifier, src/passwords/).
 */
import { KEY_PREFIX } from '../../config/compiled'
import type { CompiledPlainProvider, CompiledUserEntry } from './compiled'
import { bytesToUtf8Strict, decodeStrictBase64, isStrictBase64, utf8ToBytes } from '../../encoding'
import { codedError, ErrorCode } from '../../errors'
import { verifyPassword } from '../../passwords/verify'
import { copyArray } from '../../preloaded'
import { newUser, User } from '../../user'
import type { ProviderContext, ProviderModule } from '../types'

export interface BasicCredentials {
  username: string
  password: string
}

/** Steps 1–4: strict base64, UTF-8, split at the first colon, non-empty username. */
export function decodeBasicCredential(credential: string): BasicCredentials {
  if (!isStrictBase64(credential)) {
    throw codedError(ErrorCode.BasicMalformed, 'Invalid base64 in Basic auth')
  }
  const text = bytesToUtf8Strict(decodeStrictBase64(credential))
  if (text === undefined) throw codedError(ErrorCode.BasicMalformed, 'Invalid UTF-8 in Basic auth')
  const colon = text.indexOf(':')
  const username = colon === -1 ? text : text.slice(0, colon)
  const password = colon === -1 ? '' : text.slice(colon + 1)
  if (username === '') throw codedError(ErrorCode.BasicMalformed, 'No username in Basic credentials')
  return { username, password }
}

export const plainProvider: ProviderModule<CompiledPlainProvider> = {
  authenticate(provider: CompiledPlainProvider, credential: string, ctx: ProviderContext) {
    const basic = decodeBasicCredential(credential)
    const entries = provider.users[KEY_PREFIX + basic.username]
    if (entries === undefined || entries.length === 0) return unknownUser(provider, utf8ToBytes(basic.password), ctx)
    return firstMatchingEntry(entries, 0, utf8ToBytes(basic.password), ctx, (entry) =>
      newUser(basic.username, provider.realm, copyArray(entry.roles)),
    )
  },
}

/**
 * Step 5: the first entry (config order) whose password matches. Stays synchronous until an
 * entry needs an asynchronous check (PBKDF2), so clear-text and htpasswd users cost no promise.
 */
function firstMatchingEntry(
  entries: CompiledUserEntry[],
  start: number,
  password: Uint8Array,
  ctx: ProviderContext,
  toUser: (entry: CompiledUserEntry) => User,
): User | Promise<User> {
  for (let i = start; i < entries.length; i++) {
    const verdict = verifyPassword(entries[i].verifier, password, ctx.platform.crypto)
    if (verdict === true) return toUser(entries[i])
    if (verdict !== false) {
      const index = i
      return verdict.then((matched: boolean) =>
        matched ? toUser(entries[index]) : firstMatchingEntry(entries, index + 1, password, ctx, toUser),
      )
    }
  }
  throw wrongCredentials()
}

/**
 * An unknown username costs what a known one does (issue 19): the compiler's decoy verifier, the
 * same hash work as the provider's costliest user, its verdict ignored (no password matches it).
 */
function unknownUser(provider: CompiledPlainProvider, password: Uint8Array, ctx: ProviderContext): never | Promise<never> {
  const decoy = provider.unknownUserVerifier
  if (decoy === undefined) throw wrongCredentials()
  const verdict = verifyPassword(decoy, password, ctx.platform.crypto)
  if (verdict === true || verdict === false) throw wrongCredentials()
  // A rejection (the runtime refused PBKDF2) passes through as it does for a known user.
  return verdict.then(() => {
    throw wrongCredentials()
  })
}

function wrongCredentials() {
  return codedError(ErrorCode.BadCredentials, 'Wrong username or password')
}
