/**
 * authenticate(Authorization, X-Auth-Realm) → User (§3): parse the header, try each credential's
 * scheme in header order, augment the winner. Failures reject with ERR_HEADER_MISSING,
 * ERR_HEADER_INVALID or ERR_ALL_FAILED; the boundary turns every one of them into the same 401.
 */
import type { CompiledConfig } from '../config/compiled'
import { codedError, errorCode, ErrorCode } from '../errors'
import { OwnToken, verifyOwnToken } from '../jwt/own-token'
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

/**
 * What the caller learns besides the user: `ownToken` when the credential that won is a token this
 * gateway minted (src/jwt/own-token.ts, accepted where the config has a `session` section). Such a
 * user is not augmented again (the token's claims already are), and the caller keeps the token
 * rather than minting one.
 */
export interface AuthOutcome {
  ownToken?: OwnToken
}

export function authenticate(
  input: AuthInput,
  config: CompiledConfig,
  platform: Platform,
  outcome: AuthOutcome = {},
): MaybePromise<User> {
  return whenReady(identify(input, config, platform, outcome), (user) =>
    outcome.ownToken !== undefined ? user : augmentUser(config, user, platform),
  )
}

/**
 * The user as the winning provider gives it, before augmentation: what GET /token stores
 * (src/store/tokens.ts), so that the augmenters derive the roles afresh on every use. A token of
 * ours is the exception (`outcome.ownToken`): its user already carries the augmenters' roles.
 */
export function identify(
  input: AuthInput,
  config: CompiledConfig,
  platform: Platform,
  outcome: AuthOutcome = {},
): MaybePromise<User> {
  const credentials = parseAuthorization(input.authorization, config.maxBasicLength)
  const realm = visibleAsciiOrUndefined(input.realm)
  const realmFilter = realm === undefined ? undefined : realm.toLowerCase()
  return tryCredentials(credentials, 0, realmFilter, config, platform, outcome)
}

/**
 * `ownTried`: the index of a Bearer credential whose own-token check already said no (asynchronously),
 * so that the providers are tried for it without checking it again.
 */
function tryCredentials(
  credentials: Credential[],
  start: number,
  realmFilter: string | undefined,
  config: CompiledConfig,
  platform: Platform,
  outcome: AuthOutcome,
  ownTried?: number,
): MaybePromise<User> {
  for (let i = start; i < credentials.length; i++) {
    const credential = credentials[i]
    // A token of ours comes first, before the Bearer providers (which would not know it).
    if (config.session !== undefined && credential.scheme === 'Bearer' && ownTried !== i) {
      const own = ownToken(credential.credential, realmFilter, config, platform)
      if (isPromise(own)) {
        const at = i
        return own.then((accepted) =>
          accepted !== undefined
            ? ownUser(outcome, accepted)
            : tryCredentials(credentials, at, realmFilter, config, platform, outcome, at),
        )
      }
      if (own !== undefined) return ownUser(outcome, own)
    }
    const indices = providerIndices(config, credential.scheme)
    if (indices === undefined) continue
    const result = runProvidersForCredential(config, indices, credential.credential, realmFilter, platform)
    if (isPromise(result)) {
      const next = i + 1
      return result.then((user) =>
        user !== undefined ? user : tryCredentials(credentials, next, realmFilter, config, platform, outcome),
      )
    }
    if (result !== undefined) return result
  }
  platform.logger.log('info', 'auth.provider.all_failed')
  throw codedError(ErrorCode.AllFailed, 'no provider accepted the credentials')
}

function ownUser(outcome: AuthOutcome, own: OwnToken): User {
  outcome.ownToken = own
  return own.user
}

/**
 * The grant of a token we minted, or undefined when it is not one we accept (then the Bearer
 * providers try it). X-Auth-Realm filters it as it filters providers: by the token's realm.
 */
function ownToken(
  token: string,
  realmFilter: string | undefined,
  config: CompiledConfig,
  platform: Platform,
): MaybePromise<OwnToken | undefined> {
  let verified: MaybePromise<OwnToken>
  try {
    verified = verifyOwnToken(token, config.jwt, platform.clock.nowSeconds(), platform.crypto)
  } catch (e) {
    return ownTokenRefused(platform, e)
  }
  if (isPromise(verified)) {
    return verified.then(
      (own) => inRealm(own, realmFilter),
      (e) => ownTokenRefused(platform, e),
    )
  }
  return inRealm(verified, realmFilter)
}

function inRealm(own: OwnToken, realmFilter: string | undefined): OwnToken | undefined {
  return realmFilter === undefined || own.user.realm.toLowerCase() === realmFilter ? own : undefined
}

function ownTokenRefused(platform: Platform, error: unknown): undefined {
  platform.logger.log('debug', 'auth.own_token.refused', { code: errorCode(error) || ErrorCode.Unexpected })
  return undefined
}

function providerIndices(config: CompiledConfig, scheme: string): number[] | undefined {
  if (scheme === 'Basic') return config.providersByScheme.Basic
  if (scheme === 'Bearer') return config.providersByScheme.Bearer
  return undefined
}
