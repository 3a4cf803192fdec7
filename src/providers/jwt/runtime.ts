/**
 * `type: jwt` (Bearer), authotron-behaviour.md §4.2, with the extensions of issue 4: every JWS
 * algorithm of src/jwt/algorithms.ts, `nbf`, optional `issuer`/`audience`/`algorithms`, a JWK Set
 * shared by all workers and refetched (bounded) on an unknown kid, and — where the runtime has a
 * shared dict — verified tokens remembered until their `exp`.
 *
 *   1. Decode the header and pick the algorithm (before any fetch: garbage costs nothing).
 *   2. A token verified before (shared cache, keyed by a hash, never the token) → its user.
 *   3. Fetch the JWK Set, select the key (kid; refresh once on an unknown kid), verify.
 *   4. Check exp/nbf/iss/aud, map the claims to the user, remember it.
 */
import type { CompiledJwtProvider } from './compiled'
import { codedError, errorCode, ErrorCode } from '../../errors'
import { jwsAlgorithm } from '../../jwt/algorithms'
import { checkRegisteredClaims } from '../../jwt/claims'
import { parseCompactJws } from '../../jwt/jws'
import { userFromClaims } from '../../jwt/user-claims'
import { verifyJws } from '../../jwt/verify'
import type { Platform, SharedStore } from '../../platform'
import type { User } from '../../user'
import type { ProviderContext, ProviderModule } from '../types'

export const jwtProvider: ProviderModule<CompiledJwtProvider> = {
  authenticate(provider: CompiledJwtProvider, credential: string, ctx: ProviderContext): User | Promise<User> {
    const platform = ctx.platform
    if (provider.jwks === undefined || typeof provider.leeway !== 'number') {
      throw codedError(ErrorCode.ConfigFormat, 'jwt provider compiled by an older authotron: recompile the config')
    }
    const jws = parseCompactJws(credential)
    const algorithm = jwsAlgorithm(jws.header.alg, provider.algorithms)

    const store = provider.verifiedCacheTtl > 0 ? platform.sharedCache : undefined
    const cacheKey = store !== undefined ? verifiedKey(provider, credential, platform) : undefined
    if (store !== undefined && cacheKey !== undefined) {
      const cached = readVerified(store, cacheKey, platform.clock.nowSeconds())
      if (cached !== undefined) {
        platform.logger.log('debug', 'jwt.verified.cached', { provider: provider.name })
        return cached
      }
    }

    return verifyJws(jws, algorithm, provider.jwks, {
      subtle: platform.crypto.subtle,
      jwks: platform.jwks,
      keepKeys: platform.contextReused === true,
      onRefresh: () => platform.logger.log('info', 'jwt.jwks.refresh', { provider: provider.name }),
    }).then((claims) => {
      const now = platform.clock.nowSeconds()
      const exp = checkRegisteredClaims(
        claims,
        { leeway: provider.leeway, issuers: provider.issuers, audiences: provider.audiences },
        now,
      )
      const user = userFromClaims(claims, provider.name, provider.realm)
      if (store !== undefined && cacheKey !== undefined) {
        storeVerified(store, cacheKey, user, Math.min(exp, now + provider.verifiedCacheTtl), now, platform)
      }
      return user
    })
  },
}

interface StoredUser {
  user: User
  /** Unix seconds after which the entry is not served. */
  until: number
}

/**
 * `jwt:` + base64url(SHA-256(cacheId, token)). The cacheId changes with any setting of the
 * provider (issuer, audience, keys URL, realm, …), so an answer is never reused for a provider that
 * would judge the token differently.
 */
export function verifiedKey(provider: CompiledJwtProvider, token: string, platform: Platform): string {
  return 'jwt:' + platform.crypto.sha256Base64url(provider.cacheId + '\n' + token)
}

function readVerified(store: SharedStore, key: string, now: number): User | undefined {
  const text = store.get(key)
  if (text === undefined) return undefined
  try {
    const stored = JSON.parse(text) as StoredUser
    return stored.until > now ? stored.user : undefined
  } catch (e) {
    return undefined
  }
}

function storeVerified(store: SharedStore, key: string, user: User, until: number, now: number, platform: Platform) {
  if (until <= now) return
  const stored: StoredUser = { user, until }
  try {
    store.set(key, JSON.stringify(stored), (until - now) * 1000)
  } catch (e) {
    // A full shared dict costs the next request one verification, nothing else.
    platform.logger.log('warn', 'cache.jwt.store_failed', { code: errorCode(e) || ErrorCode.Unexpected })
  }
}
