/** Reading the request headers the pipeline needs, with the reference's first-line rule (§3.1). */
import type { AuthInput } from '../auth/pipeline'
import { sessionAuthorization } from '../auth/session'
import type { CompiledConfig } from '../config/compiled'

export function authInput(r: NginxHTTPRequest, config: CompiledConfig): AuthInput {
  let authorization = requestAuthorization(r, config, r.headersIn['Authorization'])
  // The full path checks what the cookie holds before the header grammar reads it (sessionAuthorization).
  if (authorization !== undefined && r.headersIn['Authorization'] === undefined) {
    authorization = sessionAuthorization(authorization.slice(SESSION_SCHEME.length))
  }
  return { authorization, realm: firstHeaderLine(r, 'x-auth-realm') }
}

/** The scheme of a session cookie read as a credential. */
const SESSION_SCHEME = 'Bearer '

/**
 * The Authorization header (`header`, as the caller read it: each read makes a new string); where
 * the config has a session and the request sends no such header,
 * the session cookie as a Bearer credential. nginx itself answers 400 to a repeated Authorization
 * line, so headersIn holds the only one. Inlined into the grant-cache hit, which looks the value up
 * unchecked (a regex per request saved): an entry exists only for a text that authenticated in full,
 * sent as this header or as a cookie authInput checked, so a cookie gets at most what the same text
 * sent by the same client as a header gets.
 */
/* @inline */
export function requestAuthorization(r: NginxHTTPRequest, config: CompiledConfig, header: string | undefined): string | undefined {
  let authorization = header
  const session = config.session
  if (authorization === undefined && session !== undefined) {
    const cookie = r.variables[session.cookieVariable]
    if (cookie) authorization = 'Bearer ' + cookie
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
