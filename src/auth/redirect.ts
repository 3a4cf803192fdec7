/**
 * Where a browser login sends the browser back to (`/authenticate?redirect=<path>`): only a path of
 * this origin. Anything else — another origin (`//evil.example`, `https://evil.example`), a path
 * browsers read as one (`/\evil.example`: WHATWG URL parsing treats `\` as `/`), an encoded slash
 * or backslash that a later decoding could turn into one, whitespace or control characters
 * (browsers strip tabs and newlines before parsing, so `/\t/evil.example` is `//evil.example`),
 * non-ASCII, an over-long value — gives the fallback `/`. The test is an allow-list of what a
 * same-origin relative reference looks like, not a list of known attacks.
 */

export const FALLBACK_REDIRECT = '/'

/** Longer targets fall back (a URI this long is no page a login was asked for). */
export const MAX_REDIRECT_LENGTH = 2048

/** Anything but visible ASCII (space, tab, CR, LF, control characters, DEL, non-ASCII), or a backslash. */
const NOT_PATH_CHARACTER = /[^\x21-\x5b\x5d-\x7e]/
/** An encoded `/` or `\`, or an encoded control character (a second decoding would bring them back). */
const ENCODED_SEPARATOR_OR_CONTROL = /%(?:2f|5c|[01][0-9a-f]|7f)/i

/**
 * The target for the `redirect` query argument as nginx received it (`$arg_redirect`: still
 * percent-encoded), or FALLBACK_REDIRECT. The value is decoded once, then must be an absolute
 * path of this origin: `/` followed by anything but a second `/`.
 */
export function safeRedirectTarget(encoded: string | undefined): string {
  if (encoded === undefined || encoded === '' || encoded.length > 3 * MAX_REDIRECT_LENGTH) return FALLBACK_REDIRECT
  let target: string
  try {
    target = decodeURIComponent(encoded)
  } catch (e) {
    return FALLBACK_REDIRECT
  }
  if (
    target.length > MAX_REDIRECT_LENGTH ||
    target.charAt(0) !== '/' ||
    target.charAt(1) === '/' ||
    NOT_PATH_CHARACTER.test(target) ||
    ENCODED_SEPARATOR_OR_CONTROL.test(target)
  ) {
    return FALLBACK_REDIRECT
  }
  return target
}

/** Where a refused browser request is sent to log in, when its URI is too long to come back to. */
export const LOGIN_PATH = '/authenticate'

/**
 * `/authenticate?redirect=<the request's URI>`, the URI percent-encoded as a query value (its `/`
 * kept readable: inside a query they mean the same), so that a query string of its own
 * (`/api/x?a=1&redirect=https://evil.example`) stays one value and comes back whole after the
 * login. safeRedirectTarget decodes it once and checks it. A URI longer than a target may be gives
 * the bare login path.
 */
export function loginLocation(requestUri: string | undefined): string {
  if (requestUri === undefined || requestUri === '' || requestUri.length > MAX_REDIRECT_LENGTH) return LOGIN_PATH
  return LOGIN_PATH + '?redirect=' + encodeURIComponent(requestUri).replace(/%2F/g, '/')
}
