/**
 * A valid 2.0.0 document → the CompiledConfig nginx preloads (compiled.ts). Everything the request
 * path would otherwise work out per request is worked out here: the challenge header (§7.2),
 * providers per scheme, augmenter plans per realm (§3.6), the /providers and /augmenters bodies
 * (§7.6) and the defaults of §2.3 and §2.12.
 */
import { DEFAULT_GRANT_CACHE_TTL_MS } from '../auth/grant'
import { DEFAULT_MAX_BASIC_LENGTH } from '../auth/header'
import { createHash, createHmac } from 'node:crypto'
import { DEFAULT_LOCKOUT_DURATION_MS, DEFAULT_LOCKOUT_MAX_FAILURES, DEFAULT_LOCKOUT_WINDOW_MS } from './schema'
import { VERSION } from '../version'
import {
  AugmenterPlan,
  COMPILED_FORMAT,
  CompiledAugmenter,
  CompiledConfig,
  CompiledProvider,
  KEY_PREFIX,
  LockoutSettings,
  Scheme,
} from '../config/compiled'
import type { PlainUser } from '../providers/plain/users'
import { precomputeBasicGrants } from './basic-grants'
import type { CompiledSigning } from './signing-key'
import { compileAccessRules } from './access-rules'
import { compileSession, previousSecrets } from './session'
import { isMapping, Mapping, Path, setOwn } from './paths'
import { REFERENCE_PROVIDERS } from './reference-types'
import { keysInfo, schemasAt } from './schema-walk'
import type { LocatedDocument } from './source'
import { augmenterCompiler, providerCompiler } from './units'
import { compileTokenStore } from '../providers/token-store/compile'

export const DEFAULT_TIMEOUT_MS = 5000
/** The WWW-Authenticate value when there is no provider to name (§7.2). */
export const BARE_CHALLENGE = 'Bearer'
/** efas-api filters and challenges with this realm whatever its `realm` says (§4.4). */
export const EFAS_FILTER_REALM = 'efas'

export interface DeriveInput {
  /** The document in its 2.0.0 form (v1.ts converts 1.0.0 documents). */
  data: Mapping
  /** The document as read: keeps the YAML order of mapping keys. */
  doc: LocatedDocument
  /** The users of each plain provider, by provider index (src/providers/plain/users.ts). */
  plainUsers: Map<number, PlainUser[]>
  /** The signing key of an asymmetric `jwt.alg` (signing-key.ts); absent: HS256 with `jwt.secret`. */
  signing?: CompiledSigning
  /** By augmenter index, what came from outside the YAML (ldap: the snapshot of `authotron ldap-sync`). */
  augmenterInputs?: ReadonlyMap<number, unknown>
}

export function deriveCompiledConfig({ data, doc, plainUsers, signing, augmenterInputs }: DeriveInput): CompiledConfig {
  const jwt = data.jwt as Mapping
  const auth = isMapping(data.auth) ? data.auth : {}
  const logging = data.logging as Mapping
  const providerItems = data.providers as Mapping[]
  const augmenterItems = (data.augmenters ?? []) as Mapping[]

  const providers = providerItems.map((provider, index) =>
    compileProvider(provider, ['providers', index], data, plainUsers.get(index) ?? []),
  )
  // §4.7: the token-store provider comes after every configured one, in neither the challenge nor
  // /providers (both are built from the YAML's list).
  const tokenStore = compileTokenStore(data)
  if (tokenStore !== undefined) providers.push(tokenStore.provider)
  const augmenters = augmenterItems.map((augmenter, index) =>
    compileAugmenter(augmenter, ['augmenters', index], data, doc, augmenterInputs?.get(index)),
  )
  const content = {
    format: COMPILED_FORMAT,
    compilerVersion: VERSION,
    jwt: jwtSection(jwt, signing),
    includeLegacyHeaders: data.include_legacy_headers === true,
    timeoutMs: typeof auth.timeout_in_ms === 'number' ? auth.timeout_in_ms : DEFAULT_TIMEOUT_MS,
    maxBasicLength: typeof auth.max_basic_length === 'number' ? auth.max_basic_length : DEFAULT_MAX_BASIC_LENGTH,
    grantCacheTtlMs:
      typeof auth.grant_cache_ttl_in_ms === 'number' ? auth.grant_cache_ttl_in_ms : DEFAULT_GRANT_CACHE_TTL_MS,
    challenge: challengeFor(providerItems),
    providers,
    providersByScheme: providersByScheme(providers),
    augmenters,
    augmenterPlans: augmenterPlansFor(augmenters),
    providersBody: JSON.stringify({ providers: providerItems.map(listed) }),
    augmentersBody: JSON.stringify({
      augmenters: augmenterItems.map((item, index) => ({
        ...listed(item),
        ...augmenterCompiler(item.type)?.listing?.(augmenters[index]),
      })),
    }),
    logLevel: (logging.level as string).trim().toLowerCase() as CompiledConfig['logLevel'],
    metricsEnabled: !(isMapping(data.metrics) && data.metrics.enabled === false),
  }
  const accessRules = compileAccessRules(data)
  const precomputedBasic = precomputeBasicGrants(content, plainUsers, accessRules)
  const lockout = lockoutSettings(auth, content.jwt.secret !== undefined ? content.jwt.secret : (content.jwt.signingKey as { pkcs8: string }).pkcs8)
  const withLockout = lockout === undefined ? content : { ...content, lockout }
  const withBasic = precomputedBasic === undefined ? withLockout : { ...withLockout, precomputedBasic }
  const withRules = accessRules === undefined ? withBasic : { ...withBasic, accessRules }
  const session = compileSession(data)
  const withSession = session === undefined ? withRules : { ...withRules, session }
  const complete = tokenStore === undefined ? withSession : { ...withSession, tokenStore: tokenStore.settings }
  const { format, ...rest } = complete
  return { format, configId: configIdOf(complete), ...rest }
}

/**
 * HS256 with the secret (§2.5), or the asymmetric algorithm with its key and JWK Set (whose
 * previous public keys are rotation's); and the previous secrets.
 */
function jwtSection(jwt: Mapping, signing: CompiledSigning | undefined): CompiledConfig['jwt'] {
  const common = { iss: jwt.iss as string, exp: jwt.exp as number }
  const section: CompiledConfig['jwt'] = signing !== undefined ? { ...common, ...signing } : { ...common, secret: jwt.secret as string }
  // With an asymmetric alg too: HS256 tokens of a secret being retired stay accepted (migration).
  const previous = previousSecrets(jwt)
  if (previous !== undefined) section.previousSecrets = previous
  return section
}

/** auth.lockout (extension): its numbers with their defaults, and the salt of its keys. */
function lockoutSettings(auth: Mapping, secret: string): LockoutSettings | undefined {
  if (!isMapping(auth.lockout)) return undefined
  const lockout = auth.lockout
  return {
    maxFailures: typeof lockout.max_failures === 'number' ? lockout.max_failures : DEFAULT_LOCKOUT_MAX_FAILURES,
    windowMs: typeof lockout.window_in_ms === 'number' ? lockout.window_in_ms : DEFAULT_LOCKOUT_WINDOW_MS,
    durationMs: typeof lockout.duration_in_ms === 'number' ? lockout.duration_in_ms : DEFAULT_LOCKOUT_DURATION_MS,
    // Deterministic: a reload with the same secret keeps the pairs locked.
    salt: createHmac('sha256', secret).update('authotron-njs lockout keys').digest('base64url'),
  }
}

/** The scheme a provider type answers (its unit says; the types only accepted are all Bearer). */
export function schemeOf(type: string): Scheme {
  const implemented = providerCompiler(type)
  if (implemented !== undefined) return implemented.scheme
  return Object.hasOwn(REFERENCE_PROVIDERS, type) ? REFERENCE_PROVIDERS[type].scheme : 'Bearer'
}

/** The realm a provider answers to in X-Auth-Realm and in the challenge (§2.11). */
function challengeRealmOf(provider: Mapping): string {
  return provider.type === 'efas-api' ? EFAS_FILTER_REALM : (provider.realm as string)
}

/**
 * §7.2: `<Scheme> realm="<realm>"` per provider in config order, the first of each exact
 * (scheme, realm) pair, joined with ", "; plain `Bearer` without providers. Realms are not escaped.
 */
export function challengeFor(providers: Mapping[]): string {
  const parts: string[] = []
  for (const provider of providers) {
    const part = `${schemeOf(provider.type as string)} realm="${challengeRealmOf(provider)}"`
    if (!parts.includes(part)) parts.push(part)
  }
  return parts.length === 0 ? BARE_CHALLENGE : parts.join(', ')
}

/**
 * X-Auth-Realm is compared ASCII case-insensitively (§3.4): the runtime lower-cases the header,
 * so the realm is lower-cased here, ASCII letters only, as the reference's comparison does.
 */
export function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase())
}

function compileProvider(
  provider: Mapping,
  path: Path,
  data: Mapping,
  users: PlainUser[],
): CompiledProvider {
  const type = provider.type as string
  const common = {
    type,
    name: provider.name as string,
    realm: provider.realm as string,
    filterRealm: asciiLowerCase(challengeRealmOf(provider)),
    scheme: schemeOf(type),
  }
  const compiler = providerCompiler(type)
  if (compiler !== undefined) return compiler.compile({ provider, common, path, data, users })
  // A type this build only accepts keeps its reference keys verbatim (snake_case, as in the YAML).
  return { ...common, ...referenceKeys(provider, path, data) }
}

function compileAugmenter(
  augmenter: Mapping,
  path: Path,
  data: Mapping,
  doc: LocatedDocument,
  external: unknown,
): CompiledAugmenter {
  const common = {
    type: augmenter.type as string,
    name: augmenter.name as string,
    realm: augmenter.realm as string,
  }
  const compiler = augmenterCompiler(augmenter.type)
  if (compiler !== undefined) return compiler.compile({ augmenter, common, path, data, doc, external })
  return { ...common, ...referenceKeys(augmenter, path, data) }
}

/** The keys the schema knows for this member's type, besides type/name/realm; absent ones null. */
function referenceKeys(member: Mapping, path: Path, data: Mapping): Mapping {
  const keys: Mapping = {}
  for (const key of keysInfo(member, schemasAt(data, path)).known) {
    if (key === 'type' || key === 'name' || key === 'realm') continue
    setOwn(keys, key, Object.hasOwn(member, key) ? member[key] : null)
  }
  return keys
}

function providersByScheme(providers: CompiledProvider[]): CompiledConfig['providersByScheme'] {
  const byScheme: CompiledConfig['providersByScheme'] = { Basic: [], Bearer: [] }
  providers.forEach((provider, index) => byScheme[provider.scheme].push(index))
  return byScheme
}

/** §3.6: per realm, every other type runs first (parallel), then plain_advanced in config order. */
function augmenterPlansFor(augmenters: CompiledAugmenter[]): CompiledConfig['augmenterPlans'] {
  const plans: { [prefixedRealm: string]: AugmenterPlan } = {}
  augmenters.forEach((augmenter, index) => {
    const key = KEY_PREFIX + augmenter.realm
    if (!Object.hasOwn(plans, key)) setOwn(plans, key, { parallel: [], serial: [] })
    plans[key][augmenter.type === 'plain_advanced' ? 'serial' : 'parallel'].push(index)
  })
  return plans
}

/** An entry of GET /providers or /augmenters: name, type, configured realm, in that order. */
function listed(member: Mapping): { name: unknown; type: unknown; realm: unknown } {
  return { name: member.name, type: member.type, realm: member.realm ?? null }
}

/** The first 16 hex digits of the SHA-256 of `content` as canonical JSON (keys sorted). */
export function configIdOf(content: unknown): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 16)
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (isMapping(value)) {
    const keys = Object.keys(value).sort()
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}
