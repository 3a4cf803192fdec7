/**
 * authenticate(Authorization, X-Auth-Realm) → User (§3): parse the header, try each credential's
 * scheme in header order, augment the winner. Failures reject with ERR_HEADER_MISSING,
 * ERR_HEADER_INVALID or ERR_ALL_FAILED; the boundary turns every one of them into the same 401.
 */
import type { CompiledConfig } from '../config/compiled'
import { codedError, ErrorCode } from '../errors'
import { isPromise, MaybePromise, whenReady } from '../maybe-async'
import type { Platform } from '../platform'
import type { User } from '../user'
import { augmentUser } from './augment'
import { Credential, parseAuthorization, visibleAsciiOrUndefined } from './header'
import { runProvidersForCredential } from './providers'

export interface AuthInput {
  /** The first Authorization header line, as received. */
  authorization: string | undefined
  /** The first X-Auth-Realm header line, as received (present-but-empty is a filter for ""). */
  realm: string | undefined
}

export function authenticate(input: AuthInput, config: CompiledConfig, platform: Platform): MaybePromise<User> {
  return whenReady(identify(input, config, platform), (user) => augmentUser(config, user, platform))
}

/**
 * The user as the winning provider gives it, before augmentation: what GET /token stores
 * (src/store/tokens.ts), so that the augmenters derive the roles afresh on every use.
 */
export function identify(input: AuthInput, config: CompiledConfig, platform: Platform): MaybePromise<User> {
  const credentials = parseAuthorization(input.authorization)
  const realm = visibleAsciiOrUndefined(input.realm)
  const realmFilter = realm === undefined ? undefined : realm.toLowerCase()
  return tryCredentials(credentials, 0, realmFilter, config, platform)
}

function tryCredentials(
  credentials: Credential[],
  start: number,
  realmFilter: string | undefined,
  config: CompiledConfig,
  platform: Platform,
): MaybePromise<User> {
  for (let i = start; i < credentials.length; i++) {
    const indices = providerIndices(config, credentials[i].scheme)
    if (indices === undefined) continue
    const outcome = runProvidersForCredential(config, indices, credentials[i].credential, realmFilter, platform)
    if (isPromise(outcome)) {
      const next = i + 1
      return outcome.then((user) =>
        user !== undefined ? user : tryCredentials(credentials, next, realmFilter, config, platform),
      )
    }
    if (outcome !== undefined) return outcome
  }
  platform.logger.log('info', 'auth.provider.all_failed')
  throw codedError(ErrorCode.AllFailed, 'no provider accepted the credentials')
}

function providerIndices(config: CompiledConfig, scheme: string): number[] | undefined {
  if (scheme === 'Basic') return config.providersByScheme.Basic
  if (scheme === 'Bearer') return config.providersByScheme.Bearer
  return undefined
}
