/**
 * One remote call step in the compiled JSON (part of the contract, src/config/compiled.ts): what
 * src/remote/compile.ts writes, src/remote/request.ts reads at run time and
 * src/remote/nginx-snippets.ts turns into an internal nginx location (docs/remote.md).
 *
 * A provider unit that calls a remote service holds one step per kind of call in its compiled
 * entry (ecmwf-api: `whoAmI`; efas-api: `lookup`), as a top-level value of the entry: the snippet
 * generator finds every step of a config by looking at the providers' top-level values.
 */
export interface CompiledRemoteStep {
  /**
   * `/_authotron/remote/<id>`: the internal location prefix the runtime asks as
   * `<location>/<cache key>?<query>`. Steps with the same settings share one id, one location and
   * one cache.
   */
  location: string
  /** The upstream URL without the query the runtime adds (e.g. `https://api.ecmwf.int/v1/who-am-i`). */
  url: string
  method: 'GET' | 'POST'
  /** Seconds a 200 answer is reused by every worker (proxy_cache_valid 200). */
  ttl: number
  /** Statuses that mean "this credential is not valid" (ecmwf-api: 403), reused `invalidTtl` s. */
  invalidStatuses: number[]
  /** Seconds a "not valid" answer is reused; 0: never. A few seconds at most (schema: ≤ 60). */
  invalidTtl: number
  /** Upper bound of the upstream call: connect, send and read timeouts (auth.timeout_in_ms). */
  timeoutMs: number
  /** Headers sent upstream besides Host (no client header is ever forwarded). Written to the snippet. */
  headers: { [name: string]: string }
  /** PEM CA bundle for an https URL (default: the system's). Read by the snippet generator only. */
  caFile?: string
  /**
   * nginx `resolver` addresses: the host is resolved per request through them (`valid` seconds).
   * Absent: the host is resolved when nginx starts or reloads (an upstream{} block with keepalive).
   */
  resolver?: string[]
  /**
   * Seconds each worker reuses a DNS answer of `resolver` (nginx `valid=`; `resolver_valid`,
   * default 30). Present exactly when `resolver` is. Read by the snippet generator only.
   */
  resolverValid?: number
  /**
   * Secret (derived from jwt.secret and the step): the cache key is HMAC-SHA-256(keySalt,
   * credential), so neither the key nor the cache file names a credential, and a guessed token
   * cannot be checked against a cache directory without the secret.
   */
  keySalt: string
  /**
   * HMAC-SHA-256(keySalt, SEAL_LABEL), worked out at compile time (src/remote/compile.ts): the
   * relay seals each answer under HMAC-SHA-256(sealSecret, envelope), and the runtime opens it with
   * the same key. The hop-1 location hands it to the relay (a header of the generated snippet).
   */
  sealSecret: string
}

/**
 * A **kept result** (docs/remote.md, "Kept results"): what a provider made of several remote calls
 * (the refresh-token providers: validation, exchange, the access token verified), kept in nginx's
 * remote cache for every worker, sealed like the calls' answers and keyed by an HMAC of the
 * presented token, for no longer than the answers it was made from. A hit costs one subrequest
 * and one opening where the calls cost two of each and a JWT check. Its generated location
 * (src/remote/nginx-snippets.ts) asks the relay only to seal what the runtime hands it.
 */
export interface CompiledRemoteMemo {
  /** `/_authotron/remote/<id>`, asked as `<location>/<cache key>` (as a step's). */
  location: string
  /** Marks a kept result among a provider's top-level values (the snippet generator looks). */
  memo: true
  /** The longest a result is kept, in seconds (the shortest lifetime of the answers it is made of). */
  ttl: number
  /** Upper bound of a probe or a store (auth.timeout_in_ms). */
  timeoutMs: number
  /** As a step's: the cache key is HMAC-SHA-256(keySalt, token). */
  keySalt: string
  /** As a step's: the result is sealed under HMAC-SHA-256(sealSecret, token). */
  sealSecret: string
}
