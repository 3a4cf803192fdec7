/**
 * JWK Sets through nginx: a subrequest to the internal location `authotron compile
 * --nginx-snippets` generated for the provider's keys URL (docs/jwt.md). That location proxies to
 * the URL through `proxy_cache`, so every worker shares one cached copy, concurrent misses make one
 * fetch (`proxy_cache_lock`), a failing endpoint keeps the cached keys in use
 * (`proxy_cache_use_stale`), and the refresh location asked after an unknown kid reaches the
 * endpoint at most once per 30 s. That policy holds on every leg, including njs 0.7.9, which has
 * no shared memory. Where njs has a shared dict the set is also kept there and served
 * stale-while-revalidate (src/jwt/jwks-cache.ts), so an expiry never parks the Bearer requests;
 * where it has none (0.7.9), the epoch location makes an expiry one fetch, made ahead of time.
 */
import { cachedJwksSource, jwksEpochLocation, type JwksDict } from '../jwt/jwks-cache'
import { codedError, ErrorCode } from '../errors'
import type { JwksEndpoint, JwksSource } from '../platform'
import { JWKS_RELAY_PREFIX, JWKS_UPSTREAM_PREFIX } from '../providers/jwt/compiled'

/** The JWK Sets, kept in the shared dict where the runtime has one (src/jwt/jwks-cache.ts). */
export function njsJwksSource(r: NginxHTTPRequest, zone: string): JwksSource {
  return cachedJwksSource(
    jwksDict(zone),
    (endpoint, refresh) => subrequestText(r, endpoint, refresh),
    () => Date.now(),
    (endpoint, epoch) => subrequestEpoch(r, endpoint, epoch),
  )
}

/** The epoch location's answer (njs 0.7.9): any failure is no text (the caller falls back). */
function subrequestEpoch(r: NginxHTTPRequest, endpoint: JwksEndpoint, epoch: number): Promise<string | undefined> {
  let pending: Promise<NginxHTTPRequest>
  try {
    // The location keys its cache on `e` (and sends the endpoint no query string).
    pending = r.subrequest(jwksEpochLocation(endpoint.location), { args: 'e=' + epoch, method: 'GET' })
  } catch (e) {
    return Promise.resolve(undefined)
  }
  return pending.then(
    (reply) => (reply.status === 200 ? reply.responseText || '' : undefined),
    () => undefined,
  )
}

/** `ngx.shared.authotron` (nginx/authotron-cache.conf), or undefined (njs < 0.8.0, or not included). */
function jwksDict(zone: string): JwksDict | undefined {
  const shared = typeof ngx !== 'undefined' ? (ngx as any).shared : undefined
  const dict = shared !== undefined ? (shared[zone] as NgxSharedDict<string> | undefined) : undefined
  if (dict === undefined) return undefined
  return {
    get: (key) => dict.get(key) as string | undefined,
    set: (key, value, ttlMs) => {
      dict.set(key, value, ttlMs)
    },
    add: (key, value, ttlMs) => dict.add(key, value, ttlMs),
    delete: (key) => {
      dict.delete(key)
    },
  }
}

function subrequestText(r: NginxHTTPRequest, endpoint: JwksEndpoint, refresh: boolean): Promise<string> {
  const location = refresh ? endpoint.refreshLocation : endpoint.location
  let pending: Promise<NginxHTTPRequest>
  try {
    pending = r.subrequest(location, { method: 'GET' })
  } catch (e) {
    return Promise.reject(unavailable(endpoint, 'subrequest failed: ' + String(e)))
  }
  return pending.then(
    (reply) => replyText(endpoint, location, reply),
    (e) => {
      throw unavailable(endpoint, 'subrequest failed: ' + String(e))
    },
  )
}

function replyText(endpoint: JwksEndpoint, location: string, reply: NginxHTTPRequest): string {
  if (reply.status === 404) {
    // The snippet does not know this endpoint: it was generated for another config.
    throw unavailable(
      endpoint,
      'no location ' + location + ' in this server: include the authotron-jwks-locations.conf that ' +
        '`authotron compile --nginx-snippets` wrote for this config',
    )
  }
  if (reply.status !== 200) throw unavailable(endpoint, String(reply.status))
  return reply.responseText || ''
}

function unavailable(endpoint: JwksEndpoint, reason: string) {
  return codedError(ErrorCode.JwksUnavailable, 'Failed to download certificates from ' + endpoint.url + ': ' + reason)
}

/**
 * `js_content authotron.endpoints.jwksRelay;`: the second hop of a JWK Set fetch, on the loopback
 * server of authotron-jwks-http.conf. It asks the location that proxies to the identity provider
 * and answers what came back. An answer above that location's buffer (256 KiB) is an error nginx
 * answers by terminating this request — the relay's own, on its own connection — so the cached
 * location that called it sees a 502 (and serves its stale copy, if it has one); the client's
 * request only ever gets a 401 (ERR_JWKS_UNAVAILABLE), never a closed connection.
 */
export function jwksRelay(r: NginxHTTPRequest): void {
  const upstream = JWKS_UPSTREAM_PREFIX + r.uri.slice(JWKS_RELAY_PREFIX.length)
  r.subrequest(upstream, { method: 'GET' }).then(
    (reply) => {
      r.headersOut['Content-Type'] = 'application/json'
      r.return(reply.status, reply.responseText || '')
    },
    () => r.return(502),
  )
}
