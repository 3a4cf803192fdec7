/**
 * `type: ecmwf-api` in the compiled JSON (part of the contract, src/config/compiled.ts): what
 * compile.ts writes, runtime.ts reads and src/remote/nginx-snippets.ts turns into a location.
 */
import type { CompiledRemoteStep } from '../../remote/compiled'

/** `type: ecmwf-api` (authotron-behaviour.md §4.3). */
export interface CompiledEcmwfApiProvider {
  type: 'ecmwf-api'
  name: string
  realm: string
  filterRealm: string
  scheme: 'Bearer'
  /** GET `{uri}/who-am-i?token=<key>`. */
  whoAmI: CompiledRemoteStep
}
