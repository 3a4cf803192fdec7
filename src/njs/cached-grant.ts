/**
 * The grant cache as the module's top layer reads it: a client reusing its credential costs one
 * hash, one shared-dict lookup and one split, and never instantiates the rest of the module
 * (core.load.ts). Entries are written by the full path (src/auth/grant.ts) and the express Basic
 * path (express.ts); all derive the key with grant-key.ts, so they agree on what a hit is.
 *
 * Written as one function on purpose: on the njs engine every call costs about a thousand
 * instructions and every top-level declaration is paid again by each request (docs/benchmarks.md).
 */
import type { CompiledConfig } from '../config/compiled'
import { GrantField, HEADER_FIELD_COUNT, SEND_LEGACY } from '../auth/grant-entry'
import { grantKey } from '../auth/grant-key'
import { sendGrant } from './grant-answer'
import { sha256Base64url } from './hash'
import { SHARED_ZONE } from './platform'
import { firstHeaderLine } from './request'

/** What answeredFromGrantCache returns when it has answered. */
export const ANSWERED = true

/**
 * Answers (or, in the access phase, lets through) from a cached grant and returns ANSWERED; on a
 * miss returns the key a new grant is to be stored under, or undefined where nothing is cached
 * (no shared dict, caching off, no Authorization header).
 */
export function answeredFromGrantCache(
  r: NginxHTTPRequest,
  config: CompiledConfig,
  accessPhase: boolean,
): typeof ANSWERED | string | undefined {
  const shared = typeof ngx !== 'undefined' ? (ngx as any).shared : undefined
  const ttlMs = config.grantCacheTtlMs
  // Absent in the config: DEFAULT_GRANT_CACHE_TTL_MS, which is positive.
  if (shared === undefined || (ttlMs !== undefined && !(ttlMs > 0))) return undefined
  const dict = shared[SHARED_ZONE] as NgxSharedDict<string> | undefined
  const authorization = r.headersIn['Authorization']
  if (dict === undefined || authorization === undefined) return undefined
  const realm = r.headersIn['X-Auth-Realm'] === undefined ? undefined : firstHeaderLine(r, 'x-auth-realm')
  const key = grantKey(config.configId, realm, authorization, sha256Base64url)
  const entry = dict.get(key) as string | undefined
  if (entry === undefined) return key
  const fields = entry.split('\n', HEADER_FIELD_COUNT)
  if (fields.length !== HEADER_FIELD_COUNT || fields[GrantField.Token] === '') return key
  sendGrant(
    r,
    fields[GrantField.Token],
    fields[GrantField.Username],
    fields[GrantField.Realm],
    fields[GrantField.Roles],
    fields[GrantField.Legacy] === SEND_LEGACY,
    accessPhase,
  )
  return ANSWERED
}
