/** `type: efas-api` → CompiledEfasApiProvider (runtime.ts reads it; docs/remote.md documents the keys). */
import type { ProviderCompileInput, ProviderCompiler } from '../../compiler/unit'
import { checkRemoteUrl, compileRemoteStep, remoteOptions } from '../../remote/compile'
import type { CompiledEfasApiProvider } from './compiled'
import { DEFAULT_EFAS_API_CACHE_TTL_SECONDS, efasApiProviderSchema } from './schema'

/** The status with which EFAS refuses a token (§4.4: "Invalid API token"). */
export const EFAS_API_INVALID_STATUSES = [403]

export const efasApiProviderCompiler: ProviderCompiler<CompiledEfasApiProvider> = {
  scheme: 'Bearer',
  schema: efasApiProviderSchema,
  compile({ provider, common, data }: ProviderCompileInput): CompiledEfasApiProvider {
    const options = remoteOptions(provider, DEFAULT_EFAS_API_CACHE_TTL_SECONDS)
    return {
      ...common,
      type: 'efas-api',
      scheme: 'Bearer',
      lookup: compileRemoteStep({
        url: provider.uri as string,
        method: 'GET',
        ttl: options.ttl,
        invalidStatuses: EFAS_API_INVALID_STATUSES,
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
