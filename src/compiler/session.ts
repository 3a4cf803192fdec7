/**
 * The YAML's `session` section (extension, issue 18; docs/sessions.md) → the compiled session: the
 * cookie's name, the nginx variable that reads it and its fixed attributes, worked out once.
 */
import type { CompiledSession } from '../config/compiled'
import { isMapping, Mapping } from './paths'
import { DEFAULT_SESSION_COOKIE_NAME } from './schema'

/** HttpOnly: no script reads the token; SameSite=Lax: sent on top-level navigations only; Path=/: every location. */
export const SESSION_COOKIE_ATTRIBUTES = '; Path=/; HttpOnly; SameSite=Lax'

export function compileSession(data: Mapping): CompiledSession | undefined {
  if (!isMapping(data.session)) return undefined
  const session = data.session
  const cookieName = typeof session.cookie_name === 'string' ? session.cookie_name : DEFAULT_SESSION_COOKIE_NAME
  const secure = session.cookie_secure !== false
  return {
    cookieName,
    cookieVariable: 'cookie_' + cookieName,
    cookieAttributes: SESSION_COOKIE_ATTRIBUTES + (secure ? '; Secure' : ''),
  }
}

/** `jwt.previous_secrets`, or undefined when there are none. */
export function previousSecrets(jwt: Mapping): string[] | undefined {
  const list = jwt.previous_secrets
  return Array.isArray(list) && list.length > 0 ? (list as string[]) : undefined
}
