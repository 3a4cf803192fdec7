/**
 * GET /token, GET /tokens and DELETE /token/{t} (§7.5): authenticate the caller as every route
 * does (401 otherwise), then ask the store. The user is the provider's, before augmentation
 * (pipeline.ts identify): that is what a token stores, and the owner is its realm and username.
 * Authenticated by a token of ours (a session), whose user is augmented already, the store gets
 * that user with the augmenters' part taken off (augment.ts withoutAugmentation): the roles
 * would double on every use otherwise (§4.x "Duplicated roles").
 */
import type { HttpAnswer } from '../auth/answers'
import { AuthInput, AuthOutcome, identify } from '../auth/pipeline'
import { withoutAugmentation } from '../auth/augment'
import type { CompiledConfig } from '../config/compiled'
import { codedError, ErrorCode } from '../errors'
import type { Platform } from '../platform'
import { createToken, deleteToken, listTokens, TokenStoreAccess } from './tokens'

export type TokenRoute = 'create' | 'list' | 'delete'

/** `path`: the request's decoded URI; DELETE takes its last segment. */
export function answerTokenRoute(
  route: TokenRoute,
  input: AuthInput,
  path: string,
  config: CompiledConfig,
  platform: Platform,
): Promise<HttpAnswer> {
  const outcome: AuthOutcome = {}
  return Promise.resolve()
    .then(() => identify(input, config, platform, outcome))
    .then((user) => (outcome.ownToken !== undefined ? withoutAugmentation(config, user, platform) : user))
    .then((user) => {
      const settings = config.tokenStore
      if (settings === undefined) throw codedError(ErrorCode.StoreDisabled, 'Token store is disabled')
      if (platform.tokenStore === undefined) {
        throw codedError(ErrorCode.StoreUnsupported, 'no token store on this platform')
      }
      const access: TokenStoreAccess = platform.tokenStore(settings)
      if (route === 'create') return createToken(user, settings.lifetimeSeconds, access)
      if (route === 'list') return listTokens(user, access)
      return deleteToken(user, path.slice(path.lastIndexOf('/') + 1), access)
    })
}
