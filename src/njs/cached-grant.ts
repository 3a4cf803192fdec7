/**
 * The grant cache as the module's top layer reads it: a client reusing its credential costs one
 * hash, one shared-dict lookup and one split, and never instantiates the rest of the module
 * (core.load.ts). Entries are written by the full path (src/auth/grant.ts) and the precomputed
 * Basic path (precomputed-basic.ts, under the key this function returns), both through
 * src/auth/grant-entry.ts's storeGrant.
 *
 * The key, the read and the answer are the functions every tier uses (grantKey,
 * grantHeadersFromEntry, sendGrant); build.mjs writes their bodies in here in dist/, since on the
 * njs engine every call costs about a thousand instructions and every top-level declaration is
 * paid again by each request (docs/benchmarks.md).
 */
import type { CompiledConfig } from '../config/compiled'
import { GrantField, grantHeadersFromEntry, SEND_LEGACY } from '../auth/grant-entry'
import { grantKey } from '../auth/grant-key'
import { sendGrant } from './grant-answer'
import { sha256Base64url } from './hash'
import { METRICS_ZONE, recordGrantCacheHit } from '../auth/metrics'
import { SHARED_ZONE } from './platform'
import { firstHeaderLine, requestAuthorization } from './request'

/** What answeredFromGrantCache returns when it has answered. */
export const ANSWERED = true

/**
 * Answers (or, in the access phase, lets through) from a cached grant and returns ANSWERED; on a
 * miss returns the key a new grant is to be stored under, or undefined where nothing is cached
 * (no shared dict, caching off, no Authorization header). `rule` is the location's access rule
 * ('' or undefined: none), part of the key: an entry under it was stored only once the rule had let
 * its user in (grant-key.ts), so a hit needs no second evaluation, and an entry cached for another
 * location never opens this one. Inlined into index.ts's authenticate in dist/ (hence one
 * `return`, at the end).
 */
/* @inline */
export function answeredFromGrantCache(
  r: NginxHTTPRequest,
  config: CompiledConfig,
  accessPhase: boolean | undefined,
  rule: string | undefined,
  /** The request's Authorization header, as the caller read it. */
  header: string | undefined,
): typeof ANSWERED | string | undefined {
  let outcome: typeof ANSWERED | string | undefined
  // ngx.shared exists from njs 0.8.0; ngx itself on every supported runtime.
  const shared = (ngx as any).shared
  const ttlMs = config.grantCacheTtlMs
  // Absent in the config: DEFAULT_GRANT_CACHE_TTL_MS, which is positive.
  if (shared !== undefined && (ttlMs === undefined || ttlMs > 0)) {
    const dict = shared[SHARED_ZONE] as NgxSharedDict<string> | undefined
    const authorization = requestAuthorization(r, config, header)
    if (dict !== undefined && authorization !== undefined) {
      // Most requests have no X-Auth-Realm: spare them the call.
      const realm = r.headersIn['X-Auth-Realm'] === undefined ? undefined : firstHeaderLine(r, 'x-auth-realm')
      const key = grantKey(config.configId, rule, realm, authorization, sha256Base64url)
      const fields = grantHeadersFromEntry(dict.get(key) as string | undefined)
      if (fields === undefined) {
        outcome = key
      } else {
        const sendLegacy = fields[GrantField.Legacy] === SEND_LEGACY
        sendGrant(r, fields[GrantField.Token], fields[GrantField.Username], fields[GrantField.Realm], fields[GrantField.Roles], sendLegacy, accessPhase)
        // A hit counts as a success (§8), observed as 0 s: one incr on the metrics zone, where it
        // exists (looked up only now: a miss counts on its own path).
        const metrics = config.metricsEnabled === false ? undefined : (shared[METRICS_ZONE] as NgxSharedDict<number> | undefined)
        if (metrics !== undefined) {
          try {
            recordGrantCacheHit(metrics, fields[GrantField.Realm])
          } catch (e) {
            // A full zone loses the observation, never the answer.
          }
        }
        outcome = ANSWERED
      }
    }
  }
  return outcome
}
