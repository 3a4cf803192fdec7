/**
 * `type: openid-offline` → CompiledOpenIdOfflineProvider (runtime.ts reads it; README and
 * docs/configuration.md document the keys). The three calls are steps of the remote-call layer
 * (src/remote/compile.ts); `authotron compile --nginx-snippets` writes their locations.
 */
import type { Mapping } from '../../compiler/paths'
import type { ProviderCompileInput, ProviderCompiler } from '../../compiler/unit'
import { checkRemoteUrl, compileRemoteMemo, compileRemoteStep, remoteOptions } from '../../remote/compile'
import type { CompiledRemoteMemo, CompiledRemoteStep } from '../../remote/compiled'
import { compileJwtValidator } from '../jwt/compile'
import type { CompiledOpenIdOfflineProvider } from './compiled'
import { EXCHANGE_TTL_SECONDS, INTROSPECTION_TTL_SECONDS, openIdOfflineProviderSchema } from './schema'

export const openIdOfflineProviderCompiler: ProviderCompiler<CompiledOpenIdOfflineProvider> = {
  scheme: 'Bearer',
  schema: openIdOfflineProviderSchema,
  compile: compileOpenIdOfflineProvider,
  check(provider, path, report) {
    for (const key of ['iam_url', 'cert_uri']) {
      const warning = checkRemoteUrl(provider[key])
      if (warning !== undefined) report('warning', [...path, key], warning)
    }
  },
}

function compileOpenIdOfflineProvider({ provider, common, data }: ProviderCompileInput): CompiledOpenIdOfflineProvider {
  const base = withoutTrailingSlashes(provider.iam_url as string) + '/realms/' + encodeURIComponent(common.realm)
  const introspectionUrl = base + '/protocol/openid-connect/token/introspect'
  const options = remoteOptions(provider, INTROSPECTION_TTL_SECONDS)
  const headers = {
    Authorization: basicAuthorization(provider.private_client_id as string, provider.private_client_secret as string),
    'Content-Type': 'application/x-www-form-urlencoded',
  }
  const step = (url: string, ttl: number) => postStep(url, ttl, headers, options, data)
  const introspection = step(introspectionUrl, options.ttl)
  const introspectionRecheck = step(introspectionUrl, Math.min(options.invalidTtl, options.ttl))
  const exchange = step(base + '/protocol/openid-connect/token', Math.min(EXCHANGE_TTL_SECONDS, options.ttl))
  const publicClientId = provider.public_client_id as string
  const validator = compileJwtValidator(common, provider.cert_uri as string, options.caFile, options)
  const compiled: CompiledOpenIdOfflineProvider = {
    ...common,
    type: 'openid-offline',
    scheme: 'Bearer',
    introspection,
    introspectionRecheck,
    exchange,
    publicClientId,
    validator,
  }
  const kept = keptResult(
    { validation: introspection, recheck: introspectionRecheck, exchange },
    ['openid-offline', publicClientId, validator.cacheId],
    data,
  )
  if (kept !== undefined) compiled.kept = kept
  return compiled
}

/**
 * Where a refresh-token provider keeps its flow's result (src/remote/memo.ts): at most as long as
 * both its validation and its exchange answers are cached (the runtime cuts it to what is left of
 * the answers it used); the location depends on the steps, the validator's settings and whatever
 * else shapes the user (`judge`). Undefined when either answer is never cached.
 */
export function keptResult(
  steps: { validation: CompiledRemoteStep; recheck: CompiledRemoteStep; exchange: CompiledRemoteStep },
  judge: string[],
  data: Mapping,
): CompiledRemoteMemo | undefined {
  return compileRemoteMemo(
    [steps.validation, steps.recheck, steps.exchange],
    JSON.stringify(judge),
    Math.min(steps.validation.ttl, steps.exchange.ttl),
    data,
  )
}

/** One POST call of a refresh-token provider; every answer status is the provider's to judge. */
export function postStep(
  url: string,
  ttl: number,
  headers: { [name: string]: string },
  options: ReturnType<typeof remoteOptions>,
  data: Mapping,
): CompiledRemoteStep {
  return compileRemoteStep({
    url,
    method: 'POST',
    ttl,
    invalidStatuses: [],
    invalidTtl: options.invalidTtl,
    headers,
    caFile: options.caFile,
    resolver: options.resolver,
    resolverValid: options.resolverValid,
    data,
  })
}

/**
 * RFC 6749 §2.3.1: the client id and secret are form-urlencoded, then joined and base64-encoded.
 * The reference joins them raw; Keycloak and oidc-provider decode, so both agree for the usual
 * ids and secrets, and a secret with `%` or `:` works here only (docs/compatibility.md).
 */
export function basicAuthorization(id: string, secret: string): string {
  return 'Basic ' + Buffer.from(encodeURIComponent(id) + ':' + encodeURIComponent(secret), 'utf8').toString('base64')
}

export function withoutTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, '')
}
