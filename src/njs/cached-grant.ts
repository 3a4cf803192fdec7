/**
 * The cache-hit path of `authenticate` and `access`, in the module's top layer: a client reusing
 * its credential costs one hash, one shared-dict lookup and one split, and never instantiates the
 * rest of the module (core.load.ts). Entries are written by the full path (src/auth/grant.ts);
 * both derive the key with grant-key.ts, so they agree on what a hit is.
 */
import type { CompiledConfig } from '../config/compiled'
import { AUTHENTICATED_BODY } from '../auth/answers'
import { DEFAULT_GRANT_CACHE_TTL_MS, GrantField, grantHeadersFromEntry } from '../auth/grant-entry'
import { grantKey } from '../auth/grant-key'
import { AccessVariable } from './access-variables'
import { sha256Base64url } from './hash'
import { SHARED_ZONE } from './platform'
import { firstHeaderLine } from './request'

/** Answers (or, in the access phase, lets through) from a cached grant; false on a miss. */
export function answeredFromGrantCache(r: NginxHTTPRequest, config: CompiledConfig, accessPhase: boolean): boolean {
  const shared = typeof ngx !== 'undefined' ? (ngx as any).shared : undefined
  const dict = shared !== undefined ? shared[SHARED_ZONE] : undefined
  const authorization = r.headersIn['Authorization']
  if (dict === undefined || authorization === undefined) return false
  const configuredTtlMs = config.grantCacheTtlMs
  if (!((configuredTtlMs === undefined ? DEFAULT_GRANT_CACHE_TTL_MS : configuredTtlMs) > 0)) return false
  const key = grantKey(config.configId, { authorization, realm: firstHeaderLine(r, 'x-auth-realm') }, sha256Base64url)
  const text = dict.get(key) as string | undefined
  if (text === undefined) return false
  const fields = grantHeadersFromEntry(text, Math.floor(Date.now() / 1000))
  if (fields === undefined) return false
  const legacy = config.includeLegacyHeaders
  if (accessPhase) {
    const variables = r.variables
    variables[AccessVariable.Jwt] = 'Bearer ' + fields[GrantField.Token]
    if (legacy) {
      variables[AccessVariable.Username] = fields[GrantField.Username]
      variables[AccessVariable.Realm] = fields[GrantField.Realm]
      variables[AccessVariable.Roles] = fields[GrantField.Roles]
    }
    return true
  }
  const headers = r.headersOut
  headers['Authorization'] = 'Bearer ' + fields[GrantField.Token]
  if (legacy) {
    headers['X-Auth-Username'] = fields[GrantField.Username]
    headers['X-Auth-Realm'] = fields[GrantField.Realm]
    headers['X-Auth-Roles'] = fields[GrantField.Roles]
  }
  r.return(200, AUTHENTICATED_BODY)
  return true
}
