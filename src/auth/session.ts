/**
 * Browser sessions (issue 18; docs/sessions.md): the login answer that stores the grant's token in
 * the session cookie and sends the browser back, the logout answer that clears it, and how the
 * cookie is read back as a credential. The token in the cookie is the minted JWT itself, checked
 * on its way back like any token of ours (src/jwt/own-token.ts): the cookie adds no state.
 */
import type { CompiledSession } from '../config/compiled'
import type { HttpAnswer } from './answers'

/**
 * The session cookie as the credential the pipeline and the grant cache read (`Bearer <token>`), or
 * undefined when the request has none or it holds anything but JWT characters: a cookie value is
 * the client's to write, and must never read as more than one credential of the header grammar.
 */
/* @inline */
export function sessionAuthorization(cookie: string | undefined): string | undefined {
  return cookie !== undefined && cookie !== '' && !/[^A-Za-z0-9_.-]/.test(cookie) ? 'Bearer ' + cookie : undefined
}

/**
 * The answer to a successful login: the token in the cookie for as long as it is valid (Max-Age:
 * its own `exp` − now, never negative), and a 302 to `target` (already checked by
 * src/auth/redirect.ts). A 3xx answer's body is its Location (what the boundary hands nginx's
 * `return`, which also makes it absolute where `absolute_redirect` is on).
 */
export function loginAnswer(session: CompiledSession, token: string, expiresAt: number, nowSeconds: number, target: string): HttpAnswer {
  const maxAge = expiresAt > nowSeconds ? expiresAt - nowSeconds : 0
  return redirect(session.cookieName + '=' + token + '; Max-Age=' + maxAge + session.cookieAttributes, target)
}

/** `/logout`: the cookie emptied and expired (same name, path and attributes), then a 302 to `target`. */
export function logoutAnswer(session: CompiledSession, target: string): HttpAnswer {
  return redirect(session.cookieName + '=; Max-Age=0' + session.cookieAttributes, target)
}

function redirect(setCookie: string, target: string): HttpAnswer {
  return {
    status: 302,
    headers: [
      ['Set-Cookie', setCookie],
      ['Cache-Control', 'no-store'],
    ],
    body: target,
  }
}
