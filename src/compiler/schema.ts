/**
 * The JSON Schema (draft 2020-12) of the configuration authotron-njs accepts: the reference's
 * v1.0.0 and v2.0.0 documents (authotron-behaviour.md §2) plus this project's extensions, each
 * marked "Extension" in its description. `authotron schema` prints it; validate.ts checks
 * documents against it with ajv.
 *
 * Like the reference schema it never sets `additionalProperties: false`: unknown keys are
 * accepted (unknown-keys.ts warns about them). Unlike it, tagged unions are `if`/`then` on the tag
 * rather than `oneOf`, so a mistake inside a provider is reported once, against the provider's own
 * type, instead of once per type it does not match.
 *
 * `errorMessage` (an annotation other validators ignore) replaces every error raised inside the
 * schema that carries it, for constraints whose raw errors would not read well.
 */
import { DEFAULT_MAX_BASIC_LENGTH, MAX_MAX_BASIC_LENGTH, MIN_MAX_BASIC_LENGTH } from '../auth/header'
import { REFERENCE_AUGMENTERS, REFERENCE_PROVIDERS } from './reference-types'
import { JsonSchema, ref, string, stringList, UnitSchema } from './schema-parts'
import { augmenterCompilers, providerCompilers } from './units'
import { STORE_SCHEMA } from '../providers/token-store/compile'

export type { JsonSchema }

/** Every type's schema: the implemented ones (units.ts), then those only accepted. */
const PROVIDER_SCHEMAS = schemasOf(providerCompilers, REFERENCE_PROVIDERS)
const AUGMENTER_SCHEMAS = schemasOf(augmenterCompilers, REFERENCE_AUGMENTERS)

export const PROVIDER_TYPES: readonly string[] = Object.keys(PROVIDER_SCHEMAS)
export const AUGMENTER_TYPES: readonly string[] = Object.keys(AUGMENTER_SCHEMAS)
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const
export const CONFIG_VERSIONS = ['1.0.0', '2.0.0'] as const
/** `jwt.alg` (extension): the reference's HS256, and the algorithms signed with a private key. */
export const ASYMMETRIC_MINT_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const
export const MINT_ALGORITHMS = ['HS256', ...ASYMMETRIC_MINT_ALGORITHMS] as const

/** Timers beyond 2^31−1 ms overflow in NGINX and njs (and in Node), so that is the ceiling. */
export const MAX_TIMEOUT_MS = 2147483647
/** auth.lockout's defaults: 5 failures within 10 minutes lock the pair out for 15 minutes. */
export const DEFAULT_LOCKOUT_MAX_FAILURES = 5
export const DEFAULT_LOCKOUT_WINDOW_MS = 600_000
export const DEFAULT_LOCKOUT_DURATION_MS = 900_000

export const DEFAULT_SESSION_COOKIE_NAME = 'authotron_session'
export const SESSION_COOKIE_NAME_PATTERN = '^[A-Za-z0-9_]{1,64}$'

/** `{ if: tag == value, then: $ref }` for each member of a tagged union. */
function taggedUnion(tag: string, members: { [value: string]: string }): JsonSchema[] {
  return Object.entries(members).map(([value, definition]) => ({
    if: { properties: { [tag]: { const: value } }, required: [tag] },
    then: ref(definition),
  }))
}

const u16 = { type: 'integer', minimum: 0, maximum: 65535 }

/** Matches what the reference accepts once it has trimmed and lower-cased the value. */
const LOG_LEVEL_PATTERN = `^\\s*(?:${LOG_LEVELS.map((level) =>
  [...level].map((c) => `[${c.toUpperCase()}${c}]`).join(''),
).join('|')})\\s*$`

export const CONFIG_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Config',
  description:
    'Auth-O-Tron configuration as compiled by `authotron compile` (authotron-njs). Reference ' +
    'v1.0.0 and v2.0.0 documents are accepted; extensions are marked in their descriptions.',
  type: 'object',
  required: ['version'],
  properties: { version: { enum: [...CONFIG_VERSIONS] } },
  allOf: taggedUnion('version', { '1.0.0': 'ConfigV1', '2.0.0': 'ConfigV2' }),
  $defs: {
    ConfigV2: {
      type: 'object',
      required: ['version', 'store', 'services', 'providers', 'server', 'jwt', 'logging'],
      properties: {
        version: { const: '2.0.0' },
        store: ref('StoreConfig'),
        services: { type: 'array', items: ref('ServiceConfig') },
        providers: { type: 'array', items: ref('ProviderConfig') },
        augmenters: { type: 'array', items: ref('AugmenterConfig') },
        server: ref('ServerConfig'),
        metrics: ref('MetricsConfig'),
        jwt: ref('JWTConfig'),
        include_legacy_headers: { type: ['boolean', 'null'] },
        logging: ref('LoggingConfig'),
        auth: ref('AuthConfig'),
        access_rules: {
          type: 'object',
          additionalProperties: { type: 'string' },
          description:
            'authotron-njs extension: named access rules, referred to from nginx.conf as ' +
            '`set $authotron_require "@name";` (README, "Access rules").',
        },
        session: ref('SessionConfig'),
      },
    },
    ConfigV1: {
      type: 'object',
      required: ['version', 'store', 'services', 'providers', 'bind_address', 'jwt', 'logging'],
      properties: {
        version: { const: '1.0.0' },
        store: ref('StoreConfig'),
        services: { type: 'array', items: ref('ServiceConfig') },
        providers: { type: 'array', items: ref('ProviderConfig') },
        augmenters: { type: 'array', items: ref('AugmenterConfig') },
        bind_address: string('"host:port"; converted to server.host and server.port.'),
        jwt: ref('JWTConfig'),
        include_legacy_headers: { type: ['boolean', 'null'] },
        logging: ref('LoggingConfig'),
        auth: ref('AuthConfig'),
      },
    },
    StoreConfig: STORE_SCHEMA,
    ServiceConfig: {
      type: 'object',
      required: ['name', 'scopes'],
      properties: { name: string(), scopes: stringList() },
    },
    ServerConfig: {
      type: 'object',
      required: ['port'],
      properties: { host: { type: 'string', default: '0.0.0.0' }, port: u16 },
    },
    MetricsConfig: {
      type: 'object',
      properties: {
        enabled: { type: 'boolean', default: true },
        port: { ...u16, default: 9090 },
      },
    },
    JWTConfig: {
      type: 'object',
      required: ['iss', 'exp'],
      // HS256 (the default) needs `secret`, RS256/ES256/EdDSA `private_key_file`: checked by
      // src/compiler/signing-key.ts (schema-walk.ts reads an allOf of `if`s as a tagged union).
      properties: {
        alg: {
          enum: [...MINT_ALGORITHMS],
          default: 'HS256',
          description:
            'Extension: how minted tokens are signed. HS256 (the reference\'s) with `secret`; ' +
            'RS256, ES256 or EdDSA with `private_key_file`, the public key(s) then served at ' +
            '/.well-known/jwks.json (docs/jwt.md, "Asymmetric minting").',
        },
        private_key_file: string(
          'Extension: PEM private key for RS256 (RSA, >= 2048 bits), ES256 (EC P-256) or EdDSA ' +
            '(Ed25519): PKCS#8, or PKCS#1/SEC1; not encrypted. Relative to the config file. ' +
            'Read and checked when compiling, copied into the compiled file (mode 0600).',
        ),
        kid: string(
          'Extension: the `kid` of minted tokens and of the published key; default the ' +
            'public key\'s RFC 7638 thumbprint.',
        ),
        previous_public_key_files: {
          type: 'array',
          description:
            'Extension: public keys (PEM, SPKI; or private keys, whose public half is taken) of ' +
            'earlier signing keys, published in the JWK Set too while tokens they signed may ' +
            'still be in use. Each a path, or { file, kid } when that key had a configured kid.',
          items: {
            anyOf: [
              { type: 'string', minLength: 1 },
              {
                type: 'object',
                required: ['file'],
                properties: { file: { type: 'string', minLength: 1 }, kid: { type: 'string', minLength: 1 } },
              },
            ],
            errorMessage: 'expected a file path or { file, kid }',
          },
        },
        iss: string('The `iss` claim of minted tokens.'),
        aud: {
          type: ['string', 'null'],
          description: 'Accepted and ignored, as by the reference.',
        },
        exp: { type: 'integer', description: 'Lifetime of minted tokens in seconds.' },
        secret: {
          type: 'string',
          minLength: 1,
          description:
            'HS256 key (raw UTF-8 bytes). Checked: must not be empty. Required with alg HS256 ' +
            '(the default), unused with the others.',
        },
        previous_secrets: {
          type: 'array',
          items: { type: 'string', minLength: 1 },
          description:
            'authotron-njs extension: HS256 secrets replaced by `secret`. Only with `session`: tokens ' +
            'they signed are still accepted back until they expire; nothing is minted with them.',
        },
      },
    },
    SessionConfig: {
      type: 'object',
      description:
        'authotron-njs extension (docs/sessions.md): browser login — `/authenticate?redirect=<path>` ' +
        'sets a session cookie holding the minted JWT and answers 302 — `/logout`, and tokens this ' +
        'gateway minted accepted back from that cookie or as a Bearer credential. `session: {}` ' +
        'turns it on with the defaults.',
      properties: {
        cookie_name: {
          type: 'string',
          pattern: SESSION_COOKIE_NAME_PATTERN,
          default: DEFAULT_SESSION_COOKIE_NAME,
          description: 'The session cookie\'s name: 1 to 64 letters, digits or `_` (nginx reads it as `$cookie_<name>`).',
          errorMessage: 'expected 1 to 64 letters, digits or underscores',
        },
        cookie_secure: {
          type: 'boolean',
          default: true,
          description:
            'Send the cookie with `Secure` (HTTPS only). `false` only for plain-http development, as the demo.',
        },
      },
    },
    LoggingConfig: {
      type: 'object',
      required: ['level', 'format'],
      properties: {
        level: {
          type: 'string',
          pattern: LOG_LEVEL_PATTERN,
          description: 'trace, debug, info, warn or error (any case). Checked when compiling.',
          errorMessage: `expected one of ${LOG_LEVELS.join(', ')}`,
        },
        format: string(),
        service_name: { type: 'string', default: 'authotron' },
        service_version: string(),
      },
    },
    AuthConfig: {
      type: 'object',
      properties: {
        timeout_in_ms: {
          type: 'integer',
          minimum: 0,
          maximum: MAX_TIMEOUT_MS,
          default: 5000,
          description: 'Timeout of each provider attempt.',
        },
        grant_cache_ttl_in_ms: {
          type: 'integer',
          minimum: 0,
          maximum: MAX_TIMEOUT_MS,
          default: 30000,
          description:
            'authotron-njs: how long a successful authentication is reused per credential where the ' +
            'shared dict `authotron` exists (never past the token exp); 0 disables.',
        },
        max_basic_length: {
          type: 'integer',
          minimum: MIN_MAX_BASIC_LENGTH,
          maximum: MAX_MAX_BASIC_LENGTH,
          default: DEFAULT_MAX_BASIC_LENGTH,
          description:
            'authotron-njs: the longest Basic credential accepted, in characters of base64 after `Basic ` ' +
            '(the default, 1024, holds 768 bytes of `username:password`). A header carrying a longer one is ' +
            'refused with 401 (ERR_CREDENTIAL_TOO_LONG) before any decoding or hashing. Bearer tokens have ' +
            'no such limit: only nginx\'s large_client_header_buffers bounds them.',
        },
        lockout: {
          type: 'object',
          additionalProperties: false,
          description:
            'authotron-njs: after `max_failures` failed Basic authentications for one (client address, ' +
            'username) within `window_in_ms`, that pair answers 401 without a check for `duration_in_ms`; ' +
            'a success before resets it. Needs the shared dict `authotron_lockout` (njs >= 0.8.0).',
          properties: {
            max_failures: { type: 'integer', minimum: 1, maximum: 1000000, default: DEFAULT_LOCKOUT_MAX_FAILURES },
            window_in_ms: { type: 'integer', minimum: 1000, maximum: MAX_TIMEOUT_MS, default: DEFAULT_LOCKOUT_WINDOW_MS },
            duration_in_ms: { type: 'integer', minimum: 1000, maximum: MAX_TIMEOUT_MS, default: DEFAULT_LOCKOUT_DURATION_MS },
          },
        },
      },
    },
    ProviderConfig: {
      type: 'object',
      required: ['type'],
      properties: { type: { enum: [...PROVIDER_TYPES] } },
      allOf: taggedUnion('type', definitionNames(PROVIDER_SCHEMAS)),
    },
    ...definitionsOf(PROVIDER_SCHEMAS),
    AugmenterConfig: {
      type: 'object',
      required: ['type'],
      properties: { type: { enum: [...AUGMENTER_TYPES] } },
      allOf: taggedUnion('type', definitionNames(AUGMENTER_SCHEMAS)),
    },
    ...definitionsOf(AUGMENTER_SCHEMAS),
  },
}

function schemasOf(
  ...registries: { [type: string]: { schema: UnitSchema } }[]
): { [type: string]: UnitSchema } {
  const schemas: { [type: string]: UnitSchema } = {}
  for (const registry of registries) {
    for (const type of Object.keys(registry)) schemas[type] = registry[type].schema
  }
  return schemas
}

function definitionNames(schemas: { [type: string]: UnitSchema }): { [type: string]: string } {
  const names: { [type: string]: string } = {}
  for (const type of Object.keys(schemas)) names[type] = schemas[type].definition
  return names
}

/** Every type's definitions, in type order; two types may not define the same name. */
function definitionsOf(schemas: { [type: string]: UnitSchema }): { [name: string]: JsonSchema } {
  const defs: { [name: string]: JsonSchema } = {}
  for (const type of Object.keys(schemas)) {
    for (const name of Object.keys(schemas[type].defs)) {
      if (Object.hasOwn(defs, name)) throw new Error(`schema: ${name} is defined twice`)
      defs[name] = schemas[type].defs[name]
    }
  }
  return defs
}
