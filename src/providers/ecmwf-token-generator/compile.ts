/**
 * `type: ecmwf-token-generator` → CompiledEcmwfTokenGeneratorProvider (runtime.ts reads it; README
 * and docs/configuration.md document the keys). The calls are steps of the remote-call layer.
 */
import type { ProviderCompileInput, ProviderCompiler } from '../../compiler/unit'
import { checkRemoteUrl, remoteOptions } from '../../remote/compile'
import { compileJwtValidator } from '../jwt/compile'
import { postStep, withoutTrailingSlashes } from '../openid-offline/compile'
import type { CompiledEcmwfTokenGeneratorProvider } from './compiled'
import { ecmwfTokenGeneratorProviderSchema, EXCHANGE_TTL_SECONDS, VALIDATION_TTL_SECONDS } from './schema'

export const ecmwfTokenGeneratorProviderCompiler: ProviderCompiler<CompiledEcmwfTokenGeneratorProvider> = {
  scheme: 'Bearer',
  schema: ecmwfTokenGeneratorProviderSchema,
  compile: compileEcmwfTokenGeneratorProvider,
  check(provider, path, report) {
    for (const key of ['token_generator_url', 'cert_uri']) {
      const warning = checkRemoteUrl(provider[key])
      if (warning !== undefined) report('warning', [...path, key], warning)
    }
  },
}

function compileEcmwfTokenGeneratorProvider({
  provider,
  common,
  data,
}: ProviderCompileInput): CompiledEcmwfTokenGeneratorProvider {
  const base = withoutTrailingSlashes(provider.token_generator_url as string)
  const options = remoteOptions(provider, VALIDATION_TTL_SECONDS)
  const headers = { 'Content-Type': 'application/json' }
  const step = (url: string, ttl: number) => postStep(url, ttl, headers, options, data)
  return {
    ...common,
    type: 'ecmwf-token-generator',
    scheme: 'Bearer',
    validation: step(base + '/validate-token', options.ttl),
    validationRecheck: step(base + '/validate-token', Math.min(options.invalidTtl, options.ttl)),
    exchange: step(base + '/admin/refresh-access-token', Math.min(EXCHANGE_TTL_SECONDS, options.ttl)),
    clientId: provider.client_id as string,
    clientSecret: provider.client_secret as string,
    validator: compileJwtValidator(common, provider.cert_uri as string, options.caFile, options),
  }
}
