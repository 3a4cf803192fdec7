/**
 * `type: jwt` in the compiled JSON (part of the contract, src/config/compiled.ts): what
 * compile.ts writes, runtime.ts and nginx-snippets.ts read.
 */

/**
 * The second hop of every JWK Set fetch (nginx-snippets.ts): the cached locations proxy to
 * `<relay prefix><id>` on a loopback server, whose handler (src/njs/jwks.ts, jwksRelay) fetches
 * `<upstream prefix><id>` — the identity provider — with a subrequest. An answer too big for that
 * subrequest's buffer ends the loopback request only (nginx terminates the request a failing
 * subrequest belongs to), so the client's request gets its 401 instead of a closed connection.
 */
export const JWKS_RELAY_PREFIX = '/_authotron/jwks-relay/'
export const JWKS_UPSTREAM_PREFIX = '/_authotron/jwks-upstream/'
/**
 * njs 0.7.9's epoch location proxies to `<latest prefix><id>` on the same loopback server: it
 * refetches the set through the relay at each ask and keeps it as the cached location's copy (one
 * cache entry, the fallback while the endpoint fails), so one fetch serves both (nginx-snippets.ts).
 */
export const JWKS_LATEST_PREFIX = '/_authotron/jwks-latest/'

/**
 * Where a jwt provider's JWK Set comes from (src/platform.ts JwksEndpoint): its URL and the two
 * internal locations `authotron compile --nginx-snippets` generates for it. Providers with the same
 * URL, TTL and CA bundle share one pair of locations, and so one cached copy.
 */
export interface CompiledJwksEndpoint {
  /** `cert_uri`. */
  url: string
  /** `/_authotron/jwks/<id>`: the cached JWK Set, refetched every `ttl` seconds. */
  location: string
  /** `/_authotron/jwks/<id>/refresh`: asked after an unknown kid; fetches at most every 30 s. */
  refreshLocation: string
  /** `jwks_ttl` (seconds): the snippet's proxy_cache_valid, and the set's freshness in the shared dict. */
  ttl: number
  /** `ca_file`, absolute, for https URLs. Read by the snippet generator, not at run time. */
  caFile?: string
  /**
   * `resolver`: DNS servers the host is resolved through while nginx runs, each answer reused
   * `resolverValid` seconds (present with it). Absent: resolved at start and reload. Snippet only.
   */
  resolver?: string[]
  resolverValid?: number
}

/** `type: jwt` (runtime.ts; authotron-behaviour.md §4.2 plus the keys of docs/jwt.md). */
export interface CompiledJwtProvider {
  type: 'jwt'
  name: string
  realm: string
  filterRealm: string
  scheme: 'Bearer'
  jwks: CompiledJwksEndpoint
  /** Seconds of clock skew tolerated on exp and nbf (`leeway`, default 60). */
  leeway: number
  /** Accepted `iss` values (`issuer`); absent: not checked. */
  issuers?: string[]
  /** Accepted audiences (`audience`); absent: `aud` is not checked. */
  audiences?: string[]
  /** Accepted `alg` values (`algorithms`); absent: every algorithm this build verifies. */
  algorithms?: string[]
  /** Separates this provider's verified tokens in the shared dict: a hash of its settings. */
  cacheId: string
  /** At most this many seconds (never past the token's exp) a verified token's user is reused. */
  verifiedCacheTtl: number
}
