/**
 * JWK Sets through nginx: a subrequest to the internal location `authotron compile
 * --nginx-snippets` generated for the provider's keys URL (docs/jwt.md). That location proxies to
 * the URL through `proxy_cache`, so every worker shares one cached copy, concurrent misses make one
 * fetch (`proxy_cache_lock`), a failing endpoint keeps the cached keys in use
 * (`proxy_cache_use_stale`), and the refresh location asked after an unknown kid reaches the
 * endpoint at most once per 30 s. None of that policy lives in the VM: it holds on every leg,
 * including njs 0.7.9, which has no shared memory.
 */
import { codedError, ErrorCode } from '../errors'
import type { JwksEndpoint, JwksSource } from '../platform'

export function njsJwksSource(r: NginxHTTPRequest): JwksSource {
  return {
    get(endpoint: JwksEndpoint, refresh: boolean): Promise<unknown> {
      const location = refresh ? endpoint.refreshLocation : endpoint.location
      let pending: Promise<NginxHTTPRequest>
      try {
        pending = r.subrequest(location, { method: 'GET' })
      } catch (e) {
        return Promise.reject(unavailable(endpoint, 'subrequest failed: ' + String(e)))
      }
      return pending.then(
        (reply) => parseReply(endpoint, location, reply),
        (e) => {
          throw unavailable(endpoint, 'subrequest failed: ' + String(e))
        },
      )
    },
  }
}

function parseReply(endpoint: JwksEndpoint, location: string, reply: NginxHTTPRequest): unknown {
  if (reply.status === 404) {
    // The snippet does not know this endpoint: it was generated for another config.
    throw unavailable(
      endpoint,
      'no location ' + location + ' in this server: include the authotron-jwks-locations.conf that ' +
        '`authotron compile --nginx-snippets` wrote for this config',
    )
  }
  if (reply.status !== 200) throw unavailable(endpoint, String(reply.status))
  try {
    return JSON.parse(reply.responseText || '')
  } catch (e) {
    throw codedError(ErrorCode.JwksInvalid, 'Failed to parse certificate JSON from ' + endpoint.url)
  }
}

function unavailable(endpoint: JwksEndpoint, reason: string) {
  return codedError(ErrorCode.JwksUnavailable, 'Failed to download certificates from ' + endpoint.url + ': ' + reason)
}
