/**
 * The precomputed Basic path at the boundary (src/auth/precomputed-basic.ts): a success is sent
 * and stored in the grant cache like the full path's (sendGrant, storeGrant); anything else returns
 * false and the core runs the full pipeline. Requests with X-Auth-Realm always take the full pipeline.
 */
import type { CompiledConfig } from '../config/compiled'
import { precomputedBasicGrant } from '../auth/precomputed-basic'
import { DEFAULT_GRANT_CACHE_TTL_MS, storeGrant, wholeSeconds } from '../auth/grant-entry'
import { heldByFacts } from '../rules/access-rule'
import loadAccessRule from './access-rule.load'
import { sendGrant } from './grant-answer'
import { hmacSha256Base64url, sha256Base64url } from './hash'
import { AuthResult, recordAuthentication } from '../auth/metrics'
import { metricsSink, SHARED_ZONE } from './platform'

const PRECOMPUTED_BASIC_CRYPTO = { sha256Base64url, hmacSha256Base64url }

export function answeredPrecomputedBasic(
  r: NginxHTTPRequest,
  config: CompiledConfig,
  /** Where to store the grant in the shared dict (cached-grant.ts); undefined: nowhere. */
  key: string | undefined,
  accessPhase: boolean | undefined,
  /** The location's access rule ('' or undefined: none), checked before the grant is sent. */
  rule: string | undefined,
): boolean {
  const authorization = r.headersIn['Authorization']
  if (authorization === undefined || r.headersIn['X-Auth-Realm'] !== undefined) return false
  const nowMs = Date.now()
  const metrics = config.metricsEnabled === false ? undefined : metricsSink()
  const grant = precomputedBasicGrant(authorization, config.precomputedBasic!, config.jwt, wholeSeconds(nowMs), PRECOMPUTED_BASIC_CRYPTO)
  if (grant === undefined) return false
  const sendLegacy = config.includeLegacyHeaders
  const legacy = grant.row.legacy
  // A success (§8), as the full pipeline counts it (before the access rule), with the user's realm
  // as the row keeps it (header-safe).
  if (metrics !== undefined) recordAuthentication(metrics, AuthResult.Success, legacy[1], Date.now() - nowMs)
  // Before storing: an entry under a rule's key is that rule's yes (grant-key.ts).
  if (rule) {
    // The row's facts answer a rule that lets its user in; anything else is evaluated in full.
    const facts = grant.row.ruleFacts
    const held = heldByFacts(rule, facts)
    if (!held && loadAccessRule().refusedByRule(r, config, rule, grant.row.userJson, accessPhase)) return true
  }
  if (key !== undefined) {
    const ttlMs = config.grantCacheTtlMs === undefined ? DEFAULT_GRANT_CACHE_TTL_MS : config.grantCacheTtlMs
    const dict = (ngx as any).shared[SHARED_ZONE]
    const failure = storeGrant(dict, key, grant.token, legacy, sendLegacy, grant.expiresAt, grant.row.userJson, nowMs, ttlMs)
    // As the full path logs it (src/auth/grant.ts, at warn).
    if (failure !== undefined && config.logLevel !== 'error')
      r.warn('authotron: cache.grant.store_failed reason=' + JSON.stringify(failure))
  }
  sendGrant(r, grant.token, legacy[0], legacy[1], legacy[2], sendLegacy, accessPhase)
  return true
}
