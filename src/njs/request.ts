/** Reading the request headers the pipeline needs, with the reference's first-line rule (§3.1). */
import type { AuthInput } from '../auth/pipeline'

export function authInput(r: NginxHTTPRequest): AuthInput {
  return {
    // nginx itself answers 400 to a repeated Authorization line, so headersIn holds the only one.
    authorization: r.headersIn['Authorization'],
    realm: firstHeaderLine(r, 'x-auth-realm'),
  }
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
