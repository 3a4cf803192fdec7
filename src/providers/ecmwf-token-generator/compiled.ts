/**
 * `type: ecmwf-token-generator` in the compiled JSON (part of the contract, src/config/compiled.ts):
 * what compile.ts writes and runtime.ts reads (authotron-behaviour.md §4.6).
 */
import type { CompiledJwtProvider } from '../jwt/compiled'

export interface CompiledEcmwfTokenGeneratorProvider {
  type: 'ecmwf-token-generator'
  name: string
  realm: string
  filterRealm: string
  scheme: 'Bearer'
  /** `{token_generator_url}/validate-token` */
  validationUrl: string
  /** `{token_generator_url}/admin/refresh-access-token` */
  exchangeUrl: string
  clientId: string
  /** A secret: sent in the exchange body only, never logged. */
  clientSecret: string
  /** Seconds an active validation answer is reused (240). */
  validTtl: number
  /** Seconds a "not valid" validation answer is reused (`invalid_cache_ttl`, default 5). */
  invalidTtl: number
  /** Seconds an exchanged access token is reused (240). */
  exchangeTtl: number
  /** Separates this provider's cached answers from any other's: a hash of its settings. */
  cacheId: string
  /** Step 3: the jwt provider (`cert_uri`, this provider's name and realm) the access token goes through. */
  validator: CompiledJwtProvider
}
