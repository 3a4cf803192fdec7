/**
 * Sends a grant: the 200 of `authenticate`, or in the access phase the variables the location
 * reads. Every tier answers through here: the grant-cache hit (cached-grant.ts), the precomputed
 * Basic path (precomputed-basic.ts) and the full pipeline (context.ts). build.mjs writes it into
 * each caller in dist/ (`@inline`: a call costs the njs engine ~1,000 instructions).
 */
import { AUTHENTICATED_BODY } from '../auth/answers'
import { AccessVariable } from './access-variables'

/* @inline */
export function sendGrant(
  r: NginxHTTPRequest,
  token: string,
  username: string,
  realm: string,
  roles: string,
  sendLegacy: boolean,
  accessPhase: boolean | undefined,
): void {
  const authorization = 'Bearer ' + token
  if (accessPhase) {
    // Returning without r.return lets nginx go on to the location's content.
    const variables = r.variables
    variables[AccessVariable.Jwt] = authorization
    if (sendLegacy) {
      variables[AccessVariable.Username] = username
      variables[AccessVariable.Realm] = realm
      variables[AccessVariable.Roles] = roles
    }
  } else {
    const headers = r.headersOut
    headers['Authorization'] = authorization
    if (sendLegacy) {
      headers['X-Auth-Username'] = username
      headers['X-Auth-Realm'] = realm
      headers['X-Auth-Roles'] = roles
    }
    r.return(200, AUTHENTICATED_BODY)
  }
}
