/**
 * `type: jwt` → CompiledJwtProvider (runtime.ts reads it; docs/jwt.md documents the keys). The
 * reference keys are `cert_uri` and the unused `iam_realm`; the extensions are `issuer`,
 * `audience`, `algorithms`, `leeway`, `jwks_ttl`, `ca_file`, `resolver` and `resolver_valid` (schema.ts).
 */
import { createHash } from 'node:crypto'
import { DEFAULT_LEEWAY_SECONDS } from '../../jwt/claims'
import type { ProviderCompileInput, ProviderCompiler } from '../../compiler/unit'
import type { CompiledJwksEndpoint, CompiledJwtProvider } from './compiled'
import { DEFAULT_RESOLVER_VALID_SECONDS, resolverOptions } from '../../remote/compile'
import { DEFAULT_JWKS_TTL_SECONDS, jwtProviderSchema } from './schema'

/** How often an unknown kid may make the JWK Set endpoint be asked again. */
export const JWKS_REFRESH_INTERVAL_SECONDS = 30
/** Where the generated locations live; one pair per distinct (URL, TTL, CA bundle). */
export const JWKS_LOCATION_PREFIX = '/_authotron/jwks/'

export const jwtProviderCompiler: ProviderCompiler<CompiledJwtProvider> = {
  scheme: 'Bearer',
  schema: jwtProviderSchema,
  compile: compileJwtProvider,
  check(provider, path, report) {
    if (typeof provider.cert_uri === 'string' && /^http:/i.test(provider.cert_uri)) {
      report(
        'warning',
        [...path, 'cert_uri'],
        'keys fetched over plain http can be replaced by anyone on the network path; use https',
      )
    }
  },
}

function compileJwtProvider({ provider, common }: ProviderCompileInput): CompiledJwtProvider {
  const ttl = typeof provider.jwks_ttl === 'number' ? provider.jwks_ttl : DEFAULT_JWKS_TTL_SECONDS
  const compiled: CompiledJwtProvider = {
    ...common,
    type: 'jwt',
    scheme: 'Bearer',
    jwks: jwksEndpoint(provider.cert_uri as string, ttl, stringOrUndefined(provider.ca_file), resolverOptions(provider)),
    leeway: typeof provider.leeway === 'number' ? provider.leeway : DEFAULT_LEEWAY_SECONDS,
    cacheId: '',
    // A verified token is reused no longer than the keys that verified it are trusted unchecked.
    verifiedCacheTtl: ttl,
  }
  return finishJwtProvider(compiled, provider)
}

/**
 * The jwt provider with only the reference's settings (§4.2 with this build's defaults) that
 * openid-offline and ecmwf-token-generator run on the access token they obtain (their step 3):
 * `cert_uri`, `ca_file`, `resolver` and `resolver_valid` of their own item, their name and realm.
 */
export function compileJwtValidator(
  common: { name: string; realm: string; filterRealm: string },
  certUri: string,
  caFile: string | undefined,
  dns: JwksResolver = {},
): CompiledJwtProvider {
  const compiled: CompiledJwtProvider = {
    type: 'jwt',
    name: common.name,
    realm: common.realm,
    filterRealm: common.filterRealm,
    scheme: 'Bearer',
    jwks: jwksEndpoint(certUri, DEFAULT_JWKS_TTL_SECONDS, caFile, dns),
    leeway: DEFAULT_LEEWAY_SECONDS,
    cacheId: '',
    verifiedCacheTtl: DEFAULT_JWKS_TTL_SECONDS,
  }
  compiled.cacheId = shortHash(JSON.stringify(compiled))
  return compiled
}

function finishJwtProvider(compiled: CompiledJwtProvider, provider: ProviderCompileInput['provider']): CompiledJwtProvider {
  const issuers = stringList(provider.issuer)
  if (issuers !== undefined) compiled.issuers = issuers
  const audiences = stringList(provider.audience)
  if (audiences !== undefined) compiled.audiences = audiences
  if (Array.isArray(provider.algorithms)) compiled.algorithms = [...(provider.algorithms as string[])]
  compiled.cacheId = shortHash(JSON.stringify(compiled))
  return compiled
}

interface JwksResolver {
  resolver?: string[]
  resolverValid?: number
}

function jwksEndpoint(url: string, ttl: number, caFile: string | undefined, dns: JwksResolver): CompiledJwksEndpoint {
  const resolverValid = dns.resolver === undefined ? undefined : (dns.resolverValid ?? DEFAULT_RESOLVER_VALID_SECONDS)
  const settings = [url, ttl, caFile ?? '']
  // Endpoints without a resolver keep the ids (and cached copies) they had before it existed.
  if (dns.resolver !== undefined) settings.push(dns.resolver.join(' '), String(resolverValid))
  const id = shortHash(settings.join('\n'))
  const location = JWKS_LOCATION_PREFIX + id
  const endpoint: CompiledJwksEndpoint = { url, location, refreshLocation: location + '/refresh', ttl }
  if (caFile !== undefined) endpoint.caFile = caFile
  if (dns.resolver !== undefined) {
    endpoint.resolver = [...dns.resolver]
    endpoint.resolverValid = resolverValid
  }
  return endpoint
}

/** `issuer: x` and `issuer: [x, y]` both become a list. */
function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return [...(value as string[])]
  return undefined
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16)
}
