/**
 * `type: openid-offline` in the compiled JSON (part of the contract, src/config/compiled.ts): what
 * compile.ts writes and runtime.ts reads (authotron-behaviour.md §4.5). Its remote calls are steps
 * of the remote-call layer (src/remote/compiled.ts), top-level values of the entry as that layer's
 * snippet generator expects.
 */
import type { CompiledJwtProvider } from '../jwt/compiled'
import type { CompiledRemoteMemo, CompiledRemoteStep } from '../../remote/compiled'

export interface CompiledOpenIdOfflineProvider {
  type: 'openid-offline'
  name: string
  realm: string
  filterRealm: string
  scheme: 'Bearer'
  /**
   * POST `{iam_url}/realms/{realm}/protocol/openid-connect/token/introspect`, Basic auth as the
   * private client (a header of the generated location); answers reused `cache_ttl` (120 s).
   */
  introspection: CompiledRemoteStep
  /** The same call through a cache that keeps an answer `invalid_cache_ttl` seconds (5) at most. */
  introspectionRecheck: CompiledRemoteStep
  /** POST `…/protocol/openid-connect/token` (refresh_token grant); answers reused 10 s. */
  exchange: CompiledRemoteStep
  /** The flow's result (the verified user) kept at most as long as the exchange; absent when that is 0. */
  kept?: CompiledRemoteMemo
  /** `public_client_id`: the `client_id` form field of the grant. */
  publicClientId: string
  /** Step 3: the jwt provider (`cert_uri`, this provider's name and realm) the access token goes through. */
  validator: CompiledJwtProvider
}
