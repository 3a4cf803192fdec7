/**
 * `type: openid-offline` → CompiledOpenIdOfflineProvider (runtime.ts reads it; README and
 * docs/configuration.md document the keys).
 */
import { createHash } from 'node:crypto'
import type { ProviderCompileInput, ProviderCompiler } from '../../compiler/unit'
import { compileJwtValidator } from '../jwt/compile'
import type { CompiledOpenIdOfflineProvider } from './compiled'
import {
  DEFAULT_INVALID_CACHE_TTL_SECONDS,
  EXCHANGE_TTL_SECONDS,
  INTROSPECTION_TTL_SECONDS,
  openIdOfflineProviderSchema,
} from './schema'

export const openIdOfflineProviderCompiler: ProviderCompiler<CompiledOpenIdOfflineProvider> = {
  scheme: 'Bearer',
  schema: openIdOfflineProviderSchema,
  compile: compileOpenIdOfflineProvider,
  check(provider, path, report) {
    warnPlainHttp(provider.iam_url, [...path, 'iam_url'], report, 'the offline tokens and the client secret')
    warnPlainHttp(provider.cert_uri, [...path, 'cert_uri'], report, 'the keys')
  },
}

function compileOpenIdOfflineProvider({ provider, common }: ProviderCompileInput): CompiledOpenIdOfflineProvider {
  const base = withoutTrailingSlashes(provider.iam_url as string) + '/realms/' + encodeURIComponent(common.realm)
  const compiled: CompiledOpenIdOfflineProvider = {
    ...common,
    type: 'openid-offline',
    scheme: 'Bearer',
    introspectionUrl: base + '/protocol/openid-connect/token/introspect',
    tokenUrl: base + '/protocol/openid-connect/token',
    publicClientId: provider.public_client_id as string,
    clientAuthorization: basicAuthorization(
      provider.private_client_id as string,
      provider.private_client_secret as string,
    ),
    validTtl: INTROSPECTION_TTL_SECONDS,
    invalidTtl: invalidCacheTtl(provider.invalid_cache_ttl),
    exchangeTtl: EXCHANGE_TTL_SECONDS,
    cacheId: '',
    validator: compileJwtValidator(common, provider.cert_uri as string, optionalString(provider.ca_file)),
  }
  compiled.cacheId = shortHash(JSON.stringify(compiled))
  return compiled
}

/**
 * RFC 6749 §2.3.1: the client id and secret are form-urlencoded, then joined and base64-encoded.
 * The reference joins them raw; Keycloak and oidc-provider decode, so both agree for the usual
 * ids and secrets, and a secret with `%` or `:` works here only (docs/compatibility.md).
 */
export function basicAuthorization(id: string, secret: string): string {
  return 'Basic ' + Buffer.from(formEncode(id) + ':' + formEncode(secret), 'utf8').toString('base64')
}

/** Percent-encoding that every form decoder reads; RFC 3986 unreserved characters stay as they are. */
export function formEncode(text: string): string {
  return encodeURIComponent(text)
}

export function invalidCacheTtl(value: unknown): number {
  return typeof value === 'number' ? value : DEFAULT_INVALID_CACHE_TTL_SECONDS
}

export function withoutTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, '')
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

export function warnPlainHttp(
  url: unknown,
  path: (string | number)[],
  report: Parameters<NonNullable<ProviderCompiler['check']>>[2],
  what: string,
) {
  if (typeof url === 'string' && /^http:/i.test(url)) {
    report('warning', path, `${what} travel over plain http, readable by anyone on the network path; use https`)
  }
}

export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16)
}
