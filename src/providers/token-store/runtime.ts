/**
 * The token-store provider (§4.7): a Bearer credential that GET /token made authenticates as the
 * user stored with it. It fails closed: a store that cannot answer refuses the credential (the
 * other providers of the request still run). The lookup itself is src/store/tokens.ts's.
 */
import type { CompiledTokenStoreProvider } from './compiled'
import { codedError, ErrorCode, errorCode } from '../../errors'
import { findStoredUser } from '../../store/tokens'
import { looksLikeStoreToken } from '../../store/token-form'
import type { ProviderModule } from '../types'
import type { User } from '../../user'

export const tokenStoreProvider: ProviderModule<CompiledTokenStoreProvider> = {
  authenticate(provider, credential, ctx): Promise<User> {
    const platform = ctx.platform
    // Another Bearer provider's credential (a JWT, an API key): refused before the store is opened.
    if (!looksLikeStoreToken(credential)) {
      return Promise.reject(codedError(ErrorCode.StoreTokenNotFound, 'Token not found'))
    }
    if (platform.tokenStore === undefined) {
      return Promise.reject(codedError(ErrorCode.StoreUnsupported, 'no token store on this platform'))
    }
    let found: Promise<User>
    try {
      found = findStoredUser(credential, platform.tokenStore(provider.store))
    } catch (e) {
      found = Promise.reject(e)
    }
    return found.then(undefined, (e) => {
      const code = errorCode(e)
      if (code !== ErrorCode.StoreTokenNotFound) {
        // The operator must see a store that refuses every stored token; the client sees a 401.
        platform.logger.log('warn', 'store.lookup.failed', {
          code: code || ErrorCode.Unexpected,
          reason: e instanceof Error ? e.message : String(e),
        })
      }
      throw e
    })
  },
}
