/**
 * `type: ecmwf-token-generator` → CompiledEcmwfTokenGeneratorProvider (runtime.ts reads it; README
 * and docs/configuration.md document the keys).
 */
import type { ProviderCompileInput, ProviderCompiler } from '../../compiler/unit'
import { compileJwtValidator } from '../jwt/compile'
import {
  invalidCacheTtl,
  optionalString,
  shortHash,
  warnPlainHttp,
  withoutTrailingSlashes,
} from '../openid-offline/compile'
import type { CompiledEcmwfTokenGeneratorProvider } from './compiled'
import { ecmwfTokenGeneratorProviderSchema, EXCHANGE_TTL_SECONDS, VALIDATION_TTL_SECONDS } from './schema'

export const ecmwfTokenGeneratorProviderCompiler: ProviderCompiler<CompiledEcmwfTokenGeneratorProvider> = {
  scheme: 'Bearer',
  schema: ecmwfTokenGeneratorProviderSchema,
  compile: compileEcmwfTokenGeneratorProvider,
  check(provider, path, report) {
    warnPlainHttp(
      provider.token_generator_url,
      [...path, 'token_generator_url'],
      report,
      'the refresh tokens and the client secret',
    )
    warnPlainHttp(provider.cert_uri, [...path, 'cert_uri'], report, 'the keys')
  },
}

function compileEcmwfTokenGeneratorProvider({
  provider,
  common,
}: ProviderCompileInput): CompiledEcmwfTokenGeneratorProvider {
  const base = withoutTrailingSlashes(provider.token_generator_url as string)
  const compiled: CompiledEcmwfTokenGeneratorProvider = {
    ...common,
    type: 'ecmwf-token-generator',
    scheme: 'Bearer',
    validationUrl: base + '/validate-token',
    exchangeUrl: base + '/admin/refresh-access-token',
    clientId: provider.client_id as string,
    clientSecret: provider.client_secret as string,
    validTtl: VALIDATION_TTL_SECONDS,
    invalidTtl: invalidCacheTtl(provider.invalid_cache_ttl),
    exchangeTtl: EXCHANGE_TTL_SECONDS,
    cacheId: '',
    validator: compileJwtValidator(common, provider.cert_uri as string, optionalString(provider.ca_file)),
  }
  compiled.cacheId = shortHash(JSON.stringify(compiled))
  return compiled
}
