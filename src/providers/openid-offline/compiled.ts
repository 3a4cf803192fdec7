/**
 * `type: openid-offline` in the compiled JSON (part of the contract, src/config/compiled.ts): what
 * compile.ts writes and runtime.ts reads (authotron-behaviour.md §4.5).
 */
import type { CompiledJwtProvider } from '../jwt/compiled'

export interface CompiledOpenIdOfflineProvider {
  type: 'openid-offline'
  name: string
  realm: string
  filterRealm: string
  scheme: 'Bearer'
  /** `{iam_url}/realms/{realm}/protocol/openid-connect/token/introspect` */
  introspectionUrl: string
  /** `{iam_url}/realms/{realm}/protocol/openid-connect/token` */
  tokenUrl: string
  /** `public_client_id`: the `client_id` form field of the refresh-token grant. */
  publicClientId: string
  /**
   * `Basic base64(id:secret)` of the private client, each form-urlencoded first (RFC 6749 §2.3.1),
   * the Authorization header of both calls. A secret: never logged.
   */
  clientAuthorization: string
  /** Seconds an active introspection answer is reused (120). */
  validTtl: number
  /** Seconds a "not valid" introspection answer is reused (`invalid_cache_ttl`, default 5). */
  invalidTtl: number
  /** Seconds an exchanged access token is reused (10). */
  exchangeTtl: number
  /** Separates this provider's cached answers from any other's: a hash of its settings. */
  cacheId: string
  /** Step 3: the jwt provider (`cert_uri`, this provider's name and realm) the access token goes through. */
  validator: CompiledJwtProvider
}
