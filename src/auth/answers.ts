/**
 * The HTTP answers of the reference's routes (§7), as plain data. Only the boundary (src/njs/)
 * writes them to the nginx request.
 */
import type { CompiledConfig } from '../config/compiled'
import { User, userJson } from '../user'

export interface HttpAnswer {
  status: number
  headers: [string, string][]
  body: string
}

/** Byte-exact, with the space after the colon (§7.2). */
export const UNAUTHORIZED_BODY = '{"error": "Unauthorized access"}'
export const AUTHENTICATED_BODY = 'Authenticated successfully'
export const HEALTH_BODY = 'OK'

export function unauthorized(config: CompiledConfig): HttpAnswer {
  return {
    status: 401,
    headers: [
      ['WWW-Authenticate', config.challenge],
      ['Content-Type', 'application/json'],
    ],
    body: UNAUTHORIZED_BODY,
  }
}

/**
 * 200 with the minted token (§7.3) and, when enabled, the legacy headers (§2.10). Header values
 * are stripped of control characters: the reference drops the connection on them, and nginx would
 * otherwise send them raw (a CR/LF could split the response).
 */
export function authenticated(
  config: CompiledConfig,
  user: User,
  token: string,
  legacyValues?: [string, string, string],
): HttpAnswer {
  const headers: [string, string][] = [['Authorization', 'Bearer ' + token]]
  if (config.includeLegacyHeaders) {
    const legacy = legacyValues !== undefined ? legacyValues : legacyHeaderValues(user)
    headers.push(['X-Auth-Username', legacy[0]])
    headers.push(['X-Auth-Realm', legacy[1]])
    headers.push(['X-Auth-Roles', legacy[2]])
  }
  return { status: 200, headers, body: AUTHENTICATED_BODY }
}

/** X-Auth-Username, X-Auth-Realm and X-Auth-Roles, safe to send. */
export function legacyHeaderValues(user: User): [string, string, string] {
  return [headerSafe(user.username), headerSafe(user.realm), headerSafe(user.roles.join(','))]
}

export function whoami(user: User): HttpAnswer {
  return {
    status: 200,
    headers: [
      ['Content-Type', 'application/json'],
      ['Cache-Control', 'no-store'],
    ],
    body: userJson(user),
  }
}

export function jsonBody(body: string): HttpAnswer {
  return { status: 200, headers: [['Content-Type', 'application/json']], body }
}

/** Below 0x20 except tab, and DEL: what HTTP forbids in a field value. */
const CONTROL_CHARACTERS = /[\x00-\x08\x0a-\x1f\x7f]/g

export function headerSafe(value: string): string {
  return value.replace(CONTROL_CHARACTERS, '')
}
