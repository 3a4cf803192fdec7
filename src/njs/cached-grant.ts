/**
 * The grant cache as the module's top layer reads it: a client reusing its credential costs one
 * hash, one shared-dict lookup and one split, and never instantiates the rest of the module
 * (core.load.ts). Entries are written by the full path (src/auth/grant.ts) and the express Basic
 * path (express.ts); all derive the key with grant-key.ts, so they agree on what a hit is.
 */
import type { CompiledConfig } from '../config/compiled'
import { GrantField, grantHeadersFromEntry, SEND_LEGACY } from '../auth/grant-entry'
import { grantKey } from '../auth/grant-key'
import { sendGrant } from './grant-answer'
import { sha256Base64url } from './hash'
import { SHARED_ZONE } from './platform'
import { firstHeaderLine } from './request'

/** The `authotron` shared dict, or undefined where there is none or caching is off. */
export function grantDict(config: CompiledConfig): NgxSharedDict | undefined {
  const shared = typeof ngx !== 'undefined' ? (ngx as any).shared : undefined
  const ttlMs = config.grantCacheTtlMs
  // Absent in the config: DEFAULT_GRANT_CACHE_TTL_MS, which is positive.
  if (shared === undefined || (ttlMs !== undefined && !(ttlMs > 0))) return undefined
  return shared[SHARED_ZONE]
}

/** The request's grant key, or undefined when it has no Authorization header. */
export function requestGrantKey(r: NginxHTTPRequest, config: CompiledConfig): string | undefined {
  const authorization = r.headersIn['Authorization']
  if (authorization === undefined) return undefined
  return grantKey(config.configId, { authorization, realm: firstHeaderLine(r, 'x-auth-realm') }, sha256Base64url)
}

/** Answers (or, in the access phase, lets through) from a cached entry; false on a miss. */
export function answeredFromGrantCache(r: NginxHTTPRequest, entry: string | undefined, accessPhase: boolean): boolean {
  if (entry === undefined) return false
  const fields = grantHeadersFromEntry(entry)
  if (fields === undefined) return false
  sendGrant(
    r,
    fields[GrantField.Token],
    fields[GrantField.Username],
    fields[GrantField.Realm],
    fields[GrantField.Roles],
    fields[GrantField.Legacy] === SEND_LEGACY,
    accessPhase,
  )
  return true
}
