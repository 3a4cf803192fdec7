/** Reading the request headers the pipeline needs, with the reference's first-line rule (§3.1). */
import type { AuthInput } from '../auth/pipeline'
import { sessionAuthorization } from '../auth/session'
import type { CompiledConfig } from '../config/compiled'

export function authInput(r: NginxHTTPRequest, config: CompiledConfig): AuthInput {
  const authorization = requestAuthorization(r, config)
  return { authorization, realm: firstHeaderLine(r, 'x-auth-realm') }
}

/**
 * The Authorization header; where the config has a session and the request sends no such header,
 * the session cookie as a Bearer credential (sessionAuthorization). nginx itself answers 400 to a
 * repeated Authorization line, so headersIn holds the only one. Inlined into the grant-cache hit.
 */
/* @inline */
export function requestAuthorization(r: NginxHTTPRequest, config: CompiledConfig): string | undefined {
  let authorization = r.headersIn['Authorization']
  const session = config.session
  if (authorization === undefined && session !== undefined) {
    authorization = sessionAuthorization(r.variables[session.cookieVariable])
  }
  return authorization
}

/**
 * The first line of a header, as sent. `headersIn` may merge repeated lines, so a header that is
 * present is looked up again in `rawHeadersIn`, which keeps every line in order.
 */
export function firstHeaderLine(r: NginxHTTPRequest, lowerName: string): string | undefined {
  if (r.headersIn[lowerName] === undefined) return undefined
  const raw = r.rawHeadersIn
  for (let i = 0; i < raw.length; i++) {
    if (raw[i][0].toLowerCase() === lowerName) return raw[i][1]
  }
  return undefined
}
