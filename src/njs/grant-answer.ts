/**
 * Sends a grant: the 200 of `authenticate`, or in the access phase the variables the location
 * reads. The grant-cache hit (cached-grant.ts) and the precomputed Basic path (precomputed-basic.ts) answer
 * through here; the core sends the same headers from its HttpAnswer (context.ts).
 */
import { AUTHENTICATED_BODY } from '../auth/answers'
import { AccessVariable } from './access-variables'

export function sendGrant(
  r: NginxHTTPRequest,
  token: string,
  username: string,
  realm: string,
  roles: string,
  sendLegacy: boolean,
  accessPhase: boolean,
) {
  if (accessPhase) {
    const variables = r.variables
    variables[AccessVariable.Jwt] = 'Bearer ' + token
    if (sendLegacy) {
      variables[AccessVariable.Username] = username
      variables[AccessVariable.Realm] = realm
      variables[AccessVariable.Roles] = roles
    }
    return
  }
  const headers = r.headersOut
  headers['Authorization'] = 'Bearer ' + token
  if (sendLegacy) {
    headers['X-Auth-Username'] = username
    headers['X-Auth-Realm'] = realm
    headers['X-Auth-Roles'] = roles
  }
  r.return(200, AUTHENTICATED_BODY)
}
