/**
 * The grant cache as the module's top layer reads it: a client reusing its credential costs one
 * hash, one shared-dict lookup and one split, and never instantiates the rest of the module
 * (core.load.ts). Entries are written by the full path (src/auth/grant.ts) and the precomputed Basic
 * path (precomputed-basic.ts, under the key this function returns).
 *
 * Written as one function on purpose: on the njs engine every call costs about a thousand
 * instructions and every top-level declaration is paid again by each request (docs/benchmarks.md).
 * So it spells out two things that have a named home elsewhere: the key (src/auth/grant-key.ts,
 * which the full path stores under) and the answer (grant-answer.ts). The integration suites hold
 * them equal on real nginx: a grant stored by the full pipeline, with and without X-Auth-Realm,
 * must be served by this hit, and hit, precomputed Basic and full-pipeline answers must be identical
 * (test/integration/authenticate.test.ts).
 */
import type { CompiledConfig } from '../config/compiled'
import { GrantField, HEADER_FIELD_COUNT, SEND_LEGACY } from '../auth/grant-entry'
import { GRANT_KEY_PREFIX } from '../auth/grant-key'
import { AUTHENTICATED_BODY } from '../auth/answers'
import { AccessVariable } from './access-variables'
import { SHARED_ZONE } from './platform'
import { firstHeaderLine } from './request'
import nodeStyleCrypto from 'crypto'

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
  accessPhase: boolean | undefined,
): typeof ANSWERED | string | undefined {
  // ngx.shared exists from njs 0.8.0; ngx itself on every supported runtime.
  const shared = (ngx as any).shared
  const ttlMs = config.grantCacheTtlMs
  // Absent in the config: DEFAULT_GRANT_CACHE_TTL_MS, which is positive.
  if (shared === undefined || (ttlMs !== undefined && !(ttlMs > 0))) return undefined
  const dict = shared[SHARED_ZONE] as NgxSharedDict<string> | undefined
  const authorization = r.headersIn['Authorization']
  if (dict === undefined || authorization === undefined) return undefined
  // grantKey(config.configId, realm, authorization, sha256Base64url), spelled out.
  const realmPart = r.headersIn['X-Auth-Realm'] === undefined ? '\n-\n' : '\n+' + firstHeaderLine(r, 'x-auth-realm') + '\n'
  const key =
    GRANT_KEY_PREFIX +
    nodeStyleCrypto.createHash('sha256').update(config.configId + realmPart + authorization).digest('base64url')
  const entry = dict.get(key) as string | undefined
  if (entry === undefined) return key
  const fields = entry.split('\n', HEADER_FIELD_COUNT)
  if (fields.length !== HEADER_FIELD_COUNT || fields[GrantField.Token] === '') return key
  // sendGrant(r, …fields, accessPhase), spelled out.
  const sendLegacy = fields[GrantField.Legacy] === SEND_LEGACY
  if (accessPhase) {
    const variables = r.variables
    variables[AccessVariable.Jwt] = 'Bearer ' + fields[GrantField.Token]
    if (sendLegacy) {
      variables[AccessVariable.Username] = fields[GrantField.Username]
      variables[AccessVariable.Realm] = fields[GrantField.Realm]
      variables[AccessVariable.Roles] = fields[GrantField.Roles]
    }
    return ANSWERED
  }
  const headers = r.headersOut
  headers['Authorization'] = 'Bearer ' + fields[GrantField.Token]
  if (sendLegacy) {
    headers['X-Auth-Username'] = fields[GrantField.Username]
    headers['X-Auth-Realm'] = fields[GrantField.Realm]
    headers['X-Auth-Roles'] = fields[GrantField.Roles]
  }
  r.return(200, AUTHENTICATED_BODY)
  return ANSWERED
}
