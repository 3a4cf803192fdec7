/**
 * `type: efas-api` in the compiled JSON (part of the contract, src/config/compiled.ts): what
 * compile.ts writes, runtime.ts reads and src/remote/nginx-snippets.ts turns into a location.
 */
import type { CompiledRemoteStep } from '../../remote/compiled'

/**
 * `type: efas-api` (authotron-behaviour.md §4.4). `filterRealm` is `efas` whatever `realm` says
 * (the reference's quirk, kept: docs/compatibility.md); the user carries `realm`.
 */
export interface CompiledEfasApiProvider {
  type: 'efas-api'
  name: string
  realm: string
  filterRealm: string
  scheme: 'Bearer'
  /** GET `{uri}?token=<token>`. */
  lookup: CompiledRemoteStep
}
