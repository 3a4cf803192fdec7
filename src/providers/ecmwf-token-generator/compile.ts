/**
 * `type: ecmwf-token-generator` → CompiledEcmwfTokenGeneratorProvider (runtime.ts reads it; README
 * and docs/configuration.md document the keys). The calls are steps of the remote-call layer.
 */
import type { ProviderCompileInput, ProviderCompiler } from '../../compiler/unit'
import { checkRemoteUrl, remoteOptions } from '../../remote/compile'
import { compileJwtValidator } from '../jwt/compile'
import { keptResult, postStep, withoutTrailingSlashes } from '../openid-offline/compile'
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
  const validation = step(base + '/validate-token', options.ttl)
  const validationRecheck = step(base + '/validate-token', Math.min(options.invalidTtl, options.ttl))
  const exchange = step(base + '/admin/refresh-access-token', Math.min(EXCHANGE_TTL_SECONDS, options.ttl))
  const clientId = provider.client_id as string
  const validator = compileJwtValidator(common, provider.cert_uri as string, options.caFile, options)
  const compiled: CompiledEcmwfTokenGeneratorProvider = {
    ...common,
    type: 'ecmwf-token-generator',
    scheme: 'Bearer',
    validation,
    validationRecheck,
    exchange,
    clientId,
    clientSecret: provider.client_secret as string,
    validator,
  }
  // The client secret is left out of the location's id (a hash of it would be a guess check): a
  // changed secret is seen once the kept results have expired, within the exchange's lifetime.
  const kept = keptResult({ validation, recheck: validationRecheck, exchange }, ['ecmwf-token-generator', clientId, validator.cacheId], data)
  if (kept !== undefined) compiled.kept = kept
  return compiled
}
