/**
 * The token store in the compiled JSON (part of the contract, src/config/compiled.ts): the
 * `token-store` provider the compiler appends after the configured providers when `store.enabled`
 * (§4.7), and the store's own settings (`CompiledConfig.tokenStore`).
 */

/**
 * `type: token-store`: scheme Bearer and no realm (§4.7), so it never answers a request that sends
 * X-Auth-Realm (`filterRealm` null equals no header value), and it is in neither the challenge nor
 * GET /providers.
 */
export interface CompiledTokenStoreProvider {
  type: 'token-store'
  name: 'token-store'
  realm: ''
  filterRealm: null
  scheme: 'Bearer'
  /** The same settings as CompiledConfig.tokenStore: the provider reads them from its entry. */
  store: CompiledTokenStore
}

export type TokenStoreBackendName = 'embedded' | 'etcd'

/** `store` with `enabled: true` (docs/token-store.md). */
export interface CompiledTokenStore {
  /** `embedded`: the shared dict `authotron_tokens` of every worker; `etcd`: etcd's v3 JSON gateway. */
  backend: TokenStoreBackendName
  /** `store.token_lifetime_in_s`: how long a token authenticates after `GET /token` made it. */
  lifetimeSeconds: number
  /** etcd: the internal location that proxies to the gateway's `/v3/` (nginx/authotron-etcd.conf). */
  etcdLocation: string
  /** etcd: the prefix of every key this store writes (`store.prefix`). */
  keyPrefix: string
}
