/**
 * `type: ecmwf-token-generator` in the compiled JSON (part of the contract, src/config/compiled.ts):
 * what compile.ts writes and runtime.ts reads (authotron-behaviour.md §4.6). Its remote calls are
 * steps of the remote-call layer (src/remote/compiled.ts).
 */
import type { CompiledJwtProvider } from '../jwt/compiled'
import type { CompiledRemoteMemo, CompiledRemoteStep } from '../../remote/compiled'

export interface CompiledEcmwfTokenGeneratorProvider {
  type: 'ecmwf-token-generator'
  name: string
  realm: string
  filterRealm: string
  scheme: 'Bearer'
  /** POST `{token_generator_url}/validate-token` (JSON); answers reused `cache_ttl` (240 s). */
  validation: CompiledRemoteStep
  /** The same call through a cache that keeps an answer `invalid_cache_ttl` seconds (5) at most. */
  validationRecheck: CompiledRemoteStep
  /** POST `{token_generator_url}/admin/refresh-access-token` (JSON); answers reused 240 s. */
  exchange: CompiledRemoteStep
  /** The flow's result (the verified user) kept at most as long as the exchange; absent when that is 0. */
  kept?: CompiledRemoteMemo
  clientId: string
  /** A secret: sent in the exchange body only, never logged. */
  clientSecret: string
  /** Step 3: the jwt provider (`cert_uri`, this provider's name and realm) the access token goes through. */
  validator: CompiledJwtProvider
}
