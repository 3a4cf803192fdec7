/**
 * The compile half of the token store: `store` (§2.8) with this build's backends. When
 * `store.enabled`, deriveCompiledConfig appends the `token-store` provider after the configured
 * ones (§4.7) and writes CompiledConfig.tokenStore. Not a `providers:` type, so it is not in
 * src/compiler/units.ts; its runtime half is in src/providers/index.ts.
 */
import type { Mapping } from '../../compiler/paths'
import type { JsonSchema } from '../../compiler/schema-parts'
import type { Report } from '../../compiler/unit'
import { DEFAULT_TOKEN_LIFETIME_SECONDS } from '../../store/tokens'
import type { CompiledTokenStore, CompiledTokenStoreProvider, TokenStoreBackendName } from './compiled'

export const TOKEN_STORE_BACKENDS: readonly TokenStoreBackendName[] = ['embedded', 'etcd']
/** nginx/authotron-etcd.conf's internal location. */
export const DEFAULT_ETCD_LOCATION = '/_authotron/etcd'
export const DEFAULT_KEY_PREFIX = 'authotron/tokens/'
/** Ten years: a lease beyond that is a token that never expires. */
export const MAX_TOKEN_LIFETIME_SECONDS = 10 * 365 * 24 * 3600

/** The `store` mapping of the schema (ConfigV1 and ConfigV2). */
export const STORE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['enabled'],
  properties: {
    enabled: { type: 'boolean' },
    type: {
      type: 'string',
      description:
        'The backend: `embedded` (a shared dict of nginx, njs >= 0.8.0) or `etcd` (etcd v3 through ' +
        'nginx/authotron-etcd.conf); the reference\'s `mongo` is refused. README, "Token store".',
    },
    uri: { type: 'string', description: 'MongoDB connection string (reference; refused with type mongo).' },
    database: { type: 'string' },
    token_lifetime_in_s: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_TOKEN_LIFETIME_SECONDS,
      default: DEFAULT_TOKEN_LIFETIME_SECONDS,
      description: 'Extension: how long a token made by GET /token authenticates (seconds; 30 days).',
    },
    prefix: {
      type: 'string',
      pattern: '^[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*/$',
      default: DEFAULT_KEY_PREFIX,
      description: 'Extension, etcd: the prefix of every key the store writes (ends with "/").',
    },
    etcd_location: {
      type: 'string',
      pattern: '^/[A-Za-z0-9_/-]*[A-Za-z0-9_-]$',
      default: DEFAULT_ETCD_LOCATION,
      description: 'Extension, etcd: the internal location that proxies to the gateway\'s /v3/ (no trailing "/").',
    },
  },
  if: { properties: { enabled: { const: true } }, required: ['enabled'] },
  then: { required: ['type'] },
}

/** Errors the schema cannot word well: an unsupported backend names the supported ones. */
export function checkStore(store: unknown, report: Report): void {
  if (store === null || typeof store !== 'object' || Array.isArray(store)) return
  const { enabled, type } = store as Mapping
  if (enabled !== true || typeof type !== 'string') return
  if (!TOKEN_STORE_BACKENDS.includes(type as TokenStoreBackendName)) {
    const what = type === 'mongo' ? "'mongo' (MongoDB) is not supported by authotron-njs" : `'${type}' is not a token store`
    report('error', ['store', 'type'], `${what}: use ${TOKEN_STORE_BACKENDS.map((name) => `'${name}'`).join(' or ')} (README, "Token store")`)
  }
}

/** The store's settings and its provider, or undefined when the store is disabled. */
export function compileTokenStore(
  data: Mapping,
): { settings: CompiledTokenStore; provider: CompiledTokenStoreProvider } | undefined {
  const store = data.store as Mapping | undefined
  if (store === undefined || store.enabled !== true) return undefined
  const settings: CompiledTokenStore = {
    backend: store.type as TokenStoreBackendName,
    lifetimeSeconds:
      typeof store.token_lifetime_in_s === 'number' ? store.token_lifetime_in_s : DEFAULT_TOKEN_LIFETIME_SECONDS,
    etcdLocation: typeof store.etcd_location === 'string' ? store.etcd_location : DEFAULT_ETCD_LOCATION,
    keyPrefix: typeof store.prefix === 'string' ? store.prefix : DEFAULT_KEY_PREFIX,
  }
  return {
    settings,
    provider: { type: 'token-store', name: 'token-store', realm: '', filterRealm: null, scheme: 'Bearer', store: settings },
  }
}
