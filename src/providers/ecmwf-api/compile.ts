/** `type: ecmwf-api` → CompiledEcmwfApiProvider (runtime.ts reads it; docs/remote.md documents the keys). */
import type { ProviderCompileInput, ProviderCompiler } from '../../compiler/unit'
import { checkRemoteUrl, compileRemoteStep, remoteOptions } from '../../remote/compile'
import type { CompiledEcmwfApiProvider } from './compiled'
import { DEFAULT_ECMWF_API_CACHE_TTL_SECONDS, ecmwfApiProviderSchema } from './schema'

/** The status with which the ECMWF API refuses a key (§4.3: "Invalid API token"). */
export const ECMWF_API_INVALID_STATUSES = [403]

export const ecmwfApiProviderCompiler: ProviderCompiler<CompiledEcmwfApiProvider> = {
  scheme: 'Bearer',
  schema: ecmwfApiProviderSchema,
  compile({ provider, common, data }: ProviderCompileInput): CompiledEcmwfApiProvider {
    const options = remoteOptions(provider, DEFAULT_ECMWF_API_CACHE_TTL_SECONDS)
    const uri = (provider.uri as string).replace(/\/+$/, '')
    return {
      ...common,
      type: 'ecmwf-api',
      scheme: 'Bearer',
      whoAmI: compileRemoteStep({
        url: uri + '/who-am-i',
        method: 'GET',
        ttl: options.ttl,
        invalidStatuses: ECMWF_API_INVALID_STATUSES,
        invalidTtl: options.invalidTtl,
        caFile: options.caFile,
        resolver: options.resolver,
        resolverValid: options.resolverValid,
        data,
      }),
    }
  },
  check(provider, path, report) {
    const warning = checkRemoteUrl(provider.uri)
    if (warning !== undefined) report('warning', [...path, 'uri'], warning)
  },
}
