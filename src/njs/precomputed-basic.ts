/**
 * The precomputed Basic path at the boundary (src/auth/precomputed-basic.ts): a success is sent here, and
 * stored in the grant cache like the full path's; anything else returns false and the core runs
 * the full pipeline. Requests with X-Auth-Realm always take the full pipeline.
 */
import type { CompiledConfig } from '../config/compiled'
import { precomputedBasicGrant } from '../auth/precomputed-basic'
import { DEFAULT_GRANT_CACHE_TTL_MS, grantCacheLifetime, grantEntryText } from '../auth/grant-entry'
import { sendGrant } from './grant-answer'
import { hmacSha256Base64url, sha256Base64url } from './hash'
import { SHARED_ZONE } from './platform'

const PRECOMPUTED_BASIC_CRYPTO = { sha256Base64url, hmacSha256Base64url }

export function answeredPrecomputedBasic(
  r: NginxHTTPRequest,
  config: CompiledConfig,
  /** Where to store the grant in the shared dict (cached-grant.ts); undefined: nowhere. */
  key: string | undefined,
  accessPhase: boolean,
): boolean {
  const authorization = r.headersIn['Authorization']
  if (authorization === undefined || r.headersIn['X-Auth-Realm'] !== undefined) return false
  // Whole seconds without Math.floor: each call of a built-in costs the njs engine ~2,000 instructions.
  const nowMs = Date.now()
  const now = (nowMs - (nowMs % 1000)) / 1000
  const grant = precomputedBasicGrant(authorization, config.precomputedBasic!, config.jwt, now, PRECOMPUTED_BASIC_CRYPTO)
  if (grant === undefined) return false
  const sendLegacy = config.includeLegacyHeaders
  const legacy = grant.row.legacy
  if (key !== undefined) {
    const ttlMs = config.grantCacheTtlMs === undefined ? DEFAULT_GRANT_CACHE_TTL_MS : config.grantCacheTtlMs
    const lifetime = grantCacheLifetime(nowMs, ttlMs, grant.expiresAt)
    if (lifetime !== undefined) {
      const entry = grantEntryText(grant.token, legacy, sendLegacy, lifetime.cachedUntil, grant.expiresAt, grant.row.userJson)
      try {
        ;(ngx as any).shared[SHARED_ZONE].set(key, entry, lifetime.storeForMs)
      } catch (e) {
        // As the full path (src/auth/grant.ts): a full dict only costs the next request more work.
        if (config.logLevel !== 'error') r.warn('authotron: cache.grant.store_failed reason=' + JSON.stringify(e instanceof Error ? e.message : String(e)))
      }
    }
  }
  sendGrant(r, grant.token, legacy[0], legacy[1], legacy[2], sendLegacy, accessPhase)
  return true
}
