/**
 * A grant is what a successful authentication produces: the user and the token minted for it.
 * Where the runtime has a shared dict, grants are cached across workers per credential, so a
 * client reusing its credential costs one hash and one lookup instead of the whole pipeline.
 *
 * Cache safety: the key (grant-key.ts) is a SHA-256 of the config id, the realm filter and the
 * Authorization header, never the raw credential. An entry (grant-entry.ts) lives at most
 * `grantCacheTtlMs` and never past the minted token's own `exp`. Failures are never cached.
 */
import type { CompiledConfig } from '../config/compiled'
import { mint } from '../jwt/mint'
import { MaybePromise, whenReady } from '../maybe-async'
import type { Platform } from '../platform'
import { DEFAULT_GRANT_CACHE_TTL_MS, Grant, grantFromEntry, storeGrant, wholeSeconds } from './grant-entry'
import { grantKey } from './grant-key'
import { AuthInput, AuthOutcome, authenticate } from './pipeline'
import { headerSafe, legacyHeaderValues } from './answers'
import { AuthResult, recordAuthentication, recordGrantCacheHit } from './metrics'
import type { User } from '../user'
import type { LockoutVerdict } from './lockout'
import { mayCarryStoreToken } from '../store/token-form'

export type { Grant } from './grant-entry'
export { DEFAULT_GRANT_CACHE_TTL_MS } from './grant-entry'

/**
 * What the caller already knows of the cache: the module's top layer (src/njs/cached-grant.ts)
 * looked this request up and missed. `key` is where to store the new grant, undefined where
 * nothing is cached; obtainGrant then neither hashes nor reads again.
 */
export interface GrantCacheMiss {
  key: string | undefined
  /**
   * With auth.lockout, the top layer checked the pair before any tier (src/njs/lockout.ts): what it
   * found, undefined when the pair is clean.
   */
  lockout?: LockoutVerdict
}

/**
 * `admits`: where the location has an access rule, whether it lets the user in; a grant is stored
 * only when it does (grant-key.ts: an entry under a rule is that rule's yes). The caller still
 * answers the refusal.
 */
export function obtainGrant(
  input: AuthInput,
  config: CompiledConfig,
  platform: Platform,
  miss?: GrantCacheMiss,
  admits?: (user: User) => boolean,
): MaybePromise<Grant> {
  const store = platform.sharedCache
  const ttlMs = config.grantCacheTtlMs === undefined ? DEFAULT_GRANT_CACHE_TTL_MS : config.grantCacheTtlMs
  const nowMs = platform.clock.nowMilliseconds()
  const now = wholeSeconds(nowMs)
  let key: string | undefined
  if (miss !== undefined) {
    key = miss.key
  } else if (store !== undefined && ttlMs > 0 && input.authorization !== undefined) {
    key = grantKey(config.configId, undefined, input.realm, input.authorization, platform.crypto.sha256Base64url)
    const text = store.get(key)
    const cached = text === undefined ? undefined : grantFromEntry(text, now)
    if (cached !== undefined) {
      // A hit is a success (§8), observed as 0 s, as on the top layer's hit path (src/njs/cached-grant.ts).
      if (platform.metrics !== undefined) recordGrantCacheHit(platform.metrics, headerSafe(cached.user.realm))
      return cached
    }
  }
  const outcome: AuthOutcome = {}
  return whenReady(authenticate(input, config, platform, outcome), (user) => {
    // Recorded after augmentation, with the user's realm (§8); header-safe, as the grant entry keeps it.
    const realm = headerSafe(user.realm)
    if (platform.metrics !== undefined)
      recordAuthentication(platform.metrics, AuthResult.Success, realm, platform.clock.nowMilliseconds() - nowMs)
    // A token of ours is kept as it is (its own exp: reuse never extends it); anything else is minted.
    const minting = outcome.ownToken !== undefined ? outcome.ownToken : mint(user, config.jwt, now, platform.crypto, platform.contextReused)
    return whenReady(minting, (minted) => {
      const grant: Grant = {
        user,
        token: minted.token,
        expiresAt: minted.expiresAt,
        legacy: config.includeLegacyHeaders ? legacyHeaderValues(user) : undefined,
      }
      // A stored token's grant is never cached: deleting it refuses its next use, on every node.
      const cacheable = config.tokenStore === undefined || !mayCarryStoreToken(input.authorization as string)
      if (store !== undefined && key !== undefined && cacheable && (admits === undefined || admits(user))) {
        // The realm always, even where the legacy headers are not sent: a hit's metrics label.
        const legacy = grant.legacy !== undefined ? grant.legacy : entryWithRealm(realm)
        const userJsonText = JSON.stringify(user)
        const failure = storeGrant(store, key, grant.token, legacy, config.includeLegacyHeaders, grant.expiresAt, userJsonText, nowMs, ttlMs)
        if (failure !== undefined) platform.logger.log('warn', 'cache.grant.store_failed', { reason: failure })
      }
      return grant
    })
  })
}

/** The legacy fields of an entry whose config does not send them: only the realm (the hit's metrics label). */
function entryWithRealm(realm: string): [string, string, string] {
  return ['', realm, '']
}
