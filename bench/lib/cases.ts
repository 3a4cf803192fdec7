/**
 * What the bench measures (issue 5): the cases, the ratios between them and the targets each ratio
 * is held to. Targets are reported (pass/miss), never asserted.
 */
import type { RuntimeLeg } from '../../test/nginx-harness/runtimes'

export const CASE_IDS = [
  'none',
  'floor',
  'sidecar',
  'empty',
  'empty-loaded',
  'empty-access',
  'minimal-hit',
  'basic',
  'basic-rule',
  'basic-ldap',
  'basic-nocache',
  'basic-rs256',
  'basic-es256',
  'basic-rs256-nocache',
  'basic-es256-nocache',
  'basic-metrics',
  'none-4k',
  'none-8k',
  'none-16k',
  'basic-4k',
  'basic-8k',
  'basic-16k',
  'bearer-cold',
  'bearer-cached',
  'cookie',
  'token-store',
  'remote-cached',
  'access',
] as const
export type CaseId = (typeof CASE_IDS)[number]

/**
 * Which nginx serves a case. `main` has every location; `nocache` is the same without
 * nginx/authotron-cache.conf; `cold` is the same as `main`, restarted before every measurement so
 * that its grant cache is empty and every pool token is seen for the first time. `bare` imports
 * only bench/njs/empty.js, not the module: on the njs engine every imported module's top level
 * runs again for each request, so the njs ceiling is measured without the module loaded.
 * `minimal` imports only bench/njs/minimal-hit.js, with the shared dict. `metrics` is `main` with
 * nginx/authotron-metrics.conf included (every authentication counted, README "Metrics"); `lockout`
 * is `main` with nginx/authotron-lockout.conf, for a config with auth.lockout (bench/ab.ts --lockout).
 */
export type InstanceKind = 'main' | 'nocache' | 'cold' | 'bare' | 'minimal' | 'metrics' | 'lockout' | SigningInstance

/**
 * `main` (and `nocache`) with `jwt.alg` RS256 or ES256 (a key generated for the run) instead of
 * HS256: asymmetric minting (issue 18 point 3), the rest of the config unchanged.
 */
export type SigningInstance = 'rs256' | 'es256' | 'rs256-nocache' | 'es256-nocache'
export const SIGNING_INSTANCES: readonly SigningInstance[] = ['rs256', 'es256', 'rs256-nocache', 'es256-nocache']

/** What a request of the case carries. */
export type Credential = 'none' | 'basic' | 'basic-ldap' | 'bearer-cached' | 'cookie' | 'bearer-pool' | 'store-token' | 'remote-key' | 'basic-large-4k' | 'basic-large-8k' | 'basic-large-16k'

/**
 * Bytes of base64 in a `basic-large-*` credential: an unknown user with a long password, as anyone
 * can send without knowing a credential (issue 19: such headers once cost ~1.3 ms each).
 */
export const LARGE_CREDENTIAL_BASE64_BYTES = { 'basic-large-4k': 4096, 'basic-large-8k': 8192, 'basic-large-16k': 16384 } as const

/** The header of a `basic-large-*` credential: `nobody:xxxx…`, canonical base64 of exactly the size. */
export function largeBasicAuthorization(credential: keyof typeof LARGE_CREDENTIAL_BASE64_BYTES): string {
  const bytes = (LARGE_CREDENTIAL_BASE64_BYTES[credential] / 4) * 3
  return `Basic ${Buffer.from('nobody:' + 'x'.repeat(bytes - 'nobody:'.length)).toString('base64')}`
}

export interface BenchCase {
  id: CaseId
  /** One line for tables and the docs. */
  title: string
  /** The location (every case serves the same static file). */
  path: string
  instance: InstanceKind
  credential: Credential
  /** Whether a request without credentials must be refused (401): proves auth really runs. */
  refusesAnonymous: boolean
  /** Why the case cannot exist on `leg` (a missing directive), or undefined. */
  unsupported?: (leg: RuntimeLeg) => string | undefined
}

const needsJsAccess = (leg: RuntimeLeg) =>
  leg.features.jsAccess ? undefined : `js_access needs njs ≥ 0.9.9 (leg ${leg.name} has njs ${leg.expected.njs})`

export const CASES: { [id in CaseId]: BenchCase } = {
  none: {
    id: 'none',
    title: 'static file, no auth',
    path: '/none',
    instance: 'main',
    credential: 'none',
    refusesAnonymous: false,
  },
  floor: {
    id: 'floor',
    title: 'auth_request → internal `return 204` (the mechanism itself)',
    path: '/floor',
    instance: 'main',
    credential: 'none',
    refusesAnonymous: false,
  },
  sidecar: {
    id: 'sidecar',
    title: 'auth_request → keepalive proxy → nginx `return 200` (cheapest sidecar)',
    path: '/sidecar',
    instance: 'main',
    credential: 'none',
    refusesAnonymous: false,
  },
  empty: {
    id: 'empty',
    title: 'auth_request → njs handler that only answers 200, module not loaded (njs ceiling)',
    path: '/empty',
    instance: 'bare',
    credential: 'none',
    refusesAnonymous: false,
  },
  'empty-loaded': {
    id: 'empty-loaded',
    title: 'the same handler in the nginx that also imports dist/authotron.js (its per-request top level)',
    path: '/empty',
    instance: 'main',
    credential: 'none',
    refusesAnonymous: false,
  },
  'empty-access': {
    id: 'empty-access',
    title: 'js_access handler that does nothing, module not loaded (js_access ceiling)',
    path: '/empty-access',
    instance: 'bare',
    credential: 'none',
    refusesAnonymous: false,
    unsupported: needsJsAccess,
  },
  'minimal-hit': {
    id: 'minimal-hit',
    title:
      'auth_request → the least njs code a grant-cache hit can be (bench/njs/minimal-hit.js: SHA-256 key, dict read, split, 4 headers), module not loaded',
    path: '/minimal-hit',
    instance: 'minimal',
    credential: 'basic',
    refusesAnonymous: false,
    unsupported: (leg) =>
      leg.features.sharedDict ? undefined : `a hit needs a shared dict: njs ${leg.expected.njs} has no js_shared_dict_zone`,
  },
  basic: {
    id: 'basic',
    title: 'this module via auth_request: Basic + HS256 mint (grant cache where a shared dict exists)',
    path: '/basic',
    instance: 'main',
    credential: 'basic',
    refusesAnonymous: true,
  },
  'basic-rule': {
    id: 'basic-rule',
    title: 'the same through a location with an access rule (`set $authotron_require "realm=localrealm role=writer";`)',
    path: '/basic-rule',
    instance: 'main',
    credential: 'basic',
    refusesAnonymous: true,
  },
  'basic-ldap': {
    id: 'basic-ldap',
    title: 'the same for a user whose realm has an `ldap` augmenter (roles from a 1,001-user directory snapshot)',
    path: '/basic',
    instance: 'main',
    credential: 'basic-ldap',
    refusesAnonymous: true,
  },
  'basic-nocache': {
    id: 'basic-nocache',
    title: 'the same without nginx/authotron-cache.conf (Basic check + mint every request)',
    path: '/basic',
    instance: 'nocache',
    credential: 'basic',
    refusesAnonymous: true,
    unsupported: (leg) =>
      leg.features.sharedDict
        ? undefined
        : `same as basic on this leg: njs ${leg.expected.njs} has no js_shared_dict_zone, so nothing is cached`,
  },
  'basic-rs256': {
    id: 'basic-rs256',
    title: 'the same as basic with `jwt.alg: RS256` (WebCrypto signature on a miss; grant cache where a shared dict exists)',
    path: '/basic',
    instance: 'rs256',
    credential: 'basic',
    refusesAnonymous: true,
  },
  'basic-es256': {
    id: 'basic-es256',
    title: 'the same as basic with `jwt.alg: ES256`',
    path: '/basic',
    instance: 'es256',
    credential: 'basic',
    refusesAnonymous: true,
  },
  'basic-rs256-nocache': {
    id: 'basic-rs256-nocache',
    title: 'basic-rs256 without nginx/authotron-cache.conf: every request a miss (full pipeline + RS256 signature)',
    path: '/basic',
    instance: 'rs256-nocache',
    credential: 'basic',
    refusesAnonymous: true,
    unsupported: (leg) =>
      leg.features.sharedDict ? undefined : `same as basic-rs256 on this leg: njs ${leg.expected.njs} has no js_shared_dict_zone`,
  },
  'basic-es256-nocache': {
    id: 'basic-es256-nocache',
    title: 'basic-es256 without nginx/authotron-cache.conf: every request a miss (full pipeline + ES256 signature)',
    path: '/basic',
    instance: 'es256-nocache',
    credential: 'basic',
    refusesAnonymous: true,
    unsupported: (leg) =>
      leg.features.sharedDict ? undefined : `same as basic-es256 on this leg: njs ${leg.expected.njs} has no js_shared_dict_zone`,
  },
  'basic-metrics': {
    id: 'basic-metrics',
    title: 'the same with nginx/authotron-metrics.conf included (every authentication counted in the shared dict)',
    path: '/basic',
    instance: 'metrics',
    credential: 'basic',
    refusesAnonymous: true,
    unsupported: (leg) =>
      leg.features.sharedDict ? undefined : `no metrics: njs ${leg.expected.njs} has no js_shared_dict_zone (/metrics answers 501)`,
  },
  'none-4k': {
    id: 'none-4k',
    title: 'static file, no auth, with the 4 KB Basic credential of basic-4k (what nginx alone pays for reading such a header)',
    path: '/none',
    instance: 'main',
    credential: 'basic-large-4k',
    refusesAnonymous: false,
  },
  'none-8k': {
    id: 'none-8k',
    title: 'static file, no auth, with the 8 KB Basic credential of basic-8k (what nginx alone pays for reading such a header)',
    path: '/none',
    instance: 'main',
    credential: 'basic-large-8k',
    refusesAnonymous: false,
  },
  'none-16k': {
    id: 'none-16k',
    title: 'static file, no auth, with the 16 KB Basic credential of basic-16k (what nginx alone pays for reading such a header)',
    path: '/none',
    instance: 'main',
    credential: 'basic-large-16k',
    refusesAnonymous: false,
  },
  'basic-4k': {
    id: 'basic-4k',
    title:
      'an unknown user\'s Basic credential with 4 KB of base64 (refused; /basic-refused maps the 401 to the static file so that wrk counts it as 2xx)',
    path: '/basic-refused',
    instance: 'main',
    credential: 'basic-large-4k',
    refusesAnonymous: false,
  },
  'basic-8k': {
    id: 'basic-8k',
    title:
      'an unknown user\'s Basic credential with 8 KB of base64 (refused; /basic-refused maps the 401 to the static file so that wrk counts it as 2xx)',
    path: '/basic-refused',
    instance: 'main',
    credential: 'basic-large-8k',
    refusesAnonymous: false,
  },
  'basic-16k': {
    id: 'basic-16k',
    title:
      'an unknown user\'s Basic credential with 16 KB of base64 (refused; /basic-refused maps the 401 to the static file so that wrk counts it as 2xx)',
    path: '/basic-refused',
    instance: 'main',
    credential: 'basic-large-16k',
    refusesAnonymous: false,
  },
  'bearer-cold': {
    id: 'bearer-cold',
    title: 'RS256 identity-provider token, first use (a new token every request)',
    path: '/bearer',
    instance: 'cold',
    credential: 'bearer-pool',
    refusesAnonymous: true,
  },
  'bearer-cached': {
    id: 'bearer-cached',
    title: 'RS256 identity-provider token, reused',
    path: '/bearer',
    instance: 'main',
    credential: 'bearer-cached',
    refusesAnonymous: true,
  },
  cookie: {
    id: 'cookie',
    title: 'a browser session: our own HS256 token in the session cookie, reused (issue 18)',
    path: '/bearer',
    instance: 'main',
    credential: 'cookie',
    refusesAnonymous: true,
  },
  'token-store': {
    id: 'token-store',
    title: 'a token of the embedded token store (GET /token), reused: one shared-dict lookup per request, never grant-cached',
    path: '/bearer',
    instance: 'main',
    credential: 'store-token',
    refusesAnonymous: true,
    unsupported: (leg) =>
      leg.features.sharedDict ? undefined : `the embedded token store needs a shared dict (leg ${leg.name} has njs ${leg.expected.njs})`,
  },
  'remote-cached': {
    id: 'remote-cached',
    title:
      'an ECMWF API key (ecmwf-api provider, realm ecmwf, against a loopback fake who-am-i), reused: a grant-cache hit where a shared dict exists, else the proxy_cache\'d who-am-i answer',
    path: '/bearer',
    instance: 'main',
    credential: 'remote-key',
    refusesAnonymous: true,
  },
  access: {
    id: 'access',
    title: 'this module via `js_access authotron.access;` (no subrequest), Basic',
    path: '/access',
    instance: 'main',
    credential: 'basic',
    refusesAnonymous: true,
    unsupported: needsJsAccess,
  },
}

export interface RatioTarget {
  id: string
  numerator: CaseId
  denominator: CaseId
  /** The target on `leg` (ratio ≥ min), or why there is none. */
  target(leg: RuntimeLeg): { min: number } | { none: string }
}

/** Issue 5, point 2. */
export const RATIOS: RatioTarget[] = [
  {
    // Issue 20, point 3: counting must cost little.
    id: 'basic-metrics/basic',
    numerator: 'basic-metrics',
    denominator: 'basic',
    target: (leg) => (leg.features.sharedDict ? { min: 0.95 } : { none: 'no metrics without a shared dict (njs 0.7.9)' }),
  },
  {
    id: 'basic/sidecar',
    numerator: 'basic',
    denominator: 'sidecar',
    target: (leg) => ({ min: leg.features.sharedDict ? 1.5 : 1.0 }),
  },
  {
    id: 'basic/empty',
    numerator: 'basic',
    denominator: 'empty',
    target: (leg) =>
      leg.features.sharedDict ? { min: 0.85 } : { none: 'no target without a shared dict (njs 0.7.9)' },
  },
  {
    // Diagnostic: what any grant-cache hit in njs reaches on the leg; `basic` cannot beat it.
    id: 'minimal-hit/empty',
    numerator: 'minimal-hit',
    denominator: 'empty',
    target: () => ({ none: 'diagnostic: the ceiling of any njs hit path' }),
  },
  {
    id: 'minimal-hit/sidecar',
    numerator: 'minimal-hit',
    denominator: 'sidecar',
    target: () => ({ none: 'diagnostic: the ceiling of any njs hit path' }),
  },
  {
    id: 'basic/minimal-hit',
    numerator: 'basic',
    denominator: 'minimal-hit',
    target: () => ({ none: 'diagnostic: how close the module is to that ceiling' }),
  },
  // Issue 19, point 6: a long refused credential costs at most twice a normal credential. Against
  // the full pipeline's Basic (refusals are never cached): `basic` where no grant cache exists,
  // `basic-nocache` where one does (there `basic` is a cache hit).
  // What nginx alone pays for reading such a header (no module, the static file): the best any
  // module can reach, so the module's own share is judged against it too (README, Security).
  ...(['4k', '8k', '16k'] as const).map(
    (size): RatioTarget => ({
      id: `none-${size}/none`,
      numerator: `none-${size}`,
      denominator: 'none',
      target: () => ({ none: 'diagnostic: nginx alone with the long header' }),
    }),
  ),
  ...(['basic-4k', 'basic-8k', 'basic-16k'] as const).flatMap((id): RatioTarget[] => [
    {
      id: `${id}/basic`,
      numerator: id,
      denominator: 'basic',
      target: (leg) => (leg.features.sharedDict ? { none: 'basic is a grant-cache hit here: see /basic-nocache' } : { min: 0.5 }),
    },
    {
      id: `${id}/basic-nocache`,
      numerator: id,
      denominator: 'basic-nocache',
      target: (leg) => (leg.features.sharedDict ? { min: 0.5 } : { none: 'no grant cache: see /basic' }),
    },
  ]),
  {
    // Issue 16: an ldap augmenter costs at most 1.1× the same authentication without it.
    id: 'basic-ldap/basic',
    numerator: 'basic-ldap',
    denominator: 'basic',
    target: () => ({ min: 0.91 }),
  },
  {
    // Issue 17: checking a location's access rule costs a few lookups.
    id: 'basic-rule/basic',
    numerator: 'basic-rule',
    denominator: 'basic',
    target: () => ({ min: 0.95 }),
  },
  // Issue 18 point 4: asymmetric minting is cached like HS256, so a grant-cache hit costs the same
  // whatever the algorithm. A miss costs a WebCrypto signature more (and no precomputed Basic).
  ...(['basic-rs256', 'basic-es256'] as const).map(
    (id): RatioTarget => ({
      id: `${id}/basic`,
      numerator: id,
      denominator: 'basic',
      target: (leg) =>
        leg.features.sharedDict ? { min: 0.95 } : { none: 'no grant cache (njs 0.7.9): every request signs, a miss' },
    }),
  ),
  ...(['basic-rs256-nocache', 'basic-es256-nocache'] as const).map(
    (id): RatioTarget => ({
      id: `${id}/basic-nocache`,
      numerator: id,
      denominator: 'basic-nocache',
      target: () => ({ none: 'diagnostic: what a miss costs against HS256\'s (precomputed Basic + HMAC)' }),
    }),
  ),
  {
    id: 'token-store/bearer-cached',
    numerator: 'token-store',
    denominator: 'bearer-cached',
    target: () => ({ none: 'issue 20: a stored token against a reused identity-provider JWT' }),
  },
  {
    // Issue 15 point 6: a cached remote-token request costs no more than 1.2× a reused Bearer JWT.
    id: 'remote-cached/bearer-cached',
    numerator: 'remote-cached',
    denominator: 'bearer-cached',
    target: () => ({ min: 0.83 }), // 1 / 1.2
  },
  {
    id: 'bearer-cached/basic',
    numerator: 'bearer-cached',
    denominator: 'basic',
    target: () => ({ min: 0.9 }),
  },
  {
    // Issue 18: a request with a valid session cookie costs no more than a reused Bearer token.
    id: 'cookie/bearer-cached',
    numerator: 'cookie',
    denominator: 'bearer-cached',
    target: () => ({ min: 1.0 }),
  },
  {
    id: 'bearer-cold/sidecar',
    numerator: 'bearer-cold',
    denominator: 'sidecar',
    target: (leg) => ({ min: leg.features.sharedDict ? 0.25 : 0.1 }),
  },
  {
    id: 'access/basic',
    numerator: 'access',
    denominator: 'basic',
    target: (leg) => (leg.features.jsAccess ? { min: 1.0 } : { none: 'no js_access before njs 0.9.9' }),
  },
]

/** p99 added latency at half of peak load must stay under this (issue 5, point 2). */
export const ADDED_P99_TARGET_MS = 1

/** The cases whose added latency at half of their peak load is measured. */
export const HALF_LOAD_CASES: CaseId[] = ['basic', 'access', 'bearer-cached', 'bearer-cold']
