/**
 * The compile side of the remote-call layer (docs/remote.md): the YAML keys every remote provider
 * shares (`cache_ttl`, `invalid_cache_ttl`, `ca_file`, `resolver`) and `compileRemoteStep`, which
 * turns one kind of upstream call into the CompiledRemoteStep its runtime asks and its nginx
 * location is generated from (nginx-snippets.ts).
 */
import { createHash, createHmac } from 'node:crypto'
import type { JsonSchema } from '../compiler/schema-parts'
import type { Mapping } from '../compiler/paths'
import type { CompiledRemoteMemo, CompiledRemoteStep } from './compiled'
import { SEAL_LABEL } from './relay'

/** Where the generated locations live: `<prefix><id>/<cache key>`. */
export const REMOTE_LOCATION_PREFIX = '/_authotron/remote/'
/** How long a "not valid" answer (403 …) is reused unless `invalid_cache_ttl` says otherwise. */
export const DEFAULT_INVALID_CACHE_TTL_SECONDS = 5
/** "A few seconds at most": a revoked key's refusal, or a new key's, is never remembered longer. */
export const MAX_INVALID_CACHE_TTL_SECONDS = 60
/** How long nginx reuses a DNS answer of `resolver` unless `resolver_valid` says otherwise. */
export const DEFAULT_RESOLVER_VALID_SECONDS = 30
/** An hour: nginx would accept more, but a moved service is then unreachable that long. */
const MAX_RESOLVER_VALID_SECONDS = 3600
/** The default timeout when the document has no auth.timeout_in_ms (src/compiler/derive.ts's). */
const DEFAULT_TIMEOUT_MS = 5000

/** Values written into nginx snippets: nothing nginx would read as syntax or a variable. */
export const REMOTE_URL_PATTERN = '^https?://[^\\s"\'\\\\$;{}#]+$'
const NGINX_SAFE_ABSOLUTE_PATH = '^/[^\\s"\'\\\\$;{}]*$'
const RESOLVER_ADDRESS = '^[^\\s"\'\\\\$;{}]+$'

export function remoteUrl(description: string): JsonSchema {
  return {
    type: 'string',
    pattern: REMOTE_URL_PATTERN,
    description,
    errorMessage:
      'expected an http:// or https:// URL without spaces, quotes, backslashes, `#`, `$`, `;`, `{` or `}`',
  }
}

/** The keys of a remote provider beside its own (`cache_ttl` defaults to the reference's TTL). */
export function remoteSchemaKeys(defaultTtlSeconds: number, resolved = 'the service host'): { [key: string]: JsonSchema } {
  return {
    cache_ttl: {
      type: 'integer',
      minimum: 0,
      default: defaultTtlSeconds,
      description:
        `Extension: seconds a successful answer of the service is reused by every worker (default ` +
        `${defaultTtlSeconds}, the reference's); 0 asks the service every time.`,
    },
    invalid_cache_ttl: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_INVALID_CACHE_TTL_SECONDS,
      default: DEFAULT_INVALID_CACHE_TTL_SECONDS,
      description:
        `Extension: seconds a "not valid" answer (403) is reused (default ${DEFAULT_INVALID_CACHE_TTL_SECONDS}, ` +
        `at most ${MAX_INVALID_CACHE_TTL_SECONDS}); 0 never reuses one. The reference never caches them.`,
    },
    ca_file: {
      type: 'string',
      pattern: NGINX_SAFE_ABSOLUTE_PATH,
      description:
        'Extension: absolute path of the PEM CA bundle that verifies an https service ' +
        '(default /etc/ssl/certs/ca-certificates.crt).',
      errorMessage: 'expected an absolute path without spaces, quotes, backslashes, `$`, `;`, `{` or `}`',
    },
    ...resolverSchemaKeys(resolved),
  }
}

/**
 * `resolver` and `resolver_valid`: resolve `host` (a description) while nginx runs. Shared by the
 * remote providers and the jwt provider's `cert_uri`.
 */
export function resolverSchemaKeys(host: string): { [key: string]: JsonSchema } {
  return {
    resolver: {
      anyOf: [
        { type: 'string', pattern: RESOLVER_ADDRESS },
        { type: 'array', minItems: 1, items: { type: 'string', pattern: RESOLVER_ADDRESS } },
      ],
      description:
        'Extension: DNS server address(es) (nginx `resolver`, e.g. 127.0.0.53 or [10.0.0.2, "[::1]:5353"]) ' +
        `through which ${host} is resolved while nginx runs (answers reused \`resolver_valid\` s). ` +
        'Unset, the host is resolved when nginx starts or reloads.',
      errorMessage: 'expected an address or a non-empty list of addresses (no spaces, quotes, `$`, `;`, `{`, `}`)',
    },
    resolver_valid: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_RESOLVER_VALID_SECONDS,
      default: DEFAULT_RESOLVER_VALID_SECONDS,
      description:
        `Extension: seconds each worker reuses a DNS answer of \`resolver\` (nginx \`resolver … valid=\`; ` +
        `default ${DEFAULT_RESOLVER_VALID_SECONDS}, at most ${MAX_RESOLVER_VALID_SECONDS}), whatever the answer's TTL. ` +
        'Without `resolver` it has no effect.',
    },
  }
}

/** What a provider's compile step passes for one kind of call. */
export interface RemoteStepInput {
  url: string
  method: 'GET' | 'POST'
  /** Seconds a 200 is reused (the provider's `cache_ttl`). */
  ttl: number
  /** Statuses meaning "not valid", reused `invalidTtl` seconds. */
  invalidStatuses: number[]
  invalidTtl: number
  /** Static headers besides Host and Accept (e.g. Content-Type of a POST). */
  headers?: { [name: string]: string }
  caFile?: string
  resolver?: string[]
  /** Seconds a DNS answer of `resolver` is reused (only with `resolver`). */
  resolverValid?: number
  /** The whole document (2.0.0 form): auth.timeout_in_ms bounds the call, jwt.secret keys the cache. */
  data: Mapping
}

export function compileRemoteStep(input: RemoteStepInput): CompiledRemoteStep {
  const auth = input.data.auth as Mapping | undefined
  const timeoutMs = typeof auth?.timeout_in_ms === 'number' ? auth.timeout_in_ms : DEFAULT_TIMEOUT_MS
  const settings = {
    url: input.url,
    method: input.method,
    ttl: input.ttl,
    invalidStatuses: [...input.invalidStatuses],
    invalidTtl: input.invalidTtl,
    timeoutMs,
    headers: { Accept: 'application/json', ...(input.headers ?? {}) },
  }
  const resolverValid = input.resolver === undefined ? undefined : (input.resolverValid ?? DEFAULT_RESOLVER_VALID_SECONDS)
  const id = shortHash(
    JSON.stringify([settings, input.caFile ?? null, input.resolver ?? null, ...(resolverValid === undefined ? [] : [resolverValid])]),
  )
  const secret = (input.data.jwt as Mapping).secret as string
  const keySalt = remoteKeySalt(secret, id)
  const step: CompiledRemoteStep = {
    location: REMOTE_LOCATION_PREFIX + id,
    ...settings,
    keySalt,
    sealSecret: sealSecretFor(keySalt),
  }
  if (input.caFile !== undefined) step.caFile = input.caFile
  if (input.resolver !== undefined) step.resolver = [...input.resolver]
  if (resolverValid !== undefined) step.resolverValid = resolverValid
  return step
}

/**
 * A kept result of `steps` (CompiledRemoteMemo): kept at most `ttl` seconds; `judge` names what
 * else its content depends on (the JWT validator's settings), so that a change of either gives it
 * another location. Undefined when `ttl` is 0: nothing is kept.
 */
export function compileRemoteMemo(
  steps: CompiledRemoteStep[],
  judge: string,
  ttl: number,
  data: Mapping,
): CompiledRemoteMemo | undefined {
  if (ttl <= 0) return undefined
  const timeoutMs = steps[0].timeoutMs
  const id = shortHash(JSON.stringify(['memo', steps.map((step) => step.location), judge, ttl, timeoutMs]))
  const keySalt = remoteKeySalt((data.jwt as Mapping).secret as string, id)
  return { location: REMOTE_LOCATION_PREFIX + id, memo: true, ttl, timeoutMs, keySalt, sealSecret: sealSecretFor(keySalt) }
}

/** The cache-key secret of a location: derived from jwt.secret and its id. */
function remoteKeySalt(secret: string, id: string): string {
  return createHmac('sha256', secret).update('authotron remote cache key\n' + id).digest('base64url')
}

/**
 * HMAC-SHA-256(keySalt, SEAL_LABEL) base64url: the seal secret of a location, in the compiled step
 * (the runtime opens with it) and in the hop-1 location (which hands it to the relay).
 */
function sealSecretFor(keySalt: string): string {
  return createHmac('sha256', keySalt).update(SEAL_LABEL).digest('base64url')
}

/** A provider's `cache_ttl`, `invalid_cache_ttl`, `ca_file`, `resolver` and `resolver_valid` (schema above). */
export interface RemoteOptions {
  ttl: number
  invalidTtl: number
  caFile?: string
  resolver?: string[]
  resolverValid?: number
}

export function remoteOptions(provider: Mapping, defaultTtlSeconds: number): RemoteOptions {
  const options: RemoteOptions = {
    ttl: typeof provider.cache_ttl === 'number' ? provider.cache_ttl : defaultTtlSeconds,
    invalidTtl:
      typeof provider.invalid_cache_ttl === 'number' ? provider.invalid_cache_ttl : DEFAULT_INVALID_CACHE_TTL_SECONDS,
  }
  if (typeof provider.ca_file === 'string') options.caFile = provider.ca_file
  return { ...options, ...resolverOptions(provider) }
}

/** `resolver` (a list) and `resolver_valid` (only with a resolver) of a provider's YAML. */
export function resolverOptions(provider: Mapping): { resolver?: string[]; resolverValid?: number } {
  const options: { resolver?: string[]; resolverValid?: number } = {}
  if (typeof provider.resolver === 'string') options.resolver = [provider.resolver]
  else if (Array.isArray(provider.resolver)) options.resolver = [...(provider.resolver as string[])]
  if (options.resolver !== undefined && typeof provider.resolver_valid === 'number') {
    options.resolverValid = provider.resolver_valid
  }
  return options
}

/** A warning for plain http (credentials and answers readable on the network path). */
export function checkRemoteUrl(url: unknown): string | undefined {
  return typeof url === 'string' && /^http:/i.test(url) && !/^http:\/\/(?:127\.0\.0\.1|localhost|\[::1\])(?:[:/]|$)/i.test(url)
    ? 'the credential travels in clear over plain http and anyone on the path can answer for the service; use https'
    : undefined
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16)
}
